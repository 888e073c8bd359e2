import type { ChartAddOn } from "../chart-addon";
import { DROP_TARGET_POD_LABELS } from "../monitors";
import { CHARTS } from "../../versions";
import {
  DCGM_EXPORTER_RELEASE,
  dcgmExporterServiceLabels,
  dcgmExporterValues,
  GPU_OPERATOR_NAMESPACE,
  gpuOperatorValues,
  NEURON_NAMESPACE,
  neuronChartValues,
  NVIDIA_NAMESPACE,
  nvidiaDevicePluginValues,
} from "./device-plugin-values";

/** NVIDIA's k8s-device-plugin, optionally time-slicing each GPU. */
export const NVIDIA_DEVICE_PLUGIN_ADDON: ChartAddOn<{ timeSlicingReplicas?: number }> = {
  release: "nvidia-device-plugin",
  chart: CHARTS.nvidiaDevicePlugin,
  namespace: NVIDIA_NAMESPACE,
  values: ({ timeSlicingReplicas }) => nvidiaDevicePluginValues(timeSlicingReplicas),
  wait: { timeoutSeconds: 600 },
  crds: {
    kind: "none",
    source:
      "NVIDIA/k8s-device-plugin v0.20.0 deployments/helm/nvidia-device-plugin: no crds/; its node-feature-discovery " +
      "subchart (condition nfd.enabled,gfd.enabled) stays off with gfd.enabled: false",
  },
};

/** NVIDIA GPU Operator (driver and toolkit off: the EKS AMIs carry them). */
export const GPU_OPERATOR_ADDON: ChartAddOn<{ timeSlicingReplicas?: number }> = {
  release: "gpu-operator",
  chart: CHARTS.gpuOperator,
  namespace: GPU_OPERATOR_NAMESPACE,
  values: ({ timeSlicingReplicas }) => gpuOperatorValues(timeSlicingReplicas),
  wait: { timeoutSeconds: 900 },
  crds: {
    kind: "upgradeHook",
    source:
      'NVIDIA/gpu-operator v26.7.0 values.yaml operator.upgradeCRD ("upgrade CRD on chart upgrade, ' +
      'requires --disable-openapi-validation"): templates/upgrade_crd.yaml applies the ClusterPolicy, ' +
      "NVIDIADriver, GPUCluster and NFD CRDs with the operator image before each upgrade",
  },
};

/** DCGM exporter on GPU nodes; it scales with GPU nodes, which may be zero, so nothing is awaited. */
export const DCGM_EXPORTER_ADDON: ChartAddOn<void> = {
  release: DCGM_EXPORTER_RELEASE,
  chart: CHARTS.dcgmExporter,
  namespace: NVIDIA_NAMESPACE,
  values: () => dcgmExporterValues(),
  metrics: {
    name: "dcgm-exporter",
    serviceLabels: dcgmExporterServiceLabels(),
    port: "metrics",
    interval: "15s",
    honorLabels: true,
    // GPUs no pod holds come without pod labels; without this they took the exporter's own.
    relabelings: [{ ...DROP_TARGET_POD_LABELS }],
  },
  wait: "none",
  crds: { kind: "none", source: "NVIDIA/dcgm-exporter 4.8.2 deployment/: no crds/ and no CRD templates" },
};

/** AWS's Neuron chart (device plugin, optional scheduler extension); no pods until an Inferentia node exists. */
export const NEURON_ADDON: ChartAddOn<{ scheduler: boolean }> = {
  release: "neuron",
  chart: CHARTS.neuron,
  namespace: NEURON_NAMESPACE,
  values: ({ scheduler }) => neuronChartValues(scheduler),
  wait: "none",
  crds: {
    kind: "none",
    source:
      "aws-neuron/neuron-helm-charts neuron-helm-chart: no crds/; its only CRDs (NeuronUltraServer, " +
      "templates/ultraserver-operator) render behind ultraserverOperator.enabled, which the kit leaves off",
  },
};
