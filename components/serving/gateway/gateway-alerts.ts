import { LLM_GATEWAY_NAMESPACE } from "./gateway-builders";
import { WAKE_TIMEOUT_SECONDS } from "./scale-from-zero";

/**
 * How long a track woken from zero may have no ready replica before LlmInferencePoolNoReadyEndpoint
 * counts it an outage: the longest hold (`wakeTimeoutSeconds` at most) and five minutes more. Its
 * cold start on a new node is minutes (the plan prints it); requests wait at the gateway meanwhile.
 */
export const WAKE_GRACE_MINUTES = WAKE_TIMEOUT_SECONDS.max / 60 + 5;

/** A Prometheus alert rule group (the shape of monitoring's AlertRuleGroup; serving sits below monitoring). */
interface AlertRuleGroup {
  name: string;
  rules: {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "critical" | "warning" };
    annotations: { summary: string; runbook: string };
  }[];
}

/** Requests waiting per replica, averaged over a pool, above which the gateway is queueing. */
export const GATEWAY_QUEUE_THRESHOLD = 5;

/**
 * The LLM gateway's alerts, on what the endpoint pickers report (gateway-api-inference-extension
 * v1.5.0 pkg/epp/metrics/metrics.go: `inference_pool_ready_pods` and `inference_pool_average_queue_size`,
 * labelled with the pool's `name`) and on kube-state-metrics for the pickers themselves:
 * - LlmEndpointPickerDown: a picker Deployment (`<pool>-epp`; no model name ends in `-epp`) has no
 *   available replica: the pool's route fails open, requests are forwarded unscored;
 * - LlmInferencePoolNoReadyEndpoint: a pool's picker sees no ready replica: requests to it fail
 *   (a track woken from zero gets {@link WAKE_GRACE_MINUTES} to start its first);
 * - LlmGatewayQueueing: a pool's replicas each hold more than GATEWAY_QUEUE_THRESHOLD waiting requests;
 * - LlmGatewayRequestsDropped: the picker's Flow Control (on for tracks that scale from zero) answered
 *   requests with an error after holding them: the hold ran out (`EvictedTTL`, its wakeTimeoutSeconds)
 *   or its queue was full (`RejectedCapacity`). They never reach vLLM, so the model's error alerts miss them.
 */
export function gatewayAlertRuleGroup(): AlertRuleGroup {
  return {
    name: "mlserving-llm-gateway",
    rules: [
      {
        alert: "LlmEndpointPickerDown",
        expr: 'max by (namespace, deployment) (kube_deployment_status_replicas_available{deployment=~".+-epp"}) < 1',
        for: "5m",
        labels: { severity: "critical" },
        annotations: {
          summary: "Endpoint picker {{ $labels.namespace }}/{{ $labels.deployment }} has no available replica.",
          runbook:
            "The pool's route fails open: the gateway forwards without scoring by cache and queue, so latency " +
            "rises. Read the picker's events and logs (kubectl -n {{ $labels.namespace }} describe deployment " +
            "{{ $labels.deployment }}): a crash on its config, no system node with room, or an API-server " +
            "NetworkPolicy denial (allow-pickers-to-api-server).",
        },
      },
      {
        alert: "LlmInferencePoolNoReadyEndpoint",
        // Only a pool whose predictor wants replicas: a track scaled to zero is not an outage, and
        // one woken from zero within WAKE_GRACE_MINUTES is still starting its first replica.
        expr:
          "max by (namespace, name) (inference_pool_ready_pods) == 0\nand on (namespace, name)\nlabel_replace(max " +
          'by (namespace, deployment) (kube_deployment_spec_replicas{deployment=~".+-predictor"}) > 0, ' +
          '"name", "$1", "deployment", "(.+)-predictor")' +
          (`\nunless on (namespace, name)\nlabel_replace(min by (namespace, deployment) (min_over_time(kube_deployment_spec_replicas{deployment=~".+-predictor"}[${WAKE_GRACE_MINUTES}m])) ` +
            `== 0, "name", "$1", "deployment", "(.+)-predictor")`),
        for: "5m",
        labels: { severity: "critical" },
        annotations: {
          summary: "InferencePool {{ $labels.namespace }}/{{ $labels.name }} has no ready replica; its requests fail.",
          runbook:
            "Check the track's predictor pods (kubectl -n {{ $labels.namespace }} get pods -l mlserving.io/model): " +
            "pending on capacity (Capacity dashboard), still loading weights (startup probe), or crashing. " +
            "A canary, variant or shadow with no replica: remove its key from the model (canary, abTest, shadow).",
        },
      },
      {
        alert: "LlmGatewayQueueing",
        // The picker stops updating the queue gauge when a pool has no pod (v1.5.0
        // pkg/epp/datalayer/logger/logger.go): an empty pool's last value is not a queue.
        expr:
          `max by (namespace, name) (inference_pool_average_queue_size) > ${GATEWAY_QUEUE_THRESHOLD}\n` +
          `and on (namespace, name)\nmax by (namespace, name) (inference_pool_ready_pods) > 0`,
        for: "10m",
        labels: { severity: "warning" },
        annotations: {
          summary:
            `Requests queue in InferencePool {{ $labels.namespace }}/{{ $labels.name }}: {{ $value }} waiting ` +
            `per replica (over ${GATEWAY_QUEUE_THRESHOLD}).`,
          runbook:
            "Every replica of the pool is full, so the picker has nowhere better to send. Check the model's " +
            "ScaledObject (is it at replicas.max?) and pending GPU pods; raise replicas.max or lower the autoscaling target.",
        },
      },
      {
        alert: "LlmGatewayRequestsDropped",
        expr:
          "sum by (namespace, inference_pool) (increase(inference_extension_flow_control_request_queue_duration_seconds_count" +
          '{outcome=~"EvictedTTL|RejectedCapacity"}[10m])) > 0',
        for: "5m",
        labels: { severity: "critical" },
        annotations: {
          summary:
            "The endpoint picker of InferencePool {{ $labels.namespace }}/{{ $labels.inference_pool }} answered " +
            "{{ $value }} held request(s) with an error in 10 minutes.",
          runbook:
            "Requests waited in the picker's Flow Control for a replica and were dropped: the hold ran out " +
            "(the model's wakeTimeoutSeconds: its track did not start a replica in time) or the queue was full. " +
            "Check the track's predictor pods (pending on capacity, loading weights, crashing) and its " +
            "ScaledObject (KEDA wakes it on the picker's queue); raise wakeTimeoutSeconds or keep replicas.min above 0.",
        },
      },
    ],
  };
}

/** The PrometheusRule holding the gateway's alerts, in the gateway's namespace. */
export function gatewayPrometheusRule() {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: "mlserving-llm-gateway",
      namespace: LLM_GATEWAY_NAMESPACE,
      labels: { "app.kubernetes.io/part-of": "mlserving" },
    },
    spec: { groups: [gatewayAlertRuleGroup()] },
  };
}
