/**
 * The LLM gateway's alerts under `promtool test rules`, on synthetic endpoint-picker and
 * kube-state-metrics series: each fires on its condition and not without it. Skipped with a warning
 * where promtool is not on the PATH, failed under CI=true.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { gatewayAlertRuleGroup, gatewayPrometheusRule } from "../../components/serving";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { unknownMetricNames } from "../../components/monitoring/metrics-catalog";
import { metricNamesIn, promqlSyntaxErrors } from "../promql";

const hasPromtool = spawnSync("sh", ["-c", "command -v promtool"]).status === 0;
if (!hasPromtool && process.env.CI === "true")
  throw new Error("promtool not found on PATH; CI must install prometheus");
if (!hasPromtool) console.warn("SKIPPED LLM gateway promtool tests: promtool not on PATH");

function promtool(tests: object[]): { status: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "mlserving-gw-"));
  try {
    writeFileSync(join(dir, "rules.yaml"), stringify({ groups: [gatewayAlertRuleGroup()] }));
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

const fired = (alertname: string, labels: Record<string, string>) => {
  const rule = gatewayAlertRuleGroup().rules.find((r) => r.alert === alertname)!;
  const expand = (t: string) =>
    Object.entries(labels)
      .reduce((s, [k, v]) => s.replaceAll(`{{ $labels.${k} }}`, v), t)
      .replaceAll("{{ $value }}", "8");
  return {
    exp_labels: { ...labels, severity: rule.labels.severity },
    exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expand(v)])),
  };
};

describe("the LLM gateway's alerts", () => {
  it("is a valid PrometheusRule on metrics in the catalog", () => {
    validateAgainstUpstreamSchema(gatewayPrometheusRule());
    for (const r of gatewayAlertRuleGroup().rules) {
      expect(promqlSyntaxErrors(r.expr), r.alert).toEqual([]);
      expect(unknownMetricNames(metricNamesIn(r.expr)), r.alert).toEqual([]);
    }
  });

  it.skipIf(!hasPromtool)("fire on a picker down, a pool with no ready replica and queueing, not otherwise", () => {
    const picker = { namespace: "serving", deployment: "chat-epp" };
    const pool = { namespace: "serving", name: "chat" };
    const r = promtool([
      {
        interval: "1m",
        input_series: [
          {
            series: 'kube_deployment_status_replicas_available{namespace="serving",deployment="chat-epp"}',
            values: "1x5 0x20",
          },
          {
            series: 'kube_deployment_status_replicas_available{namespace="serving",deployment="chat-predictor"}',
            values: "0x25",
          },
          { series: 'inference_pool_ready_pods{namespace="serving",name="chat"}', values: "2x5 0x20" },
          { series: 'inference_pool_average_queue_size{namespace="serving",name="chat"}', values: "1x5 8x20" },
        ],
        alert_rule_test: [
          { eval_time: "4m", alertname: "LlmEndpointPickerDown", exp_alerts: [] },
          {
            eval_time: "15m",
            alertname: "LlmEndpointPickerDown",
            exp_alerts: [fired("LlmEndpointPickerDown", picker)],
          },
          {
            eval_time: "15m",
            alertname: "LlmInferencePoolNoReadyEndpoint",
            exp_alerts: [fired("LlmInferencePoolNoReadyEndpoint", pool)],
          },
          { eval_time: "20m", alertname: "LlmGatewayQueueing", exp_alerts: [fired("LlmGatewayQueueing", pool)] },
        ],
      },
      {
        interval: "1m",
        input_series: [
          {
            series: 'kube_deployment_status_replicas_available{namespace="serving",deployment="chat-epp"}',
            values: "1x25",
          },
          { series: 'inference_pool_ready_pods{namespace="serving",name="chat"}', values: "2x25" },
          { series: 'inference_pool_average_queue_size{namespace="serving",name="chat"}', values: "4x25" },
        ],
        alert_rule_test: [
          { eval_time: "20m", alertname: "LlmEndpointPickerDown", exp_alerts: [] },
          { eval_time: "20m", alertname: "LlmInferencePoolNoReadyEndpoint", exp_alerts: [] },
          { eval_time: "20m", alertname: "LlmGatewayQueueing", exp_alerts: [] },
        ],
      },
    ]);
    expect(r.output).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });
});
