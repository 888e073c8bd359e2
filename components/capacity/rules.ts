import {
  ACCELERATOR_KINDS,
  ACCELERATOR_REGISTRY,
  ACCELERATORS,
  AcceleratorKind,
  instanceTypeProblems,
  isAcceleratorKind,
  NodeOs,
  osesOf,
} from "../common/accelerators";
import { ACCELERATOR_SUPPORT_DEFAULTS, TIME_SLICING_LIMITS } from "../common/accelerators/support";
import type { GpuDevicePlugin } from "../common/accelerators";
import { parseGoDuration } from "../common/durations";
import { listLengthProblem, Problem, ProblemList, wholeNumberProblem } from "../common/problems";
import { nodeGroupShapeProblems } from "./instance-shapes";
import { instanceType } from "../common/instance-types";

/** The node autoscalers the kit runs for accelerator capacity. */
export type NodeAutoscaler = "cluster-autoscaler" | "karpenter";
export type { GpuDevicePlugin } from "../common/accelerators";
export { TIME_SLICING_LIMITS } from "../common/accelerators/support";

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
  /**
   * With `imageCacheSnapshotId`: fast snapshot restore (FSR) is enabled on that snapshot in every zone
   * of the cluster (by its owner, e.g. `aws ec2 enable-fast-snapshot-restores`), so a new node's image
   * volume is fully initialized at creation instead of loading each block from S3 on first read
   * (EBS user guide, "Initialize Amazon EBS volumes"). The plan counts and prices it. Default: false.
   */
  imageCacheFastRestore?: boolean;
  /**
   * The images the snapshot holds, as `npm run image-cache` recorded them (pinned references): a
   * snapshot whose images are not the ones the pool's pods pull now is refused. Default: not recorded.
   */
  imageCacheImages?: string[];
  /**
   * Nodes held warm by low-priority placeholder pods, each the size of the pool's largest replica,
   * so a replacement replica starts on a running node. Default: 0.
   */
  warmNodes?: number;
  /**
   * gp3 throughput of the nodes' volumes, MiB/s (125-1000; EC2NodeClass
   * `blockDeviceMappings[].ebs.throughput`, karpenter v1.14.1 CRD; the node groups' launch templates),
   * with the IOPS gp3 needs for it (at most 0.25 MiB/s per provisioned IOPS, at least the included
   * 3,000), on every volume of a node: Bottlerocket's OS volume as well as its data volume. Default: gp3's 125.
   */
  volumeThroughputMiBps?: number;
  /**
   * Karpenter pools on AL2023: put kubelet and containerd on the instance-store NVMe where the type
   * has it (`instanceStorePolicy: RAID0`, mounted at /mnt/k8s-disks/0; v1.14.1 docs/concepts/nodeclasses.md). Default: false.
   */
  instanceStore?: boolean;
  /**
   * Karpenter pools on AL2023: nodeadm's `FastImagePull` feature gate, which makes containerd pull
   * and unpack image layers in parallel through the SOCI snapshotter (awslabs/amazon-eks-ami
   * v20260724 nodeadm/doc/examples.md, "Enabling fast image pull (experimental)"). Default: false.
   */
  fastImagePull?: boolean;
  /** Karpenter pools only: capacity reservations the pool launches into first (`reserved` capacity). Default: none. */
  reservations?: CapacityReservationSpec[];
}

/**
 * One capacity reservation a Karpenter pool may launch into: an On-Demand Capacity Reservation
 * (ODCR) or a Capacity Block for ML, selected by id or (ODCRs) by tags. The instance type and
 * count are what was reserved: the cost envelope prices them, Karpenter reads them from EC2.
 */
