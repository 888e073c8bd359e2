import type { AcceleratorKindRecord } from "./kind";

const MONITOR_REQUESTS = { cpuMillis: 256, memoryMiB: 128 } as const;

/** Requests and limits of the neuron-monitor container (the node overhead model counts the requests). */
export const NEURON_MONITOR_RESOURCES = {
  requests: { cpu: `${MONITOR_REQUESTS.cpuMillis}m`, memory: `${MONITOR_REQUESTS.memoryMiB}Mi` },
  limits: { cpu: "500m", memory: "256Mi" },
} as const;

/**
 * AWS Inferentia and Trainium (Neuron devices). Instance types, device counts and device memory:
 * the instance catalogue (`common/instance-types.ts`, rows with `accelerator.kind: "neuron"`).
 */
export const NEURON = {
  kind: "neuron",
  title: "AWS Neuron device",
  device: { one: "Neuron device", many: "Neuron devices" },
  deviceResource: "aws.amazon.com/neuron",
  deviceField: "neuronDevices",
  maxDevicesPerReplica: 16,
  taintKey: "aws.amazon.com/neuron",
  amiTypes: { al2023: "AL2023_x86_64_NEURON" },
  amiTypeMarker: "NEURON",
  nodeLabels: () => ({}),
  timeSlicing: false,
  imageCache: false,
  daemonSets: [
    {
      name: "neuron-device-plugin",
      cpuMillis: 0,
      memoryMiB: 0,
      source:
        "aws-neuron/neuron-helm-charts charts/neuron-helm-chart/values.yaml: devicePlugin sets no resources (npd is disabled by the kit)",
    },
    {
      name: "neuron-monitor",
      ...MONITOR_REQUESTS,
      source: "the kit's own DaemonSet (components/capacity/neuron-monitor.ts)",
    },
  ],
  metrics: {
    exporter: "neuron-monitor",
    utilization: "neuroncore_utilization_ratio",
    nodes: "Inferentia",
    dashboard: "Neuron",
  },
} as const satisfies AcceleratorKindRecord<"neuron">;
