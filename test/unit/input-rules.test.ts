// The rules behind issue 24's kinds of bad input, each at its boundary: what Pulumi, AWS,
// Kubernetes, Prometheus and Go accept is accepted, the first value past it is refused.
import { describe, expect, it } from "vitest";
import { firstNonUtf8Byte } from "../../cli/stack-file";
import {
  NODE_GROUP_NAME_PREFIX_MAX,
  nodeGroupNamePrefix,
  nodeGroupNameProblem,
  scaleDownUnneededTimeProblem,
} from "../../components/capacity/rules";
import { parseGoDuration, parsePrometheusDuration } from "../../components/common/durations";
import { STACK_PLATFORM_NAME } from "../../components/common/names";
import { cpuMillisOf, memoryMiBOf, parseQuantity } from "../../components/common/quantity";
import { tagKeyProblem, tagProblems, tagValueProblem } from "../../components/common/tags";
import { alertRuleGroups, DEFAULT_ALERT_RULE_INPUT } from "../../components/monitoring/alert-rules";
import { llmAlertRuleGroup } from "../../components/monitoring/llm-alert-rules";
import { certificateRegionProblem } from "../../components/registry/rules";

describe("Kubernetes quantities: every form resource.Quantity parses", () => {
  it.each([
    ["16Gi", 16 * 2 ** 30],
    ["16G", 16e9],
    ["16M", 16e6],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1e9", 1e9],
    ["1E3", 1e3],
    ["1.2e+10", 1.2e10],
    ["12e-3", 0.012],
    ["500m", 0.5],
    [".5", 0.5],
    ["5.", 5],
    ["+4", 4],
    ["2Ei", 2 * 2 ** 60],
    ["3P", 3e15],
    ["3E", 3e18],
    ["100n", 1e-7],
    ["7k", 7000],
    ["128974848", 128974848],
  ])("%s", (q, value) => {
    expect(parseQuantity(q)! / value).toBeCloseTo(1, 9);
  });

  it.each(["16GB", "16gi", "1e", "Gi", "", "1.2.3", "0x10", "4 cores", "1K", "e3"])("refuses %j", (q) => {
    expect(parseQuantity(q)).toBeUndefined();
  });

  it("reads CPU as whole millicores, rounded up as Kubernetes rounds, and memory in MiB", () => {
    expect(cpuMillisOf("1.5")).toBe(1500);
    expect(cpuMillisOf("0.0001")).toBe(1);
    expect(cpuMillisOf(2)).toBe(2000);
    expect(memoryMiBOf("16G")).toBeCloseTo(15258.789, 3);
    expect(memoryMiBOf("512Mi")).toBe(512);
  });
});

describe("durations, as the programs that read them parse them", () => {
  it.each(["0", "5m", "1h30m", "1.5h", ".5h", "300ms", "2562047h", "9223372036s", "1µs"])("Go takes %s", (d) => {
    expect(parseGoDuration(d)).toHaveProperty("ns");
    expect(scaleDownUnneededTimeProblem(d)).toBeUndefined();
  });

  it.each([
    ["2562048h", /about 292 years/],
    ["3000000h", /about 292 years/],
    ["9223372037s", /about 292 years/],
    ["5", /must be a duration/],
    ["-5m", /must be a duration/],
    ["5d", /must be a duration/],
    ["soon", /must be a duration/],
    ["", /must be a duration/],
  ])("Go refuses %j", (d, message) => {
    expect(scaleDownUnneededTimeProblem(d)).toMatch(message);
  });

  it.each([
    ["0", 0n],
    ["15d", 15n * 86_400n * 10n ** 9n],
    ["2w3d", 17n * 86_400n * 10n ** 9n],
    ["1y", 365n * 86_400n * 10n ** 9n],
    ["292y", 292n * 365n * 86_400n * 10n ** 9n],
    ["1h30m", 5_400n * 10n ** 9n],
  ])("Prometheus takes %s", (d, ns) => {
    expect(parsePrometheusDuration(d)).toEqual({ ns });
  });

  it.each([
    ["293y", /about 292 years/],
    ["110000d", /about 292 years/],
    ["15260w", /about 292 years/],
    ["1d2w", /largest first/],
    ["1.5d", /Prometheus duration/],
    ["15", /Prometheus duration/],
    ["15x", /Prometheus duration/],
    ["", /Prometheus duration/],
  ])("Prometheus refuses %j", (d, message) => {
    const parsed = parsePrometheusDuration(d);
    expect("problem" in parsed && parsed.problem).toMatch(message);
  });
});

