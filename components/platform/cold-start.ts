/**
 * How long a model's new replica takes before it can serve: a floor per model, for the plan.
 *
 * A replica on a new node (a scale-out beyond the running nodes, or a spot replacement) waits, in
 * order, for four phases, each the least time its source or the node's hardware allows, on the
 * instance type the cost envelope prices the model on:
 * - node: the instance boots and registers, by AMI family (AL2023, or Bottlerocket for pools with an
 *   image-cache snapshot) ({@link NODE_BOOT});
 * - images: every image the replica pulls (its server and the MLflow fetcher that downloads its
 *   weights), kubelet pulling one at a time: the compressed layers over the network and the unpacked
 *   bytes written to the node's disk, the slower of the two per image ({@link IMAGE_SIZES} says which
 *   sizes are known and where each comes from); from an image-cache snapshot, the speed the volume
 *   restores at ({@link imagesFromSnapshot});
 * - weights: by load path: downloaded by the fetcher to the pod's disk, or read in place from S3 over
 *   Mountpoint (network only, and only for a server that reads files whole);
 * - server: the server's own start (loading, compiling), from its runtime's `serverStart`, cached or not
 *   ({@link compileCacheHit}).
 * On a running node that holds the images (a warm node), only weights and server remain.
 *
 * A phase (or part of one) no source sizes is listed as not counted, never guessed: the floor is then
 * still a floor, and whether a replacement serves within the spot notice is unknown unless the
 * counted part already exceeds it. Real starts are slower (decompression, request latency, process
 * start), so where the floor exceeds a window the real start does too. Pure: no Pulumi imports.
 *
 * Other options plug in here: an image source with a published pull rate ({@link ImageSource}), a
 * compile cache that survives the pod ({@link compileCacheHit}).
 *
 * Weights kept on the nodes' instance store are not built: KServe v0.20.0's LocalModelCache, read
 * at the tag, does not work on the kit's nodes without node preparation nobody has verified:
 * - its node agent mounts hostPath `/models` (charts/kserve-localmodel-resources/files/resources.yaml;
 *   the `agent.hostPath` value is not used by that chart), while Karpenter's `instanceStorePolicy:
 *   RAID0` mounts the instance store at /mnt/k8s-disks/0 for kubelet and containerd (Karpenter v1.14
 *   docs, EC2NodeClass `instanceStorePolicy`); and the agent runs as distroless nonroot in a
 *   directory the kubelet creates root-owned, and must delete what the download job (fsGroup 1000) wrote;
 * - a cached InferenceService is given `pvc://...` (pkg/webhook/admission/pod/storage_initializer_injector.go),
 *   and an explicit `storageContainerName` (the kit's `mlflow-models`) then fails admission because it
 *   does not support that URI (GetStorageContainerSpecByName);
 * - a replica placed on a new node of the group mounts the cache before the node's download job has
 *   finished, so it starts on an empty directory and restarts until the download lands: a new node
 *   (a scale-out, a spot replacement) gains nothing, only restarts on running nodes do.
 * The download itself could use the kit's fetcher: a ClusterStorageContainer with `workloadType:
 * localModelDownloadJob` for `models:/` (pkg/controller/v1alpha1/localmodelnode/controller.go passes it
 * `<sourceModelUri> /mnt/models`), with the registry's credentials copied to the jobs' namespace.
 */
import { EBS_BANDWIDTH_MBPS, networkBandwidthMbps } from "../common/instance-network";
import type { NodeOs } from "../common/accelerators";
import { karpenterPoolOs } from "../capacity/karpenter-builders";
import { SCALING_BEHAVIOR } from "../serving/autoscaling";
import type { ModelSpec } from "../serving/model-spec";
import { runtimeOf } from "../serving/runtimes";
import { modelImages } from "../serving/model-images";
import { placements } from "./capacity-checks";
import { pricedPlacement } from "./cost";
import { IMAGE_SIZES, type ImageSize, type SourcedFigure } from "./image-sizes";
import { warmPoolOf } from "./headroom";
import type { AcceleratorPoolSpec, PlatformSpec } from "./spec";
import { instanceType } from "../common/instance-types";
import { START_FIGURES } from "../monitoring/replica-start-rules";

