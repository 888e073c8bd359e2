/**
 * The replica-start recording rules, evaluated by `promtool test rules` (Debian's Prometheus 2.42) on
 * synthetic kube-state-metrics and Triton series: each figure's value, the most over a model's pods,
 * a pod's first readiness kept when it flaps or restarts, pods of no model and pods scheduled before
 * the window left out.
 */
import { expect, it } from "vitest";
import modelServing from "../../components/monitoring/dashboards/model-serving.json";
import { POD_START_TIMES, replicaStartRuleGroup, START_FIGURES } from "../../components/monitoring/replica-start-rules";
import { describeWithTools, promtoolTestRules, series, type InputSeries, type PromtoolTest } from "../prom-tools";

/** A panel's query on the model-serving dashboard, its variables set to All (Grafana's `allValue`). */
function panelQuery(title: string, refId: string): string {
  const panel = (modelServing.panels as { title: string; targets?: { refId: string; expr: string }[] }[]).find(
    (p) => p.title === title,
  );
  const t = panel?.targets?.find((x) => x.refId === refId);
  if (!t) throw new Error(`no panel "${title}" with target ${refId}`);
  return t.expr.replace(/\$(namespace|model)\b/g, ".*");
}

const KSM = { job: "kube-state-metrics", instance: "10.0.0.9:8080" };

/**
 * One pod's kube-state-metrics series, sampled every minute from t=0: each time given as its values
 * (`_` while the condition does not hold), in unix seconds as kube-state-metrics exports them.
 */
function pod(
  name: string,
  labels: Record<string, string>,
  times: { scheduled: string; ready: string; containersReady: string; started: string; container?: string },
  namespace = "serving",
): InputSeries[] {
  const id = { namespace, pod: name, uid: `uid-${name}`, ...KSM };
  return [
    { series: series("kube_pod_labels", { ...id, ...labels }), values: "1x1600" },
    { series: series("kube_pod_status_scheduled_time", id), values: times.scheduled },
    { series: series("kube_pod_status_ready_time", id), values: times.ready },
    { series: series("kube_pod_status_container_ready_time", id), values: times.containersReady },
    {
      series: series("kube_pod_container_state_started", { ...id, container: times.container ?? "triton" }),
      values: times.started,
    },
  ];
}
const FRAUD = { label_mlserving_io_model: "fraud-detector", label_mlserving_io_track: "stable" };
/** A figure's sample labels (promtool shows a recorded series with its name) for fraud-detector's `track`. */
const figure = (name: string, track = "stable", extra = "") =>
  `${name}{namespace="serving",mlserving_model="fraud-detector",mlserving_track="${track}"${extra}}`;

async function check(tests: PromtoolTest[]): Promise<void> {
  const r = await promtoolTestRules([replicaStartRuleGroup()], tests);
  expect(r.output, r.output).toMatch(/SUCCESS/);
  expect(r.status).toBe(0);
}

