import { MODEL_LABEL, MODEL_POD_LABEL, PROMETHEUS_URL, SERVING_NAMESPACE, TRACK_LABEL } from "../common/names";
import type { ModelSpec } from "./model-spec";

export { MODEL_LABEL, TRACK_LABEL } from "../common/names";

/**
 * Regex for the pods of one Deployment named `owner`: `<owner>-<replicaset hash>-<pod hash>`.
 * Anchored (PromQL regexes are), so model `bert` never matches `bert-large-...` pods.
 */
export function podNamePattern(owner: string): string {
  return `${owner}-[a-z0-9]{6,10}-[a-z0-9]{5}`;
}

export interface ScalingQuery {
  query: string;
  /**
   * `Value`: the query is already per request or an average, compared to the target as is.
   * `AverageValue`: the query is a total, divided by replicas before comparing.
   */
  metricType: "Value" | "AverageValue";
}

/**
 * PromQL the autoscaler tracks for one model:
 * - queue-time (Triton): average queue time per request, in ms, over the last minute:
 *   rate(nv_inference_queue_duration_us) / rate(nv_inference_request_success) / 1000 —
 *   Triton's cumulative counters (queue microseconds, successful requests).
 * - in-flight: requests waiting in Triton's queue (nv_inference_pending_request_count), or
 *   for vLLM requests running plus waiting (vllm:num_requests_running + vllm:num_requests_waiting),
 *   summed over the model's pods and divided by replicas.
 * - gpu-utilization: DCGM_FI_DEV_GPU_UTIL averaged over the GPUs of the model's pods.
 * KServe models pass their track, so a canary scales on its own share of traffic.
 */
export function scalingQuery(
  model: Pick<ModelSpec, "name" | "server" | "accelerator" | "autoscaling">,
  scope: { track?: "stable" | "canary"; podOwner?: string } = {},
): ScalingQuery {
  // A canary scales on its own traffic, not the model's total.
  const track = scope.track ? `,${TRACK_LABEL}="${scope.track}"` : "";
  const sel = `{namespace="${SERVING_NAMESPACE}",${MODEL_LABEL}="${model.name}"${track}}`;
  const vllm = model.server === "kserve" && model.accelerator === "neuron";
  switch (model.autoscaling.metric) {
    case "queue-time":
      return {
        query: `sum(rate(nv_inference_queue_duration_us${sel}[1m])) / clamp_min(sum(rate(nv_inference_request_success${sel}[1m])), 0.001) / 1000`,
        metricType: "Value",
      };
    case "in-flight":
      return vllm
        ? {
            query: `sum(vllm:num_requests_running${sel}) + sum(vllm:num_requests_waiting${sel})`,
            metricType: "AverageValue",
          }
        : { query: `sum(nv_inference_pending_request_count${sel})`, metricType: "AverageValue" };
    case "gpu-utilization":
      return {
        query: `avg(DCGM_FI_DEV_GPU_UTIL{namespace="${SERVING_NAMESPACE}",pod=~"${podNamePattern(scope.podOwner ?? model.name)}"})`,
        metricType: "Value",
      };
  }
}

/** Quick scale-up (double every 30 s), slow scale-down (one pod per 5 minutes after 10 quiet minutes): GPU pods are slow to start and dear. */
export const SCALING_BEHAVIOR = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: "Max",
    policies: [
      { type: "Percent", value: 100, periodSeconds: 30 },
      { type: "Pods", value: 2, periodSeconds: 30 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: 600,
    selectPolicy: "Min",
    policies: [{ type: "Pods", value: 1, periodSeconds: 300 }],
  },
};

/**
 * KEDA ScaledObject (keda.sh/v1alpha1) for a Deployment, on the model's Prometheus metric. The
 * trigger's metricType says how the HPA compares it: averages as a Value, totals per replica.
 * KServe models get one per track (named after the InferenceService, scaling its
 * `<isvc>-predictor` Deployment), since KServe's own KEDA integration drops the metric type
 * and the scaling policies.
 */
export function scaledObject(
  model: Pick<ModelSpec, "name" | "server" | "accelerator" | "autoscaling" | "replicas">,
  deploymentName: string,
  scope: { name?: string; track?: "stable" | "canary" } = {},
) {
  const q = scalingQuery(model, { track: scope.track, podOwner: deploymentName });
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: {
      name: scope.name ?? model.name,
      namespace: SERVING_NAMESPACE,
      labels: { [MODEL_POD_LABEL]: model.name },
    },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
      minReplicaCount: model.replicas.min,
      maxReplicaCount: model.replicas.max,
      pollingInterval: 15,
      cooldownPeriod: 600,
      advanced: { horizontalPodAutoscalerConfig: { behavior: SCALING_BEHAVIOR } },
      triggers: [
        {
          type: "prometheus",
          metricType: q.metricType,
          metadata: {
            serverAddress: PROMETHEUS_URL,
            query: q.query,
            threshold: String(model.autoscaling.target),
            // An empty result is an error, not 0 (KEDA's default): the HPA then keeps the current
            // replicas instead of falling to the minimum, and ModelMetricsMissing alerts.
            ignoreNullValues: "false",
            ...(model.replicas.min === 0 ? { activationThreshold: "0" } : {}),
          },
        },
      ],
    },
  };
}