/**
 * From instance launch until the node registers, seconds, per AMI family: the least a current
 * source gives for the AMIs the kit runs. (The figures the floor used before do not hold: the
 * 70-80 s of aws/karpenter-provider-aws#6128 was the reporter's custom AMI, as they concluded in that
 * thread on 2024-05-21, and the 90 s of NVIDIA/k8s-device-plugin#291 is a 2022 report that predates
 * AL2023.) Both are CPU types: AWS's Karpenter maintainer notes that
 * GPU types boot slower in EC2 (awslabs/amazon-eks-ami#1099), and the device plugin's start before
 * the node advertises its devices has no figure: both only lengthen the real start.
 */
export const NODE_BOOT: Readonly<Record<NodeOs, SourcedFigure>> = {
  al2023: {
    value: 28,
    source:
      "aws/karpenter-provider-aws#3827 (Karpenter maintainer, 2023-04-29): an EKS-optimized AMI on " +
      "c6id.2xlarge with instance-store RAID0, pod created to kubelet registered in 28 s, the least " +
      "published for that span; on AL2023 itself the boot before the kubelet starts alone measured 24 s " +
      "(kubelet_node_startup_pre_kubelet_duration_seconds 23.95, AMI v20250317, awslabs/amazon-eks-ami#2210), " +
      "before EC2's launch and the kubelet's registration",
  },
  bottlerocket: {
    value: 41,
    source:
      "keikoproj/instance-manager#290 (2021-05-04): Bottlerocket, Auto Scaling group capacity change to kubelet registration in 41 s (Ready at 71 s)",
  },
};
/**
 * gp3 throughput when none is set, MiB/s (EC2 API CreateVolume/ModifyVolume `Throughput`: "the
 * default value is 125"). Node volumes without `volumeThroughputMiBps` keep it, so images and the
 * weights' emptyDir are written at this rate.
 */
export const GP3_DEFAULT_THROUGHPUT_MIBPS: SourcedFigure = {
  value: 125,
  source: "EC2 API CreateVolume/ModifyVolume Throughput: gp3 default 125 MiB/s",
};
/** Spot interruption notice, seconds: EC2 warns two minutes before it stops or terminates a Spot Instance (EC2 user guide, "Spot Instance interruption notices"). */
export const SPOT_INTERRUPTION_NOTICE: SourcedFigure = {
  value: 120,
  source: "EC2 user guide, Spot Instance interruption notices: two minutes",
};

/**
 * Where images are pulled from and how fast, when a source publishes a rate. The default, each image's
 * own registry, publishes none (Docker Hub limits pulls by count, not speed): pulls are bounded by the
 * node's network alone. An option such as a pull-through cache in ECR plugs its figure in here.
 */
export interface ImageSource {
  /** Bytes per second one pull gets from the source; none: no published rate. */
  bytesPerS?: number;
  basis: string;
}
export const REGISTRY_IMAGE_SOURCE: ImageSource = {
  basis: "each image's own registry (no published per-pull rate: bounded by the node's network)",
};

export type ColdStartPhaseName = "node" | "images" | "weights" | "server";

export interface ColdStartPhase {
  phase: ColdStartPhaseName;
  /** Least seconds it takes, from what is counted; absent when nothing of it has a figure. */
  seconds?: number;
  /** How the figure was reached. */
  basis: string;
  /** What the phase leaves out for want of a figure (an image's size, a compile). */
  notCounted?: string[];
}

export interface ColdStartFinding {
  /** Config key the finding is about, relative to `mlserving:`. */
  path: string;
  message: string;
}

export interface ColdStartEstimate {
  model: string;
  /** The instance type the figures assume: the one the cost envelope prices the model on (cost.ts `pricedPlacement`). */
  instanceType?: string;
  /** Runs on spot (a pool of its placements allows spot). */
  spot: boolean;
  /** Least seconds before a replica on a new node serves: the counted part of every phase. */
  newNodeSeconds: number;
  /** Least seconds before a replica on a running node that holds the images serves (weights and server); unknown without `weightsGiB`. */
  runningNodeSeconds?: number;
  phases: ColdStartPhase[];
  /** What the figures leave out for want of a source. */
  unknown: string[];
  /** What a spot interruption costs the model: see {@link spotReplacement}. */
  replacement: SpotReplacement;
  /** How long a replica added on load takes, against the autoscaler's scale-up step (informational). */
  scaleOut: string;
  warnings: ColdStartFinding[];
}

