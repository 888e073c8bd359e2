/**
 * The LLM alerts and vLLM's autoscaling query, evaluated by the Prometheus project's own
 * `promtool test rules` (Debian's prometheus package, 2.42) on synthetic vLLM series: firing,
 * not firing, and no series at all. Skipped with a warning where promtool is not on the PATH,
 * failed under CI=true.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BURN_RATE_WINDOWS } from "../../components/monitoring/alert-rules";
import { llmAlertRuleGroup } from "../../components/monitoring/llm-alert-rules";
import { scalingQuery, withModelDefaults } from "../../components/serving";

const hasPromtool = spawnSync("sh", ["-c", "command -v promtool"]).status === 0;
if (!hasPromtool && process.env.CI === "true")
  throw new Error("promtool not found on PATH; CI must install prometheus");
if (!hasPromtool) console.warn("SKIPPED LLM promtool tests: promtool not on PATH (apt-get install -y prometheus)");

/**
 * The annotations promtool expands for `alertname` on model serving/chat (track `stable` unless
 * given), with `{{ $value }}` shown as `value`.
 */
function annotationsOf(
  alertname: string,
  long: string | undefined,
  value?: string,
  track = "stable",
): Record<string, string> {
  const rule = llmAlertRuleGroup().rules.find(
    (r) => r.alert === alertname && (long === undefined || r.labels.long === long),
  );
  if (!rule) throw new Error(`no rule ${alertname} ${long}`);
  const expand = (t: string) =>
    t
      .replaceAll("{{ $labels.namespace }}", "serving")
      .replaceAll(
        "{{ $labels.mlserving_model }}{{ with $labels.mlserving_track }} ({{ . }}){{ end }}",
        `chat (${track})`,
      )
      .replaceAll("{{ $value | humanizePercentage }}", value ?? "");
  return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expand(v)]));
}

interface Case {
  interval: string;
  input_series: { series: string; values: string }[];
  alert_rule_test?: {
    eval_time: string;
    alertname: string;
    exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
  }[];
  promql_expr_test?: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[];
}

