import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alertingSummaryLines } from "../../cli/alerting-report";
import { loadStackFile } from "../../cli/stack-file";
import { alertingFindings } from "../../components/platform/rules";
import type { PlatformSpec } from "../../components/platform/spec";
import { CONFIG_NAMESPACE, resolvePlatformSpec } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";

/** A shipped stack file's resolved spec, as the plan sees it. */
function shipped(env: "dev" | "staging" | "prod"): PlatformSpec {
  const { config, secretKeys } = loadStackFile(
    join(__dirname, "..", "..", "stacks", `Pulumi.${env}.yaml`),
    CONFIG_NAMESPACE,
  );
  const { raw, region } = rawConfigFromPulumi(config, (k) => secretKeys.includes(k));
  return resolvePlatformSpec(raw, region, new Set(secretKeys));
}

describe("the plan's alerting findings", () => {
  it.each(["dev", "staging"] as const)("%s as shipped: a warning that every alert reaches nobody", (env) => {
    const findings = alertingFindings(shipped(env));
    expect(findings.filter((f) => f.level === "warning")).toEqual([
      expect.objectContaining({ path: "alertPagerdutyRoutingKey", message: expect.stringMatching(/reaches nobody/) }),
    ]);
    const lines = alertingSummaryLines(shipped(env));
    expect(lines[0]).toBe("Alerting: 1 warning(s), 1 advisory");
    expect(lines.join("\n")).toContain("[warning] mlserving:alertPagerdutyRoutingKey");
  });

  it("prod as shipped: nothing to say (its rules require the receivers and the heartbeat)", () => {
    expect(alertingFindings(shipped("prod"))).toEqual([]);
    expect(alertingSummaryLines(shipped("prod"))).toEqual([]);
  });

  it("PagerDuty alone outside prod: warnings reach nobody; with Slack and a heartbeat: nothing", () => {
    const staging = shipped("staging");
    const only = alertingFindings({ ...staging, alerting: { pagerdutyRoutingKey: "k" } });
    expect(only.map((f) => `${f.level} ${f.path}`)).toEqual([
      "warning alertSlackWebhookUrl",
      "advisory alertHeartbeatUrl",
    ]);
    const all = {
      pagerdutyRoutingKey: "k",
      slackWebhookUrl: "https://hooks.slack.com/x",
      heartbeatUrl: "https://hc/x",
    };
    expect(alertingFindings({ ...staging, alerting: all })).toEqual([]);
  });
});
