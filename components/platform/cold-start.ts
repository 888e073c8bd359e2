/**
 * How long a model's new replica takes before it can serve: a floor per model, for the plan.
 *
 * On a new node (a scale-out beyond the running nodes, or a spot replacement) a replica waits for
 * the node to boot and advertise its devices, for its images to be pulled onto the node's root
 * volume, and for its weights to be downloaded into the pod's model directory (an emptyDir on the
 * same volume; KServe's storage initializer or the kit's fetcher) before the server loads them.
 * On a running node that already holds the images, only the weights are downloaded again.
 *
 * Each phase is the least time the node's hardware allows, on the instance type the cost envelope
 * prices the model on: bytes over the slowest of that type's baseline network bandwidth, its maximum EBS bandwidth and the root volume's throughput
 * (the kit's gp3 volumes keep the default 125 MiB/s). Real starts are slower (decompression, request latency, the server's own
 * start: CUDA graphs, compilation), so where the floor exceeds a window the real start does too.
 * A phase whose size no source gives (an image size that is not published, a model without
 * `weightsGiB`) is left out and listed, never guessed. Pure: no Pulumi imports.
 *
 * A model with `mountWeights` pulls no fetcher image and reads its weights in place from S3 (see
 * serving/mounted-weights.ts): that phase is bounded by the network only, on a new node and a running
 * one, when the server reads each file whole and in order (its runtime's `mountedWeightsLoad`, e.g.
 * vLLM's `--safetensors-load-strategy eager`). A server that memory-maps the files instead reads them
 * in small random pieces, which network mounts serve many times slower, at no published rate: its
 * weights phase is listed as unknown, not counted at the network rate.
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
import { IMAGES, imageRef } from "../versions";
import { SCALING_BEHAVIOR } from "../serving/autoscaling";
import type { ModelSpec } from "../serving/model-spec";
import { runtimeOf } from "../serving/runtimes";
import { modelImages } from "../serving/model-images";
import { placements } from "./capacity-checks";
import { pricedPlacement } from "./cost";
import { warmPoolOf } from "./headroom";
import type { AcceleratorPoolSpec, PlatformSpec } from "./spec";
import { instanceType } from "../common/instance-types";

/** A figure and where it comes from. */
export interface SourcedFigure {
  value: number;
  source: string;
}

/**
 * From EC2 launch until an accelerator node advertises its devices, seconds. NVIDIA/k8s-device-plugin#291
 * (2022-02-16): a Karpenter-launched g4dn/g5 node advertised `nvidia.com/gpu` about 90 s after the pod
 * that asked for it was created. Consistent with aws/karpenter-provider-aws#6128 (Karpenter maintainer,
 * 2024-05-17): about 70-80 s from instance launch to node registration, before any device plugin runs.
 * No Neuron figure is published; Neuron nodes are given the same.
 */
export const ACCELERATOR_NODE_BOOT: SourcedFigure = {
  value: 90,
  source: "NVIDIA/k8s-device-plugin#291: GPU advertised ~90 s after the pod (Karpenter, g4dn/g5)",
};
/** From EC2 launch until a node registers, seconds (aws/karpenter-provider-aws#6128, maintainer: ~70-80 s). */
export const NODE_BOOT: SourcedFigure = {
  value: 80,
  source: "aws/karpenter-provider-aws#6128: ~70-80 s from instance launch to node registration",
};
/**
 * gp3 throughput when none is set, MiB/s (EC2 API CreateVolume/ModifyVolume `Throughput`: "the
 * default value is 125"). The kit's node volumes set none (capacity/karpenter-builders.ts,
 * cluster/builders.ts `encryptedGp3Volume`), so images and the weights' emptyDir are written at this rate.
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
 * Size on disk of the pinned images, decimal GB, where one is published. Neither registry page
 * could be read here, so these are the nearest published figures, each stated with its tag:
 * - vLLM: vllm-project/vllm#22377 (2025-12-10): the official `vllm/vllm-openai:latest` image is 28.6 GB
 *   (the kit pins v0.16.0, a later release);
 * - Triton: triton-inference-server/server#7474 (2024-07-31): `tritonserver:24.06-py3` is about 15.5 GB
 *   after `docker pull`, which an NVIDIA engineer confirmed is expected (the kit pins 26.07-py3).
 * No size is published for the Neuron DLC or MLflow's `-full` image: they are listed as unknown.
 */
