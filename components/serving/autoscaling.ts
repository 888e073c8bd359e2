import { MODEL_LABEL, MODEL_POD_LABEL, PROMETHEUS_URL, SERVING_NAMESPACE, TRACK_LABEL } from "../common/names";
import { type ModelSpec, trackReplicas } from "./model-spec";
import { runtimeOf, ScalingQuery } from "./runtimes";
import type { ModelTrack } from "./tracks";
import { wakeTrigger } from "./gateway/scale-from-zero";

export type { ScalingQuery } from "./runtimes";

export { MODEL_LABEL, TRACK_LABEL } from "../common/names";
/** Prometheus label with the registry version the scraped pod serves (KServe models from the registry). */
export const MODEL_VERSION_LABEL = "mlserving_model_version";

/**
 * Regex for the pods of one Deployment named `owner`: `<owner>-<replicaset hash>-<pod hash>`.
 * Anchored (PromQL regexes are), so model `bert` never matches `bert-large-...` pods.
 */
export function podNamePattern(owner: string): string {
  return `${owner}-[a-z0-9]{6,10}-[a-z0-9]{5}`;
}

/**
 * PromQL the autoscaler tracks for one model: the runtime's query for its metric (see each
 * runtime in `runtimes/`), or for `gpu-utilization` DCGM_FI_DEV_GPU_UTIL averaged over the GPUs
 * of the model's pods. KServe models pass their track, so a canary scales on its own share of traffic.
 */
export function scalingQuery(
  model: Pick<ModelSpec, "name" | "runtime" | "autoscaling">,
  scope: { track?: ModelTrack; podOwner?: string; namespace?: string } = {},
): ScalingQuery {
  const { metric } = model.autoscaling;
  const namespace = scope.namespace ?? SERVING_NAMESPACE;
  if (metric === "gpu-utilization")
    return {
      query: `avg(DCGM_FI_DEV_GPU_UTIL{namespace="${namespace}",pod=~"${podNamePattern(scope.podOwner ?? model.name)}"})`,
      metricType: "Value",
    };
  const track = scope.track ? `,${TRACK_LABEL}="${scope.track}"` : "";
  const runtime = runtimeOf(model);
  const build = runtime.scalingQueries[metric];
  if (!build) throw new Error(`${runtime.title} reports no ${metric} metric`);
  return build(`{namespace="${namespace}",${MODEL_LABEL}="${model.name}"${track}}`);
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

/** How often KEDA polls a model's trigger, seconds (the ScaledObject's `pollingInterval`). */
export const SCALER_POLLING_SECONDS = 15;

/**
 * How long a model's autoscaler may read no metric before it falls back, seconds: longer than a
 * Prometheus restart (the operator's StatefulSet pod replaying its WAL), so routine restarts keep
 * the current replicas, and half the 10 minutes after which ModelMetricsMissing pages.
 */
export const SCALER_FALLBACK_AFTER_SECONDS = 300;

/**
 * KEDA's fallback for a model whose metric cannot be read (Prometheus down, or the query empty,
 * which `ignoreNullValues: "false"` makes an error): after {@link SCALER_FALLBACK_AFTER_SECONDS}
 * of failed reads, the model runs at least its maximum replicas until a read succeeds
 * (`currentReplicasIfHigher`: never fewer than it runs). Blind, the kit errs toward capacity: the
 * plan's cost ceiling already counts every model at its maximum.
 *
 * At the pinned KEDA 2.20.2 (kedacore/keda pkg/fallback/fallback.go, pkg/scaling/scale_handler.go):
 * every failed read counts, both the scale loop's (every pollingInterval) and each of the HPA's
 * metric requests (every 15 s, the HPA's default sync period), so the threshold is two failures per
 * poll; a Prometheus trigger's read fails on a connection error, an HTTP error, or an empty result
 * when `ignoreNullValues` is false (pkg/scalers/prometheus_scaler.go). A `Value` metric's fallback
 * is divided by the ready replicas, which KEDA refuses at zero, and a parked model (minimum 0) would
 * be woken to its maximum by an outage: models with a minimum of 0 get no fallback.
 * `CheckFallbackValid` (apis/keda/v1alpha1/scaledobject_types.go) accepts any non-CPU, non-memory
 * trigger. `unsafeSsl` stays unset: the server address is Prometheus's in-cluster plain-HTTP Service.
 */
export function scalerFallback(replicas: { min: number; max: number }) {
  if (replicas.min === 0) return undefined;
  return {
    failureThreshold: 2 * Math.ceil(SCALER_FALLBACK_AFTER_SECONDS / SCALER_POLLING_SECONDS),
    replicas: replicas.max,
    behavior: "currentReplicasIfHigher",
  };
}

/**
 * KEDA ScaledObject (keda.sh/v1alpha1) for a Deployment, on the model's Prometheus metric. The
 * trigger's metricType says how the HPA compares it: averages as a Value, totals per replica.
 * KServe models get one per track (named after the InferenceService, scaling its
 * `<isvc>-predictor` Deployment), since KServe's own KEDA integration drops the metric type
 * and the scaling policies.
 */
export function scaledObject(
  model: Pick<ModelSpec, "name" | "runtime" | "autoscaling" | "replicas" | "canary">,
  deploymentName: string,
  scope: {
    name?: string;
    track?: ModelTrack;
    namespace?: string;
    /**
     * The track scales from zero behind the LLM gateway: a second trigger on the requests its pool's
     * picker holds (`gateway/scale-from-zero.ts`), one replica per `perReplica` held requests
     * (the replica's `--max-num-seqs`). Its pool is named `name`.
     */
    wake?: { perReplica: number };
  } = {},
) {
  const namespace = scope.namespace ?? SERVING_NAMESPACE;
  const q = scalingQuery(model, { track: scope.track, podOwner: deploymentName, namespace });
  const replicas = trackReplicas(model, scope.track ?? "stable");
  const fallback = scalerFallback(replicas);
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: {
      name: scope.name ?? model.name,
      namespace,
      labels: { [MODEL_POD_LABEL]: model.name },
    },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deploymentName },
      minReplicaCount: replicas.min,
      maxReplicaCount: replicas.max,
      pollingInterval: SCALER_POLLING_SECONDS,
      cooldownPeriod: 600,
      ...(fallback ? { fallback } : {}),
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
            // replicas instead of falling to the minimum, ModelMetricsMissing alerts, and after a
            // while the fallback (scalerFallback) takes over.
            ignoreNullValues: "false",
            ...(model.replicas.min === 0 ? { activationThreshold: "0" } : {}),
          },
        },
        ...(scope.wake ? [wakeTrigger({ isvc: scope.name ?? model.name, namespace }, scope.wake.perReplica)] : []),
      ],
    },
  };
}
