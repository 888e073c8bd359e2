import gpuDashboard from "./dashboards/gpu.json";
import { NVIDIA_GPU_RESOURCE } from "./device-plugin-values";
import type { AcceleratorKindRecord } from "./kind";
import { GPU_OPERATOR_NAMESPACE, NVIDIA_NAMESPACE } from "./namespaces";
import { nvidiaSupport } from "./support";

const DCGM_SOURCE =
  "NVIDIA/dcgm-exporter deployment/templates/metrics-configmap.yaml @ 4.5.3-4.8.2 (chart 4.8.2); labels from " +
  "internal/pkg/rendermetrics/render_metrics.go and internal/pkg/transformation/const.go at the same tag";
const DCGM_LABELS = ["gpu", "UUID", "pci_bus_id", "device", "modelName", "Hostname", "pod", "namespace", "container"];

/**
 * NVIDIA GPUs. Instance types, device counts and GPU memory: the instance catalogue
 * (`common/instance-types.ts`, rows with `accelerator.kind: "nvidia"`).
 */
export const NVIDIA = {
  kind: "nvidia",
  title: "NVIDIA GPU",
  article: "an",
  device: { one: "GPU", many: "GPUs" },
  deviceResource: NVIDIA_GPU_RESOURCE,
  deviceField: "gpus",
  maxDevicesPerReplica: 8,
  taintKey: NVIDIA_GPU_RESOURCE,
  amiTypes: { al2023: "AL2023_x86_64_NVIDIA", bottlerocket: "BOTTLEROCKET_x86_64_NVIDIA" },
  amiTypeMarker: "NVIDIA",
  // "Well-Known Labels" (aws/karpenter-provider-aws v1.14.1 website/content/en/docs/concepts/scheduling.md; pkg/apis/v1/labels.go LabelInstanceGPUName).
  karpenterDeviceNameLabel: "karpenter.k8s.aws/instance-gpu-name",
  nodeLabels: (os) => ({
    // Cluster Autoscaler treats nodes with k8s.amazonaws.com/accelerator as GPU nodes.
    "k8s.amazonaws.com/accelerator": "nvidia",
    // The device plugin's default affinity selects this label when node-feature-discovery is
    // absent. Bottlerocket runs its own plugin, so its nodes must not attract a second one.
    ...(os === "al2023" ? { "nvidia.com/gpu.present": "true" } : {}),
  }),
  // NVIDIA k8s-device-plugin README, "Shared Access to GPUs with CUDA Time-Slicing".
  timeSlicing: true,
  imageCache: true,
  support: nvidiaSupport,
  supportNamespaces: [NVIDIA_NAMESPACE, GPU_OPERATOR_NAMESPACE],
  daemonSets: [
    {
      name: "nvidia-device-plugin",
      cpuMillis: 0,
      memoryMiB: 0,
      source: "NVIDIA/k8s-device-plugin deployments/helm/nvidia-device-plugin/values.yaml: resources {}",
    },
    {
      name: "dcgm-exporter",
      cpuMillis: 0,
      memoryMiB: 0,
      source: "NVIDIA/dcgm-exporter deployment/values.yaml: resources {}",
    },
  ],
  metrics: {
    exporter: "dcgm-exporter",
    utilization: "DCGM_FI_DEV_GPU_UTIL",
    // serving/autoscaling.ts: gpu-utilization averages DCGM_FI_DEV_GPU_UTIL over a model's pods.
    scalingMetric: "gpu-utilization",
    nodes: "GPU",
    dashboard: { title: "GPU", name: "gpu", json: gpuDashboard as object },
    // FB_* in MiB, GPU_UTIL in %, POWER in W, TEMP in C.
    catalog: Object.fromEntries(
      [
        "DCGM_FI_DEV_GPU_UTIL",
        "DCGM_FI_DEV_FB_USED",
        "DCGM_FI_DEV_FB_FREE",
        "DCGM_FI_DEV_POWER_USAGE",
        "DCGM_FI_DEV_GPU_TEMP",
        "DCGM_FI_DEV_MEMORY_TEMP",
        "DCGM_FI_DEV_XID_ERRORS",
      ].map((name) => [name, { type: "gauge", labels: DCGM_LABELS, source: DCGM_SOURCE }]),
    ),
  },
  // DCGM exporter's series (metrics-catalog.ts): framebuffer in MiB, utilization in %.
  deviceAlerts: (modelPods) => [
    {
      alert: "GpuMemoryNearFull",
      expr: "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE) > 0.95",
      for: "15m",
      labels: { severity: "warning" },
      annotations: {
        summary:
          "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} ({{ $labels.namespace }}/{{ $labels.pod }}) " +
          "has {{ $value | humanizePercentage }} of its framebuffer in use.",
        runbook:
          "A model close to the framebuffer limit fails with out-of-memory on larger batches. Check which " +
          "pod holds the GPU on the GPU dashboard; lower its max batch size or instance count, or move " +
          "it to a larger GPU (g6e) pool. With time-slicing, too many pods share the GPU: reduce the replicas per GPU.",
      },
    },
    {
      alert: "GpuIdle",
      // GPUs of the kit's model servers (in serving or a team's namespace) are left out: their count
      // is the model's autoscaler and its configured minimum (prod requires 2 replicas), so an idle
      // minimum is a decision, not a fault. GPUs no pod holds carry no pod label (the DCGM
      // ServiceMonitor drops its own) and are AcceleratorsUnrequested's business.
      expr:
        `avg by (Hostname, gpu, namespace, pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL{pod!=""}[2h])) < 5\n` +
        `unless on (namespace, pod) ${modelPods}`,
      for: "1h",
      labels: { severity: "warning" },
      annotations: {
        summary:
          "GPU {{ $labels.gpu }} on {{ $labels.Hostname }}, held by {{ $labels.namespace }}/{{ $labels.pod }}, " +
          "averaged under 5% utilization for hours.",
        runbook:
          "A pod outside the kit's model servers (a notebook, a job, a test deployment) holds a GPU and " +
          "barely uses it. Ask its owner to delete it or scale it down; if it must stay, move it to a " +
          "smaller GPU or share the GPU with time-slicing (capacity.gpuTimeSlicingReplicas). The node " +
          "stays up as long as the pod holds the device.",
      },
    },
  ],
} as const satisfies AcceleratorKindRecord<"nvidia">;