export const IMAGE_DISK_GB: Readonly<Record<string, SourcedFigure>> = {
  [imageRef(IMAGES.vllmOpenai)]: { value: 28.6, source: "vllm-project/vllm#22377: vllm-openai:latest is 28.6 GB" },
  [imageRef(IMAGES.tritonServer)]: {
    value: 15.5,
    source: "triton-inference-server/server#7474: tritonserver:24.06-py3 is ~15.5 GB",
  },
};

export interface ColdStartPhase {
  phase: "node" | "images" | "weights";
  /** Least seconds it takes. */
  seconds: number;
  /** How the figure was reached. */
  basis: string;
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
  /** Least seconds before a replica on a new node serves (node, images, weights). */
  newNodeSeconds: number;
  /** Least seconds before a replica on a running node that holds the images serves (its weights); unknown without `weightsGiB`. */
  runningNodeSeconds?: number;
  phases: ColdStartPhase[];
  /** What the figures leave out for want of a source. */
  unknown: string[];
  /** What a spot interruption costs the model: see {@link spotReplacement}. */
  replacement: SpotReplacement;
  warnings: ColdStartFinding[];
}

/** How long a replica taken by a spot interruption is gone, and whether that fits the notice. */
export interface SpotReplacement {
  /** `warm-node`: the pool's placeholders hold a running node with the images; `new-node`: Karpenter launches one. */
  lands: "warm-node" | "new-node";
  /** Least seconds from the notice until the replacement serves; unknown when a phase it needs is. */
  seconds?: number;
  /** Whether the replacement serves within the 120 s notice; unknown with the seconds. */
  withinNotice?: boolean;
  basis: string;
}

/**
 * Where a spot replacement lands and how long the replica is gone. Karpenter cordons and drains
 * the node when the interruption notice arrives (karpenter-provider-aws v1.14.1
 * pkg/controllers/interruption/utils.go: a spot interruption is CordonAndDrain, which deletes the NodeClaim at once), so the
 * replica is gone from the notice until its replacement serves: the whole cold start, not the
 * cold start less the notice. With warm headroom in the model's pool the replacement preempts a
 * placeholder on a running node that pre-pulled the pool's images, so only the weights remain.
 */
export function spotReplacement(
  m: Pick<ModelSpec, "name">,
  newNodeSeconds: number,
  runningNodeSeconds: number | undefined,
  warmPool: string | undefined,
): SpotReplacement {
  const notice = SPOT_INTERRUPTION_NOTICE.value;
  if (warmPool !== undefined) {
    return {
      lands: "warm-node",
      ...(runningNodeSeconds !== undefined
        ? { seconds: runningNodeSeconds, withinNotice: runningNodeSeconds <= notice }
        : {}),
      basis: `pool ${warmPool} holds warm nodes (capacity.pools[].warmNodes) whose placeholders pre-pulled ${m.name}'s images: the replacement loads its weights${runningNodeSeconds === undefined ? " (unknown without weightsGiB)" : ""}; one warm node per interruption, until the autoscaler brings the next`,
    };
  }
  return {
    lands: "new-node",
    seconds: newNodeSeconds,
    withinNotice: newNodeSeconds <= notice,
    basis: "Karpenter drains at the notice and launches a new node: node boot, images and weights",
  };
}

const MIB = 2 ** 20;
const GIB = 2 ** 30;
const round = (s: number) => Math.round(s);

// A model's images live with serving; re-exported where the floor's users found them.
export { modelImages };

/** The scale-up step of the kit's autoscalers, seconds: the HPA may add replicas once per period. */
export const SCALE_UP_PERIOD_SECONDS = Math.min(...SCALING_BEHAVIOR.scaleUp.policies.map((p) => p.periodSeconds));

