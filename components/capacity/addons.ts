import type * as pulumi from "@pulumi/pulumi";
import type { ChartAddOn } from "../common/chart-addon";
import type { ClusterHandle } from "../common/handles";
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

// The accelerator kinds' device-plugin add-ons live with their records (common/accelerators/addons.ts).
export {
  DCGM_EXPORTER_ADDON,
  GPU_OPERATOR_ADDON,
  NEURON_ADDON,
  NVIDIA_DEVICE_PLUGIN_ADDON,
} from "../common/accelerators/addons";