export interface CapacityReservationSpec {
  /** `cr-...`; exclusive with tags (karpenter v1.14.1 EC2NodeClass CRD: `id` is mutually exclusive). */
  id?: string;
  /** Tags selecting every matching reservation the account can use. */
  tags?: Record<string, string>;
  /** `odcr` (billed at the on-demand rate whether used or not) or `capacity-block` (paid up front). */
  type: CapacityReservationType;
  instanceType: string;
  instances: number;
  /** Capacity Blocks: the block's end (UTC, `2026-12-31T11:30:00Z`); Karpenter drains its nodes before it. */
  endsAt?: string;
}
export type CapacityReservationType = "odcr" | "capacity-block";
export const CAPACITY_RESERVATION_TYPES: readonly CapacityReservationType[] = ["odcr", "capacity-block"];
/** karpenter v1.14.1 pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml: `id` pattern, terms maxItems 30, tags maxProperties 20. */
export const CAPACITY_RESERVATION_ID = /^cr-[0-9a-z]+$/;
export const RESERVATION_LIMITS = { terms: 30, tags: 20 } as const;

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
  gpuDevicePlugin: ACCELERATOR_SUPPORT_DEFAULTS.gpuDevicePlugin,
  /** Off: chart 1.9.0 runs kube-scheduler v1.31 against a 1.35 control plane. */
  neuronScheduler: ACCELERATOR_SUPPORT_DEFAULTS.neuronScheduler,
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
  return (
    `${what} makes node group names too long: ${nodeGroupNamePrefix(group, "on-demand")} is ${longest} ` +
    `characters, and EKS node group name prefixes take at most ${NODE_GROUP_NAME_PREFIX_MAX} (63 ` +
    `less the 26-character suffix the AWS provider adds); ${group} must be at most ${room} characters`
  );
}
/** Spot capacity needs this many instance types, so one spot pool running dry does not stop scaling. */
export const MIN_SPOT_INSTANCE_TYPES = 3;

/** Bounds on the capacity lists: pools (each a node group or NodePool) and a pool's instance types. */
export const CAPACITY_LIST_LIMITS = {
  pools: { max: 20, what: "pools", hint: "each pool is a node group or a Karpenter NodePool" },
  instanceTypes: { max: 20, what: "instance types" },
  imageCacheImages: { max: 100, what: "images" },
} as const;
/**
 * Schedulable devices each physical device of a kind is advertised as: `gpuTimeSlicingReplicas`
 * for a kind whose record time-slices (NVIDIA GPUs) when time-slicing is on, else 1. Fit, cost,
 * Cluster Autoscaler's node template, Karpenter's NodeOverlay and NodePool limits all count
 * devices through this one function.
 */