/** Runs `promtool test rules` on the LLM group and these cases; returns promtool's output and status. */
function promtool(tests: Case[]): { status: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "mlserving-llm-"));
  try {
    writeFileSync(join(dir, "rules.yaml"), stringify({ groups: [llmAlertRuleGroup()] }));
    writeFileSync(join(dir, "tests.yaml"), stringify({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests }));
    try {
      return {
        status: 0,
        output: execFileSync("promtool", ["test", "rules", "tests.yaml"], { cwd: dir, encoding: "utf8" }),
      };
    } catch (e) {
      const err = e as { status: number; stdout: string; stderr: string };
      return { status: err.status, output: `${err.stdout}${err.stderr}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const POD =
  'namespace="serving",pod="chat-predictor-abc12-xyz12",model_name="chat",mlserving_model="chat",mlserving_track="stable"';
const POD2 =
  'namespace="serving",pod="chat-predictor-abc12-qqq34",model_name="chat",mlserving_model="chat",mlserving_track="stable"';
/** The labels the LLM alerts carry: the kit's model and track, which Alertmanager routes and inhibits on. */
const MODEL = { namespace: "serving", mlserving_model: "chat", mlserving_track: "stable" };
/** The canary of chat: vLLM serves it under the InferenceService's name. */
const CANARY =
  'namespace="serving",pod="chat-canary-predictor-abc12-ccc56",model_name="chat-canary",mlserving_model="chat",mlserving_track="canary"';

/** A histogram where `slowPerMin` of `perMin` observations a minute are above the SLO bound `le`. */
const histogram = (name: string, le: string, perMin: number, slowPerMin: number, pod = POD) => [
  { series: `${name}_bucket{${pod},le="${le}"}`, values: `0+${perMin - slowPerMin}x120` },
  { series: `${name}_count{${pod}}`, values: `0+${perMin}x120` },
];
const running = (pod: string, values = "1x120") => ({ series: `vllm:num_requests_running{${pod},engine="0"}`, values });

/**
 * At 30 minutes of a sustained burn every window pair fires: the burn alerts have no `for:` delay
 * (BURN_RATE_WINDOWS), so the 3d/6h ticket opens with the pages. promtool sorts alerts by labels.
 */
const burnAlerts = (alertname: string, track = "stable") =>
  [...BURN_RATE_WINDOWS]
    .sort((a, b) => a.long.localeCompare(b.long))
    .map((w) => ({
      exp_labels: { ...MODEL, mlserving_track: track, alertname, severity: w.severity, long: w.long, short: w.short },
      exp_annotations: annotationsOf(alertname, w.long, undefined, track),
    }));

describe.skipIf(!hasPromtool)("LLM alerts and autoscaling under promtool", () => {
  it("burns the TTFT budget when half the requests wait over 1 s for their first token, not at 0.5%", () => {
    const ttft = "vllm:time_to_first_token_seconds";
    const r = promtool([
      {
        interval: "1m",
        input_series: histogram(ttft, "1.0", 100, 50),
        alert_rule_test: [
          {
            eval_time: "30m",
            alertname: "LlmTimeToFirstTokenBudgetBurn",
            exp_alerts: burnAlerts("LlmTimeToFirstTokenBudgetBurn"),
          },
        ],
      },
      {
        // A slow canary beside a healthy stable track: the canary's own alerts, labelled with the
        // kit's model and track (what Alertmanager routes and inhibits on), not the stable track's.
        interval: "1m",
        input_series: [...histogram(ttft, "1.0", 1000, 5), ...histogram(ttft, "1.0", 100, 50, CANARY)],
        alert_rule_test: [
          {
            eval_time: "30m",
            alertname: "LlmTimeToFirstTokenBudgetBurn",
            exp_alerts: burnAlerts("LlmTimeToFirstTokenBudgetBurn", "canary"),
          },
        ],
      },
      {
        interval: "1m",
        input_series: histogram(ttft, "1.0", 1000, 5),
        alert_rule_test: [{ eval_time: "90m", alertname: "LlmTimeToFirstTokenBudgetBurn", exp_alerts: [] }],
      },
      {
        interval: "1m",
        input_series: [],
        alert_rule_test: [{ eval_time: "90m", alertname: "LlmTimeToFirstTokenBudgetBurn", exp_alerts: [] }],
      },
    ]);
    expect(r.output).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  it("burns the inter-token latency budget when a fifth of tokens take over 100 ms, not at 0.5%", () => {
    const itl = "vllm:inter_token_latency_seconds";
    const r = promtool([
      {
        interval: "1m",
        // Tokens are ITL's observations; the page's minimum counts requests (TTFT's, one per request).
        input_series: [
          ...histogram(itl, "0.1", 5000, 1000),
          ...histogram("vllm:time_to_first_token_seconds", "1.0", 100, 0),
        ],
        alert_rule_test: [
          {
            eval_time: "30m",
            alertname: "LlmInterTokenLatencyBudgetBurn",
            exp_alerts: burnAlerts("LlmInterTokenLatencyBudgetBurn"),
          },
        ],
      },
      {
        interval: "1m",
        input_series: histogram(itl, "0.1", 5000, 25),
        alert_rule_test: [{ eval_time: "90m", alertname: "LlmInterTokenLatencyBudgetBurn", exp_alerts: [] }],
      },
    ]);
    expect(r.output).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  it("counts HTTP 5xx as errors, and stays quiet on healthy or absent series and on one dead engine of two", () => {
    const http = (pod: string, status: string, perMin: number) => ({
      series: `http_requests_total{${pod.replace(/,model_name="chat"/, "")},handler="/v1/chat/completions",method="POST",status="${status}"}`,
      values: `0+${perMin}x120`,
    });
    const alertname = "LlmErrorRateHigh";
    const firing = (value: string) => [
      {
        exp_labels: { ...MODEL, alertname, severity: "critical" },
        exp_annotations: annotationsOf(alertname, undefined, value),
      },
    ];
    const r = promtool([
      {
        // 10% of responses are 5xx.
        interval: "1m",
        input_series: [running(POD), http(POD, "2xx", 90), http(POD, "5xx", 10)],
        alert_rule_test: [{ eval_time: "20m", alertname, exp_alerts: firing("10%") }],
      },
      {
        // 1% are 5xx: under the 5% threshold.
        interval: "1m",
        input_series: [running(POD), http(POD, "2xx", 99), http(POD, "5xx", 1)],
        alert_rule_test: [{ eval_time: "20m", alertname, exp_alerts: [] }],
      },
      {
        // One of two engines dies at minute 20: it stops reporting and cannot be scraped. Its
        // replica is ScrapeTargetDown's (and ModelDown's once none is left), not a second page here.
        interval: "1m",
        input_series: [
          running(POD),
          running(POD2, "1x20 _x100"),
          { series: `up{${POD.replace(/,model_name="chat"/, "")}}`, values: "1x120" },
          { series: `up{${POD2.replace(/,model_name="chat"/, "")}}`, values: "1x20 0x100" },
          http(POD, "2xx", 50),
        ],
        alert_rule_test: [
          { eval_time: "22m", alertname, exp_alerts: [] },
          { eval_time: "40m", alertname, exp_alerts: [] },
        ],
      },
      { interval: "1m", input_series: [], alert_rule_test: [{ eval_time: "30m", alertname, exp_alerts: [] }] },
    ]);
    expect(r.output).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  it("scales a vLLM GPU model on average KV-cache use in percent, and returns nothing without series", () => {
    const model = withModelDefaults(
      { name: "chat", server: "kserve", accelerator: "nvidia", runtime: "vllm", source: "models:/chat/1" },
      "staging",
    );
    const { query } = scalingQuery(model, { track: "stable" });
    const kv = (pod: string, v: string) => ({
      series: `vllm:kv_cache_usage_perc{${pod},engine="0"}`,
      values: `${v}x30`,
    });
    const canary = POD2.replace('mlserving_track="stable"', 'mlserving_track="canary"');
    const r = promtool([
      {
        interval: "1m",
        // Two stable replicas at 80% and 60%; the canary's 10% is not the stable track's.
        input_series: [kv(POD, "0.8"), kv(POD2, "0.6"), kv(canary, "0.1")],
        promql_expr_test: [{ expr: query, eval_time: "10m", exp_samples: [{ labels: "{}", value: 70 }] }],
      },
      { interval: "1m", input_series: [], promql_expr_test: [{ expr: query, eval_time: "10m", exp_samples: [] }] },
    ]);
    expect(r.output).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });
});