/** How long a replica taken by a spot interruption is gone, and whether that fits the notice. */
export interface SpotReplacement {
  /** `warm-node`: the pool's placeholders hold a running node with the images; `new-node`: a node is launched. */
  lands: "warm-node" | "new-node";
  /** Least seconds from the notice until the replacement serves (the counted part of its phases). */
  seconds?: number;
  /**
   * Whether the replacement serves within the 120 s notice: false when the counted part already exceeds
   * it, true when every phase on its way is counted and within it, unknown otherwise.
   */
  withinNotice?: boolean;
  /** Phases (or parts) on the replacement's way that have no figure. */
  notCounted: string[];
  /** Capacity of the pool's reservations, which spot does not interrupt: replicas there need no replacement. */
  reserved?: string;
  basis: string;
}

/** The phases a spot replacement waits for, by where it lands. */
const REPLACEMENT_PHASES: Record<SpotReplacement["lands"], ColdStartPhaseName[]> = {
  "warm-node": ["weights", "server"],
  "new-node": ["node", "images", "weights", "server"],
};

/**
 * Where a spot replacement lands and how long the replica is gone. Karpenter cordons and drains
 * the node when the interruption notice arrives (karpenter-provider-aws v1.14.1
 * pkg/controllers/interruption/utils.go: a spot interruption is CordonAndDrain, which deletes the NodeClaim at once), so the
 * replica is gone from the notice until its replacement serves: the whole cold start, not the
 * cold start less the notice. With warm headroom in the model's pool the replacement preempts a
 * placeholder on a running node that pre-pulled the pool's images, so only weights and server remain.
 */
export function spotReplacement(
  m: Pick<ModelSpec, "name">,
  phases: readonly ColdStartPhase[],
  warmPool: string | undefined,
): SpotReplacement {
  const notice = SPOT_INTERRUPTION_NOTICE.value;
  const lands = warmPool !== undefined ? "warm-node" : "new-node";
  const on = phases.filter((p) => REPLACEMENT_PHASES[lands].includes(p.phase));
  const missing = REPLACEMENT_PHASES[lands].filter((name) => !phases.some((p) => p.phase === name));
  const notCounted = [
    ...missing.map((name) => `the ${name} phase`),
    ...on.filter((p) => p.seconds === undefined).map((p) => `the ${p.phase} phase`),
    ...on.flatMap((p) => (p.seconds !== undefined ? (p.notCounted ?? []) : [])),
  ];
  const counted = on.filter((p) => p.seconds !== undefined);
  const seconds = counted.length > 0 ? counted.reduce((s, p) => s + p.seconds!, 0) : undefined;
  const withinNotice =
    seconds !== undefined && seconds > notice
      ? false
      : notCounted.length === 0 && seconds !== undefined
        ? true
        : undefined;
  return {
    lands,
    ...(seconds !== undefined ? { seconds } : {}),
    ...(withinNotice !== undefined ? { withinNotice } : {}),
    notCounted,
    basis:
      lands === "warm-node"
        ? `pool ${warmPool} holds warm nodes (capacity.pools[].warmNodes) whose placeholders pre-pulled ${m.name}'s ` +
          `images: the replacement reads its weights and starts its server; one warm node per interruption, ` +
          `until the autoscaler brings the next`
        : "a new node is launched for the replacement: node boot, images, weights and the server's start",
  };
}

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const round = (s: number) => Math.round(s);

// A model's images live with serving; re-exported where the floor's users found them.
export { modelImages };

/** The scale-up step of the kit's autoscalers, seconds: the HPA may add replicas once per period. */
export const SCALE_UP_PERIOD_SECONDS = Math.min(...SCALING_BEHAVIOR.scaleUp.policies.map((p) => p.periodSeconds));

/** A bound on how fast bytes move: the network, the instance's EBS bandwidth, or the volume. */
interface RateLimit {
  on: "volume" | "network" | "ebs";
  bytesPerS: number;
  text: string;
}
const slowestOf = (ls: readonly RateLimit[]) => ls.reduce((a, b) => (b.bytesPerS < a.bytesPerS ? b : a));