/**
 * The cold-start floor of model `index` of the spec: phases, what is unknown, and warnings where
 * a new replica cannot serve within the autoscaler's scale-up step or the spot interruption notice.
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
  // Bytes reach the root volume no faster than the network, the instance's EBS bandwidth or the volume allow.
  const limits: { on: "volume" | "network" | "ebs"; bytesPerS: number; text: string }[] = imageVolumeLimit(
    best?.p.poolIndex !== undefined ? spec.capacity.pools[best.p.poolIndex] : undefined,
    best?.p.type.name,
  );
  if (best && best.mbps > 0)
    limits.push({
      on: "network",
      bytesPerS: (best.mbps * 1e6) / 8,
      text: `${best.p.type.name}'s ${best.mbps} Mbit/s baseline network`,
    });
  const ebsMbps = best ? EBS_BANDWIDTH_MBPS[best.p.type.name] : undefined;
  if (ebsMbps)
    limits.push({
      on: "ebs",
      bytesPerS: (ebsMbps * 1e6) / 8,
      text: `${best!.p.type.name}'s ${ebsMbps} Mbit/s maximum EBS bandwidth`,
    });
  const slowestOf = (ls: typeof limits) => ls.reduce((a, b) => (b.bytesPerS < a.bytesPerS ? b : a));
  const slowest = slowestOf(limits);
  const rate = slowest.bytesPerS;
  const rateText = slowest.text;
  // Mounted weights are read from S3 into the server's memory: neither the root volume nor EBS is on the way.
  const network = limits.filter((l) => l.on === "network");
  const weightsLimit = m.mountWeights && network.length > 0 ? slowestOf(network) : slowest;
  const pools = fits.map((p) => (p.poolIndex !== undefined ? spec.capacity.pools[p.poolIndex] : undefined));
  const spot = pools.some((p) => p?.spot === true);
  const accelerator = m.accelerator !== "cpu";
  const imageCache = pools.some((p) => p?.imageCacheSnapshotId !== undefined);

  const phases: ColdStartPhase[] = [];
  const unknown: string[] = [];
  const boot = accelerator ? ACCELERATOR_NODE_BOOT : NODE_BOOT;
  phases.push({ phase: "node", seconds: boot.value, basis: boot.source });

  if (imageCache) {
    phases.push({
      phase: "images",
      seconds: 0,
      basis: "pre-pulled on the pool's image-cache snapshot (capacity.pools[].imageCacheSnapshotId)",
    });
  } else {
    const images = modelImages(m);
    const known = images.filter((i) => IMAGE_DISK_GB[i] !== undefined);
    for (const i of images) if (!IMAGE_DISK_GB[i]) unknown.push(`size of image ${i}`);
    const gb = known.reduce((s, i) => s + IMAGE_DISK_GB[i].value, 0);
    if (known.length > 0)
      phases.push({
        phase: "images",
        seconds: round((gb * 1e9) / rate),
        basis: `${known.map((i) => `${i} ${IMAGE_DISK_GB[i].value} GB (${IMAGE_DISK_GB[i].source})`).join(", ")} at ${rateText}`,
      });
  }
  let weightSeconds: number | undefined;
  const mountedLoad = m.mountWeights ? runtimeOf(m).mountedWeightsLoad : undefined;
  if (m.weightsGiB === undefined) unknown.push(`weights (set ${at}.weightsGiB)`);
  else if (m.mountWeights && !mountedLoad)
    unknown.push(
      `weights: ${runtimeOf(m).title} memory-maps the files it loads, and a Mountpoint volume serves those random reads at no published rate`,
    );
  else {
    weightSeconds = round((m.weightsGiB * GIB) / weightsLimit.bytesPerS);
    phases.push({
      phase: "weights",
      seconds: weightSeconds,
      basis: mountedLoad
        ? `${m.weightsGiB} GiB (${at}.weightsGiB) read in place from S3 through Mountpoint (${at}.mountWeights) at ${weightsLimit.text}: ${mountedLoad.basis}`
        : `${m.weightsGiB} GiB (${at}.weightsGiB) downloaded at ${rateText}`,
    });
  }
  const adapters = m.adapters ?? [];
  if (adapters.length > 0)
    unknown.push(
      `${adapters.length} LoRA adapter(s) (${at}.adapters) read at start from their Mountpoint volumes: their sizes are not stated`,
    );
  unknown.push("the server's own start (loading weights onto the devices, compilation)");

  const newNodeSeconds = phases.reduce((s, p) => s + p.seconds, 0);
  const warnings: ColdStartFinding[] = [];
  if (newNodeSeconds > SCALE_UP_PERIOD_SECONDS)
    warnings.push({
      path: `${at}.replicas`,
      message: `model ${m.name}: a replica on a new node serves after at least ${newNodeSeconds} s, while the autoscaler adds replicas every ${SCALE_UP_PERIOD_SECONDS} s; load waits that long and more replicas are added on load the starting ones will take. Keep headroom: a higher replicas.min or a lower autoscaling.target.`,
    });
  const replacement = spotReplacement(m, newNodeSeconds, weightSeconds, warmPoolOf(spec, best?.p.pool)?.name);
  const spotFinding = spot ? spotReplacementWarning(m, at, replacement) : undefined;
  if (spotFinding) warnings.push(spotFinding);
  return {
    model: m.name,
    ...(best ? { instanceType: best.p.type.name } : {}),
    spot,
    newNodeSeconds,
    ...(weightSeconds !== undefined ? { runningNodeSeconds: weightSeconds } : {}),
    phases,
    unknown,
    replacement,
    warnings,
  };
}

/** The warning for a spot model whose replacement may not serve within the notice (none when it does). */
export function spotReplacementWarning(
  m: Pick<ModelSpec, "name">,
  at: string,
  r: SpotReplacement,
): ColdStartFinding | undefined {
  if (r.withinNotice === true) return undefined;
  const notice = SPOT_INTERRUPTION_NOTICE.value;
  const gone =
    r.seconds !== undefined
      ? `serves after at least ${r.seconds} s, beyond the ${notice} s interruption notice; Karpenter drains the node when the notice arrives, so each interruption takes a replica away for the whole ${r.seconds} s`
      : `lands on a warm node, but how long it takes to serve is unknown (set ${at}.weightsGiB), so whether it serves within the ${notice} s notice is unknown`;
  return {
    path: at,
    message: `model ${m.name} runs on spot: a replacement replica ${gone}. Keep replicas.min one above what the load needs, hold warm nodes (capacity.pools[].warmNodes), or serve it from an on-demand pool or a capacity reservation.`,
  };
}

