import {
  ACCELERATOR_KINDS,
  ACCELERATORS,
  DEVICE_RESOURCE,
  isAcceleratorKind,
  type AcceleratorKind,
  type AcceleratorKindRecord,
} from "../common/accelerators";
import { ArgsChecker } from "../common/errors";
import { MODEL_LABEL, MODEL_POD_LABEL, SERVING_NAMESPACE, TRACK_LABEL, TRACK_POD_LABEL } from "../common/names";

/**
 * Default bucket bounds (ms) of Triton's `nv_inference_first_response_histogram_ms`
 * (triton-inference-server/core `src/metric_model_reporter.h`, `histogram_options_`; the same
 * values in server `docs/user_guide/metrics.md` at r26.07). A model can override them with
 * `model_metrics.metric_control[].histogram_options.buckets` in its config.pbtxt.
 */
export const TRITON_FIRST_RESPONSE_BUCKETS_MS: readonly number[] = [100, 500, 2000, 5000];

/**
 * Prometheus jobs (the Service name, or the ServiceMonitor's `jobLabel`) of the exporters and
 * controllers the kit deploys or relies on; see /work/research/scrape-targets.md for where
 * each name comes from. Serving targets are matched by namespace instead.
 */
export const KIT_SCRAPE_JOBS: readonly string[] = [
  // Each accelerator kind's exporter (its record's `metrics.exporter`: dcgm-exporter, neuron-monitor).
  ...ACCELERATOR_KINDS.map((k) => ACCELERATORS[k].metrics.exporter),
  "karpenter",
  "cluster-autoscaler-aws-cluster-autoscaler",
  "kube-state-metrics",
  "node-exporter",
  "mlflow",
  "kserve-controller-manager-metrics-service",
  // ExternalDNS's Service (chart 1.21.1: the release name, `external-dns`), where the private zone is on.
  "external-dns",
  "keda-operator",
];

/**
 * How long a model-server pod may take to start (image pull, weights download, engine start up to
 * its startup probe) before a pod that is not ready counts as down rather than starting. A large
 * LLM's normal cold start is near 10 minutes; the vLLM GPU runtime's startup probe alone allows 20
 * (10 s x 120). A pod that fails its startup probe restarts, and a restarted pod is not starting.
 */
export const MODEL_START_ALLOWANCE_MINUTES = 30;

/**
 * Fewest requests a latency burn-rate page needs in its long window. The SRE Workbook (ch. 5,
 * "Low-traffic services and error budget alerting") warns that at low traffic a handful of slow
 * requests is a large share: 2 slow of 12 in a night's hour is 17%, above the 1h page's 14.4%.
 * With at least 50 requests, a 1h page needs 8 slow ones and a 6h page 4; quieter models still get
 * the 3-day ticket, and an outage of their replicas pages through ModelDown.
 */
export const BURN_PAGE_MIN_REQUESTS = 50;

/** Thresholds of the kit's alert rules. */
export interface AlertRuleInput {
  /**
   * Latency objective for Triton's request-to-first-response time, in ms. The burn-rate rules
   * count requests above it with the histogram bucket `le="<latencySloMs>"`, so it must be one
   * of the bucket bounds ({@link latencyBucketsMs}). Default in {@link DEFAULT_ALERT_RULE_INPUT}: 500.
   */
  latencySloMs: number;
  /**
   * Share of requests that must meet {@link latencySloMs}, e.g. 0.99. Above 0.9305 so the
   * fastest burn threshold (14.4 x the error budget) stays below 100%. Default: 0.99.
   */
  latencySloTarget: number;
  /** Share of failed requests (per model) that raises an alert, in (0, 1). Default: 0.05. */
  errorRateThreshold: number;
  /** Average queue time per request, in ms, that raises an alert. Default: 200. */
  queueTimeMsThreshold: number;
  /**
   * Bucket bounds (ms) of `nv_inference_first_response_histogram_ms` on the kit's models.
   * Default: Triton's, {@link TRITON_FIRST_RESPONSE_BUCKETS_MS}.
   */
  latencyBucketsMs?: readonly number[];
  /** Spot interruption warnings per hour, cluster-wide, that raise an alert. Default: 3. */
  spotInterruptionsPerHour?: number;
  /** Jobs whose scrape targets must be up. Default: {@link KIT_SCRAPE_JOBS}. */
  scrapeJobs?: readonly string[];
  /**
   * Per accelerator kind with an idle alert (its record's `idleAlert`): the replicas the platform's
   * models of the kind keep at their minimum, canaries included. As many of its instances may sit
   * idle without waste (each replica needs one, at most). Default: 0 for each kind.
   */
  idleDeviceReplicaFloors?: Partial<Record<AcceleratorKind, number>>;
}

