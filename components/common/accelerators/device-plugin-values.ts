import { SYSTEM_NODE_SELECTOR } from "../labels";
import { stringify } from "yaml";
import { LABELS } from "./labels";

export { GPU_OPERATOR_NAMESPACE, NEURON_MONITOR_NAMESPACE, NVIDIA_NAMESPACE } from "./namespaces";
export const NEURON_NAMESPACE = "kube-system";

/**
 * The extended resource NVIDIA's device plugins advertise per GPU (and the taint key of the kit's
 * GPU nodes): the NVIDIA record's `deviceResource` and `taintKey`.
 */
export const NVIDIA_GPU_RESOURCE = "nvidia.com/gpu";
/** The extended resource AWS's Neuron device plugin advertises per device; the Neuron record's resource and taint. */
export const NEURON_DEVICE_RESOURCE = "aws.amazon.com/neuron";
export const DCGM_EXPORTER_RELEASE = "dcgm-exporter";

const tolerate = (key: string) => [{ key, operator: "Exists", effect: "NoSchedule" }];
const onSystemNodes = SYSTEM_NODE_SELECTOR;

/**
 * Device-plugin config that advertises each GPU as `replicas` schedulable `nvidia.com/gpu`
 * (NVIDIA k8s-device-plugin README, "Shared Access to GPUs with CUDA Time-Slicing"). A request
 * for more than one share fails at allocation (`failRequestsGreaterThanOne`): shares of a GPU add
 * no compute, and the plan refuses such models anyway (platform/capacity-checks.ts).
 */
export function timeSlicingConfig(replicas: number): string {
  return stringify({
    version: "v1",
    sharing: {
      timeSlicing: { failRequestsGreaterThanOne: true, resources: [{ name: NVIDIA_GPU_RESOURCE, replicas }] },
    },
  });
}

/**
 * The same sharing for Bottlerocket's own NVIDIA device plugin, as user-data TOML: settings
 * `kubelet-device-plugins.nvidia.device-sharing-strategy = "time-slicing"` and its
 * `time-slicing.replicas`, `rename-by-default`, `fail-requests-greater-than-one`
 * (bottlerocket-os/bottlerocket-settings-sdk `KubeletDevicePluginsV1`; bottlerocket.dev settings
 * reference, "kubelet-device-plugins", NVIDIA Time-Slicing). `rename-by-default = false` keeps the
 * resource name `nvidia.com/gpu`, which the models request.
 */
export function bottlerocketTimeSlicingSettings(replicas: number): string {
  return [
    "[settings.kubelet-device-plugins.nvidia]",
    'device-sharing-strategy = "time-slicing"',
    "",
    "[settings.kubelet-device-plugins.nvidia.time-slicing]",
    `replicas = ${replicas}`,
    "rename-by-default = false",
    "fail-requests-greater-than-one = true",
    "",
  ].join("\n");
}

/**
 * Values for chart nvidia-device-plugin 0.20.0 (NVIDIA/k8s-device-plugin
 * `deployments/helm/nvidia-device-plugin/values.yaml`). The chart's default affinity selects
 * nodes labelled `nvidia.com/gpu.present=true`, which the kit puts on its AL2023 GPU nodes, and
 * its default tolerations include `nvidia.com/gpu`; both are restated here so the test pins them.
 */
export function nvidiaDevicePluginValues(timeSlicingReplicas?: number) {
  return {
    tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, ...tolerate(NVIDIA_GPU_RESOURCE)],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "nvidia.com/gpu.present", operator: "In", values: ["true"] }] },
          ],
        },
      },
    },
    gfd: { enabled: false },
    ...(timeSlicingReplicas
      ? { config: { map: { default: timeSlicingConfig(timeSlicingReplicas) }, default: "default" } }
      : {}),
  };
}

/**
 * Values for chart gpu-operator v26.7.0 on EKS AL2023 NVIDIA AMIs, which ship the driver and
 * container toolkit: those operands are off, node-feature-discovery stays on (the operator
 * finds GPU nodes through it) and DCGM exporter is the kit's own release.
 */
export function gpuOperatorValues(timeSlicingReplicas?: number) {
  return {
    driver: { enabled: false },
    toolkit: { enabled: false },
    nfd: { enabled: true },
    dcgmExporter: { enabled: false },
    daemonsets: { tolerations: tolerate(NVIDIA_GPU_RESOURCE) },
    // The chart's pre-upgrade hook applies its CRDs on every upgrade (addons.ts); stated so a test pins it.
    operator: { nodeSelector: onSystemNodes, upgradeCRD: true },
    devicePlugin: timeSlicingReplicas
      ? {
          config: {
            create: true,
            name: "time-slicing",
            default: "default",
            data: { default: timeSlicingConfig(timeSlicingReplicas) },
          },
        }
      : {},
  };
}

/**
 * Values for chart dcgm-exporter 4.8.2 (NVIDIA/dcgm-exporter `deployment/values.yaml`): on GPU
 * nodes only (the chart tolerates only the control-plane taint by default), metrics Service on
 * port 9400 named `metrics`; the chart's own ServiceMonitor is off because the kit authors one.
 */
export function dcgmExporterValues() {
  return {
    tolerations: tolerate(NVIDIA_GPU_RESOURCE),
    nodeSelector: { [LABELS.accelerator]: "nvidia" },
    serviceMonitor: { enabled: false },
    service: { enable: true, type: "ClusterIP", port: 9400 },
    kubernetes: { enablePodLabels: true },
  };
}

/** Labels the dcgm-exporter chart puts on its Service (`_helpers.tpl` selectorLabels). */
export function dcgmExporterServiceLabels(releaseName = DCGM_EXPORTER_RELEASE) {
  return { "app.kubernetes.io/name": "dcgm-exporter", "app.kubernetes.io/instance": releaseName };
}

/**
 * Values for the AWS Neuron chart 1.9.0 (aws-neuron/neuron-helm-charts): the device plugin
 * (selects Neuron instance types and tolerates `aws.amazon.com/neuron` by default), optionally
 * the Neuron scheduler extension (pods opt in with `schedulerName: my-scheduler`), and no
 * node problem detector, as AWS's EKS guide installs it.
 */
export function neuronChartValues(scheduler: boolean) {
  return {
    devicePlugin: { enabled: true },
    scheduler: {
      enabled: scheduler,
      nodeSelector: onSystemNodes,
      customScheduler: { nodeSelector: onSystemNodes },
    },
    npd: { enabled: false },
  };
}

/** Scheduler name of the Neuron scheduler extension's kube-scheduler (chart `fullnameOverride`). */
export const NEURON_SCHEDULER_NAME = "my-scheduler";
