import type * as pulumi from "@pulumi/pulumi";
import type { ChartAddOn } from "../common/chart-addon";
import type { ClusterHandle } from "../common/handles";
import { DROP_TARGET_POD_LABELS } from "../common/monitors";
import { CHARTS, IMAGES } from "../versions";
import {
  CLUSTER_AUTOSCALER_METRICS,
  CLUSTER_AUTOSCALER_NAMESPACE,
  CLUSTER_AUTOSCALER_RELEASE,
  CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
  clusterAutoscalerPolicy,
  clusterAutoscalerValues,
} from "./cluster-autoscaler-values";
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
import {
  KARPENTER_METRICS,
  KARPENTER_NAMESPACE,
  KARPENTER_RELEASE,
  KARPENTER_SERVICE_ACCOUNT,
  karpenterValues,
} from "./karpenter-builders";

/** Cluster Autoscaler: may change only the Auto Scaling groups tagged as this cluster's. */
export const CLUSTER_AUTOSCALER_ADDON: ChartAddOn<{ cluster: ClusterHandle; scaleDownUnneededTime: string }> = {
  release: CLUSTER_AUTOSCALER_RELEASE,
  chart: CHARTS.clusterAutoscaler,
  namespace: CLUSTER_AUTOSCALER_NAMESPACE,
  serviceAccount: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
  podIdentity: ({ cluster }) => ({ policy: clusterAutoscalerPolicy(cluster.name) }),
  values: ({ cluster, scaleDownUnneededTime }) =>
    clusterAutoscalerValues({
      clusterName: cluster.name,
      region: cluster.region,
      imageTag: IMAGES.clusterAutoscaler.tag,
      scaleDownUnneededTime,
    }),
  metrics: { name: "cluster-autoscaler", ...CLUSTER_AUTOSCALER_METRICS },
  wait: { timeoutSeconds: 600 },
  crds: {
    kind: "none",
    source: "kubernetes/autoscaler cluster-autoscaler-chart-9.59.0: no crds/ and no CRD templates",
  },
};

/**
 * Karpenter's CRDs as their own release, in the controller's namespace as upstream installs it
 * (`helm upgrade --install karpenter-crd ... --namespace "${KARPENTER_NAMESPACE}"`). Its only value
 * is `additionalAnnotations`, which the kit does not need.
 */
export const KARPENTER_CRD_ADDON: ChartAddOn<void> = {
  release: "karpenter-crd",
  chart: CHARTS.karpenterCrd,
  namespace: KARPENTER_NAMESPACE,
  wait: { timeoutSeconds: 300 },
  crds: { kind: "templates", source: "aws/karpenter-provider-aws v1.14.1 charts/karpenter-crd/templates" },
};

/** Karpenter's controller: its managed policies are created beside it (they name the queue and node role). */
export const KARPENTER_ADDON: ChartAddOn<{
  cluster: ClusterHandle;
  interruptionQueueName: pulumi.Output<string>;
  replicas: number;
  controllerPolicyArns: pulumi.Input<string>[];
  /** Turn on the NodeOverlay feature gate (GPU time-slicing). */
  nodeOverlay?: boolean;
  /** Set the ReservedCapacity feature gate explicitly (pools with capacity reservations). */
  reservedCapacity?: boolean;
}> = {
  release: KARPENTER_RELEASE,
  chart: CHARTS.karpenter,
  namespace: KARPENTER_NAMESPACE,
  serviceAccount: KARPENTER_SERVICE_ACCOUNT,
  podIdentity: ({ controllerPolicyArns }) => ({ managedPolicyArns: controllerPolicyArns }),
  values: ({ cluster, interruptionQueueName, replicas, nodeOverlay, reservedCapacity }) =>
    interruptionQueueName.apply((queue) =>
      karpenterValues({
        clusterName: cluster.name,
        region: cluster.region,
        interruptionQueueName: queue,
        replicas,
        nodeOverlay,
        reservedCapacity,
      }),
    ),
  metrics: { name: "karpenter", ...KARPENTER_METRICS },
  wait: { timeoutSeconds: 600 },
  crds: {
    kind: "crdChart",
    chart: KARPENTER_CRD_ADDON,
    source:
      'karpenter.sh v1.14 upgrade guide, "CRD Upgrades": "we recommend using the independent karpenter-crd chart to manage CRDs"',
  },
};

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
      "NVIDIA/k8s-device-plugin v0.20.0 deployments/helm/nvidia-device-plugin: no crds/; its node-feature-discovery subchart (condition nfd.enabled,gfd.enabled) stays off with gfd.enabled: false",
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
      'NVIDIA/gpu-operator v26.7.0 values.yaml operator.upgradeCRD ("upgrade CRD on chart upgrade, requires --disable-openapi-validation"): templates/upgrade_crd.yaml applies the ClusterPolicy, NVIDIADriver, GPUCluster and NFD CRDs with the operator image before each upgrade',
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
      "aws-neuron/neuron-helm-charts neuron-helm-chart: no crds/; its only CRDs (NeuronUltraServer, templates/ultraserver-operator) render behind ultraserverOperator.enabled, which the kit leaves off",
  },
};