export const DEFAULT_ALERT_RULE_INPUT: AlertRuleInput = {
  latencySloMs: 500,
  latencySloTarget: 0.99,
  errorRateThreshold: 0.05,
  queueTimeMsThreshold: 200,
};

/** One Prometheus alerting rule as the PrometheusRule CRD takes it. */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "critical" | "warning" } & Record<string, string>;
  annotations: { summary: string; runbook: string } & Record<string, string>;
}

export interface AlertRuleGroup {
  name: string;
  rules: AlertRule[];
}

/**
 * Multi-window, multi-burn-rate pairs of the SRE Workbook (ch. 5, table 5-8) for a 30-day SLO:
 * each fires once 2%, 5% and 10% of the budget is spent at its rate. No `for:` delay: the
 * short window already keeps a recovered model from alerting, and a delay only spends more
 * budget (with `for: 2m/15m/1h` a full outage paged after 2.5%, 8.6% and 24%).
 */
export const BURN_RATE_WINDOWS = [
  { long: "1h", short: "5m", factor: 14.4, severity: "critical", for: "0s" },
  { long: "6h", short: "30m", factor: 6, severity: "critical", for: "0s" },
  { long: "3d", short: "6h", factor: 1, severity: "warning", for: "0s" },
] as const;

/** The longest range any alert rule reads; Prometheus must keep more data than this. */
export const LONGEST_ALERT_WINDOW_HOURS = 72;

/**
 * Labels that tell one served model (and its stable or canary track) from another on serving
 * series: the namespace, the kit's model and track labels (relabelled from the pod labels).
 * Triton's own `model`/`version` are the same on both tracks, so they cannot do it alone.
 */
export const MODEL_SCOPE = ["namespace", MODEL_LABEL, TRACK_LABEL] as const;
const MODEL_BY = MODEL_SCOPE.join(", ");
const TRITON_BY = `${MODEL_BY}, model`;
const modelRef = `{{ $labels.namespace }}/{{ $labels.${MODEL_LABEL} }}{{ with $labels.${TRACK_LABEL} }} ({{ . }}){{ end }}`;

/**
 * The `le` label value Prometheus 3 stores for a classic histogram bound: normalized to a float
 * (`500` becomes `500.0`, Prometheus `docs/migration.md`, "le and quantile label values").
 */
export function leLabelValue(bound: number): string {
  return Number.isInteger(bound) ? `${bound}.0` : String(bound);
}

/**
 * PromQL guard of a burn-rate page: at least {@link BURN_PAGE_MIN_REQUESTS} requests (observations
 * of the histogram `countSeries`, one per request) over `window`, per `by`.
 */
export function burnPageGuard(countSeries: string, by: string, window: string): string {
  return `sum by (${by}) (increase(${countSeries}[${window}])) >= ${BURN_PAGE_MIN_REQUESTS}`;
}

/** PromQL for the share of Triton requests slower than `sloMs` over `window`, per model. */
export function tritonSlowRequestRatio(sloMs: number, window: string): string {
  const by = TRITON_BY;
  const h = "nv_inference_first_response_histogram_ms";
  return `(1 - (sum by (${by}) (rate(${h}_bucket{le="${leLabelValue(sloMs)}"}[${window}])) / sum by (${by}) (rate(${h}_count[${window}]))))`;
}

const RUNNING_PODS = 'max by (namespace, pod) (kube_pod_status_phase{phase="Running"} == 1)';
/** kube-state-metrics' name for a pod label in the kit's allow-list (prometheus-stack-values.ts). */
export const ksmLabel = (podLabel: string) => `label_${podLabel.replace(/[^a-zA-Z0-9_]/g, "_")}`;
/**
 * The kit's model-server pods, in whichever namespace (`serving` or a team's), by the model label
 * the kit gives them and nothing else: kube-state-metrics exports it (prometheus-stack-values.ts).
 */
export const MODEL_PODS = `kube_pod_labels{${ksmLabel(MODEL_POD_LABEL)}!=""}`;
/**
 * The ready pods of the kit's model servers, one series per pod labelled with the model and
 * track as the serving series are (pods still starting are not ready and not listed).
 */
const READY_MODEL_PODS =
  `label_replace(label_replace(max by (namespace, pod, ${ksmLabel(MODEL_POD_LABEL)}, ${ksmLabel(TRACK_POD_LABEL)}) ` +
  `(${MODEL_PODS}), "${MODEL_LABEL}", "$1", "${ksmLabel(MODEL_POD_LABEL)}", "(.+)"), "${TRACK_LABEL}", ` +
  `"$1", "${ksmLabel(TRACK_POD_LABEL)}", "(.+)")\n  and on (namespace, pod) (max by (namespace, ` +
  `pod) (kube_pod_status_ready{condition="true"}) == 1)`;
