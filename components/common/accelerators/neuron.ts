import { cpuMillisOf, memoryMiBOf } from "../quantity";
import neuronDashboard from "./dashboards/neuron.json";
import { NEURON_DEVICE_RESOURCE } from "./device-plugin-values";
import type { AcceleratorKindRecord, AcceleratorMetric } from "./kind";
import { NEURON_MONITOR_NAMESPACE } from "./namespaces";
import { NEURON_MONITOR_RESOURCES } from "./neuron-monitor";
import { neuronSupport } from "./support";

/** neuron-monitor's utilisation of each NeuronCore, 0 to 1, labelled with its instance (neuron-monitor.ts). */
const UTILIZATION = "neuroncore_utilization_ratio";

const NEURON_SOURCE =
  "neuron-monitor-prometheus.py shipped in public.ecr.aws/neuron/neuron-monitor:1.3.0 (aws-neuronx-tools); same names in " +
  "opentelemetry-collector-contrib receiver/awscontainerinsightreceiver/internal/neuron";
const NEURON_INSTANCE_LABELS = [
  "instance_name",
  "instance_id",
  "instance_type",
  "availability_zone",
  "region",
  "subnet_id",
];
/** A neuron-monitor series: the instance's labels, then its own. */
const neuron = (type: AcceleratorMetric["type"], labels: string[]): AcceleratorMetric => ({
  type,
  labels: [...NEURON_INSTANCE_LABELS, ...labels],
  source: NEURON_SOURCE,
});

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
  // aws/karpenter-provider-aws v1.14.1 pkg/apis/v1/labels.go LabelInstanceAcceleratorName, a well-known label.
  karpenterDeviceNameLabel: "karpenter.k8s.aws/instance-accelerator-name",
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
    utilization: UTILIZATION,
    nodes: "Inferentia",
    dashboard: { title: "Neuron", name: "neuron", json: neuronDashboard as object },
    // Per-runtime series also carry runtime_tag.
    catalog: {
      [UTILIZATION]: neuron("gauge", ["runtime_tag", "neuroncore"]),
      neuron_runtime_memory_used_bytes: neuron("gauge", ["runtime_tag", "memory_location"]),
      neuroncore_memory_usage_constants: neuron("gauge", ["runtime_tag", "neuroncore", "memory_location"]),
      neuroncore_memory_usage_model_code: neuron("gauge", ["runtime_tag", "neuroncore", "memory_location"]),
      neuroncore_memory_usage_model_shared_scratchpad: neuron("gauge", [
        "runtime_tag",
        "neuroncore",
        "memory_location",
      ]),
      neuroncore_memory_usage_runtime_memory: neuron("gauge", ["runtime_tag", "neuroncore", "memory_location"]),
      neuroncore_memory_usage_tensors: neuron("gauge", ["runtime_tag", "neuroncore", "memory_location"]),
      execution_errors_total: neuron("counter", ["runtime_tag", "error_type"]),
      neuron_hardware_info: neuron("gauge", ["neuron_device_count", "neuroncore_per_device_count"]),
    },
  },
  idleAlert: {
    alert: "NeuronCoresIdle",
    // neuron-monitor's series carry the instance, not the pod, so which idle instance is the extra
    // one is for the runbook; each idle instance is listed.
    instanceLabels: ["instance_id", "instance_type"],
    idleInstances: (by) => `avg by (${by}) (avg_over_time(${UTILIZATION}[2h])) < 0.05`,
    summary: (floor) =>
      `NeuronCores on {{ $labels.instance_id }} ({{ $labels.instance_type }}) averaged under 5% utilization ` +
      `for hours, and more Inferentia instances are idle than the Neuron models' floor (${floor} ` +
      `replica(s) of the platform's models at their minimum, plus the teams' running Neuron replicas).`,
    runbook:
      "Capacity above the models' replica floors is idle. Check on the Model serving dashboard whether " +
      "a Neuron model runs more replicas than its minimum (its ScaledObject should have scaled it " +
      "down: see ModelMetricsMissing and the KEDA operator's logs), and on the Capacity dashboard " +
      "which pods keep the idle instances (karpenter.sh/do-not-disrupt, a PDB, a stray workload). " +
      "If the floors themselves are too high, lower the models' replicas.min.",
  },
} as const satisfies AcceleratorKindRecord<"neuron">;
