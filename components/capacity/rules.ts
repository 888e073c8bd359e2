import {
  ACCELERATOR_KINDS,
  AcceleratorKind,
  instanceTypeProblems,
  isAcceleratorKind,
  NodeOs,
  osesOf,
} from "../common/accelerators";
import { parseGoDuration } from "../common/durations";
import { listLengthProblem, Problem, ProblemList, wholeNumberProblem } from "../common/problems";
import { nodeGroupShapeProblems } from "./instance-shapes";

/** The node autoscalers the kit runs for accelerator capacity. */
export type NodeAutoscaler = "cluster-autoscaler" | "karpenter";
/** How NVIDIA devices are advertised: NVIDIA's device plugin alone, or the GPU Operator. */
export type GpuDevicePlugin = "device-plugin" | "gpu-operator";

/** One pool of accelerator capacity, served by node groups (Cluster Autoscaler) or a NodePool (Karpenter). */
export interface AcceleratorPoolSpec {
  name: string;
  kind: AcceleratorKind;
  instanceTypes: string[];
  /** Node groups only (Karpenter pools always start empty). */
  minNodes: number;
  maxNodes: number;
  /** Karpenter `limits` on devices; node groups are capped by maxNodes. */
  maxDevices: number;
  /** Spot is preferred; this allows on-demand when spot is short (a fallback group of maxNodes, or on-demand in the NodePool). */
  onDemandFallback: boolean;
  /** Run on spot (default); false makes an on-demand pool, which may list a single instance type. */
  spot: boolean;
  diskSizeGiB: number;
  /** Node groups only; Karpenter picks the OS from `imageCacheSnapshotId`. */
  os: NodeOs;
  /** Karpenter NVIDIA pools only: EBS snapshot of pre-pulled images. */
  imageCacheSnapshotId?: string;
}

export interface CapacitySpec {
  /** The one node autoscaler for accelerator capacity. */
  autoscaler: NodeAutoscaler;
  /** Cluster Autoscaler: idle time before an accelerator node is removed. */
  scaleDownUnneededTime: string;
  gpuDevicePlugin: GpuDevicePlugin;
  gpuTimeSlicingReplicas?: number;
  neuronScheduler: boolean;
  /**
   * Create the account's EC2 Spot service-linked role (AWSServiceRoleForEC2Spot) as a resource of
   * this stack, kept on destroy. Default: false: Karpenter's controller may create it itself on its
   * first spot launch (`karpenterControllerPolicies`), and `CreateServiceLinkedRole` fails wherever
   * the account already has it. Set true only in an account without it, from one stack.
   */
  createSpotServiceLinkedRole: boolean;
  pools: AcceleratorPoolSpec[];
}

/** Defaults of capacity components used on their own, and of a pool's optional fields. */
export const CAPACITY_DEFAULTS = {
  scaleDownUnneededTime: "5m",
  gpuDevicePlugin: "device-plugin" as GpuDevicePlugin,
  /** Off: chart 1.9.0 runs kube-scheduler v1.31 against a 1.35 control plane. */
  neuronScheduler: false,
  /** Off: see `CapacitySpec.createSpotServiceLinkedRole` (creating it fails where the account has it). */
  createSpotServiceLinkedRole: false,
  pool: { minNodes: 0, diskSizeGiB: 200, os: "al2023" as NodeOs, spot: true },
};

/**
 * Pool names: DNS labels of at most 32 characters (a pool is also a Karpenter NodePool and a
 * node label's value). Under Cluster Autoscaler its node groups' names bound it further
 * ({@link nodeGroupNameProblem}).
 */
export const POOL_NAME = /^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/;

/**
 * The longest `nodeGroupNamePrefix` the AWS provider takes: a node group's name is at most 63
 * characters, and the provider appends a 26-character unique suffix to the prefix
 * (hashicorp/terraform-provider-aws internal/service/eks/node_group.go:
 * `validation.StringLenBetween(0, 63-id.UniqueIDSuffixLength)`; terraform-plugin-sdk helper/id
 * `UniqueIDSuffixLength = 26`).
 */
export const NODE_GROUP_NAME_PREFIX_MAX = 63 - 26;
/** The capacity types a pool's node groups are named by; the longest bounds the name. */
export const NODE_GROUP_SUFFIXES = ["spot", "on-demand"] as const;

/** The `nodeGroupNamePrefix` of an accelerator node group (`<group>-spot-`, `<group>-on-demand-`). */
export function nodeGroupNamePrefix(group: string, suffix: (typeof NODE_GROUP_SUFFIXES)[number]): string {
  return `${group}-${suffix}-`;
}

