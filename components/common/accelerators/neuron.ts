import type { AcceleratorKindRecord } from "./kind";

/**
 * AWS Inferentia and Trainium (Neuron devices). Device counts from the EC2 accelerated-computing
 * instance tables (as published in Karpenter's generated instance-types reference, v1.14).
 */
export const NEURON: AcceleratorKindRecord = {
  title: "AWS Neuron device",
  deviceResource: "aws.amazon.com/neuron",
  taintKey: "aws.amazon.com/neuron",
  amiTypes: { al2023: "AL2023_x86_64_NEURON" },
  families: {
    inf1: { xlarge: 1, "2xlarge": 1, "6xlarge": 4, "24xlarge": 16 },
    inf2: { xlarge: 1, "8xlarge": 1, "24xlarge": 6, "48xlarge": 12 },
    trn1: { "2xlarge": 1, "32xlarge": 16 },
  },
  nodeLabels: () => ({}),
  metrics: { exporter: "neuron-monitor", utilization: "neuroncore_utilization_ratio" },
};