export function sharesPerDevice(kind: AcceleratorKind, gpuTimeSlicingReplicas?: number): number {
  return ACCELERATOR_REGISTRY.sharesPerDevice(kind, gpuTimeSlicingReplicas);
}
/** gp3 throughput bounds, MiB/s (karpenter v1.14.1 EC2NodeClass CRD `ebs.throughput`: 125 to 1000). */
export const GP3_THROUGHPUT = { min: 125, max: 1000, includedIops: 3000, maxMiBpsPerIops: 0.25 } as const;
/** IOPS a gp3 volume needs for a throughput: EC2 allows at most 0.25 MiB/s per provisioned IOPS; 3,000 are included. */
export function gp3IopsFor(throughputMiBps: number): number {
  return Math.max(GP3_THROUGHPUT.includedIops, Math.ceil(throughputMiBps / GP3_THROUGHPUT.maxMiBpsPerIops));
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

/**
 * nodeadm (awslabs/amazon-eks-ami v20260724) uses the SOCI snapshotter for `FastImagePull` only on a
 * node with at least 4 vCPUs and 7 GiB (nodeadm/internal/containerd/config.go `UseSOCISnapshotter`),
 * and AWS recommends "at least 600MiB/s throughput" of the root volume: "Below that value, you may see
 * longer image pull times with this flag" (nodeadm/doc/examples.md).
 */
export const FAST_IMAGE_PULL = { minVcpu: 4, minMemoryGiB: 7, minThroughputMiBps: 600 } as const;

/** Why a pool cannot have `fastImagePull` (paths relative to the key). */
export function fastImagePullProblems(
  p: Pick<AcceleratorPoolSpec, "instanceTypes" | "imageCacheSnapshotId" | "volumeThroughputMiBps" | "instanceStore">,
  autoscaler: NodeAutoscaler,
): Problem[] {
  const F = FAST_IMAGE_PULL;
  const problems = new ProblemList();
  problems.check(
    autoscaler === "karpenter" && p.imageCacheSnapshotId === undefined,
    "",
    "is set in Karpenter's AL2023 EC2NodeClass (nodeadm): enable karpenter, and not with imageCacheSnapshotId " +
      "(Bottlerocket nodes start with the snapshot's images, pulled without SOCI)",
  );
  // Instance store holds SOCI's store only on types that have one (setup-local-disks mounts it on the
  // RAID0 device); the others keep it on the root volume.
  const withoutNvme = p.instanceTypes.filter((t) => (instanceType(t)?.instanceStoreGB ?? 0) === 0);
  problems.check(
    (p.instanceStore === true && withoutNvme.length === 0) || (p.volumeThroughputMiBps ?? 125) >= F.minThroughputMiBps,
    "",
    `needs volumeThroughputMiBps of at least ${F.minThroughputMiBps} (or instanceStore on types that all have ` +
      `one${p.instanceStore === true ? `; ${withoutNvme.join(", ")} ha${withoutNvme.length === 1 ? "s" : "ve"} none` : ""}): ` +
      `below that AWS finds parallel pulls slower (amazon-eks-ami nodeadm/doc/examples.md)`,
  );
  for (const name of p.instanceTypes) {
    const t = instanceType(name);
    if (t && (t.vcpu < F.minVcpu || t.memoryMiB < F.minMemoryGiB * 1024))
      problems.add(
        "",
        `${name} has ${t.vcpu} vCPUs and ${Math.round(t.memoryMiB / 1024)} GiB, below the ${F.minVcpu} ` +
          `vCPUs and ${F.minMemoryGiB} GiB under which nodeadm ignores the gate; drop it from the pool ` +
          `or drop fastImagePull`,
      );
  }
  return problems.list;
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
      isAcceleratorKind(p.kind) &&
        ACCELERATORS[p.kind].imageCache &&
        autoscaler === "karpenter" &&
        /^snap-[0-9a-f]{8,17}$/.test(p.imageCacheSnapshotId),
      "imageCacheSnapshotId",
      `must be an EBS snapshot id (snap-...), for ${ACCELERATOR_KINDS.filter((k) => ACCELERATORS[k].imageCache).join(", ")} pools under Karpenter only`,
    );
  if (p.imageCacheFastRestore)
    problems.check(
      p.imageCacheSnapshotId !== undefined,
      "imageCacheFastRestore",
      "restores the pool's image-cache snapshot: set imageCacheSnapshotId too",
    );
  if (p.reservations !== undefined) problems.nest("reservations", reservationsProblems(p, autoscaler));
  if (p.volumeThroughputMiBps !== undefined) {
    const t = wholeNumberProblem(p.volumeThroughputMiBps, GP3_THROUGHPUT.min, GP3_THROUGHPUT.max);
    if (t) problems.add("volumeThroughputMiBps", `${t} (gp3 throughput, MiB/s)`);
  }
  if (p.instanceStore)
    problems.check(
      autoscaler === "karpenter" && p.imageCacheSnapshotId === undefined,
      "instanceStore",
      "is set in Karpenter's AL2023 EC2NodeClass: enable karpenter, and not with imageCacheSnapshotId (Bottlerocket keeps images on its data volume)",
    );
  if (p.fastImagePull) problems.nest("fastImagePull", fastImagePullProblems(p, autoscaler));
  if (p.warmNodes !== undefined) {
    const warm = wholeNumberProblem(p.warmNodes, 0, p.maxNodes);
    if (warm) problems.add("warmNodes", `${warm}: warm nodes count against maxNodes (${p.maxNodes})`);
  }
  return problems.list;
}