/**
 * Whether the model's server finds its compiled artifacts in a cache on a new replica: with
 * `compileCache` on a runtime that keeps one (vLLM on NVIDIA GPUs or on Neuron), replicas restore the
 * cache a Job filled for their version and device type (serving/compile-cache.ts). Without it, vLLM's caches are under
 * its HOME, the pod's emptyDir (serving/runtimes/vllm.ts), and vLLM-Neuron's compiled artifacts and
 * compile cache are in its emptyDir too (VLLM_NEURON_ENV).
 */
export function compileCacheHit(_spec: PlatformSpec, m: ModelSpec): boolean {
  return m.compileCache === true && runtimeOf(m).compileCache !== undefined;
}

/**
 * What restoring the compile cache adds that the floor cannot count: no size of vLLM's compile cache
 * is published for the model, so its download from the registry's bucket has no figure.
 */
export const COMPILE_CACHE_DOWNLOAD_NOT_COUNTED =
  "downloading the compile cache from the registry's bucket before the server starts (no size of the cache is published)";

/** The server phase of a model: the start its model states, else its runtime's, cached or not. */
export function serverPhase(m: ModelSpec, cached: boolean, at = "serving.models[]"): ColdStartPhase {
  const r = runtimeOf(m);
  const start = r.serverStart;
  // A replica that restores its compile cache first downloads it, whatever its start is measured at.
  const hit = cached && start?.cached !== undefined;
  const download = hit ? { notCounted: [COMPILE_CACHE_DOWNLOAD_NOT_COUNTED] } : {};
  if (m.serverStartSeconds !== undefined)
    return {
      phase: "server",
      seconds: m.serverStartSeconds,
      basis: `${r.title}: ${m.serverStartSeconds} s as measured for this model (${at}.serverStartSeconds)`,
      ...download,
    };
  const figure = hit ? start.cached : start?.uncached;
  if (!figure) return { phase: "server", basis: `${r.title}: no figure for its start` };
  // Only a runtime that has a cached start compiles at start; another (Triton) just starts.
  const which = hit
    ? `, with its compile cache (${at}.compileCache)`
    : start?.cached !== undefined
      ? ", compiling (no compile cache survives the pod)"
      : "";
  return {
    phase: "server",
    ...(figure.seconds !== undefined ? { seconds: figure.seconds } : {}),
    basis: `${r.title}${which}: ${figure.basis}`,
    ...download,
  };
}

/**
 * The images phase on a pool whose nodes attach an image-cache snapshot: nothing is pulled, and the
 * images are read from a volume restored from the snapshot. With fast snapshot restore the volume is
 * fully initialized at creation (EBS user guide, "Amazon EBS fast snapshot restore"), so reading the
 * images costs nothing more than a read; without it each block is downloaded from S3 on its first
 * read, at a default initialization rate that "fluctuates throughout the initialization process"
 * (EBS user guide, "Initialize Amazon EBS volumes"): no figure, so the phase is unknown.
 */
export function imagesFromSnapshot(pool: Pick<AcceleratorPoolSpec, "imageCacheFastRestore">): ColdStartPhase {
  return pool.imageCacheFastRestore
    ? {
        phase: "images",
        seconds: 0,
        basis:
          "pre-pulled on the pool's image-cache snapshot with fast snapshot restore (capacity.pools[].imageCacheFastRestore): " +
          "the volume is fully initialized at creation (EBS fast snapshot restore), while the snapshot's " +
          "volume creation credits last (a bucket of MIN(10, 1024 / snapshot GiB) per zone, refilled " +
          "at that many an hour)",
      }
    : {
        phase: "images",
        basis:
          "pre-pulled on the pool's image-cache snapshot, restored lazily: each block the server reads " +
          "is downloaded from S3 on first access, at a default rate that fluctuates (EBS user guide, " +
          "'Initialize Amazon EBS volumes'); no figure (capacity.pools[].imageCacheFastRestore removes the wait)",
      };
}

/**
 * The images phase of a pull: kubelet pulls one image at a time (serializeImagePulls defaults to
 * true), each no faster than its compressed layers cross the network (and the image source) and its
 * unpacked bytes are written to the disk (`write`, none on instance store).
 */