const pct = (x: number) => `${+(x * 100).toFixed(4)}%`;

/**
 * The kit's model-server pods that are meant to be serving: Pending or Running, not being deleted
 * (a pod draining before it stops, or an evicted pod kept for its record, is not), one series per
 * pod labelled with the model and track as the serving series are.
 */
const LIVE_MODEL_PODS =
  `label_replace(label_replace(max by (namespace, pod, ${ksmLabel(MODEL_POD_LABEL)}, ${ksmLabel(TRACK_POD_LABEL)}) ` +
  `(${MODEL_PODS}), "${MODEL_LABEL}", "$1", "${ksmLabel(MODEL_POD_LABEL)}", "(.+)"), "${TRACK_LABEL}", ` +
  `"$1", "${ksmLabel(TRACK_POD_LABEL)}", "(.+)")\n  and on (namespace, pod) (max by (namespace, ` +
  `pod) (kube_pod_status_phase{phase=~"Pending|Running"}) == 1)\n  unless on (namespace, pod) ` +
  `kube_pod_deletion_timestamp`;
/**
 * Pods still starting: created less than {@link MODEL_START_ALLOWANCE_MINUTES} ago, never
 * restarted (a container that failed its startup probe or crashed has) and not ready. Waiting for a
 * node (scale from zero), pulling the image and loading the model are all starting. kube-state-metrics
 * 2.20.0 docs/metrics/workload/pod-metrics.md: kube_pod_created (unix seconds),
 * kube_pod_container_status_restarts_total, kube_pod_status_ready.
 */
const STARTING_PODS = `(time() - max by (namespace, pod) (kube_pod_created) < ${MODEL_START_ALLOWANCE_MINUTES * 60})
  unless on (namespace, pod) (max by (namespace, pod) (kube_pod_container_status_restarts_total) > 0)
  unless on (namespace, pod) (max by (namespace, pod) (kube_pod_status_ready{condition="true"}) == 1)`;
/** The accelerators' extended resources as written (`nvidia.com/gpu`) and as kube-state-metrics names them (`nvidia_com_gpu`). */
const ACCELERATOR_RESOURCE_NAMES = Object.values(DEVICE_RESOURCE).map((r) => ({
  written: r,
  ksm: r.replace(/[^a-zA-Z0-9_]/g, "_"),
}));
/** kube-state-metrics' matcher of every kind's devices (`resource=~"nvidia_com_gpu|aws_amazon_com_neuron"`). */
const ACCELERATOR_RESOURCES = `resource=~"${ACCELERATOR_RESOURCE_NAMES.map((r) => r.ksm).join("|")}"`;
/** NodePools with a limit on an accelerator device, one series per pool and device, labelled `resource` as kube-state-metrics names the device. */
const POOL_DEVICES = `(${ACCELERATOR_RESOURCE_NAMES.map(
  (r) =>
    `label_replace(group by (nodepool) (karpenter_nodepools_limit{resource_type="${r.written}"}), "resource", "${r.ksm}", "", "")`,
).join(" or ")})`;
/** Running model-server pods of team namespaces (not the platform's `serving`) that hold devices of an extended resource. */
const teamModelPods = (resource: string) =>
  `(max by (namespace, pod) (kube_pod_container_resource_requests{resource="${resource.replace(/[^a-zA-Z0-9_]/g, "_")}",namespace!="${SERVING_NAMESPACE}"}) ` +
  `> 0)\n  and on (namespace, pod) ${MODEL_PODS}\n  and on (namespace, pod) ${RUNNING_PODS}`;

/**
 * The idle alert of each kind whose record has one ({@link AcceleratorKindRecord.idleAlert}): each
 * idle instance, while more are idle than the floor. The floor is the platform's own models'
 * minimums (`floors`) plus the running model servers of team namespaces holding the kind's
 * devices, whose minimums the platform cannot know (teams deploy from their own stacks): a team's
 * replicas are all counted as its floor.
 */
function idleDeviceAlerts(floors: Partial<Record<AcceleratorKind, number>>): AlertRule[] {
  return ACCELERATOR_KINDS.flatMap((k) => {
    const { idleAlert: a, deviceResource }: AcceleratorKindRecord = ACCELERATORS[k];
    if (!a) return [];
    const floor = floors[k] ?? 0;
    return [
      {
        alert: a.alert,
        expr:
          `${a.idleInstances(a.instanceLabels.join(", "))}\nand on ()\ncount(${a.idleInstances(a.instanceLabels[0])})\n` +
          `> (${floor} + (count(${teamModelPods(deviceResource)}) or vector(0)))`,
        for: "1h",
        labels: { severity: "warning" },
        annotations: { summary: a.summary(floor), runbook: a.runbook },
      },
    ];
  });
}
/** Devices unschedulable pods request, one series per device (`resource`). */
const UNSCHEDULABLE_DEVICE_REQUESTS =
  `group by (resource) (\n    (max by (namespace, pod, resource) (kube_pod_container_resource_requests{${ACCELERATOR_RESOURCES}}) ` +
  `> 0)\n    and on (namespace, pod) (max by (namespace, pod) (kube_pod_status_unschedulable) == 1)\n  )`;

