/**
 * Recording rules that measure, in the running platform, how long a model's replica takes to serve:
 * what the offline plan's cold-start floor (platform/cold-start.ts) cannot know where no start is
 * published (Triton, vLLM on Neuron with a kept compile), and what a stack states as
 * `serving.models[].serverStartSeconds` once measured.
 *
 * Sources, kube-state-metrics 2.20.0 (internal/store/pod.go and docs/metrics/workload/pod-metrics.md
 * at v2.20.0), each a unix time in seconds, present while its condition holds, labelled namespace,
 * pod, uid only:
 * - `kube_pod_status_scheduled_time`: the PodScheduled condition's lastTransitionTime while true (the
 *   pod was bound to a node, after any wait for one);
 * - `kube_pod_status_ready_time`: the Ready condition's lastTransitionTime while true (for a pod behind
 *   an ALB in the kit's model namespaces, also its target's health: the load balancer controller injects
 *   its readiness gate there, aws-load-balancer-controller docs/deploy/pod_readiness_gate.md);
 * - `kube_pod_status_container_ready_time`: the ContainersReady condition's lastTransitionTime while
 *   true (every container passed its readiness probe; no gate);
 * - `kube_pod_container_state_started` (label `container`): the container's current run's start,
 *   while running or terminated.
 * None is opt-in (only kube_pod_nodeselectors is, among the pod metrics), and the kit's chart values
 * set no `metricAllowlist`/`metricDenylist` (kube-state-metrics chart 8.4.0 in kube-prometheus-stack
 * 88.5.3: both empty), so all are exported.
 *
 * A readiness condition's time moves when the pod turns unready and ready again (a probe that fails
 * under load, a target that flaps) and a container's start moves when it restarts, so a pod's first
 * readiness is the earliest time seen over its life. That is exact only for pods whose whole life
 * lies in the window read: the figures count the pods scheduled in the last {@link START_WINDOW_HOURS}
 * hours. Ranges over kube-state-metrics' series would read every pod of the cluster; the rules first
 * record the four times of the kit's model pods only, labelled with the model and track, and read
 * ranges of those.
 */
import {
  KSERVE_SERVER_CONTAINER,
  MODEL_LABEL,
  MODEL_POD_LABEL,
  TRACK_LABEL,
  TRACK_POD_LABEL,
  TRITON_SERVER_CONTAINER,
} from "../common/names";
import { ksmLabel, MODEL_PODS, MODEL_SCOPE } from "./alert-rules";

/** One Prometheus recording rule as the PrometheusRule CRD takes it. */
export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RecordingRuleGroup {
  name: string;
  rules: RecordingRule[];
}

/** The window the figures read: pods scheduled (and Triton loads reported) in the last 24 hours. */
export const START_WINDOW_HOURS = 24;
const W = `${START_WINDOW_HOURS}h`;

/** The containers that run the kit's model servers: its Triton Deployment's and KServe's. */
export const MODEL_SERVER_CONTAINERS = [TRITON_SERVER_CONTAINER, KSERVE_SERVER_CONTAINER] as const;

/**
 * Per model pod (namespace, pod, model, track), the time it was scheduled, first ready, its containers
 * ready and its server container started: kube-state-metrics' series of the kit's model pods only.
 */
export const POD_START_TIMES = {
  scheduled: "mlserving_pod:kube_pod_status_scheduled_time:relabel",
  ready: "mlserving_pod:kube_pod_status_ready_time:relabel",
  containersReady: "mlserving_pod:kube_pod_status_container_ready_time:relabel",
  serverStarted: "mlserving_pod:kube_pod_container_state_started:relabel",
} as const;

