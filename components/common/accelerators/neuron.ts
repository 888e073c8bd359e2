import { cpuMillisOf, memoryMiBOf } from "../quantity";
import neuronDashboard from "./dashboards/neuron.json";
import { NEURON_DEVICE_RESOURCE } from "./device-plugin-values";
import type { AcceleratorKindRecord } from "./kind";
import { NEURON_MONITOR_NAMESPACE } from "./namespaces";
import { NEURON_MONITOR_RESOURCES } from "./neuron-monitor";
import { neuronSupport } from "./support";

/**
 * AWS Inferentia and Trainium (Neuron devices). Instance types, device counts and device memory:
 * the instance catalogue (`common/instance-types.ts`, rows with `accelerator.kind: "neuron"`).
 */
export const NEURON = {
  kind: "neuron",
  title: "AWS Neuron device",
  article: "a",
  device: { one: "Neuron device", many: "Neuron devices" },
  deviceResource: NEURON_DEVICE_RESOURCE,
  deviceField: "neuronDevices",
  maxDevicesPerReplica: 16,
  taintKey: NEURON_DEVICE_RESOURCE,
  amiTypes: { al2023: "AL2023_x86_64_NEURON" },
  amiTypeMarker: "NEURON",
  nodeLabels: () => ({}),
  timeSlicing: false,
  imageCache: false,
  support: neuronSupport,
  // The Neuron chart itself installs into kube-system (NEURON_NAMESPACE), which the kit does not own.
  supportNamespaces: [NEURON_MONITOR_NAMESPACE],
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
      cpuMillis: cpuMillisOf(NEURON_MONITOR_RESOURCES.requests.cpu)!,
      memoryMiB: memoryMiBOf(NEURON_MONITOR_RESOURCES.requests.memory)!,
      source: "the kit's own DaemonSet (components/common/accelerators/neuron-monitor.ts)",
    },
  ],
  metrics: {
    exporter: "neuron-monitor",
    utilization: "neuroncore_utilization_ratio",
    nodes: "Inferentia",
    dashboard: { title: "Neuron", name: "neuron", json: neuronDashboard },
  },
} as const satisfies AcceleratorKindRecord<"neuron">;
