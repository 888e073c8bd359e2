/**
 * Every autoscaling query the kit's ScaledObjects send to Prometheus (built by `scaledObject`,
 * for each kind of query and for the models the shipped stacks serve), evaluated by
 * `promtool test rules` (`promql_expr_test`, Debian's Prometheus 2.42): the value under load, the
 * value of an idle model, and no series at all.
 *
 * KEDA 2.20's Prometheus scaler reads an empty result as 0 unless `ignoreNullValues` is false
 * (pkg/scalers/prometheus_scaler.go @ v2.20.2), which would scale a model that stopped reporting
 * down to its minimum; the kit sets it to false, so the "no series" case is an error KEDA reports
 * and the HPA keeps its replicas (and ModelMetricsMissing alerts).
 *
 * The queries use `rate(...[1m])` over 15 s scrapes; cases are evaluated well after the first
 * minute so Prometheus 3's left-open windows and 2.42's left-closed ones give the same result.
 */
import { join } from "node:path";
import { expect, it } from "vitest";
import { loadStackFile } from "../../cli/stack-file";
import type { ModelSpec } from "../../components/serving";
import { scaledObject } from "../../components/serving/autoscaling";
import { CONFIG_NAMESPACE, resolvePlatformSpec } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";
import { KSERVE_NEURON_MODEL, TRITON_GPU_MODEL } from "../fixtures/models";
import { describeWithTools, ExprTest, InputSeries, promtoolTestRules, series } from "../prom-tools";

type Track = "stable" | "canary" | undefined;
interface Scaler {
  title: string;
  model: ModelSpec;
  track: Track;
  deployment: string;
  query: string;
  threshold: number;
  ignoreNullValues: string | undefined;
}

/** The ScaledObjects the serving components create for a model (one per KServe track). */
function scalersOf(model: ModelSpec): Scaler[] {
  const tracks: { track: Track; deployment: string; name?: string }[] =
    model.server === "triton"
      ? [{ track: undefined, deployment: model.name }]
      : [
          { track: "stable", deployment: `${model.name}-predictor`, name: model.name },
          ...(model.canary
            ? [{ track: "canary" as const, deployment: `${model.name}-canary-predictor`, name: `${model.name}-canary` }]
            : []),
        ];
  return tracks.map((t) => {
    const so = scaledObject(model, t.deployment, { name: t.name, track: t.track });
    const md = so.spec.triggers[0].metadata as Record<string, string>;
    return {
      title: `${model.name}${t.track ? `/${t.track}` : ""} (${model.autoscaling.metric})`,
      model,
      track: t.track,
      deployment: t.deployment,
      query: md.query,
      threshold: Number(md.threshold),
      ignoreNullValues: md.ignoreNullValues,
    };
  });
}

function shippedModels(env: "dev" | "staging" | "prod"): ModelSpec[] {
  const { config, secretKeys } = loadStackFile(
    join(__dirname, "..", "..", "stacks", `Pulumi.${env}.yaml`),
    CONFIG_NAMESPACE,
  );
  const { raw, region } = rawConfigFromPulumi(config, (k) => secretKeys.includes(k));
  return resolvePlatformSpec(raw, region, new Set(secretKeys)).serving.models;
}

const MODELS: ModelSpec[] = [
  TRITON_GPU_MODEL,
  { ...TRITON_GPU_MODEL, name: "resnet-inflight", autoscaling: { metric: "in-flight", target: 4 } },
  { ...TRITON_GPU_MODEL, name: "resnet-gpu", autoscaling: { metric: "gpu-utilization", target: 70 } },
  KSERVE_NEURON_MODEL,
  ...shippedModels("dev"),
  ...shippedModels("staging"),
  ...shippedModels("prod"),
];
const SCALERS = MODELS.flatMap(scalersOf);

/** The labels every series of one of the scaler's pods carries (target labels plus relabelled ones). */
function podLabels(sc: Scaler, pod: string): Record<string, string> {
  return {
    namespace: "serving",
    pod,
    mlserving_model: sc.model.name,
    ...(sc.track ? { mlserving_track: sc.track } : {}),
  };
}
const podName = (sc: Scaler, i: number) => `${sc.deployment}-7d9f8b6c5d-${"abcde".slice(0, 4)}${i}`;

/**
 * Series of two pods of the scaler's Deployment under `load` (0: idle): the value the query must
 * then return is `expected`.
 */
