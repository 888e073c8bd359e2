import gpuDashboard from "./dashboards/gpu.json";
import { NVIDIA_GPU_RESOURCE } from "./device-plugin-values";
import type { AcceleratorKindRecord } from "./kind";
import { GPU_OPERATOR_NAMESPACE, NVIDIA_NAMESPACE } from "./namespaces";
import { nvidiaSupport } from "./support";

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
  },
} as const satisfies AcceleratorKindRecord<"nvidia">;
