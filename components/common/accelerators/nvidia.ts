import type { AcceleratorKindRecord } from "./kind";

/** Sizes of the G families: one GPU up to 16xlarge, four at 12xlarge and 24xlarge, eight at 48xlarge. */
const G_SIZES = { xlarge: 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "12xlarge": 4, "16xlarge": 1 } as const;

/**
 * NVIDIA GPUs. Device counts from the EC2 accelerated-computing instance tables (as published in
 * Karpenter's generated instance-types reference, v1.14).
 */
export const NVIDIA: AcceleratorKindRecord = {
  title: "NVIDIA GPU",
  deviceResource: "nvidia.com/gpu",
  taintKey: "nvidia.com/gpu",
  amiTypes: { al2023: "AL2023_x86_64_NVIDIA", bottlerocket: "BOTTLEROCKET_x86_64_NVIDIA" },
  families: {
    g4dn: { ...G_SIZES, metal: 8 },
    g5: { ...G_SIZES, "24xlarge": 4, "48xlarge": 8 },
    g6: { ...G_SIZES, "24xlarge": 4, "48xlarge": 8 },
    g6e: { ...G_SIZES, "24xlarge": 4, "48xlarge": 8 },
    p4d: { "24xlarge": 8 },
    p5: { "4xlarge": 1, "48xlarge": 8 },
  },
  nodeLabels: (os) => ({
    // Cluster Autoscaler treats nodes with k8s.amazonaws.com/accelerator as GPU nodes.
    "k8s.amazonaws.com/accelerator": "nvidia",
    // The device plugin's default affinity selects this label when node-feature-discovery is
    // absent. Bottlerocket runs its own plugin, so its nodes must not attract a second one.
    ...(os === "al2023" ? { "nvidia.com/gpu.present": "true" } : {}),
  }),
  metrics: { exporter: "dcgm-exporter", utilization: "DCGM_FI_DEV_GPU_UTIL" },
};