/**
 * What bounds writes of images (and downloaded weights) on a node of the pool: the gp3 volume at
 * its provisioned throughput (`volumeThroughputMiBps`, else the 125 MiB/s default), or nothing
 * the plan can source when kubelet and containerd sit on the type's instance-store NVMe
 * (`instanceStore`): no NVMe write rate is published per type, so the floor is then bounded by
 * the network and EBS limits alone (still a floor: a limit left out only lowers it).
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
    const parts = e.phases.map((p) => `${p.phase} ${p.seconds}`).join(" + ");
    const where = e.instanceType ? ` on ${e.instanceType}${e.spot ? " (spot)" : ""}` : "";
    lines.push(
      `  ${e.model}${where}: new node >= ${e.newNodeSeconds} s (${parts}); running node ${e.runningNodeSeconds !== undefined ? `>= ${e.runningNodeSeconds} s` : "unknown"}`,
    );
    if (e.unknown.length > 0) lines.push(`    not counted: ${e.unknown.join("; ")}`);
    if (e.spot) lines.push(`    spot replacement: ${replacementLine(e.replacement)}`);
  }
  for (const w of estimates.flatMap((e) => e.warnings)) lines.push(`  warning: ${w.path}: ${w.message}`);
  return lines;
}

/** One line on where a spot replacement lands and whether it serves within the notice. */
function replacementLine(r: SpotReplacement): string {
  const notice = SPOT_INTERRUPTION_NOTICE.value;
  const verdict =
    r.withinNotice === undefined
      ? `within the ${notice} s notice: unknown`
      : r.withinNotice
        ? `within the ${notice} s notice`
        : `NOT within the ${notice} s notice`;
  return `${r.lands === "warm-node" ? "on a warm node" : "on a new node"}, >= ${r.seconds ?? "?"} s, ${verdict}`;
}