/**
 * Alert rules (the `spec.groups` of a PrometheusRule) for the kit's serving, accelerators,
 * capacity and scrape targets. Throws when a threshold is out of range or `latencySloMs` is
 * not a bucket bound (the burn-rate rules would silently measure another objective).
 */
export function alertRuleGroups(input: AlertRuleInput): AlertRuleGroup[] {
  const buckets = input.latencyBucketsMs ?? TRITON_FIRST_RESPONSE_BUCKETS_MS;
  const spotPerHour = input.spotInterruptionsPerHour ?? 3;
  const jobs = input.scrapeJobs ?? KIT_SCRAPE_JOBS;
  const floors = input.idleDeviceReplicaFloors ?? {};
  const checker = new ArgsChecker("alertRuleGroups");
  for (const [kind, floor] of Object.entries(floors))
    checker
      .require(isAcceleratorKind(kind), `idleDeviceReplicaFloors.${kind}`, "is not an accelerator kind")
      .require(
        floor === undefined || (Number.isInteger(floor) && floor >= 0),
        `idleDeviceReplicaFloors.${kind}`,
        "must be a whole number of replicas, 0 or more",
      );
  checker
    .require(
      buckets.includes(input.latencySloMs),
      "latencySloMs",
      `must be one of the first-response histogram bucket bounds (${buckets.join(", ")} ms) so the SLO can be read from a bucket`,
    )
    .require(input.latencySloTarget > 0 && input.latencySloTarget < 1, "latencySloTarget", "must be between 0 and 1")
    .require(
      14.4 * (1 - input.latencySloTarget) < 1,
      "latencySloTarget",
      "must be above 0.9305 so the 14.4x burn threshold stays below 100% slow requests",
    )
    .require(
      input.errorRateThreshold > 0 && input.errorRateThreshold < 1,
      "errorRateThreshold",
      "must be between 0 and 1",
    )
    .require(input.queueTimeMsThreshold > 0, "queueTimeMsThreshold", "must be positive")
    .require(spotPerHour > 0, "spotInterruptionsPerHour", "must be positive")
    .require(
      jobs.length > 0 && jobs.every((j) => /^[A-Za-z0-9_.:-]+$/.test(j)),
      "scrapeJobs",
      "must be non-empty job names without regex characters",
    )
    .throwIfAny();

  const budget = 1 - input.latencySloTarget;
  const slo = `${input.latencySloMs} ms for ${pct(input.latencySloTarget)} of requests`;
  const burnRules: AlertRule[] = BURN_RATE_WINDOWS.map((w) => {
    const threshold = `(${w.factor} * ${+budget.toFixed(6)})`;
    return {
      alert: "TritonLatencyBudgetBurn",
      expr:
        `${tritonSlowRequestRatio(input.latencySloMs, w.long)} > ${threshold}\nand on (${TRITON_BY})\n${tritonSlowRequestRatio(input.latencySloMs, w.short)} > ${threshold}` +
        (w.severity === "critical"
          ? `\nand on (${TRITON_BY})\n${burnPageGuard("nv_inference_first_response_histogram_ms_count", TRITON_BY, w.long)}`
          : ""),
      for: w.for,
      labels: { severity: w.severity, long: w.long, short: w.short },
      annotations: {
        summary: `Model ${modelRef} is burning its first-response latency budget (${slo}) ${w.factor}x too fast over ${w.long} and ${w.short}.`,
        runbook:
          w.severity === "critical"
            ? "Requests are slower than the objective fast enough to spend the 30-day budget in days. Open " +
              "the Model serving dashboard: if queue time per request is rising, the model lacks instances " +
              "or replicas (check the autoscaler target and pending accelerator pods); if compute time rose, " +
              "look for a new model version or a slower instance type (spot fallback) and roll back or pin " +
              "the type. Scale out first, then investigate."
            : "The slow-request share has exceeded the budget rate for days. No emergency: compare first-response " +
              "latency by version on the Model serving dashboard, check whether traffic or batch size changed, " +
              "and plan capacity or model optimisation before the budget runs out.",
      },
    };
  });

  const tritonBy = `${TRITON_BY}, version`;
  // vLLM's error rate is LlmErrorRateHigh's (llm-alert-rules.ts): one fault, one page.
  const serving: AlertRule[] = [
    {
      alert: "ModelDown",
      // Every server (Triton, KServe, vLLM), each track apart: the model has pods meant to serve and
      // none is ready, and not merely because all of them are still starting. It holds for as long
      // as no replica is ready (crash-looping pods have restarted, unschedulable or stuck ones age
      // past the allowance), whatever the traffic: a dead model gets no requests and so no errors.
      // A model scaled to zero has no pods and is not down.
      expr:
        `count by (${MODEL_BY}) (\n  ${LIVE_MODEL_PODS}\n)\nunless on (${MODEL_BY}) count by (${MODEL_BY}) ` +
        `(\n  ${READY_MODEL_PODS}\n)\nand on (${MODEL_BY}) count by (${MODEL_BY}) (\n  (${LIVE_MODEL_PODS})\n` +
        `  unless on (namespace, pod) (\n  ${STARTING_PODS}\n  )\n)`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: `Model ${modelRef} has no ready replica: {{ $value }} pod(s) exist and none can serve.`,
        runbook:
          "Every request to this model (or track) fails. Describe its pods: CrashLoopBackOff or restarts " +
          "mean the server dies at start (read the previous container's logs: a model that fails to load, " +
          "CUDA or Neuron out-of-memory, a missing weights path); Pending and unschedulable means no " +
          "node can take it (see AcceleratorPodsPending and the pool limit alerts); ImagePullBackOff " +
          "means the image or registry access broke. Roll back the last change to the model (version, " +
          "args, resources); for a canary, remove the canary key of the model (trafficPercent takes 1 to 50, never 0).",
      },
    },
    {
      alert: "TritonLatencyHistogramMissing",
      expr:
        `count by (${TRITON_BY}) (nv_inference_request_success)\nunless on (${TRITON_BY})\ncount by ` +
        `(${TRITON_BY}) (nv_inference_first_response_histogram_ms_count)`,
      for: "30m",
      labels: { severity: "warning" },
      annotations: {
        summary: `Triton model ${modelRef} reports requests but no first-response histogram; its latency SLO alerts are blind.`,
        runbook:
          "Triton emits nv_inference_first_response_histogram_ms only when started with --metrics-config " +
          "histogram_latencies=true. Check the container args of the Triton pods serving this model and " +
          "restore the flag; if the model overrides histogram buckets in config.pbtxt, keep the kit's " +
          "SLO bound among them.",
      },
    },
    {
      alert: "TritonErrorRateHigh",
      expr:
        `sum by (${tritonBy}) (rate(nv_inference_request_failure[5m]))\n/\n(sum by (${tritonBy}) (rate(nv_inference_request_success[5m])) ` +
        `+ sum by (${tritonBy}) (rate(nv_inference_request_failure[5m])))\n> ${input.errorRateThreshold}`,
      for: "10m",
      labels: { severity: "critical" },
      annotations: {
        summary:
          `More than ${pct(input.errorRateThreshold)} of requests to ${modelRef} (Triton model {{ $labels.model ` +
          `}} v{{ $labels.version }}) fail ({{ $value | humanizePercentage }}).`,
        runbook:
          "Split failures by reason and track on the Model serving dashboard. REJECTED means scheduler " +
          "queue timeouts: add instances or replicas. BACKEND means the model itself fails: read the " +
          "Triton pod logs and roll back a new model version. CANCELED points at clients timing out. " +
          "If only the canary track fails, remove the canary key of the model (trafficPercent takes 1 " +
          "to 50, never 0), which sends all traffic back to the stable track.",
      },
    },
    {
      alert: "TritonQueueTimeHigh",
      expr:
        `sum by (${tritonBy}) (rate(nv_inference_queue_duration_us[5m]))\n/\nsum by (${tritonBy}) (rate(nv_inference_request_success[5m]))\n` +
        `/ 1000 > ${input.queueTimeMsThreshold}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary:
          `Requests to ${modelRef} (Triton model {{ $labels.model }} v{{ $labels.version }}) wait {{ ` +
          `$value | printf "%.0f" }} ms in Triton's queue on average (threshold ${input.queueTimeMsThreshold} ms).`,
        runbook:
          "The model cannot keep up with its traffic. Check that the autoscaler is adding replicas and " +
          "that no replica is pending for lack of accelerators (Capacity dashboard); raise instance_group " +
          "count or dynamic batching max_queue_delay only if GPUs have headroom on the GPU dashboard.",
      },
    },
    {
      alert: "VllmQueueTimeHigh",
      expr:
        `sum by (${MODEL_BY}) (rate(vllm:request_queue_time_seconds_sum[5m]))\n/\nsum by (${MODEL_BY}) ` +
        `(rate(vllm:request_queue_time_seconds_count[5m]))\n* 1000 > ${input.queueTimeMsThreshold}`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `vLLM requests to ${modelRef} wait {{ $value | printf "%.0f" }} ms before running on average (threshold ${input.queueTimeMsThreshold} ms).`,
        runbook:
          "Waiting requests pile up when the engine's batch or KV cache is full. Check KV cache usage " +
          "and waiting requests on the Model serving dashboard, scale the InferenceService out, and check " +
          "for pending Neuron pods on the Capacity dashboard.",
      },
    },
    {
      alert: "ModelMetricsMissing",
      expr:
        `count by (${MODEL_BY}) (\n  ${READY_MODEL_PODS}\n  unless on (namespace, pod) (group by (namespace, ` +
        `pod) (nv_inference_request_success) or group by (namespace, pod) (vllm:num_requests_running))\n)`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary: `{{ $value }} ready pod(s) of ${modelRef} report no Triton or vLLM metrics; its autoscaler cannot see their load.`,
        runbook:
          "The kit's ScaledObjects treat an empty query as an error (ignoreNullValues false), so the " +
          "model keeps its current replicas instead of falling to its minimum, but it cannot scale out " +
          "either. Check Prometheus's Targets page for the model's ServiceMonitor or PodMonitor (in the " +
          "model's namespace), that the pods still carry the mlserving.io/model label and expose the " +
          "metrics port, and that the model loaded (Triton reports per-model series only for loaded models).",
      },
    },
  ];

  const accelerators: AlertRule[] = [
    // Each kind's alerts on single devices, then its idle instances beyond its models' floor, from its record.
    ...ACCELERATOR_KINDS.flatMap((k) => (ACCELERATORS[k] as AcceleratorKindRecord).deviceAlerts?.(MODEL_PODS) ?? []),
    ...idleDeviceAlerts(floors),
    {
      alert: "AcceleratorsUnrequested",
      expr:
        `sum by (node, resource) (kube_node_status_allocatable{${ACCELERATOR_RESOURCES}})\n- (\n  sum ` +
        `by (node, resource) (kube_pod_container_resource_requests{${ACCELERATOR_RESOURCES}} * on (namespace, ` +
        `pod) group_left () ${RUNNING_PODS})\n  or on (node, resource)\n  0 * sum by (node, resource) ` +
        `(kube_node_status_allocatable{${ACCELERATOR_RESOURCES}})\n) > 0`,
      for: "1h",
      labels: { severity: "warning" },
      annotations: {
        summary:
          "{{ $value }} {{ $labels.resource }} device(s) on node {{ $labels.node }} have not been requested by any running pod for an hour.",
        runbook:
          "Karpenter consolidates empty nodes and Cluster Autoscaler scales them down, so a node that " +
          "keeps unrequested devices is held by something: a pod with karpenter.sh/do-not-disrupt, a " +
          "PDB that blocks eviction, a node group minimum above zero, or a workload that requests fewer " +
          "devices than the instance has. Fix the cause or pick a smaller instance type for the pool.",
      },
    },
  ];

  const spot = 'karpenter_interruption_received_messages_total{message_type="spot_interrupted"}';
  // Per series (each Karpenter pod has its own; only the leader counts): what it counted in the hour,
  // read from range functions only, so a series that ended inside the hour (the leader that handed
  // over, or restarted) still counts. Its highest value less its value an hour ago (0 for a series
  // born in the hour: the first warning creates it at 1, which increase() misses); increase()
  // wins when the counter reset inside the hour.
  const spotDelta = `(max_over_time(${spot}[1h]) - (${spot} offset 1h or max_over_time(${spot}[1h]) * 0))`;
  const capacity: AlertRule[] = [
    {
      alert: "SpotInterruptionsHigh",
      expr: `sum(round(increase(${spot}[1h]) > ${spotDelta} or ${spotDelta})) > ${spotPerHour}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: 'Karpenter received {{ $value | printf "%.0f" }} spot interruption warnings in the last hour.',
        runbook:
          "Spot capacity for the listed instance types is being reclaimed. Check which NodePools lose " +
          "nodes on the Capacity dashboard; add instance types or families to those pools, make sure " +
          "on-demand fallback is allowed, and check that serving replicas survive (PDBs, more than one " +
          "replica). Persistent interruptions in one zone suggest widening the zones.",
      },
    },
    {
      alert: "AcceleratorPodsPending",
      // Unschedulable, not merely Pending: a scheduled pod pulling its image or downloading its
      // model in an init container is Pending too, and that is a start, not a capacity problem.
      expr:
        `(max by (namespace, pod) (kube_pod_status_unschedulable) == 1)\nand on (namespace, pod)\n(max ` +
        `by (namespace, pod) (kube_pod_container_resource_requests{${ACCELERATOR_RESOURCES}}) > 0)`,
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary:
          "Pod {{ $labels.namespace }}/{{ $labels.pod }} requests an accelerator and no node has been able to take it for 15 minutes.",
        runbook:
          "Describe the pod for scheduling events. If no node was launched, the NodePool or node group " +
          "may be at its limit (see the limit alerts), no listed instance type has spot or on-demand " +
          "capacity (Karpenter or Cluster Autoscaler logs), or the pod lacks the accelerator toleration " +
          "or node selector. If a node exists, check that the device plugin reports the devices.",
      },
    },
    {
      alert: "KarpenterNodePoolNearLimit",
      // Near the limit is normal under load; it matters only while pods wait for a node that
      // Karpenter cannot launch (as ClusterAutoscalerNodeGroupAtMax), and only pods the pool could
      // serve: those requesting a device the pool has a limit on (a pending CPU pod does not wait for
      // the GPU pool). Karpenter's resource_type is the resource name lower-cased with "-" turned to
      // "_" (kubernetes-sigs/karpenter pkg/controllers/metrics/nodepool/controller.go @ v1.14.1:
      // `nvidia.com/gpu`); kube-state-metrics sanitizes it (`nvidia_com_gpu`).
      expr:
        `max by (nodepool, resource_type) (karpenter_nodepools_usage)\n/\nmax by (nodepool, resource_type) ` +
        `(karpenter_nodepools_limit)\n>= 0.9\nand on (nodepool) group by (nodepool) (\n  ${POOL_DEVICES}\n` +
        `  and on (resource) ${UNSCHEDULABLE_DEVICE_REQUESTS}\n)`,
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary:
          "NodePool {{ $labels.nodepool }} uses {{ $value | humanizePercentage }} of its {{ $labels.resource_type " +
          "}} limit while pods are unschedulable; Karpenter will not launch nodes past it.",
        runbook:
          "Karpenter refuses to launch a node that would take a NodePool over its limits, so pods will " +
          "stay pending. If demand is real, raise the pool's maxDevices (mlserving:capacity.pools) within " +
          "the environment's policy cap; otherwise find the workload that scaled out unexpectedly.",
      },
    },
    {
      alert: "ClusterAutoscalerNodeGroupAtMax",
      // At its maximum is normal under load; it matters only while pods wait for a node.
      expr:
        "max by (node_group) (cluster_autoscaler_node_group_target_count)\n>= max by (node_group) (cluster_autoscaler_node_group_max_count)\n" +
        "and max by (node_group) (cluster_autoscaler_node_group_max_count) > 0\nand on () sum(cluster_autoscaler_unschedulable_pods_count) > 0",
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary:
          "Node group {{ $labels.node_group }} is at its maximum size while pods are unschedulable; Cluster Autoscaler cannot add nodes to it.",
        runbook:
          "Pods that need this node group will stay pending. If the demand is expected, raise the pool's " +
          "maxNodes (mlserving:capacity.pools) within the policy cap; otherwise find which workload scaled " +
          "out. The metric needs Cluster Autoscaler's --emit-per-nodegroup-metrics=true.",
      },
    },
  ];

  const dns: AlertRule[] = [
    {
      alert: "ModelDnsSyncStale",
      // ExternalDNS v0.21.0 sets this gauge to the time of each successful sync (every minute) and
      // exports 0 until the first one (controller/metrics.go, controller.go), so it also fires when
      // ExternalDNS never synced. No series (no private zone) never fires.
      expr: "time() - max(external_dns_controller_last_sync_timestamp_seconds) > 600",
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "ExternalDNS has not synced the models' private zone for {{ $value | humanizeDuration }}.",
        runbook:
          "Records already in the zone keep resolving, but a new model, a moved ALB or a removed model " +
          "is not reflected. Read the external-dns pod's log in the external-dns namespace: AccessDenied " +
          "means its role (which may change only the zone named serving.ingressDomain) or the zone itself " +
          "changed; 'no hosted zones' means the zone or its VPC association is gone; errors against the " +
          "Kubernetes API point at the cluster. Fix the cause; the next sync catches up.",
      },
    },
  ];

  const jobRegex = jobs.join("|");
  const scrape: AlertRule[] = [
    {
      alert: "ScrapeTargetDown",
      // A model server still starting (a large LLM pulls its image and loads for ~10 minutes) is not
      // down; one that has restarted, or outlived the start allowance, is.
      expr: `up{job=~"${jobRegex}"} == 0\nor\n(\n  up{${MODEL_LABEL}!=""} == 0\n  unless on (namespace, pod) (\n  ${STARTING_PODS}\n  )\n)`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary:
          "Prometheus cannot scrape {{ $labels.job }} at {{ $labels.instance }} ({{ $labels.namespace }}/{{ $labels.pod }}).",
        runbook:
          "Dashboards and alerts fed by this target are blind. Check that the pod runs and is ready, " +
          "that its Service still selects it and exposes the named metrics port, and Prometheus's Targets " +
          "page for the scrape error (connection refused, TLS, 401/403). A DaemonSet exporter on a node " +
          "being drained recovers on its own.",
      },
    },
  ];

  // An exporter that disappears leaves no `up` series for ScrapeTargetDown to see: alert on
  // accelerator nodes with no exporter target up at all.
  // One per kind, from its record's metrics.
  const exporters: AlertRule[] = ACCELERATOR_KINDS.map((k) => {
    const { deviceResource: resource, metrics } = ACCELERATORS[k];
    return { job: metrics.exporter, resource, what: metrics.nodes, dashboards: metrics.dashboard.title };
  }).map((e) => ({
    alert: "AcceleratorExporterMissing",
    expr: `count(kube_node_status_allocatable{resource="${e.resource.replace(/[^a-zA-Z0-9_]/g, "_")}"} > 0)\nunless on () count(up{job="${e.job}"} == 1)`,
    for: "15m",
    labels: { severity: "warning", job: e.job },
    annotations: {
      summary:
        `{{ $value }} ${e.what} node(s) are in the cluster and Prometheus scrapes no ${e.job} target: ` +
        `the ${e.dashboards} dashboard and the accelerator alerts are blind.`,
      runbook:
        `The ${e.job} DaemonSet is gone, schedules no pod on the ${e.what} nodes (node selector, tolerations) ` +
        `or its ServiceMonitor no longer selects its Service. Check \`kubectl get ds -A | grep ${e.job}\`, ` +
        `the release that installs it, and Prometheus's Targets page.`,
    },
  }));

  // KEDA scales every model (serving/scaling.ts): if it stops, no model scales out or back.
  // Its operator's metrics: kedacore/keda pkg/metricscollector/prommetrics.go @ v2.20.2. The HPAs
  // it creates are named keda-hpa-<ScaledObject> (apis/keda/v1alpha1/scaledobject_webhook.go).
  const autoscaling: AlertRule[] = [
    {
      alert: "KedaOperatorMissing",
      expr: `count(kube_horizontalpodautoscaler_info{horizontalpodautoscaler=~"keda-hpa-.+"})\nunless on () count(up{job="keda-operator"} == 1)`,
      for: "10m",
      labels: { severity: "warning" },
      annotations: {
        summary:
          "{{ $value }} HorizontalPodAutoscaler(s) created by KEDA exist and Prometheus scrapes no KEDA " +
          "operator: models may not scale, and nothing would say so.",
        runbook:
          "Check the keda-operator Deployment in the keda namespace (pods, events, logs) and its Service's " +
          "metrics port; the HPAs read their metrics through KEDA's metrics server, which asks the operator, " +
          "so while it is down every model keeps its current replicas.",
      },
    },
    {
      alert: "KedaScaledObjectErrors",
      expr: "sum by (namespace, scaledObject) (rate(keda_scaled_object_errors_total[5m])) > 0",
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary:
          "KEDA cannot evaluate ScaledObject {{ $labels.namespace }}/{{ $labels.scaledObject }}: its model does not scale on load.",
        runbook:
          "Describe the ScaledObject and read the keda-operator logs for the scaler error: Prometheus " +
          "unreachable from the keda namespace (NetworkPolicy), a query returning nothing (ModelMetricsMissing " +
          "says which pods report no metrics), or a target that no longer exists.",
      },
    },
  ];

  return [
    { name: "mlserving-latency-slo", rules: burnRules },
    { name: "mlserving-serving", rules: serving },
    { name: "mlserving-accelerators", rules: accelerators },
    { name: "mlserving-capacity", rules: capacity },
    { name: "mlserving-dns", rules: dns },
    { name: "mlserving-scrape-targets", rules: [...scrape, ...exporters] },
    { name: "mlserving-autoscaling", rules: autoscaling },
  ];
}

/**
 * The kit's PrometheusRule (monitoring.coreos.com/v1). The kit's Prometheus selects rules in
 * every namespace without a release label (prometheus-stack-values.ts).
 */
export function prometheusRule(namespace: string, input: AlertRuleInput = DEFAULT_ALERT_RULE_INPUT) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name: "mlserving-alerts", namespace, labels: { "app.kubernetes.io/part-of": "mlserving" } },
    spec: { groups: alertRuleGroups(input) },
  };
}