/**
 * Why the node groups of `group` (an `AcceleratorNodeGroup`'s name: `<platform>-<pool>` in a
 * platform) cannot be named, or undefined: the longest prefix must fit the provider's bound.
 */
export function nodeGroupNameProblem(group: string, what = "the name"): string | undefined {
  const longest = Math.max(...NODE_GROUP_SUFFIXES.map((s) => nodeGroupNamePrefix(group, s).length));
  if (longest <= NODE_GROUP_NAME_PREFIX_MAX) return undefined;
  const room = NODE_GROUP_NAME_PREFIX_MAX - (longest - group.length);
  return `${what} makes node group names too long: ${nodeGroupNamePrefix(group, "on-demand")} is ${longest} characters, and EKS node group name prefixes take at most ${NODE_GROUP_NAME_PREFIX_MAX} (63 less the 26-character suffix the AWS provider adds); ${group} must be at most ${room} characters`;
}
/** Spot capacity needs this many instance types, so one spot pool running dry does not stop scaling. */
export const MIN_SPOT_INSTANCE_TYPES = 3;

/** Bounds on the capacity lists: pools (each a node group or NodePool) and a pool's instance types. */
export const CAPACITY_LIST_LIMITS = {
  pools: { max: 20, what: "pools", hint: "each pool is a node group or a Karpenter NodePool" },
  instanceTypes: { max: 20, what: "instance types" },
} as const;
/** Time-slicing shares of one GPU (NVIDIA device plugin). */
export const TIME_SLICING_LIMITS = { min: 2, max: 48 } as const;
/**
 * Schedulable devices each physical device of a kind is advertised as: `gpuTimeSlicingReplicas`
 * for NVIDIA GPUs when time-slicing is on, else 1. Fit, cost, Cluster Autoscaler's node template,
 * Karpenter's NodeOverlay and NodePool limits all count devices through this one function.
 */
export function sharesPerDevice(kind: AcceleratorKind, gpuTimeSlicingReplicas?: number): number {
  return kind === "nvidia" ? (gpuTimeSlicingReplicas ?? 1) : 1;
}
/** Root/data volume of an accelerator node: inference images are large. */
export const MIN_ACCELERATOR_DISK_GIB = 50;
/**
 * Why Cluster Autoscaler would refuse `value` for `--scale-down-unneeded-time` (a Go
 * `time.Duration` flag), or undefined.
 */
export function scaleDownUnneededTimeProblem(value: string): string | undefined {
  const parsed = parseGoDuration(value);
  return "problem" in parsed ? parsed.problem : undefined;
}

/** Problems with the instance types of a pool of `kind`, by index, plus the spot diversity rule. */
export function poolInstanceTypeProblems(kind: AcceleratorKind, instanceTypes: string[], spot: boolean): Problem[] {
  const problems = new ProblemList();
  if (instanceTypes.length === 0) return problems.add("", "must list at least one instance type").list;
  for (const p of instanceTypeProblems(kind, instanceTypes)) problems.add(`[${p.index}]`, p.message);
  problems.check(
    !spot || instanceTypes.length >= MIN_SPOT_INSTANCE_TYPES,
    "",
    `spot capacity needs at least ${MIN_SPOT_INSTANCE_TYPES} instance types so one spot pool running dry does not stop scaling`,
  );
  return problems.list;
}

/** Whether node groups of `kind` can run `os`. */
export function poolOsProblem(kind: AcceleratorKind, os: NodeOs): string | undefined {
  return osesOf(kind).includes(os) ? undefined : `${kind} node groups run ${osesOf(kind).join(" or ")}, not ${os}`;
}

