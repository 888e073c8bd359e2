/**
 * Every Prometheus metric the kit's dashboards and alert rules query, with the exporter that
 * emits it and the upstream file (at the pinned version) where its name, type and labels were
 * read. Tests parse every dashboard and alert expression and fail on a metric name missing here,
 * so a misspelt or renamed metric cannot ship.
 *
 * Labels list what the exporter itself attaches (not `le`/`quantile`, and not the target labels
 * Prometheus adds: `job`, `instance`, `namespace`, `pod`, `service`, `endpoint`, `container`).
 */

import { ACCELERATOR_KINDS, ACCELERATORS } from "../common/accelerators";
import { MODEL_LABEL, TRACK_LABEL } from "../common/names";
import { POD_START_TIMES, replicaStartRuleGroup, START_FIGURES } from "./replica-start-rules";

export type MetricType = "counter" | "gauge" | "histogram" | "summary";

export interface MetricInfo {
  /** Component that exposes the metric, e.g. `triton`, `dcgm-exporter`. */
  exporter: string;
  type: MetricType;
  /** Labels the exporter puts on the series. */
  labels: string[];
  /** Upstream file or document, at the pinned version, the name was checked against. */
  source: string;
}

const TRITON_DOC = "triton-inference-server/server docs/user_guide/metrics.md @ r26.07 (Triton 2.71.0, tag v2.71.0)";
const TRITON_CORE = "triton-inference-server/core src/metrics.cc (metric types; snapshot main 73aad7c, 2026-06-09)";
const triton = (type: MetricType, labels: string[] = ["model", "version"]): MetricInfo => ({
  exporter: "triton",
  type,
  labels,
  source: `${TRITON_DOC}; ${TRITON_CORE}`,
});

const VLLM_SOURCE =
  "vllm-project/vllm vllm/v1/metrics/loggers.py PrometheusStatLogger @ v0.16.0 " +
  "(names and labels identical at upstream commits bb9172030 of 2026-01-20 and 880be2b1b of 2026-03-20, which bracket v0.16.0); " +
  "prometheus_client adds `_total` to counters";
const vllm = (type: MetricType, extraLabels: string[] = []): MetricInfo => ({
  exporter: "vllm",
  type,
  labels: ["model_name", "engine", ...extraLabels],
  source: VLLM_SOURCE,
});

const EPP_SOURCE =
  "kubernetes-sigs/gateway-api-inference-extension pkg/epp/metrics/metrics.go @ v1.5.0 (subsystems inference_pool and inference_extension; poolLabels [name])";
const epp = (type: MetricType, labels: string[]): MetricInfo => ({
  exporter: "endpoint-picker",
  type,
  labels,
  source: EPP_SOURCE,
});

const KARPENTER_DOC = "aws/karpenter-provider-aws website/content/en/v1.14/reference/metrics.md (Karpenter 1.14.1)";
const KSM_NODE = "kubernetes/kube-state-metrics docs/metrics/cluster/node-metrics.md @ v2.20.0";
const KSM_POD = "kubernetes/kube-state-metrics docs/metrics/workload/pod-metrics.md @ v2.20.0";
const CA_SOURCE = "kubernetes/autoscaler cluster-autoscaler/metrics/metrics.go @ cluster-autoscaler-1.35.0";
const ca = (type: MetricType, labels: string[]): MetricInfo => ({
  exporter: "cluster-autoscaler",
  type,
  labels,
  source: CA_SOURCE,
});