export function imagePullPhase(
  images: readonly string[],
  pull: RateLimit | undefined,
  write: RateLimit | undefined,
  source: ImageSource = REGISTRY_IMAGE_SOURCE,
  sizes: Readonly<Record<string, ImageSize>> = IMAGE_SIZES,
): ColdStartPhase {
  const pullRate =
    source.bytesPerS !== undefined && (pull === undefined || source.bytesPerS < pull.bytesPerS)
      ? { bytesPerS: source.bytesPerS, text: `the image source's rate (${source.basis})` }
      : pull;
  const parts: string[] = [];
  const notCounted: string[] = [];
  let seconds = 0;
  let counted = 0;
  for (const image of images) {
    const size = sizes[image];
    const terms: { s: number; text: string }[] = [];
    if (size?.compressedGB && pullRate)
      terms.push({
        s: (size.compressedGB.value * 1e9) / pullRate.bytesPerS,
        text: `${size.compressedGB.value} GB compressed (${size.compressedGB.source}) over ${pullRate.text}`,
      });
    if (size?.uncompressedGB && write)
      terms.push({
        s: (size.uncompressedGB.value * 1e9) / write.bytesPerS,
        text: `${size.uncompressedGB.value} GB unpacked (${size.uncompressedGB.source}) written at ${write.text}`,
      });
    if (terms.length === 0) {
      notCounted.push(
        size
          ? `image ${image}: no size that this node's bounds apply to (no compressed size for the network; no published write rate for instance store)`
          : `size of image ${image}`,
      );
      continue;
    }
    const slowest = terms.reduce((a, b) => (b.s > a.s ? b : a));
    seconds += slowest.s;
    counted++;
    parts.push(`${image}: ${slowest.text}`);
  }
  const noCompressed = images.filter((i) => sizes[i] !== undefined && sizes[i].compressedGB === undefined);
  if (noCompressed.length > 0)
    notCounted.push(
      `the network's share of pulling ${noCompressed.join(", ")} (no compressed size is published for the pinned tag)`,
    );
  return {
    phase: "images",
    ...(counted > 0 ? { seconds: round(seconds) } : {}),
    basis:
      counted > 0
        ? `pulled one at a time from ${source.basis}; ${parts.join("; ")}`
        : "no image of the replica has a size the floor can use",
    ...(notCounted.length > 0 ? { notCounted } : {}),
  };
}

/** The AMI family of a model's nodes: Karpenter pools run Bottlerocket with an image-cache snapshot, node groups their `os`. */
function nodeOs(spec: PlatformSpec, pool: AcceleratorPoolSpec | undefined): NodeOs {
  if (!pool) return "al2023";
  if (spec.capacity.autoscaler === "karpenter") return karpenterPoolOs(pool);
  return pool.os;
}

/**
 * The cold-start floor of model `index` of the spec: phases, what is not counted, where a spot
 * replacement lands, and (in prod) a warning where it may not serve within the spot notice.
 */
