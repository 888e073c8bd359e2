/**
 * The LLM gateway's alerts under `promtool test rules`, on synthetic endpoint-picker and
 * kube-state-metrics series: each fires on its condition and not without it (test/prom-tools.ts
 * runs promtool; skipped with a warning where it is not on the PATH, failed under CI=true).
 */
import { expect, it } from "vitest";
import { gatewayAlertRuleGroup, gatewayPrometheusRule } from "../../components/serving";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { unknownMetricNames } from "../../components/monitoring/metrics-catalog";
import { metricNamesIn, promqlSyntaxErrors } from "../promql";
import { describeWithTools, promtoolTestRules } from "../prom-tools";

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

describeWithTools("the LLM gateway's alerts", ["promtool"], () => {
  it("is a valid PrometheusRule on metrics in the catalog", () => {
    validateAgainstUpstreamSchema(gatewayPrometheusRule());
    for (const r of gatewayAlertRuleGroup().rules) {
      expect(promqlSyntaxErrors(r.expr), r.alert).toEqual([]);
      expect(unknownMetricNames(metricNamesIn(r.expr)), r.alert).toEqual([]);
    }
  });

  it("fire on a picker down, a pool with no ready replica and queueing, not otherwise", async () => {
    const picker = { namespace: "serving", deployment: "chat-epp" };
    const pool = { namespace: "serving", name: "chat" };
    const r = await promtoolTestRules(
      [gatewayAlertRuleGroup()],
      [
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
            {
              series: 'kube_deployment_spec_replicas{namespace="serving",deployment="chat-predictor"}',
              values: "2x25",
            },
            { series: 'inference_pool_ready_pods{namespace="serving",name="chat"}', values: "2x5 0x20" },
            { series: 'inference_pool_average_queue_size{namespace="serving",name="chat"}', values: "1x5 8x20" },
            { series: 'inference_pool_ready_pods{namespace="serving",name="summarize"}', values: "3x25" },
            { series: 'inference_pool_average_queue_size{namespace="serving",name="summarize"}', values: "1x5 8x20" },
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
            // The queue of a pool with ready replicas, not the emptied chat pool's stale value.
            {
              eval_time: "20m",
              alertname: "LlmGatewayQueueing",
              exp_alerts: [fired("LlmGatewayQueueing", { namespace: "serving", name: "summarize" })],
            },
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
        {
          // A track scaled to zero (its predictor wants no replica): no ready pod is not an outage,
          // and the picker's last queue value, no longer updated, is not a queue.
          interval: "1m",
          input_series: [
            {
              series: 'kube_deployment_spec_replicas{namespace="serving",deployment="chat-predictor"}',
              values: "1x5 0x20",
            },
            { series: 'inference_pool_ready_pods{namespace="serving",name="chat"}', values: "1x5 0x20" },
            { series: 'inference_pool_average_queue_size{namespace="serving",name="chat"}', values: "8x25" },
          ],
          alert_rule_test: [
            { eval_time: "20m", alertname: "LlmInferencePoolNoReadyEndpoint", exp_alerts: [] },
            { eval_time: "20m", alertname: "LlmGatewayQueueing", exp_alerts: [] },
          ],
        },
        {
          // Held requests dropped at 10m (the hold ran out, then the queue was full), none dispatched
          // ones count: the alert fires while drops lie within 10 minutes, and not after.
          interval: "1m",
          input_series: [
            {
              series:
                'inference_extension_flow_control_request_queue_duration_seconds_count{namespace="dev",inference_pool="chat-llm",outcome="EvictedTTL"}',
              values: "0x10 1x40",
            },
            {
              series:
                'inference_extension_flow_control_request_queue_duration_seconds_count{namespace="dev",inference_pool="chat-llm",outcome="RejectedCapacity"}',
              values: "0x10 2x40",
            },
            {
              series:
                'inference_extension_flow_control_request_queue_duration_seconds_count{namespace="dev",inference_pool="chat-llm",outcome="Dispatched"}',
              values: "0+5x50",
            },
          ],
          alert_rule_test: [
            { eval_time: "9m", alertname: "LlmGatewayRequestsDropped", exp_alerts: [] },
            {
              eval_time: "17m",
              alertname: "LlmGatewayRequestsDropped",
              exp_alerts: [
                {
                  exp_labels: { namespace: "dev", inference_pool: "chat-llm", severity: "critical" },
                  exp_annotations: {
                    ...fired("LlmGatewayRequestsDropped", { namespace: "dev", inference_pool: "chat-llm" })
                      .exp_annotations,
                    // One request held past its hold and two refused on a full queue: 3, not the dispatched ones.
                    summary:
                      "The endpoint picker of InferencePool dev/chat-llm answered 3 held request(s) with an error in 10 minutes.",
                  },
                },
              ],
            },
            { eval_time: "40m", alertname: "LlmGatewayRequestsDropped", exp_alerts: [] },
          ],
        },
        {
          // A track woken from zero at 6m: its first replica may take the longest hold to start
          // (no page at 20m), but one still missing once that has passed is an outage.
          interval: "1m",
          input_series: [
            {
              series: 'kube_deployment_spec_replicas{namespace="serving",deployment="chat-predictor"}',
              values: "0x5 1x40",
            },
            { series: 'inference_pool_ready_pods{namespace="serving",name="chat"}', values: "0x45" },
          ],
          alert_rule_test: [
            { eval_time: "20m", alertname: "LlmInferencePoolNoReadyEndpoint", exp_alerts: [] },
            {
              eval_time: "40m",
              alertname: "LlmInferencePoolNoReadyEndpoint",
              exp_alerts: [fired("LlmInferencePoolNoReadyEndpoint", { namespace: "serving", name: "chat" })],
            },
          ],
        },
      ],
    );
    expect(r.output).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });
});