/** Problems with a pool's capacity reservations, by index (`[0].id`). */
export function reservationsProblems(p: AcceleratorPoolSpec, autoscaler: NodeAutoscaler): Problem[] {
  const problems = new ProblemList();
  const list = p.reservations ?? [];
  if (autoscaler !== "karpenter")
    return problems.add(
      "",
      "capacity reservations are used through Karpenter's reserved capacity type: enable karpenter",
    ).list;
  const tooMany = listLengthProblem(list, RESERVATION_LIMITS.terms, "reservations");
  if (tooMany) return problems.add("", tooMany).list;
  const ids = new Set<string>();
  list.forEach((r, i) => {
    const at = `[${i}]`;
    const hasTags = r.tags !== undefined;
    if ((r.id === undefined) === !hasTags) {
      problems.add(at, "set exactly one of id (cr-...) or tags");
    } else if (r.id !== undefined) {
      problems.check(CAPACITY_RESERVATION_ID.test(r.id), `${at}.id`, "must be a capacity reservation id (cr-...)");
      problems.check(!ids.has(r.id), `${at}.id`, `reservation ${r.id} is listed twice`);
      ids.add(r.id);
    } else {
      const entries = Object.entries(r.tags ?? {});
      problems.check(
        entries.length >= 1 && entries.length <= RESERVATION_LIMITS.tags,
        `${at}.tags`,
        `must hold 1 to ${RESERVATION_LIMITS.tags} tags`,
      );
      problems.check(
        entries.every(([k, v]) => k !== "" && v !== ""),
        `${at}.tags`,
        "empty tag keys or values are not supported",
      );
    }
    problems.check(
      CAPACITY_RESERVATION_TYPES.includes(r.type),
      `${at}.type`,
      `must be one of ${CAPACITY_RESERVATION_TYPES.join(", ")}`,
    );
    problems.check(
      p.instanceTypes.includes(r.instanceType),
      `${at}.instanceType`,
      `must be one of the pool's instanceTypes (${p.instanceTypes.join(", ")}): the NodePool launches only those`,
    );
    const countProblem = wholeNumberProblem(r.instances, 1);
    if (countProblem) problems.add(`${at}.instances`, countProblem);
    if (r.type === "capacity-block") {
      problems.check(r.id !== undefined, `${at}.id`, "a Capacity Block is selected by its id (cr-...)");
      problems.check(
        r.endsAt !== undefined && !Number.isNaN(Date.parse(r.endsAt)) && /Z$/.test(r.endsAt),
        `${at}.endsAt`,
        "a Capacity Block needs its end as a UTC time (2026-12-31T11:30:00Z)",
      );
    } else
      problems.check(r.endsAt === undefined, `${at}.endsAt`, "only Capacity Blocks end; an ODCR runs until released");
  });
  return problems.list;
}

/**
 * Prod: a pool that holds Capacity Blocks and no ODCR depends on capacity that ends. When the
 * block ends Karpenter moves its pods to spot or on-demand; a spot pool without on-demand
 * fallback may find no spot then, so prod refuses it. Returned by field, for the pool.
 */
export function reservationFallbackProblems(p: AcceleratorPoolSpec, environment: string): Problem[] {
  const list = p.reservations ?? [];
  const blocksOnly = list.length > 0 && list.every((r) => r.type === "capacity-block");
  const fallsBack = !p.spot || p.onDemandFallback;
  return environment === "prod" && blocksOnly && !fallsBack
    ? [
        {
          path: "onDemandFallback",
          message:
            "a prod pool whose only reservations are Capacity Blocks needs on-demand fallback (onDemandFallback: " +
            "true): when the block ends its replicas would wait for spot",
        },
      ]
    : [];
}

/** The capacity types a Karpenter pool's NodePool allows, most preferred first (Karpenter prefers reserved, then spot, then on-demand). */
export function poolCapacityTypes(p: {
  spot?: boolean;
  onDemandFallback: boolean;
  reservations?: readonly unknown[];
}): string[] {
  const reserved = (p.reservations ?? []).length > 0 ? ["reserved"] : [];
  const rest = p.spot === false ? ["on-demand"] : p.onDemandFallback ? ["spot", "on-demand"] : ["spot"];
  return [...reserved, ...rest];
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
          !isAcceleratorKind(pool.kind) || !ACCELERATORS[pool.kind].timeSlicing || pool.os !== "bottlerocket",
          "gpuTimeSlicingReplicas",
          `GPU time-slicing is not configured on Bottlerocket node groups (pools[${i}] ${pool.name} has ` +
            `os: bottlerocket, whose own device plugin would advertise whole GPUs); set pools[${i}].os: ` +
            `al2023 or remove gpuTimeSlicingReplicas`,
        ),
      );
  }
  return problems.list;
}