describeWithTools("replica-start recording rules under promtool", ["promtool"], () => {
  it("time a pod scheduled at t=100 and ready at t=165 as 65 s, its server started at 110 and ready at 160 as 50 s", async () => {
    await check([
      {
        name: "one pod",
        interval: "1m",
        input_series: pod("fd-1", FRAUD, {
          scheduled: "_ _ 100x60",
          ready: "_ _ _ 165x60",
          containersReady: "_ _ _ 160x60",
          started: "_ _ 110x60",
        }),
        promql_expr_test: [
          {
            expr: START_FIGURES.replicaStart,
            eval_time: "30m",
            exp_samples: [{ labels: figure(START_FIGURES.replicaStart), value: 65 }],
          },
          {
            expr: START_FIGURES.serverStart,
            eval_time: "30m",
            exp_samples: [{ labels: figure(START_FIGURES.serverStart), value: 50 }],
          },
          // The per-pod times carry the model and track, not kube-state-metrics' job or uid.
          {
            expr: POD_START_TIMES.ready,
            eval_time: "30m",
            exp_samples: [
              {
                labels: `${POD_START_TIMES.ready}{namespace="serving",pod="fd-1",mlserving_model="fraud-detector",mlserving_track="stable"}`,
                value: 165,
              },
            ],
          },
          // The dashboard's table shows the same, per model and track.
          {
            expr: panelQuery("Slowest start per model and track, pods scheduled in the last 24 h", "A"),
            eval_time: "30m",
            exp_samples: [{ labels: '{mlserving_model="fraud-detector",mlserving_track="stable"}', value: 65 }],
          },
          {
            expr: panelQuery("Slowest start per model and track, pods scheduled in the last 24 h", "B"),
            eval_time: "30m",
            exp_samples: [{ labels: '{mlserving_model="fraud-detector",mlserving_track="stable"}', value: 50 }],
          },
          // Before the pod is ready there is no figure, not a partial one.
          { expr: START_FIGURES.replicaStart, eval_time: "2m", exp_samples: [] },
        ],
      },
    ]);
  });

  it("keep a pod's first readiness when it turns unready and ready again, and its first start when it restarts", async () => {
    await check([
      {
        name: "flap and restart",
        interval: "1m",
        input_series: pod("fd-1", FRAUD, {
          scheduled: "_ _ 100x60",
          // Ready at 165, unready at 14 min, ready again at 900 (15 min).
          ready: "_ _ _ 165x10 _ _ 900x40",
          // The server restarted at 20 min (1200) and was ready again at 1260.
          containersReady: "_ _ _ 160x10 _ _ 900x5 _ 1260x30",
          started: "_ _ 110x17 1200x40",
        }),
        promql_expr_test: [
          {
            expr: START_FIGURES.replicaStart,
            eval_time: "40m",
            exp_samples: [{ labels: figure(START_FIGURES.replicaStart), value: 65 }],
          },
          {
            expr: START_FIGURES.serverStart,
            eval_time: "40m",
            exp_samples: [{ labels: figure(START_FIGURES.serverStart), value: 50 }],
          },
        ],
      },
    ]);
  });

  it("take the slowest of a model's pods, one gone included, per model and track, and ignore pods of no model", async () => {
    await check([
      {
        name: "several pods",
        interval: "1m",
        input_series: [
          ...pod("fd-1", FRAUD, {
            scheduled: "_ _ 100x60",
            ready: "_ _ _ 165x60",
            containersReady: "_ _ _ 160x60",
            started: "_ _ 110x60",
          }),
          // Replaced (deleted) at 10 min: its 130 s and 95 s still count.
          ...pod("fd-2", FRAUD, {
            scheduled: "_ _ 110x7",
            ready: "_ _ _ _ 240x4",
            containersReady: "_ _ _ _ 230x4",
            started: "_ _ 135x7",
          }),
          // The canary track of the same model, on KServe.
          ...pod(
            "fd-canary-1",
            { label_mlserving_io_model: "fraud-detector", label_mlserving_io_track: "canary" },
            {
              scheduled: "_ _ 100x60",
              ready: "_ _ _ 180x60",
              containersReady: "_ _ _ 170x60",
              started: "_ _ 150x60",
              container: "kserve-container",
            },
          ),
          // A pod of no model (another workload): never counted.
          ...pod(
            "etl-1",
            {},
            {
              scheduled: "_ _ 100x60",
              ready: "_ _ _ 1000x60",
              containersReady: "_ _ _ 1000x60",
              started: "_ _ 100x60",
            },
          ),
          // A sidecar's start is not the server's (counted, the canary's server start would be 5 s).
          {
            series: series("kube_pod_container_state_started", {
              namespace: "serving",
              pod: "fd-canary-1",
              uid: "uid-fd-canary-1",
              container: "log-shipper",
              ...KSM,
            }),
            values: "_ _ 165x60",
          },
        ],
        promql_expr_test: [
          {
            expr: START_FIGURES.replicaStart,
            eval_time: "30m",
            exp_samples: [
              { labels: figure(START_FIGURES.replicaStart), value: 130 },
              { labels: figure(START_FIGURES.replicaStart, "canary"), value: 80 },
            ],
          },
          {
            expr: START_FIGURES.serverStart,
            eval_time: "30m",
            exp_samples: [
              { labels: figure(START_FIGURES.serverStart), value: 95 },
              { labels: figure(START_FIGURES.serverStart, "canary"), value: 20 },
            ],
          },
        ],
      },
    ]);
  });

  it("count only pods scheduled in the last 24 hours, whose whole life the window holds", async () => {
    await check([
      {
        name: "window",
        interval: "1m",
        input_series: pod("fd-1", FRAUD, {
          scheduled: "_ _ 100x1600",
          ready: "_ _ _ 165x1600",
          containersReady: "_ _ _ 160x1600",
          started: "_ _ 110x1600",
        }),
        promql_expr_test: [
          {
            expr: START_FIGURES.replicaStart,
            eval_time: "23h",
            exp_samples: [{ labels: figure(START_FIGURES.replicaStart), value: 65 }],
          },
          { expr: START_FIGURES.replicaStart, eval_time: "25h", exp_samples: [] },
          { expr: START_FIGURES.serverStart, eval_time: "25h", exp_samples: [] },
        ],
      },
    ]);
  });

  it("keep Triton's slowest model load of the last 24 hours per model, a replaced pod's included", async () => {
    const load = (p: string, values: string) => ({
      series: series("nv_model_load_duration_secs", {
        namespace: "serving",
        pod: p,
        mlserving_model: "fraud-detector",
        mlserving_track: "stable",
        model: "fraud",
        version: "1",
      }),
      values,
    });
    await check([
      {
        name: "triton load",
        interval: "1m",
        input_series: [load("fd-1", "0 12.5x60"), load("fd-2", "0 20.25x5")],
        promql_expr_test: [
          {
            expr: START_FIGURES.tritonModelLoad,
            eval_time: "30m",
            exp_samples: [{ labels: figure(START_FIGURES.tritonModelLoad, "stable", ',model="fraud"'), value: 20.25 }],
          },
          {
            expr: panelQuery("Triton model load, last 24 h", "A"),
            eval_time: "30m",
            exp_samples: [
              { labels: '{mlserving_model="fraud-detector",mlserving_track="stable",model="fraud"}', value: 20.25 },
            ],
          },
        ],
      },
    ]);
  });
});