/**
 * The figures per model and track (namespace, `mlserving_model`, `mlserving_track`), each the most
 * over the pods scheduled in the last {@link START_WINDOW_HOURS} hours:
 * - `replicaStart`: from the pod's scheduling to its first readiness: image (cached or pulled on the
 *   node), init containers (the weights' fetch, the compile cache's restore), the server's start and,
 *   for a model behind an ALB, its target's first health check. A spot replacement on a warm node.
 * - `serverStart`: from the server container's first start to the pod's containers' first readiness:
 *   the server's own start, what `serving.models[].serverStartSeconds` states.
 * - `tritonModelLoad`: Triton's own load time of each of its models (`model` label), over the Triton
 *   pods scraped in the last {@link START_WINDOW_HOURS} hours.
 */
export const START_FIGURES = {
  replicaStart: `mlserving:replica_start_seconds:max${W}`,
  serverStart: `mlserving:server_start_seconds:max${W}`,
  tritonModelLoad: `mlserving:nv_model_load_duration_secs:max${W}`,
} as const;

const MODEL_BY = MODEL_SCOPE.join(", ");

/**
 * The kit's model pods, one series of value 1 per pod, labelled with the model and track as the
 * serving series are (a pod without a track label has none).
 */
const MODEL_POD_IDENTITY =
  `max by (namespace, pod, ${MODEL_LABEL}, ${TRACK_LABEL}) (\n    label_replace(label_replace(${MODEL_PODS}, ` +
  `"${MODEL_LABEL}", "$1", "${ksmLabel(MODEL_POD_LABEL)}", "(.+)"), "${TRACK_LABEL}", "$1", "${ksmLabel(TRACK_POD_LABEL)}", "(.+)")\n  )`;

/** A pod-level kube-state-metrics series of the kit's model pods, labelled with model and track. */
const ofModelPods = (series: string) =>
  `max by (namespace, pod) (${series})\n* on (namespace, pod) group_left (${MODEL_LABEL}, ${TRACK_LABEL})\n  ${MODEL_POD_IDENTITY}`;

/** The pods scheduled in the window (the guard of every pod figure: their whole life is in it). */
const SCHEDULED_IN_WINDOW = `(max_over_time(${POD_START_TIMES.scheduled}[${W}]) > time() - ${START_WINDOW_HOURS * 3600})`;

/**
 * The recording rules (one group, `mlserving-replica-start`) of {@link POD_START_TIMES} and
 * {@link START_FIGURES}. Rules of a group run in order, so the figures read this evaluation's times.
 */
export function replicaStartRuleGroup(): RecordingRuleGroup {
  const servers = MODEL_SERVER_CONTAINERS.join("|");
  return {
    name: "mlserving-replica-start",
    rules: [
      { record: POD_START_TIMES.scheduled, expr: ofModelPods("kube_pod_status_scheduled_time") },
      { record: POD_START_TIMES.ready, expr: ofModelPods("kube_pod_status_ready_time") },
      { record: POD_START_TIMES.containersReady, expr: ofModelPods("kube_pod_status_container_ready_time") },
      {
        record: POD_START_TIMES.serverStarted,
        expr: ofModelPods(`kube_pod_container_state_started{container=~"${servers}"}`),
      },
      {
        record: START_FIGURES.replicaStart,
        expr:
          `max by (${MODEL_BY}) (\n  (\n    min_over_time(${POD_START_TIMES.ready}[${W}])\n    - ` +
          `max_over_time(${POD_START_TIMES.scheduled}[${W}])\n  )\n  and ${SCHEDULED_IN_WINDOW}\n)`,
      },
      {
        record: START_FIGURES.serverStart,
        expr:
          `max by (${MODEL_BY}) (\n  (\n    min_over_time(${POD_START_TIMES.containersReady}[${W}])\n    - ` +
          `min_over_time(${POD_START_TIMES.serverStarted}[${W}])\n  )\n  and ${SCHEDULED_IN_WINDOW}\n)`,
      },
      {
        // Triton core src/metrics.cc (gauge `nv_model_load_duration_secs`), set once a model version has
        // loaded (src/model_repository_manager/model_lifecycle.cc ReportModelLoadTime) @ r26.06.
        record: START_FIGURES.tritonModelLoad,
        expr: `max by (${MODEL_BY}, model) (max_over_time(nv_model_load_duration_secs[${W}]))`,
      },
    ],
  };
}