export function coldStartEstimate(spec: PlatformSpec, m: ModelSpec, index: number): ColdStartEstimate {
  const at = `serving.models[${index}]`;
  const fits = placements(spec, m);
  // The type the cost envelope prices the model on (its cheapest fitting type, which Karpenter's
  // lowest-price choice launches too), so the plan describes one node per model; the fastest
  // network among the fitting types only when no type is priced.
  const priced = pricedPlacement(spec, m);
  const best = priced
    ? { p: priced, mbps: networkBandwidthMbps(priced.type.name) ?? 0 }
    : fits.map((p) => ({ p, mbps: networkBandwidthMbps(p.type.name) ?? 0 })).sort((a, b) => b.mbps - a.mbps)[0];
  const pool = best?.p.poolIndex !== undefined ? spec.capacity.pools[best.p.poolIndex] : undefined;
  const network: RateLimit | undefined =
    best && best.mbps > 0
      ? {
          on: "network",
          bytesPerS: (best.mbps * 1e6) / 8,
          text: `${best.p.type.name}'s ${best.mbps} Mbit/s baseline network`,
        }
      : undefined;
  const ebsMbps = best ? EBS_BANDWIDTH_MBPS[best.p.type.name] : undefined;
  // Writes to the node's disk: the gp3 volume and the instance's EBS bandwidth, or nothing the plan can source on instance store.
  const volume = imageVolumeLimit(pool, best?.p.type.name);
  const diskLimits: RateLimit[] =
    volume.length === 0
      ? []
      : [
          ...volume,
          ...(ebsMbps
            ? [
                {
                  on: "ebs" as const,
                  bytesPerS: (ebsMbps * 1e6) / 8,
                  text: `${best!.p.type.name}'s ${ebsMbps} Mbit/s maximum EBS bandwidth`,
                },
              ]
            : []),
        ];
  const write = diskLimits.length > 0 ? slowestOf(diskLimits) : undefined;
  const pools = fits.map((p) => (p.poolIndex !== undefined ? spec.capacity.pools[p.poolIndex] : undefined));
  const spot = pools.some((p) => p?.spot === true);

  const phases: ColdStartPhase[] = [];
  const boot = NODE_BOOT[nodeOs(spec, pool)];
  phases.push({
    phase: "node",
    seconds: boot.value,
    basis: boot.source,
    ...(m.accelerator !== "cpu"
      ? { notCounted: ["the device plugin's start before the node advertises its devices (no figure)"] }
      : {}),
  });

  phases.push(
    pool?.imageCacheSnapshotId !== undefined
      ? imagesFromSnapshot(pool)
      : imagePullPhase(modelImages(m), network, write),
  );

  // Weights, by load path: read in place from S3 (network only), or downloaded to the pod's disk (network and disk).
  const mountedLoad = m.mountWeights ? runtimeOf(m).mountedWeightsLoad : undefined;
  const downloadLimits = [...(network ? [network] : []), ...diskLimits];
  // A server reading its weights in place reads them during its own start: a measured start holds them.
  const weightsInMeasuredStart = m.mountWeights === true && m.serverStartSeconds !== undefined;
  if (weightsInMeasuredStart)
    phases.push({
      phase: "weights",
      seconds: 0,
      basis:
        `read in place from S3 (${at}.mountWeights) while the server starts, so within its measured start ` +
        `(${at}.serverStartSeconds, from the server container's start to its readiness: ${START_FIGURES.serverStart})`,
    });
  else if (m.weightsGiB === undefined) phases.push({ phase: "weights", basis: `no size (set ${at}.weightsGiB)` });
  else if (m.mountWeights && !mountedLoad)
    phases.push({
      phase: "weights",
      basis: `${runtimeOf(m).title} memory-maps the files it loads, and a Mountpoint volume serves those random reads at no published rate`,
    });
  else if (m.mountWeights && !network)
    phases.push({ phase: "weights", basis: "read in place from S3, and the node's network bandwidth is not known" });
  else if (m.mountWeights && network)
    phases.push({
      phase: "weights",
      seconds: round((m.weightsGiB * GIB) / network.bytesPerS),
      basis: `${m.weightsGiB} GiB (${at}.weightsGiB) read in place from S3 through Mountpoint (${at}.mountWeights) at ${network.text}: ${mountedLoad!.basis}`,
    });
  else if (downloadLimits.length > 0) {
    const limit = slowestOf(downloadLimits);
    phases.push({
      phase: "weights",
      seconds: round((m.weightsGiB * GIB) / limit.bytesPerS),
      basis: `${m.weightsGiB} GiB (${at}.weightsGiB) downloaded by the fetcher to the pod's disk at ${limit.text}`,
    });
  } else phases.push({ phase: "weights", basis: "no bound on the download is known for the node" });
  const adapters = m.adapters ?? [];
  if (adapters.length > 0 && !weightsInMeasuredStart) {
    const i = phases.findIndex((p) => p.phase === "weights");
    const w = phases[i];
    // A phase's basis is listed as unknown only while nothing else is: keep it when the adapters join.
    const before = w.notCounted ?? (w.seconds === undefined ? [w.basis] : []);
    phases[i] = {
      ...w,
      notCounted: [
        ...before,
        `${adapters.length} LoRA adapter(s) (${at}.adapters) read at start from their Mountpoint volumes: their sizes are not stated`,
      ],
    };
  }

  phases.push(serverPhase(m, compileCacheHit(spec, m), at));

  const sum = (ps: readonly ColdStartPhase[]) => ps.reduce((s, p) => s + (p.seconds ?? 0), 0);
  const newNodeSeconds = sum(phases);
  const weights = phases.find((p) => p.phase === "weights")!;
  const runningNodeSeconds =
    weights.seconds !== undefined
      ? sum(phases.filter((p) => p.phase === "weights" || p.phase === "server"))
      : undefined;
  const unknown = phases.flatMap((p) => [
    ...(p.seconds === undefined && !p.notCounted ? [`${p.phase}: ${p.basis}`] : []),
    ...(p.notCounted ?? []).map((n) => `${p.phase}: ${n}`),
  ]);
  const reservations = (pool?.reservations ?? []).map((r) => `${r.instances} × ${r.instanceType} (${r.type})`);
  const replacement = {
    ...spotReplacement(m, phases, warmPoolOf(spec, best?.p.pool)?.name),
    ...(reservations.length > 0
      ? {
          reserved: `${reservations.join(", ")} of pool ${pool!.name}'s reservations, which spot does not interrupt: replicas there need no replacement`,
        }
      : {}),
  };
  const warnings: ColdStartFinding[] = [];
  // The plan refuses nothing for it; prod, where a lost replica is felt, is warned.
  const spotFinding =
    spot && spec.environment === "prod"
      ? spotReplacementWarning(m, at, replacement, spec.capacity.autoscaler)
      : undefined;
  if (spotFinding) warnings.push(spotFinding);
  return {
    model: m.name,
    ...(best ? { instanceType: best.p.type.name } : {}),
    spot,
    newNodeSeconds,
    ...(runningNodeSeconds !== undefined ? { runningNodeSeconds } : {}),
    phases,
    unknown,
    replacement,
    scaleOut:
      `>= ${newNodeSeconds} s on a new node${runningNodeSeconds !== undefined ? `, >= ${runningNodeSeconds} s on a warm one` : ""}, ` +
      `while the autoscaler adds replicas every ${SCALE_UP_PERIOD_SECONDS} s: headroom (replicas.min, ` +
      `autoscaling.target, warmNodes) carries the load meanwhile`,
    warnings,
  };
}

