import { describe, expect, it } from "vitest";
import { MODEL_LABEL, SERVING_NAMESPACE } from "../../components/common/names";
import { catalogEntryFor } from "../../components/monitoring/metrics-catalog";
import { scalingQuery } from "../../components/serving/autoscaling";
import { MODEL_RUNTIMES, RUNTIME_IDS, VLLM_GPU, type ModelRuntime } from "../../components/serving/runtimes";
import { metricNamesIn, promqlSyntaxErrors } from "../promql";

/** What a model's scaler is given: the selector autoscaling.ts builds for one model. */
const SELECTOR = `{namespace="${SERVING_NAMESPACE}",${MODEL_LABEL}="m"}`;

/** Problems with a query an autoscaler tracks: it must parse and name only metrics `exporter` has in the catalogue. */
function queryProblems(what: string, query: string, exporter: string): string[] {
  if (promqlSyntaxErrors(query).length > 0) return [`${what}: does not parse: ${query}`];
  const names = metricNamesIn(query);
  if (names.length === 0) return [`${what}: selects no metric: ${query}`];
  return names.flatMap((name) => {
    const entry = catalogEntryFor(name);
    if (!entry) return [`${what}: ${name} is not in METRIC_CATALOG`];
    if (entry.info.exporter !== exporter)
      return [`${what}: ${name} is catalogued for ${entry.info.exporter}, not ${exporter}`];
    return [];
  });
}

/** Every scaling query a runtime declares, checked against the catalogue for its exporter. */
function scalingQueryProblems(runtime: ModelRuntime): string[] {
  return Object.entries(runtime.scalingQueries).flatMap(([metric, build]) =>
    queryProblems(`${runtime.id} ${metric}`, build!(SELECTOR).query, runtime.metricsExporter),
  );
}

describe("scaling queries against the metric catalogue", () => {
  it("covers every registered runtime, each with at least one scaling query", () => {
    expect(RUNTIME_IDS).toEqual(expect.arrayContaining(["triton", "vllm", "vllm-neuron"]));
    for (const id of RUNTIME_IDS) expect(Object.keys(MODEL_RUNTIMES[id].scalingQueries).length, id).toBeGreaterThan(0);
  });

  it.each(RUNTIME_IDS)("%s scales only on metrics its exporter has in the catalogue", (id) => {
    expect(scalingQueryProblems(MODEL_RUNTIMES[id])).toEqual([]);
  });

  it("gpu-utilization, the scaler every nvidia model may take, reads DCGM's catalogued metric", () => {
    const { query } = scalingQuery({
      name: "m",
      runtime: "vllm",
      autoscaling: { metric: "gpu-utilization", target: 70 },
    });
    expect(queryProblems("gpu-utilization", query, "dcgm-exporter")).toEqual([]);
  });

  it("refuses an SGLang-style runtime whose queries use metrics the catalogue does not list, or lists for another exporter", () => {
    const sglang: ModelRuntime = {
      ...VLLM_GPU,
      id: "sglang",
      title: "SGLang",
      metricsExporter: "sglang",
      scalingQueries: {
        "in-flight": (sel) => ({
          query: `sum(sglang:num_running_reqs${sel}) + sum(sglang:num_queue_reqs${sel})`,
          metricType: "AverageValue",
        }),
        // vLLM's gauge, which an SGLang server does not export.
        "kv-cache": (sel) => ({ query: `avg(vllm:kv_cache_usage_perc${sel}) * 100`, metricType: "Value" }),
        "queue-time": (sel) => ({ query: `sum(rate(sglang:queue_time_seconds_sum${sel}[1m])`, metricType: "Value" }),
      },
    };
    expect(scalingQueryProblems(sglang)).toEqual([
      "sglang in-flight: sglang:num_running_reqs is not in METRIC_CATALOG",
      "sglang in-flight: sglang:num_queue_reqs is not in METRIC_CATALOG",
      "sglang kv-cache: vllm:kv_cache_usage_perc is catalogued for vllm, not sglang",
      `sglang queue-time: does not parse: sum(rate(sglang:queue_time_seconds_sum${SELECTOR}[1m])`,
    ]);
  });
});