describe("tags, as AWS and IAM accept them", () => {
  it.each(["cost-center", "Coût centre", "プロジェクト", "a_b.c:d/e=f+g-h@i", "x".repeat(128)])("key %j", (k) => {
    expect(tagKeyProblem(k)).toBeUndefined();
  });

  it.each([
    ["", /1-128/],
    ["x".repeat(129), /found 129 characters/],
    ["owner#1", /characters AWS and IAM accept/],
    ["a,b", /characters AWS and IAM accept/],
    ["tab\there", /characters AWS and IAM accept/],
    ["AWS:team", /aws:/],
  ])("refuses key %j", (k, message) => {
    expect(tagKeyProblem(k)).toMatch(message);
  });

  it("counts values in Unicode characters, up to 256, in IAM's characters", () => {
    expect(tagValueProblem("")).toBeUndefined();
    expect(tagValueProblem("é".repeat(256))).toBeUndefined();
    expect(tagValueProblem("é".repeat(257))).toMatch(/found 257 characters/);
    for (const bad of ["a;b", "a\nb", "😀", "a*b", "(x)", "x,y", "50%", "#ml"])
      expect(tagValueProblem(bad), bad).toMatch(/characters AWS and IAM accept/);
    expect(tagProblems({ owner: "vision team", "cost-center": "a|b" })).toEqual([
      { path: '["cost-center"]', message: expect.stringMatching(/tag values/) },
    ]);
  });
});

describe("EKS node group names", () => {
  it("fit the provider's prefix bound (63 less its 26-character suffix) up to the last character", () => {
    expect(NODE_GROUP_NAME_PREFIX_MAX).toBe(37);
    const room = NODE_GROUP_NAME_PREFIX_MAX - `${STACK_PLATFORM_NAME}--on-demand-`.length;
    const pool = (n: number) => "p".repeat(n);
    expect(nodeGroupNamePrefix(`${STACK_PLATFORM_NAME}-${pool(room)}`, "on-demand")).toHaveLength(37);
    expect(nodeGroupNameProblem(`${STACK_PLATFORM_NAME}-${pool(room)}`)).toBeUndefined();
    expect(nodeGroupNameProblem(`${STACK_PLATFORM_NAME}-${pool(room + 1)}`)).toMatch(/is 38 characters/);
  });
});

describe("ACM certificates", () => {
  const arn = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666`;
  it("must be of the load balancer's region", () => {
    expect(certificateRegionProblem(arn("us-west-2"), "us-west-2")).toBeUndefined();
    expect(certificateRegionProblem(arn("eu-west-1"), "us-west-2")).toMatch(/of eu-west-1, but[\s\S]*in us-west-2/);
  });
});

describe("UTF-8, as the Pulumi CLI requires it", () => {
  it.each([
    ["ASCII", [0x61, 0x62], -1],
    ["a 2-, 3- and 4-byte character", [0xc3, 0xa9, 0xe3, 0x83, 0x97, 0xf0, 0x9f, 0x98, 0x80], -1],
    ["Latin-1 é", [0x61, 0xe9, 0x62], 1],
    ["an overlong /", [0xc0, 0xaf], 0],
    ["a surrogate", [0x61, 0xed, 0xa0, 0x80], 1],
    ["a cut character", [0x61, 0xe3, 0x83], 1],
    ["beyond U+10FFFF", [0xf4, 0x90, 0x80, 0x80], 0],
    ["a stray continuation byte", [0x80], 0],
  ])("%s", (_, bytes, at) => {
    expect(firstNonUtf8Byte(Uint8Array.from(bytes))).toBe(at);
  });
});

describe("runbooks agree with the validation", () => {
  it("no alert tells the reader to set a value the schema refuses (a canary's trafficPercent of 0)", () => {
    const runbooks = [...alertRuleGroups(DEFAULT_ALERT_RULE_INPUT), llmAlertRuleGroup()]
      .flatMap((g) => g.rules)
      .map((r) => r.annotations?.runbook ?? "");
    const canary = runbooks.filter((r) => /canary/.test(r) && /trafficPercent/.test(r));
    expect(canary.length).toBeGreaterThan(0);
    for (const r of canary) {
      expect(r).not.toMatch(/trafficPercent to 0\b/);
      expect(r).toMatch(/remove the canary key of the model/);
    }
  });
});