/** Problems with one pool under the given autoscaler, by field. */
export function poolProblems(p: AcceleratorPoolSpec, autoscaler: NodeAutoscaler): Problem[] {
  const problems = new ProblemList();
  problems.check(POOL_NAME.test(p.name), "name", "must be a DNS label of at most 32 characters");
  if (!isAcceleratorKind(p.kind)) return problems.add("kind", `must be one of ${ACCELERATOR_KINDS.join(", ")}`).list;
  const L = CAPACITY_LIST_LIMITS.instanceTypes;
  const tooManyTypes = listLengthProblem(p.instanceTypes, L.max, L.what);
  if (tooManyTypes) return problems.add("instanceTypes", tooManyTypes).list;
  problems.nest("instanceTypes", poolInstanceTypeProblems(p.kind, p.instanceTypes, p.spot));
  const maxProblem = wholeNumberProblem(p.maxNodes, 1);
  if (maxProblem) problems.add("maxNodes", maxProblem);
  problems.check(p.minNodes <= p.maxNodes, "minNodes", `must not exceed maxNodes (${p.minNodes} > ${p.maxNodes})`);
  const devicesProblem = wholeNumberProblem(p.maxDevices, 1);
  if (devicesProblem) problems.add("maxDevices", devicesProblem);
  problems.check(
    p.diskSizeGiB >= MIN_ACCELERATOR_DISK_GIB,
    "diskSizeGiB",
    `must be at least ${MIN_ACCELERATOR_DISK_GIB} GiB for inference images`,
  );
  if (autoscaler === "karpenter") {
    problems.check(
      p.minNodes === 0,
      "minNodes",
      "Karpenter pools have no minimum; they start empty and grow with pending pods",
    );
    problems.check(p.os === "al2023", "os", "Karpenter pools choose Bottlerocket through imageCacheSnapshotId, not os");
  } else {
    const osProblem = poolOsProblem(p.kind, p.os);
    if (osProblem) problems.add("os", osProblem);
    // Cluster Autoscaler models a node group as one instance shape.
    for (const s of nodeGroupShapeProblems(p.instanceTypes)) problems.add(`instanceTypes[${s.index}]`, s.message);
  }
  if (p.imageCacheSnapshotId !== undefined)
    problems.check(
      p.kind === "nvidia" && autoscaler === "karpenter" && /^snap-[0-9a-f]{8,17}$/.test(p.imageCacheSnapshotId),
      "imageCacheSnapshotId",
      "must be an EBS snapshot id (snap-...), for nvidia pools under Karpenter only",
    );
  return problems.list;
}

/** Problems with a list of pools (each pool's, and unique names), by index: `[0].name`. */
export function poolsProblems(pools: readonly AcceleratorPoolSpec[], autoscaler: NodeAutoscaler): Problem[] {
  const problems = new ProblemList();
  const L = CAPACITY_LIST_LIMITS.pools;
  const tooMany = listLengthProblem(pools, L.max, L.what, L.hint);
  if (tooMany) return problems.add("", tooMany).list;
  const names = new Set<string>();
  pools.forEach((p, i) => {
    problems.nest(`[${i}]`, poolProblems(p, autoscaler));
    if (names.has(p.name)) problems.add(`[${i}].name`, `pool name ${p.name} is used twice`);
    names.add(p.name);
  });
  return problems.list;
}

/**
 * Problems with the whole capacity setting, by the stack file's key under `capacity` (`pools[0].name`,
 * `gpuTimeSlicingReplicas`, `clusterAutoscaler.scaleDownUnneededTime`).
 */
export function capacityProblems(c: CapacitySpec): Problem[] {
  const problems = new ProblemList();
  problems.nest("pools", poolsProblems(c.pools, c.autoscaler));
  // The stack file's key: the idle time belongs to Cluster Autoscaler's settings.
  const idle = scaleDownUnneededTimeProblem(c.scaleDownUnneededTime);
  if (idle) problems.add("clusterAutoscaler.scaleDownUnneededTime", idle);
  if (c.gpuTimeSlicingReplicas !== undefined) {
    const p = wholeNumberProblem(c.gpuTimeSlicingReplicas, TIME_SLICING_LIMITS.min, TIME_SLICING_LIMITS.max);
    if (p) problems.add("gpuTimeSlicingReplicas", p);
    // Bottlerocket runs its own NVIDIA device plugin, which the kit's chart skips (no
    // nvidia.com/gpu.present label). Karpenter's Bottlerocket nodes get the sharing settings in
    // their user data (karpenter-builders.ts); a managed node group's would need a launch
    // template user data EKS merges with its own, which the kit does not build: refused.
    if (c.autoscaler === "cluster-autoscaler")
      c.pools.forEach((pool, i) =>
        problems.check(
          pool.kind !== "nvidia" || pool.os !== "bottlerocket",
          "gpuTimeSlicingReplicas",
          `GPU time-slicing is not configured on Bottlerocket node groups (pools[${i}] ${pool.name} has os: bottlerocket, whose own device plugin would advertise whole GPUs); set pools[${i}].os: al2023 or remove gpuTimeSlicingReplicas`,
        ),
      );
  }
  return problems.list;
}
