import {
  ACCELERATORS,
  ACCELERATOR_TAINT_KEY,
  AcceleratorKind,
  DEVICE_RESOURCE,
  devicesPerInstance,
  familyOf,
  LABELS,
  NodeOs,
} from "../common/accelerators";
import { clusterAutoscalerDiscoveryTags } from "./cluster-autoscaler-values";
import { sharesPerDevice } from "./rules";

export type CapacityType = "spot" | "on-demand";

/** Labels of an accelerator node, with those its kind's device plugin and autoscaler look for. */
export function acceleratorNodeLabels(
  kind: AcceleratorKind,
  capacityType: CapacityType,
  instanceTypes: string[],
  pool: string,
  os: NodeOs = "al2023",
): Record<string, string> {
  const families = [...new Set(instanceTypes.map(familyOf))].sort().join("-");
  const labels: Record<string, string> = {
    [LABELS.accelerator]: kind,
    [LABELS.capacityType]: capacityType,
    [LABELS.instanceFamilies]: families,
    [LABELS.nodePool]: pool,
    ...ACCELERATORS[kind].nodeLabels(os),
  };
  return labels;
}

/** The NoSchedule taint of an accelerator node, in EKS node group form. */
export function acceleratorTaint(kind: AcceleratorKind) {
  return { key: ACCELERATOR_TAINT_KEY[kind], value: "true", effect: "NO_SCHEDULE" as const };
}

/** Smallest device count among the types: what the autoscaler may assume a new node brings. */
export function minDevicesPerNode(instanceTypes: string[]): number {
  return Math.min(...instanceTypes.map((t) => devicesPerInstance(t) ?? 0));
}

/** Largest device count among the types: what a node may bring at most. */
export function maxDevicesPerNode(instanceTypes: string[]): number {
  return Math.max(...instanceTypes.map((t) => devicesPerInstance(t) ?? 0));
}

/**
 * ASG tags that let Cluster Autoscaler discover the group and scale it from zero: it reads
 * labels, taints and extended resources of a node that does not exist yet from these tags
 * (cluster-autoscaler/cloudprovider/aws/README.md, "Auto-Discovery Setup" and "Scaling a node group to 0").
 */
export function clusterAutoscalerAsgTags(args: {
  clusterName: string;
  kind: AcceleratorKind;
  labels: Record<string, string>;
  instanceTypes: string[];
  /** GPU time-slicing shares per GPU: the template advertises what the device plugin will. Default: off. */
  gpuTimeSlicingReplicas?: number;
}): Record<string, string> {
  const prefix = "k8s.io/cluster-autoscaler/node-template";
  const taint = acceleratorTaint(args.kind);
  return {
    ...clusterAutoscalerDiscoveryTags(args.clusterName),
    ...Object.fromEntries(Object.entries(args.labels).map(([k, v]) => [`${prefix}/label/${k}`, v])),
    [`${prefix}/taint/${taint.key}`]: `${taint.value}:NoSchedule`,
    // Scale from zero builds the node from this tag; with time-slicing it must count shares, or a
    // pending pod asking one share of a node whose shares are taken never scales the group up.
    [`${prefix}/resources/${DEVICE_RESOURCE[args.kind]}`]: String(
      minDevicesPerNode(args.instanceTypes) * sharesPerDevice(args.kind, args.gpuTimeSlicingReplicas),
    ),
  };
}
