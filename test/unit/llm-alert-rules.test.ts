import { describe, expect, it } from "vitest";
import { InvalidArgsError } from "../../components/common/errors";
import { DEFAULT_LLM_ALERT_RULE_INPUT, llmAlertRuleGroup } from "../../components/monitoring/llm-alert-rules";
import { unknownMetricNames } from "../../components/monitoring/metrics-catalog";
import { DASHBOARDS } from "../../components/monitoring/dashboards";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { metricNamesIn, promqlSyntaxErrors } from "../promql";

describe("LLM alert rules", () => {
  const group = llmAlertRuleGroup();

  it("has TTFT and inter-token burn-rate pairs and an error-rate alert, each parsing, on catalogued metrics", () => {
    expect(group.rules.map((r) => `${r.alert}/${r.labels.long ?? ""}`)).toEqual([
      "LlmTimeToFirstTokenBudgetBurn/1h",
      "LlmTimeToFirstTokenBudgetBurn/6h",
      "LlmTimeToFirstTokenBudgetBurn/3d",
      "LlmInterTokenLatencyBudgetBurn/1h",
      "LlmInterTokenLatencyBudgetBurn/6h",
      "LlmInterTokenLatencyBudgetBurn/3d",
      "LlmErrorRateHigh/",
    ]);
    for (const r of group.rules) {
      expect(promqlSyntaxErrors(r.expr), r.alert).toEqual([]);
      expect(unknownMetricNames(metricNamesIn(r.expr)), r.alert).toEqual([]);
      expect(r.annotations.runbook.length).toBeGreaterThan(80);
    }
    // The SLO bounds are read from the buckets vLLM emits (le normalised to a float).
    expect(group.rules[0].expr).toContain('vllm:time_to_first_token_seconds_bucket{le="1.0"}');
    expect(group.rules[3].expr).toContain('vllm:inter_token_latency_seconds_bucket{le="0.1"}');
    expect(group.rules[6].expr).toContain('status="5xx"');
    expect(group.rules[6].expr).toContain('finished_reason="error"');
    // Dead engines are ModelDown's (no ready replica) and ScrapeTargetDown's, not a second page here.
    expect(group.rules[6].expr).not.toMatch(/\bup\b/);
  });

  it("validates against the operator's PrometheusRule schema", () => {
    validateAgainstUpstreamSchema({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "llm", namespace: "monitoring" },
      spec: { groups: [group] },
    });
  });

  it("rejects objectives that are not bucket bounds or out of range, naming the field", () => {
    const bad = () =>
      llmAlertRuleGroup({
        ...DEFAULT_LLM_ALERT_RULE_INPUT,
        ttftSloSeconds: 0.3,
        itlSloTarget: 0.9,
        errorRateThreshold: 1,
      });
    expect(bad).toThrow(InvalidArgsError);
    expect(bad).toThrow(/ttftSloSeconds.*bucket bound/);
    expect(bad).toThrow(/itlSloTarget/);
    expect(bad).toThrow(/errorRateThreshold/);
  });
});

describe("LLM dashboard", () => {
  it("shows tokens per second, TTFT, time per output token, KV cache, queue and 5xx", () => {
    const dashboard = DASHBOARDS.find((d) => d.name === "llm")!.json as { panels: { targets: { expr: string }[] }[] };
    const metrics = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricNamesIn(t.expr))));
    expect([...metrics]).toEqual(
      expect.arrayContaining([
        "vllm:generation_tokens_total",
        "vllm:prompt_tokens_total",
        "vllm:time_to_first_token_seconds_bucket",
        "vllm:inter_token_latency_seconds_bucket",
        "vllm:kv_cache_usage_perc",
        "vllm:num_requests_waiting",
        "http_requests_total",
      ]),
    );
  });
});