export const METRIC_CATALOG: Record<string, MetricInfo> = {
  // --- Triton (GPU serving) ---
  nv_inference_request_success: triton("counter"),
  nv_inference_request_failure: triton("counter", ["model", "version", "reason"]),
  nv_inference_count: triton("counter"),
  nv_inference_exec_count: triton("counter"),
  nv_inference_request_duration_us: triton("counter"),
  nv_inference_queue_duration_us: triton("counter"),
  nv_inference_compute_input_duration_us: triton("counter"),
  nv_inference_compute_infer_duration_us: triton("counter"),
  nv_inference_compute_output_duration_us: triton("counter"),
  nv_inference_pending_request_count: triton("gauge"),
  /** Only with `--metrics-config histogram_latencies=true`; default buckets 100, 500, 2000, 5000 ms (core src/metric_model_reporter.h). */
  nv_inference_first_response_histogram_ms: triton("histogram"),
  /**
   * Seconds the model version took to load, set when the load completes; created for every model
   * whatever the metrics config (src/metric_model_reporter.cc InitializeGauges), since core#397.
   */
  nv_model_load_duration_secs: {
    exporter: "triton",
    type: "gauge",
    labels: ["model", "version"],
    source:
      "triton-inference-server/core src/metrics.cc, src/metric_model_reporter.cc (InitializeGauges) and " +
      "src/model_repository_manager/model_lifecycle.cc (ReportModelLoadTime) @ r26.06 and main 73aad7c; added by #397 (1962cce)",
  },
  nv_gpu_utilization: triton("gauge", ["gpu_uuid"]),
  nv_gpu_memory_used_bytes: triton("gauge", ["gpu_uuid"]),
  nv_gpu_memory_total_bytes: triton("gauge", ["gpu_uuid"]),
  nv_gpu_power_usage: triton("gauge", ["gpu_uuid"]),

  // --- The LLM gateway's endpoint pickers (Gateway API Inference Extension) ---
  inference_pool_ready_pods: epp("gauge", ["name"]),
  inference_pool_average_queue_size: epp("gauge", ["name"]),
  inference_pool_average_kv_cache_utilization: epp("gauge", ["name"]),
  /** Labels `status`, `target_model_name` and the chosen endpoint's `pod_name`, `namespace`, `port`. */
  inference_extension_scheduler_attempts_total: epp("counter", ["status", "target_model_name", "pod_name", "port"]),
  /** Buckets 0.0 to 1.0 by 0.1. */
  inference_extension_prefix_indexer_hit_ratio: epp("histogram", []),
  /**
   * Time a request spent in the picker's Flow Control, observed once per request at its final
   * `outcome` (pkg/epp/flowcontrol/types/outcomes.go: Dispatched, RejectedCapacity, RejectedOther,
   * EvictedTTL, EvictedContextCancelled, EvictedOther); recorded in controller/internal/item.go.
   */
  inference_extension_flow_control_request_queue_duration_seconds: epp("histogram", [
    "fairness_id",
    "priority",
    "outcome",
    "inference_pool",
    "model_name",
    "target_model_name",
  ]),

  // --- vLLM (on Inferentia and NVIDIA GPUs, through KServe) ---
  "vllm:num_requests_running": vllm("gauge"),
  "vllm:num_requests_waiting": vllm("gauge"),
  "vllm:kv_cache_usage_perc": vllm("gauge"),
  /** `finished_reason` is stop | length | abort | error (vllm/v1/engine/__init__.py FINISH_REASON_STRINGS). */
  "vllm:request_success_total": vllm("counter", ["finished_reason"]),
  "vllm:prompt_tokens_total": vllm("counter"),
  "vllm:generation_tokens_total": vllm("counter"),
  "vllm:e2e_request_latency_seconds": vllm("histogram"),
  "vllm:time_to_first_token_seconds": vllm("histogram"),
  "vllm:request_queue_time_seconds": vllm("histogram"),
  "vllm:inter_token_latency_seconds": vllm("histogram"),
  /**
   * vLLM's HTTP server: prometheus-fastapi-instrumentator's default metric, statuses grouped as
   * `2xx`..`5xx`, `handler` the route template; /metrics, /health and similar are excluded.
   */
  http_requests_total: {
    exporter: "vllm",
    type: "counter",
    labels: ["handler", "method", "status"],
    source:
      "vllm-project/vllm vllm/entrypoints/serve/instrumentator/metrics.py at snapshot 02a69ad2 (read there, not at the v0.16.0 tag): " +
      "Instrumentator(excluded_handlers=[...]).add().instrument(app); trallnag/prometheus-fastapi-instrumentator metrics.default()",
  },

  // --- each accelerator kind's exporter (its record's metrics.catalog) ---
  ...Object.fromEntries(
    ACCELERATOR_KINDS.flatMap((k) => {
      const { exporter, catalog } = ACCELERATORS[k].metrics;
      return Object.entries(catalog).map(([name, m]): [string, MetricInfo] => [
        name,
        { exporter, type: m.type, labels: [...m.labels], source: m.source },
      ]);
    }),
  ),

  // --- Karpenter (staging, prod) ---
  /** `message_type` values from pkg/controllers/interruption/messages/types.go @ v1.14.1, e.g. spot_interrupted. */
  karpenter_interruption_received_messages_total: {
    exporter: "karpenter",
    type: "counter",
    labels: ["message_type"],
    source: `${KARPENTER_DOC}; labels aws/karpenter-provider-aws pkg/controllers/interruption/metrics.go @ v1.14.1`,
  },
  karpenter_nodeclaims_disrupted_total: {
    exporter: "karpenter",
    type: "counter",
    labels: ["reason", "nodepool", "capacity_type"],
    source: `${KARPENTER_DOC}; labels kubernetes-sigs/karpenter pkg/metrics/metrics.go @ v1.14.1`,
  },
  /** `resource_type` is the resource name lower-cased with `-` turned to `_`, e.g. `nvidia.com/gpu`, `cpu`. */
  karpenter_nodepools_usage: {
    exporter: "karpenter",
    type: "gauge",
    labels: ["nodepool", "resource_type"],
    source: `${KARPENTER_DOC}; labels kubernetes-sigs/karpenter pkg/controllers/metrics/nodepool/controller.go @ v1.14.1`,
  },
  karpenter_nodepools_limit: {
    exporter: "karpenter",
    type: "gauge",
    labels: ["nodepool", "resource_type"],
    source: `${KARPENTER_DOC}; labels kubernetes-sigs/karpenter pkg/controllers/metrics/nodepool/controller.go @ v1.14.1`,
  },
  /** A gauge despite its name; units set by the cloud provider, not a billing source. */
  karpenter_nodepools_cost_total: {
    exporter: "karpenter",
    type: "gauge",
    labels: ["nodepool"],
    source: `${KARPENTER_DOC}; kubernetes-sigs/karpenter pkg/controllers/metrics/nodepool/controller.go @ v1.14.1`,
  },
  karpenter_cluster_state_node_count: {
    exporter: "karpenter",
    type: "gauge",
    labels: [],
    source: `${KARPENTER_DOC}; kubernetes-sigs/karpenter pkg/controllers/state/metrics.go @ v1.14.1`,
  },

  // --- ExternalDNS (the models' private zone) ---
  external_dns_controller_last_sync_timestamp_seconds: {
    exporter: "external-dns",
    type: "gauge",
    labels: [],
    source:
      "kubernetes-sigs/external-dns controller/metrics.go @ v0.21.0 (namespace external_dns: docs/monitoring/metrics.md @ v0.21.0)",
  },

  // --- Cluster Autoscaler (dev); node_group_* need --emit-per-nodegroup-metrics=true ---
  cluster_autoscaler_node_group_target_count: ca("gauge", ["node_group"]),
  cluster_autoscaler_node_group_max_count: ca("gauge", ["node_group"]),
  cluster_autoscaler_node_group_min_count: ca("gauge", ["node_group"]),
  cluster_autoscaler_unschedulable_pods_count: ca("gauge", ["type"]),
  cluster_autoscaler_nodes_count: ca("gauge", ["state"]),
  cluster_autoscaler_failed_scale_ups_total: ca("counter", ["reason"]),

  // --- kube-state-metrics 2.20.0 (kube-prometheus-stack 88.5.3) ---
  /** `label_*` only for keys in the kit's `--metric-labels-allowlist` (prometheus-stack-values.ts). */
  kube_node_labels: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: [
      "node",
      "label_karpenter_sh_nodepool",
      "label_karpenter_sh_capacity_type",
      "label_eks_amazonaws_com_capacity_type",
      "label_eks_amazonaws_com_nodegroup",
      "label_node_kubernetes_io_instance_type",
      "label_mlserving_io_accelerator",
      "label_mlserving_io_node_pool",
    ],
    source: `${KSM_NODE}; label names from internal/store/utils.go (sanitize, then snake_case)`,
  },
  /** Extended resources are sanitized: `nvidia_com_gpu`, `aws_amazon_com_neuron`. */
  kube_node_status_allocatable: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["node", "resource", "unit"],
    source: KSM_NODE,
  },
  kube_deployment_spec_replicas: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "deployment"],
    source: "kubernetes/kube-state-metrics docs/metrics/workload/deployment-metrics.md @ v2.20.0",
  },
  kube_deployment_status_replicas_available: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "deployment"],
    source: "kubernetes/kube-state-metrics docs/metrics/workload/deployment-metrics.md @ v2.20.0",
  },
  kube_pod_container_resource_requests: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid", "container", "node", "resource", "unit"],
    source: KSM_POD,
  },
  kube_pod_status_phase: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid", "phase"],
    source: KSM_POD,
  },
  /** `label_*` only for keys in the kit's `--metric-labels-allowlist` (`pods=[mlserving.io/model,mlserving.io/track]`). */
  kube_pod_labels: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid", "label_mlserving_io_model", "label_mlserving_io_track"],
    source: `${KSM_POD}; label names from internal/store/utils.go (sanitize, then snake_case)`,
  },
  /** `condition` is true | false | unknown. */
  kube_pod_status_ready: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid", "condition"],
    source: KSM_POD,
  },
  /** Unix seconds of the pod's creation. */
  kube_pod_created: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid"],
    source: KSM_POD,
  },
  /** Present only while the pod is being deleted (unix seconds of the deletion). */
  kube_pod_deletion_timestamp: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid"],
    source: KSM_POD,
  },
  /** Unix seconds the PodScheduled condition turned true; only while it is true. */
  kube_pod_status_scheduled_time: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid"],
    source: `${KSM_POD}; internal/store/pod.go createPodStatusScheduledTimeFamilyGenerator`,
  },
  /** Unix seconds the Ready condition last turned true (readiness gates included); only while it is true. */
  kube_pod_status_ready_time: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid"],
    source: `${KSM_POD}; internal/store/pod.go createPodStatusReadyTimeFamilyGenerator`,
  },
  /** Unix seconds the ContainersReady condition last turned true; only while it is true. */
  kube_pod_status_container_ready_time: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid"],
    source: `${KSM_POD}; internal/store/pod.go createPodStatusContainerReadyTimeFamilyGenerator`,
  },
  /** Unix seconds the container's current run started; only while it runs or after it terminated. */
  kube_pod_container_state_started: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid", "container"],
    source: `${KSM_POD}; internal/store/pod.go createPodContainerStateStartedFamilyGenerator`,
  },
  kube_pod_container_status_restarts_total: {
    exporter: "kube-state-metrics",
    type: "counter",
    labels: ["namespace", "pod", "uid", "container"],
    source: KSM_POD,
  },
  kube_horizontalpodautoscaler_info: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: [
      "namespace",
      "horizontalpodautoscaler",
      "scaletargetref_api_version",
      "scaletargetref_kind",
      "scaletargetref_name",
    ],
    source: "kubernetes/kube-state-metrics docs/metrics/workload/horizontalpodautoscaler-metrics.md @ v2.20.0",
  },
  kube_pod_status_unschedulable: {
    exporter: "kube-state-metrics",
    type: "gauge",
    labels: ["namespace", "pod", "uid"],
    source: KSM_POD,
  },

  // --- KEDA operator (prometheus.operator.enabled) ---
  /** One error of a ScaledObject's scale loop (a scaler that fails); `namespace` is the ScaledObject's (honorLabels). */
  keda_scaled_object_errors_total: {
    exporter: "keda-operator",
    type: "counter",
    labels: ["namespace", "scaledObject"],
    source: "kedacore/keda pkg/metricscollector/prommetrics.go @ v2.20.2 (namespace keda, subsystem scaled_object)",
  },

  // --- the kit's own recording rules (replica-start-rules.ts), read by the dashboards ---
  ...Object.fromEntries(
    replicaStartRuleGroup().rules.map((r): [string, MetricInfo] => {
      const perPod = (Object.values(POD_START_TIMES) as string[]).includes(r.record);
      const tritonModel = r.record === START_FIGURES.tritonModelLoad ? ["model"] : [];
      return [
        r.record,
        {
          exporter: "prometheus",
          type: "gauge",
          labels: ["namespace", ...(perPod ? ["pod"] : []), MODEL_LABEL, TRACK_LABEL, ...tritonModel],
          source: `the kit's recording rule group ${replicaStartRuleGroup().name} (components/monitoring/replica-start-rules.ts)`,
        },
      ];
    }),
  ),

  // --- Prometheus itself ---
  up: {
    exporter: "prometheus",
    type: "gauge",
    labels: ["job", "instance"],
    source: "prometheus.io/docs/concepts/jobs_instances (Prometheus v3.14.0 in kube-prometheus-stack 88.5.3)",
  },
};

const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"] as const;

/**
 * The catalog entry a series name belongs to: the name itself, or for `<h>_bucket`, `<h>_sum`,
 * `<h>_count` the histogram `<h>` (`_sum`/`_count` also for a summary). Undefined when unknown.
 */
export function catalogEntryFor(seriesName: string): { name: string; info: MetricInfo } | undefined {
  const direct = METRIC_CATALOG[seriesName];
  if (direct) return { name: seriesName, info: direct };
  for (const suffix of HISTOGRAM_SUFFIXES) {
    if (!seriesName.endsWith(suffix)) continue;
    const base = seriesName.slice(0, -suffix.length);
    const info = METRIC_CATALOG[base];
    if (info?.type === "histogram" || (info?.type === "summary" && suffix !== "_bucket")) return { name: base, info };
  }
  return undefined;
}

/** Series names (as written in PromQL) that no catalog entry covers. */
export function unknownMetricNames(seriesNames: Iterable<string>): string[] {
  return [...new Set(seriesNames)].filter((n) => catalogEntryFor(n) === undefined).sort();
}
