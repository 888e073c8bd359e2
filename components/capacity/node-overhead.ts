import { ACCELERATOR_KINDS, ACCELERATORS, type AcceleratorKind } from "../common/accelerators";
import { cpuMillisOf, memoryMiBOf } from "../common/quantity";

/** `4` -> 4000, `500m` -> 500, `1.5` -> 1500 (any Kubernetes quantity). Throws on anything else. */
export function parseCpuMillis(q: string | number): number {
  const millis = cpuMillisOf(q);
  if (millis === undefined) throw new Error(`not a CPU quantity: ${String(q).trim()}`);
  return millis;
}

/** `16Gi` -> 16384, `512Mi` -> 512, `16G` -> 15258.8, a plain number of bytes -> MiB. Throws on anything else. */
export function parseMemoryMiB(q: string): number {
  const mib = memoryMiBOf(q);
  if (mib === undefined) throw new Error(`not a memory quantity: ${q.trim()}`);
  return mib;
}

/**
 * What the DaemonSets the platform runs on every node request, so a model's pod must fit in what
 * is left. Kubelet and system reservations are already out of the catalogue's `allocatable`
 * (components/common/instance-types.ts); this is the DaemonSets' share on top.
 *
 * A DaemonSet whose chart sets no requests (`resources: {}`) counts as 0: the scheduler does not
 * reserve anything for it either.
 */
export interface NodeDaemonSet {
  name: string;
  /** Node kinds it runs on: every node, or accelerator nodes of the listed kinds. */
  on: "all" | AcceleratorKind[];
  cpuMillis: number;
  memoryMiB: number;
  /** Where the requests were read. */
  source: string;
}

export const NODE_DAEMONSETS: readonly NodeDaemonSet[] = [
  {
    name: "aws-node (vpc-cni)",
    on: "all",
    cpuMillis: 25,
    memoryMiB: 0,
    source:
      "aws/eks-charts stable/aws-vpc-cni/values.yaml: resources.requests.cpu 25m; nodeAgent and init resources {}",
  },
  {
    name: "kube-proxy",
    on: "all",
    cpuMillis: 100,
    memoryMiB: 0,
    source: "kube-proxy DaemonSet as Kubernetes ships it (cluster/addons/kube-proxy): requests cpu 100m",
  },
  {
    name: "ebs-csi-node",
    on: "all",
    cpuMillis: 10,
    memoryMiB: 40,
    source:
      "kubernetes-sigs/aws-ebs-csi-driver charts/aws-ebs-csi-driver/values.yaml: node.resources.requests 10m / 40Mi; sidecars {}",
  },
  {
    name: "eks-pod-identity-agent",
    on: "all",
    cpuMillis: 0,
    memoryMiB: 0,
    source: "aws/eks-pod-identity-agent charts/eks-pod-identity-agent/values.yaml: resources {}",
  },
  {
    name: "prometheus-node-exporter",
    on: "all",
    cpuMillis: 0,
    memoryMiB: 0,
    source:
      "prometheus-community/helm-charts prometheus-node-exporter 4.56.1 (kube-prometheus-stack 88.5.3): resources {}",
  },
  // Each accelerator kind's own DaemonSets, from its record (common/accelerators/).
  ...ACCELERATOR_KINDS.flatMap((kind) => ACCELERATORS[kind].daemonSets.map((d) => ({ ...d, on: [kind] }))),
];

/** The DaemonSets' requests on one node: a system node, or an accelerator node of a kind. */
export function daemonSetOverhead(node: AcceleratorKind | "system"): {
  cpuMillis: number;
  memoryMiB: number;
  daemonSets: string[];
} {
  const on = NODE_DAEMONSETS.filter((d) => d.on === "all" || (node !== "system" && d.on.includes(node)));
  return {
    cpuMillis: on.reduce((s, d) => s + d.cpuMillis, 0),
    memoryMiB: on.reduce((s, d) => s + d.memoryMiB, 0),
    daemonSets: on.map((d) => d.name),
  };
}