/** What happens to a spot replica at the notice, by the autoscaler that runs its pool. */
function atTheNotice(autoscaler: PlatformSpec["capacity"]["autoscaler"], seconds: number | undefined): string {
  const whole = `its whole cold start${seconds !== undefined ? ` (at least ${seconds} s)` : ""}`;
  return autoscaler === "karpenter"
    ? `Karpenter drains the node when the notice arrives, so each interruption takes a replica away for ${whole}, not for the cold start less the notice`
    : `nothing drains the node at the notice (Cluster Autoscaler does not act on it): the replica ` +
        `serves until EC2 reclaims the instance at the notice's end, and only then does its replacement ` +
        `start, so each interruption takes a replica away for ${whole}`;
}

/** The warning for a spot model whose replacement may not serve within the notice (none when it does). */
export function spotReplacementWarning(
  m: Pick<ModelSpec, "name"> & Partial<Pick<ModelSpec, "runtime" | "compileCache">>,
  at: string,
  r: SpotReplacement,
  autoscaler: PlatformSpec["capacity"]["autoscaler"] = "karpenter",
): ColdStartFinding | undefined {
  if (r.withinNotice === true) return undefined;
  const notice = SPOT_INTERRUPTION_NOTICE.value;
  const where = r.lands === "warm-node" ? "lands on a warm node and" : "lands on a new node and";
  const gone =
    r.withinNotice === false
      ? `${where} serves after at least ${r.seconds} s, beyond the ${notice} s interruption notice`
      : `${where} serves after ${r.seconds !== undefined ? `at least ${r.seconds} s counted` : "a time nothing counts"}, ` +
        `but ${r.notCounted.join("; ")} ${r.notCounted.length > 1 ? "have" : "has"} no figure (cold-start.json ` +
        `lists why), so whether it serves within the ${notice} s notice is unknown`;
  // What shortens it besides spare replicas: warm nodes where it lands on a new one, and the kept
  // compile of a runtime that can restore one where the model compiles at every start.
  const remedies = [
    ...(r.lands === "warm-node" ? [] : ["hold warm nodes (capacity.pools[].warmNodes)"]),
    ...(autoscaler === "karpenter" && m.runtime && !m.compileCache && runtimeOf({ runtime: m.runtime }).compileCache
      ? [`keep its compile across starts (${at}.compileCache, with mountWeights)`]
      : []),
  ];
  const measure = r.notCounted.includes("the server phase")
    ? `; state the server's measured start (${at}.serverStartSeconds; the platform records it as ` +
      `${START_FIGURES.serverStart}) to have it counted`
    : "";
  return {
    path: at,
    message:
      `model ${m.name} runs on spot: a replacement replica ${gone}; ${atTheNotice(autoscaler, r.seconds)}. ` +
      `${["Keep replicas.min one above what the load needs", ...remedies].join(", ")}, ` +
      `or serve it from an on-demand pool or a capacity reservation${measure}.`,
  };
}

