import { PROMETHEUS_URL } from "../../common/names";

/**
 * Scale from zero behind the LLM gateway: what holds the first request while a track has no
 * replica, and what wakes it. Read at the pinned versions:
 *
 * - Holding. The endpoint picker (gateway-api-inference-extension v1.5.0) admits every request
 *   through its Flow Control layer when the `flowControl` feature gate is on (cmd/epp/runner/runner.go
 *   `NewFlowControlAdmissionController`): the request waits in the picker's queue until the pool's
 *   saturation is below 1, and a pool with no endpoint reads saturation 1.0
 *   (pkg/epp/framework/plugins/flowcontrol/saturationdetector/utilization/detector.go `Saturation`,
 *   held while `saturation >= usageLimit`, the default limit 1.0: flowcontrol/controller/internal/processor.go).
 *   So it waits until a replica is ready and reports its metrics, or until `flowControl.defaultRequestTTL`,
 *   when the picker answers 503 "request timed out in queue" (pkg/epp/requestcontrol/admission.go
 *   `translateFlowControlOutcome`, pkg/common/error/error.go). Without the gate the picker answers 503 at
 *   once ("failed to find endpoint candidates", requestcontrol/director.go): clients would have to retry.
 * - The proxy waits for the picker: Istio 1.30.3 gives the ext_proc filter a 1000 s message timeout
 *   (pilot/pkg/xds/filters/filters.go `InferencePoolExtProc`) and disables Envoy's stream idle
 *   timeout (pilot/pkg/networking/core/listener_builder.go), so the hold is bounded by the TTL below
 *   {@link WAKE_TIMEOUT_SECONDS}.max, under those 1000 s.
 * - Waking. The picker exports the requests its queue holds as
 *   `inference_extension_flow_control_queue_size{inference_pool=<pool>}` (pkg/epp/metrics/metrics.go,
 *   a gauge; site-src/guides/flow-control.md "Autoscaling: KEDA and Scale-to-Zero"); the kit's
 *   ServiceMonitor scrapes it, and a KEDA trigger on it activates the track at one held request.
 *   KEDA 2.20.2 scales a ScaledObject up from zero when any trigger is active, even while another
 *   errs (pkg/scaling/executor/scale_scaledobjects.go): the track's own metric is empty at zero replicas.
 */

/** The picker's gauge of requests held by its Flow Control layer, per pool (v1.5.0 pkg/epp/metrics/metrics.go). */
export const FLOW_CONTROL_QUEUE_METRIC = "inference_extension_flow_control_queue_size";

/** The picker's feature gate that turns its Flow Control layer on (v1.5.0 pkg/epp/flowcontrol/config.go `FeatureGate`). */
export const FLOW_CONTROL_FEATURE_GATE = "flowControl";

/**
 * How long the gateway holds a request for a track woken from zero (`serving.models[].wakeTimeoutSeconds`),
 * seconds. At most 900: under Istio's 1000 s ext_proc message timeout, after which the proxy would
 * forward the request to an empty pool (the pool fails open) and answer 503 itself.
 */
export const WAKE_TIMEOUT_SECONDS = { min: 60, max: 900, default: 600 } as const;

/** What a track woken from zero needs: how long its first requests are held. */
export interface WakeSettings {
  /** Seconds a request waits in the picker's queue for a replica. */
  holdSeconds: number;
}

/** Problems with `wakeTimeoutSeconds` (a whole number of seconds within {@link WAKE_TIMEOUT_SECONDS}). */
export function wakeTimeoutProblem(seconds: number): string | undefined {
  const { min, max } = WAKE_TIMEOUT_SECONDS;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max)
    return `must be a whole number of seconds from ${min} to ${max} (Istio's ext_proc message timeout is 1000 s)`;
  return undefined;
}

/**
 * The picker's EndpointPickerConfig lines that hold requests while the pool is empty: the Flow
 * Control layer on, and its TTL (`flowControl.defaultRequestTTL`, a metav1.Duration:
 * apix/config/v1alpha1/endpointpickerconfig_types.go at v1.5.0). Without a TTL the request would
 * wait for the client to go away.
 */
export function flowControlConfigLines(wake: WakeSettings): string[] {
  return [
    "featureGates:",
    `- ${FLOW_CONTROL_FEATURE_GATE}`,
    "flowControl:",
    `  defaultRequestTTL: ${wake.holdSeconds}s`,
  ];
}

/** PromQL: requests the pool's picker holds (0 when none was ever held: the gauge has no series then). */
export function wakeQuery(pool: { isvc: string; namespace: string }): string {
  return `sum(${FLOW_CONTROL_QUEUE_METRIC}{namespace="${pool.namespace}",inference_pool="${pool.isvc}"})`;
}

/**
 * The KEDA trigger that wakes a track from zero: Prometheus, on the requests its picker holds.
 * Activation at one held request (`activationThreshold: 0`, active above it); once running, one
 * replica more per `perReplica` requests still held (an `AverageValue` target), since the picker
 * holds requests only while every replica is saturated. An empty result is 0 here
 * (`ignoreNullValues: "true"`): the gauge has no series until the picker has held a request.
 */
export function wakeTrigger(pool: { isvc: string; namespace: string }, perReplica: number) {
  return {
    type: "prometheus",
    name: "gateway-queue",
    metricType: "AverageValue",
    metadata: {
      serverAddress: PROMETHEUS_URL,
      query: wakeQuery(pool),
      threshold: String(perReplica),
      activationThreshold: "0",
      ignoreNullValues: "true",
    },
  };
}

/**
 * How a model behind the gateway wakes: with `replicas.min` 0 its tracks scale from zero, their
 * requests held up to `wakeTimeoutSeconds` (default {@link WAKE_TIMEOUT_SECONDS}.default). None
 * for a model the gateway does not front (a model parked at 0 on the ALB stays parked).
 */
export function modelWake(
  model: { replicas: { min: number }; wakeTimeoutSeconds?: number },
  frontedByGateway: boolean,
): WakeSettings | undefined {
  if (!frontedByGateway || model.replicas.min !== 0) return undefined;
  return { holdSeconds: model.wakeTimeoutSeconds ?? WAKE_TIMEOUT_SECONDS.default };
}