function seriesUnderLoad(sc: Scaler, load: number): { input: InputSeries[]; expected: number } {
  const metric = sc.model.autoscaling.metric;
  const vllm = sc.model.runtime === "vllm" || sc.model.runtime === "vllm-neuron";
  const input: InputSeries[] = [];
  for (const i of [0, 1]) {
    const l = podLabels(sc, podName(sc, i));
    if (metric === "queue-time") {
      // `load` requests a second per pod, each waiting 20 ms: 15 s scrapes.
      input.push({
        series: series("nv_inference_request_success", { ...l, model: sc.model.name, version: "1" }),
        values: `0+${load * 15}x60`,
      });
      input.push({
        series: series("nv_inference_queue_duration_us", { ...l, model: sc.model.name, version: "1" }),
        values: `0+${load * 15 * 20_000}x60`,
      });
    } else if (metric === "in-flight" && vllm) {
      input.push({
        series: series("vllm:num_requests_running", { ...l, model_name: sc.model.name, engine: "0" }),
        values: `${load}x60`,
      });
      input.push({
        series: series("vllm:num_requests_waiting", { ...l, model_name: sc.model.name, engine: "0" }),
        values: `${load / 2}x60`,
      });
    } else if (metric === "kv-cache") {
      // vLLM reports the KV cache's use as a fraction (0-1); the query reads it in percent.
      input.push({
        series: series("vllm:kv_cache_usage_perc", { ...l, model_name: sc.model.name, engine: "0" }),
        values: `${load / 10}x60`,
      });
    } else if (metric === "in-flight") {
      input.push({
        series: series("nv_inference_pending_request_count", { ...l, model: sc.model.name, version: "1" }),
        values: `${load}x60`,
      });
    } else {
      // DCGM reports the pod holding the GPU (honorLabels), not its own.
      input.push({
        series: series("DCGM_FI_DEV_GPU_UTIL", {
          namespace: "serving",
          pod: podName(sc, i),
          gpu: "0",
          Hostname: `node-${i}`,
        }),
        values: `${load * 10}x60`,
      });
    }
  }
  const expected =
    metric === "queue-time"
      ? load > 0
        ? 20
        : 0
      : metric === "in-flight"
        ? vllm
          ? 2 * load * 1.5
          : 2 * load
        : load * 10; // gpu-utilization and kv-cache: the average of the pods, in percent
  return { input, expected };
}

/** Series of another model and of the other track, which the query must not read. */
function neighbours(sc: Scaler): InputSeries[] {
  const other: Scaler = {
    ...sc,
    model: { ...sc.model, name: `${sc.model.name}-other` },
    deployment: `${sc.deployment}-other`,
  };
  const otherTrack: Scaler | undefined = sc.track
    ? { ...sc, track: sc.track === "stable" ? "canary" : "stable", deployment: `${sc.deployment}-x` }
    : undefined;
  return [other, ...(otherTrack ? [otherTrack] : [])].flatMap((o) => seriesUnderLoad(o, 9).input);
}

const at = "10m";
const expr = (sc: Scaler, exp: number | undefined): ExprTest => ({
  expr: sc.query,
  eval_time: at,
  exp_samples: exp === undefined ? [] : [{ labels: "{}", value: exp }],
});

async function expectPass(name: string, input: InputSeries[], cases: ExprTest[]) {
  const r = await promtoolTestRules([], [{ name, interval: "15s", input_series: input, promql_expr_test: cases }]);
  expect(r.output, r.output).toMatch(/SUCCESS/);
  expect(r.status, r.output).toBe(0);
}

describeWithTools("KEDA queries under promtool", ["promtool"], () => {
  // One promtool run per ScaledObject, with its three cases as three promtool tests.
  it.each(SCALERS.map((sc) => [sc.title, sc] as const))(
    "%s: the model's own load (not other models' or the other track's), 0 when idle, nothing without series",
    async (_t, sc) => {
      const load = seriesUnderLoad(sc, 3);
      const idle = seriesUnderLoad(sc, 0);
      const r = await promtoolTestRules(
        [],
        [
          {
            name: "value",
            interval: "15s",
            input_series: [...load.input, ...neighbours(sc)],
            promql_expr_test: [expr(sc, load.expected)],
          },
          {
            name: "idle",
            interval: "15s",
            input_series: [...idle.input, ...neighbours(sc)],
            promql_expr_test: [expr(sc, 0)],
          },
          // KEDA reads this as an error (ignoreNullValues false) and the HPA keeps its replicas.
          { name: "no series", interval: "15s", input_series: neighbours(sc), promql_expr_test: [expr(sc, undefined)] },
        ],
      );
      expect(r.output, r.output).toMatch(/SUCCESS/);
      expect(r.status, r.output).toBe(0);
      expect(sc.ignoreNullValues).toBe("false");
    },
  );

  it("prod's vLLM model scales out while its batch still has room (7 of --max-num-seqs 8 running, none waiting)", async () => {
    const sc = SCALERS.find((s) => s.model.name === "assistant" && s.track === "stable");
    expect(sc).toBeDefined();
    const l = (i: number) => ({ ...podLabels(sc!, podName(sc!, i)), model_name: "assistant", engine: "0" });
    // The HPA's AverageValue rule: desired = ceil(total / target); 2 replicas now.
    await expectPass(
      "vllm headroom",
      [0, 1].flatMap((i) => [
        { series: series("vllm:num_requests_running", l(i)), values: "7x60" },
        { series: series("vllm:num_requests_waiting", l(i)), values: "0x60" },
      ]),
      [{ expr: `ceil((${sc!.query}) / ${sc!.threshold})`, eval_time: at, exp_samples: [{ labels: "{}", value: 3 }] }],
    );
  });
});