/**
 * What bounds writes of images (and downloaded weights) on a node of the pool: the gp3 volume at
 * its provisioned throughput (`volumeThroughputMiBps`, else the 125 MiB/s default), or nothing
 * the plan can source when kubelet and containerd sit on the type's instance-store NVMe
 * (`instanceStore`): no NVMe write rate is published per type, so the floor is then bounded by
 * the network alone (still a floor: a limit left out only lowers it).
 */
export function imageVolumeLimit(
  pool: Pick<AcceleratorPoolSpec, "volumeThroughputMiBps" | "instanceStore"> | undefined,
  type: string | undefined,
): { on: "volume"; bytesPerS: number; text: string }[] {
  const nvmeGB = type ? (instanceType(type)?.instanceStoreGB ?? 0) : 0;
  if (pool?.instanceStore && nvmeGB > 0) return [];
  const mibps = pool?.volumeThroughputMiBps ?? GP3_DEFAULT_THROUGHPUT_MIBPS.value;
  return [
    {
      on: "volume",
      bytesPerS: mibps * MIB,
      text:
        pool?.volumeThroughputMiBps !== undefined
          ? `the root volume's ${mibps} MiB/s (capacity.pools[].volumeThroughputMiBps)`
          : `the root volume's ${mibps} MiB/s (gp3 default)`,
    },
  ];
}

/** The cold-start floor of every model of the spec, in order. */
export function coldStartEstimates(spec: PlatformSpec): ColdStartEstimate[] {
  return spec.serving.models.map((m, i) => coldStartEstimate(spec, m, i));
}

/** Lines the plan prints: one per model, then its warnings. */
export function coldStartSummaryLines(estimates: readonly ColdStartEstimate[]): string[] {
  if (estimates.length === 0) return [];
  const lines = ["Cold start (floor, seconds; cold-start.json has each phase and its source):"];
  for (const e of estimates) {
    const parts = e.phases.map((p) => `${p.phase} ${p.seconds ?? "?"}`).join(" + ");
    const where = e.instanceType ? ` on ${e.instanceType}${e.spot ? " (spot)" : ""}` : "";
    lines.push(
      `  ${e.model}${where}: new node >= ${e.newNodeSeconds} s (${parts}); running node ${e.runningNodeSeconds !== undefined ? `>= ${e.runningNodeSeconds} s` : "unknown"}`,
    );
    if (e.unknown.length > 0) lines.push(`    not counted: ${e.unknown.join("; ")}`);
    if (e.spot) lines.push(`    spot replacement: ${replacementLine(e.replacement)}`);
    lines.push(`    scale-out: ${e.scaleOut}`);
  }
  for (const w of estimates.flatMap((e) => e.warnings)) lines.push(`  warning: ${w.path}: ${w.message}`);
  return lines;
}

/** One line on where a spot replacement lands and whether it serves within the notice. */
function replacementLine(r: SpotReplacement): string {
  const notice = SPOT_INTERRUPTION_NOTICE.value;
  const verdict =
    r.withinNotice === undefined
      ? `within the ${notice} s notice: unknown (not counted: ${r.notCounted.join("; ")})`
      : r.withinNotice
        ? `within the ${notice} s notice`
        : `NOT within the ${notice} s notice`;
  return `${r.lands === "warm-node" ? "on a warm node" : "on a new node"}, >= ${r.seconds ?? "?"} s, ${verdict}${r.reserved ? `; ${r.reserved}` : ""}`;
}
