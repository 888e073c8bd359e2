import { describe, expect, it } from "vitest";
import { REACHABLE_API } from "../fixtures/stack";
import { KSERVE_NEURON_MODEL, TRITON_GPU_MODEL } from "../fixtures/models";
import { costEnvelope } from "../../components/platform/cost";
import { INSTANCE_TYPES } from "../../components/common/instance-types";
import { EBS_BANDWIDTH_MBPS, NETWORK_BANDWIDTH_MBPS } from "../../components/common/instance-network";
import {
  coldStartEstimate,
  coldStartSummaryLines,
  compileCacheHit,
  imagePullPhase,
  imageVolumeLimit,
  GP3_DEFAULT_THROUGHPUT_MIBPS,
  modelImages,
  NODE_BOOT,
  SCALE_UP_PERIOD_SECONDS,
  serverPhase,
  SPOT_INTERRUPTION_NOTICE,
  spotReplacement,
  spotReplacementWarning,
} from "../../components/platform/cold-start";
import { IMAGE_SIZES } from "../../components/platform/image-sizes";
import type { AcceleratorPoolSpec, PlatformSpec } from "../../components/platform/spec";
import { MAX_WEIGHTS_GIB, modelSpecProblems, type ModelSpec } from "../../components/serving";
import { VLLM_GPU_SERVER_START } from "../../components/serving/runtimes/vllm-gpu";
import { VLLM_NEURON_SERVER_START } from "../../components/serving/runtimes/vllm-neuron";
import { IMAGES, imageRef } from "../../components/versions";
import { headroomImages } from "../../components/platform/headroom";
import { poolProblems } from "../../components/capacity/rules";
import { resolvePlatformSpec, StackConfigError } from "../../stacks/config";

/** Staging's resolved spec (Karpenter, spot GPU pool) with the models and pools a test sets. */
function spec(models: ModelSpec[], pools?: (p: AcceleratorPoolSpec[]) => AcceleratorPoolSpec[]): PlatformSpec {
  const base = resolvePlatformSpec(
    { environment: "staging", team: "ml-team", ...REACHABLE_API },
    "us-west-2",
    new Set(),
  );
  return {
    ...base,
    capacity: { ...base.capacity, pools: pools ? pools(base.capacity.pools) : base.capacity.pools },
    serving: { ...base.serving, models },
  };
}
/** The same spec as prod sees it: the spot warning is prod's. */
const asProd = (s: PlatformSpec): PlatformSpec => ({ ...s, environment: "prod" });

/** A vLLM model on one 24 GiB GPU (g6.2xlarge fits it, as the shipped examples). */
const LLM: ModelSpec = {
  name: "chat",
  server: "kserve",
  accelerator: "nvidia",
  runtime: "vllm",
  source: "models:/chat/3",
  weightsGiB: 15,
  replicas: { min: 1, max: 3 },
  autoscaling: { metric: "kv-cache", target: 70 },
  resources: { gpus: 1, cpu: "4", memory: "24Gi" },
};
const MOUNTED: ModelSpec = { ...LLM, mountWeights: true };
const gpuPool = (p: AcceleratorPoolSpec[], over: Partial<AcceleratorPoolSpec>) =>
  p.map((x) =>
    x.kind === "nvidia" ? { ...x, instanceTypes: ["g6.2xlarge", "g5.2xlarge", "g6e.2xlarge"], ...over } : x,
  );
const phase = (e: ReturnType<typeof coldStartEstimate>, name: string) => e.phases.find((p) => p.phase === name)!;
const gp3BytesPerSecond = GP3_DEFAULT_THROUGHPUT_MIBPS.value * 2 ** 20;
const VLLM_START = VLLM_GPU_SERVER_START.uncached.seconds;

describe("cold-start floor: the node phase", () => {
  it("boots an AL2023 node, or a Bottlerocket one where the pool attaches an image-cache snapshot, each by its own source", () => {
    const al2023 = coldStartEstimate(spec([LLM]), LLM, 0);
    expect(phase(al2023, "node")).toMatchObject({ seconds: NODE_BOOT.al2023.value, basis: NODE_BOOT.al2023.source });
    expect(NODE_BOOT.al2023.value).toBe(28);
    expect(phase(al2023, "node").notCounted).toEqual([
      "the device plugin's start before the node advertises its devices (no figure)",
    ]);
    const s = spec([LLM], (p) => gpuPool(p, { imageCacheSnapshotId: "snap-0123456789abcdef0" }));
    const bottlerocket = coldStartEstimate(s, LLM, 0);
    expect(phase(bottlerocket, "node").seconds).toBe(NODE_BOOT.bottlerocket.value);
    expect(NODE_BOOT.bottlerocket.value).toBe(41);
    // Node groups (Cluster Autoscaler) boot the OS the pool names.
    const groups: PlatformSpec = {
      ...s,
      capacity: {
        ...s.capacity,
        autoscaler: "cluster-autoscaler",
        pools: s.capacity.pools.map((p) => ({ ...p, imageCacheSnapshotId: undefined, os: "bottlerocket" as const })),
      },
    };
    expect(phase(coldStartEstimate(groups, LLM, 0), "node").seconds).toBe(NODE_BOOT.bottlerocket.value);
  });
});

describe("cold-start floor: the images phase", () => {
  it("counts every image the replica pulls, the MLflow fetcher included, and names what has no size", () => {
    const e = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { spot: true })),
      LLM,
      0,
    );
    expect(modelImages(LLM)).toEqual([imageRef(IMAGES.vllmOpenai), imageRef(IMAGES.mlflow)]);
    // vLLM's 28.6 GB unpacked, written at the gp3 default 125 MiB/s: 218 s.
    const vllmBytes = IMAGE_SIZES[imageRef(IMAGES.vllmOpenai)].uncompressedGB!.value * 1e9;
    expect(phase(e, "images").seconds).toBe(Math.round(vllmBytes / gp3BytesPerSecond));
    expect(phase(e, "images").seconds).toBe(218);
    expect(phase(e, "images").notCounted).toEqual([
      `size of image ${imageRef(IMAGES.mlflow)}`,
      `the network's share of pulling ${imageRef(IMAGES.vllmOpenai)} (no compressed size is published for the pinned tag)`,
    ]);
    expect(e.unknown).toContain(`images: size of image ${imageRef(IMAGES.mlflow)}`);
    // Mounted weights need no fetcher: only the server's image.
    expect(modelImages(MOUNTED)).toEqual([imageRef(IMAGES.vllmOpenai)]);
    // No size is published for the Neuron DLC: no image phase of 0 s, the phase unknown.
    const neuron = coldStartEstimate(spec([KSERVE_NEURON_MODEL]), KSERVE_NEURON_MODEL, 0);
    expect(phase(neuron, "images").seconds).toBeUndefined();
    expect(phase(neuron, "images").notCounted).toContain(`size of image ${imageRef(IMAGES.vllmNeuron)}`);
  });

  it("takes the slower of the network (compressed layers, or the image source) and the disk (unpacked bytes) per image", () => {
    const img = "registry.example/server:1";
    const sizes = { [img]: { uncompressedGB: { value: 10, source: "u" }, compressedGB: { value: 4, source: "c" } } };
    const net = { on: "network" as const, bytesPerS: 100e6, text: "net" };
    const disk = { on: "volume" as const, bytesPerS: 200e6, text: "disk" };
    // 4 GB over 100 MB/s (40 s) is slower than 10 GB at 200 MB/s (50 s)? No: the disk's 50 s bounds it.
    expect(imagePullPhase([img], net, disk, undefined, sizes).seconds).toBe(50);
    // A source slower than the network bounds the pull: 4 GB at 50 MB/s = 80 s.
    const slow = { bytesPerS: 50e6, basis: "a throttled mirror" };
    const viaSlow = imagePullPhase([img], net, disk, slow, sizes);
    expect(viaSlow.seconds).toBe(80);
    expect(viaSlow.basis).toMatch(/a throttled mirror/);
    // On instance store (no write rate) only the network's share counts.
    expect(imagePullPhase([img], net, undefined, undefined, sizes).seconds).toBe(40);
    expect(imagePullPhase([img], net, disk, undefined, sizes).notCounted).toBeUndefined();
  });

  it("writes at the pool's provisioned gp3 throughput, and counts no write rate on instance store", () => {
    const plain = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { spot: true })),
      LLM,
      0,
    );
    const fast = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { spot: true, volumeThroughputMiBps: 1000 })),
      LLM,
      0,
    );
    // 1000 MiB/s is above g6.2xlarge's EBS bandwidth, which bounds the writes then.
    const ebs = (EBS_BANDWIDTH_MBPS["g6.2xlarge"] * 1e6) / 8;
    expect(ebs).toBeLessThan(1000 * 2 ** 20);
    expect(phase(fast, "images").seconds).toBe(Math.round(28.6e9 / ebs));
    expect(phase(fast, "images").seconds).toBeLessThan(phase(plain, "images").seconds!);
    expect(imageVolumeLimit({ volumeThroughputMiBps: 500 }, "g6.2xlarge")[0].bytesPerS).toBe(500 * 2 ** 20);
    // g6.2xlarge carries NVMe: with instanceStore nothing bounds writes the plan can source, and no
    // compressed size is published: the image phase is unknown rather than 0. inf2 has none.
    expect(imageVolumeLimit({ instanceStore: true }, "g6.2xlarge")).toEqual([]);
    expect(imageVolumeLimit({ instanceStore: true }, "inf2.xlarge")[0].bytesPerS).toBe(gp3BytesPerSecond);
    const nvme = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { spot: true, instanceStore: true })),
      LLM,
      0,
    );
    expect(phase(nvme, "images").seconds).toBeUndefined();
  });

  it("reads an image-cache snapshot at the speed it restores: lazily (unknown) unless fast snapshot restore is on", () => {
    const lazy = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { imageCacheSnapshotId: "snap-0123456789abcdef0" })),
      LLM,
      0,
    );
    expect(phase(lazy, "images").seconds).toBeUndefined();
    expect(phase(lazy, "images").basis).toMatch(/restored lazily: each block .* downloaded from S3 on first access/);
    const fsr = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { imageCacheSnapshotId: "snap-0123456789abcdef0", imageCacheFastRestore: true })),
      LLM,
      0,
    );
    expect(phase(fsr, "images").seconds).toBe(0);
    expect(phase(fsr, "images").basis).toMatch(/fully initialized at creation .* volume creation credits/);
    expect(fsr.newNodeSeconds).toBe(NODE_BOOT.bottlerocket.value + 123 + VLLM_START);
  });
});

describe("cold-start floor: the weights phase, by load path", () => {
  it("downloads weights to the pod's disk at the volume's rate, and reads mounted ones in place at the network's", () => {
    const downloaded = coldStartEstimate(spec([LLM]), LLM, 0);
    // 15 GiB at 125 MiB/s: 123 s.
    expect(phase(downloaded, "weights")).toMatchObject({
      seconds: 123,
      basis: expect.stringMatching(/downloaded by the fetcher/),
    });
    const mounted = coldStartEstimate(spec([MOUNTED]), MOUNTED, 0);
    const netBytesPerSecond = (NETWORK_BANDWIDTH_MBPS["g6.2xlarge"] * 1e6) / 8;
    expect(netBytesPerSecond).toBeGreaterThan(gp3BytesPerSecond);
    expect(phase(mounted, "weights").seconds).toBe(Math.round((15 * 2 ** 30) / netBytesPerSecond));
    expect(phase(mounted, "weights").seconds).toBe(26);
    expect(phase(mounted, "weights").basis).toMatch(
      /read in place from S3 through Mountpoint .*5000 Mbit\/s baseline network: vLLM --safetensors-load-strategy eager/,
    );
  });

  it("leaves weights unknown for a server that memory-maps a mount, and for a model without weightsGiB", () => {
    const neuron: ModelSpec = { ...KSERVE_NEURON_MODEL, weightsGiB: 15, mountWeights: true };
    const e = coldStartEstimate(spec([neuron]), neuron, 0);
    expect(phase(e, "weights").seconds).toBeUndefined();
    expect(e.unknown).toContainEqual(expect.stringMatching(/^weights: vLLM on AWS Neuron memory-maps the files/));
    expect(e.runningNodeSeconds).toBeUndefined();
    const unsized: ModelSpec = { ...LLM, weightsGiB: undefined };
    const u = coldStartEstimate(spec([unsized]), unsized, 0);
    expect(e.unknown.length).toBeGreaterThan(0);
    expect(u.unknown).toContain("weights: no size (set serving.models[0].weightsGiB)");
    expect(coldStartSummaryLines([u]).join("\n")).toMatch(/weights \?.*running node unknown/);
  });

  it("is bounded by the network where the type's baseline bandwidth is below the volume's throughput", () => {
    // A CPU model runs on the system nodes: m7i.large and m6i.large, 781 Mbit/s baseline (97.6 MB/s).
    const cpu: ModelSpec = {
      ...TRITON_GPU_MODEL,
      accelerator: "cpu",
      resources: { cpu: "1", memory: "2Gi" },
      weightsGiB: 1,
    };
    const e = coldStartEstimate(spec([cpu]), cpu, 0);
    const netBytesPerSecond = (NETWORK_BANDWIDTH_MBPS["m7i.large"] * 1e6) / 8;
    expect(netBytesPerSecond).toBeLessThan(gp3BytesPerSecond);
    expect(phase(e, "weights").seconds).toBe(Math.round(2 ** 30 / netBytesPerSecond));
    expect(phase(e, "weights").basis).toMatch(/781 Mbit\/s baseline network/);
    expect(phase(e, "node").notCounted).toBeUndefined();
    expect(e.spot).toBe(false);
  });
});

describe("cold-start floor: the server's own start", () => {
  it("counts vLLM's engine start (torch.compile and CUDA graphs), uncached today and cheaper with a compile cache", () => {
    const e = coldStartEstimate(spec([MOUNTED]), MOUNTED, 0);
    expect(compileCacheHit(spec([MOUNTED]), MOUNTED)).toBe(false);
    expect(phase(e, "server")).toMatchObject({ seconds: 39, basis: expect.stringMatching(/vllm-project\/vllm#11005/) });
    expect(e.newNodeSeconds).toBe(28 + 218 + 26 + 39);
    expect(e.runningNodeSeconds).toBe(26 + 39);
    const cached = serverPhase(MOUNTED, true);
    expect(cached.seconds).toBe(25);
    expect(cached.basis).toMatch(/with its compile cache.*39.34 - 14.77/);
  });

  it("counts the cached start for a model that keeps its compile cache, and leaves the cache's download uncounted", () => {
    const kept: ModelSpec = { ...MOUNTED, compileCache: true };
    expect(compileCacheHit(spec([kept]), kept)).toBe(true);
    const e = coldStartEstimate(spec([kept]), kept, 0);
    expect(phase(e, "server")).toMatchObject({
      seconds: VLLM_GPU_SERVER_START.cached.seconds,
      basis: expect.stringMatching(/with its compile cache \(serving\.models\[0\]\.compileCache\)/),
      notCounted: [expect.stringMatching(/downloading the compile cache .*no size of the cache is published/)],
    });
    // The MLflow image restores the cache: pulled too, its size unknown.
    expect(modelImages(kept)).toEqual([imageRef(IMAGES.vllmOpenai), imageRef(IMAGES.mlflow)]);
    expect(e.newNodeSeconds).toBe(28 + 218 + 26 + 25);
    expect(e.runningNodeSeconds).toBe(26 + 25);
    expect(e.unknown).toContainEqual(expect.stringMatching(/^server: downloading the compile cache/));
    // A measured start replaces the figure, not the download before it.
    const measured = coldStartEstimate(
      spec([{ ...kept, serverStartSeconds: 30 }]),
      { ...kept, serverStartSeconds: 30 },
      0,
    );
    expect(phase(measured, "server")).toMatchObject({
      seconds: 30,
      notCounted: [expect.stringMatching(/compile cache/)],
    });
    // A runtime without a restorable cache (Triton) never counts a hit, whatever the model says.
    const triton: ModelSpec = { ...TRITON_GPU_MODEL, compileCache: true };
    expect(compileCacheHit(spec([triton]), triton)).toBe(false);
    expect(serverPhase(triton, true).basis).not.toMatch(/compil/);
  });

  it("names the server start it has no figure for: Triton's model load, vLLM-Neuron's NEFF load", () => {
    const triton = serverPhase(TRITON_GPU_MODEL, false);
    expect(triton.seconds).toBeUndefined();
    expect(triton.basis).toMatch(/triton-inference-server\/server#6014/);
    // Where to read the measured load instead: Triton's own per-model gauge.
    expect(triton.basis).toMatch(/nv_model_load_duration_secs on its metrics port/);
    const cached = serverPhase(KSERVE_NEURON_MODEL, true);
    expect(cached.seconds).toBeUndefined();
    expect(cached.basis).toMatch(/loading cached NEFFs/);
  });

  it("counts vLLM-Neuron's compile at every start: the lower end of AWS's 5-10 minutes for the pinned DLC line", () => {
    expect(compileCacheHit(spec([KSERVE_NEURON_MODEL]), KSERVE_NEURON_MODEL)).toBe(false);
    const neuron = serverPhase(KSERVE_NEURON_MODEL, false);
    expect(neuron).toMatchObject({ seconds: VLLM_NEURON_SERVER_START.uncached.seconds });
    expect(neuron.seconds).toBe(300);
    expect(neuron.basis).toMatch(/neuronx-cc at every start/);
    expect(neuron.basis).toMatch(/Neuron docs v2\.31\.0.*'Server startup typically takes 5-10 minutes'/);
    // The basis names what differs from the quickstart, so the figure is read as the floor it is.
    expect(neuron.basis).toMatch(/TinyLlama-1\.1B .*trn1\.32xlarge/);
    expect(neuron.basis).toMatch(/floor for models of at least 1\.1 B parameters/);
    const e = coldStartEstimate(spec([KSERVE_NEURON_MODEL]), KSERVE_NEURON_MODEL, 0);
    expect(phase(e, "server").seconds).toBe(300);
    expect(e.unknown.some((u) => u.startsWith("server:"))).toBe(false);
  });

  it("counts the start a model states it measured, which turns an unknown verdict into one", () => {
    const triton: ModelSpec = { ...TRITON_GPU_MODEL, weightsGiB: 1, serverStartSeconds: 20 };
    const e = coldStartEstimate(
      spec([triton], (p) => gpuPool(p, { spot: true, warmNodes: 1 })),
      triton,
      0,
    );
    expect(phase(e, "server")).toMatchObject({
      seconds: 20,
      basis: expect.stringContaining("20 s as measured for this model (serving.models[0].serverStartSeconds)"),
    });
    expect(e.replacement).toMatchObject({ lands: "warm-node", seconds: 8 + 20, withinNotice: true });
    for (const serverStartSeconds of [0, 1.5, 3601])
      expect(modelSpecProblems({ ...LLM, serverStartSeconds }, "staging")).toContainEqual({
        field: "serverStartSeconds",
        message: "must be a whole number of seconds from 1 to 3600",
      });
  });
});

describe("cold-start floor: spot replacements", () => {
  it("says a replacement on a new node waits for every phase, and is NOT within the notice once the counted part exceeds it", () => {
    const e = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { spot: true })),
      LLM,
      0,
    );
    expect(e.replacement).toMatchObject({ lands: "new-node", seconds: e.newNodeSeconds, withinNotice: false });
    expect(coldStartSummaryLines([e]).join("\n")).toContain(
      `spot replacement: on a new node, >= ${e.newNodeSeconds} s, NOT within the 120 s notice`,
    );
  });

  it("lands on a warm node whose placeholders pre-pulled its images: weights and server remain", () => {
    const warm = spec([MOUNTED], (p) => gpuPool(p, { spot: true, warmNodes: 1 }));
    const e = coldStartEstimate(warm, MOUNTED, 0);
    expect(e.replacement).toMatchObject({ lands: "warm-node", seconds: 26 + 39, withinNotice: true, notCounted: [] });
    // Downloaded weights (123 s at the gp3 default) miss the notice even on a warm node.
    const s = spec([LLM], (p) => gpuPool(p, { spot: true, warmNodes: 1 }));
    expect(coldStartEstimate(s, LLM, 0).replacement).toMatchObject({ seconds: 123 + 39, withinNotice: false });
    expect(headroomImages(s, s.capacity.pools[0])).toEqual(
      [imageRef(IMAGES.mlflow), imageRef(IMAGES.vllmOpenai)].sort(),
    );
    // A server start with no figure leaves the verdict unknown, however small the counted part.
    const triton = { ...TRITON_GPU_MODEL, weightsGiB: 1 };
    const t = coldStartEstimate(
      spec([triton], (p) => gpuPool(p, { spot: true, warmNodes: 1 })),
      triton,
      0,
    );
    expect(t.replacement.seconds).toBeLessThan(SPOT_INTERRUPTION_NOTICE.value);
    expect(t.replacement.withinNotice).toBeUndefined();
    expect(t.replacement.notCounted).toEqual(["the server phase"]);
  });

  it("says a Neuron replacement is NOT within the notice even on a warm node: the compile alone exceeds it", () => {
    const llama = { ...KSERVE_NEURON_MODEL, weightsGiB: 6 };
    const pools = (p: AcceleratorPoolSpec[]) =>
      p.map((x) => (x.kind === "neuron" ? { ...x, spot: true, warmNodes: 1 } : x));
    const e = coldStartEstimate(asProd(spec([llama], pools)), llama, 0);
    const weights = phase(e, "weights").seconds!;
    expect(e.replacement).toMatchObject({ lands: "warm-node", seconds: weights + 300, withinNotice: false });
    expect(e.replacement.seconds).toBeGreaterThan(SPOT_INTERRUPTION_NOTICE.value);
    expect(coldStartSummaryLines([e]).join("\n")).toContain(
      `spot replacement: on a warm node, >= ${weights + 300} s, NOT within the 120 s notice`,
    );
    const warning = e.warnings.find((w) => w.path === "serving.models[0]")!.message;
    expect(warning).toContain(`serves after at least ${weights + 300} s, beyond the 120 s interruption notice`);
    // Without a figure for the compile the verdict was unknown: the server phase now decides it.
    expect(warning).not.toContain("state the server's measured start");
  });

  it("decides from the phases on its way: false past the notice, true when all counted within it, else unknown", () => {
    const ph = (seconds?: number) => [
      { phase: "weights" as const, seconds: 50, basis: "w" },
      { phase: "server" as const, ...(seconds !== undefined ? { seconds } : {}), basis: "s" },
    ];
    expect(spotReplacement({ name: "m" }, ph(30), "gpu").withinNotice).toBe(true);
    expect(spotReplacement({ name: "m" }, ph(90), "gpu").withinNotice).toBe(false);
    expect(spotReplacement({ name: "m" }, ph(undefined), "gpu").withinNotice).toBeUndefined();
    expect(spotReplacement({ name: "m" }, ph(30), undefined).notCounted).toEqual([
      "the node phase",
      "the images phase",
    ]);
  });

  it("warns in prod only, saying Karpenter drains at the notice so the replica is gone for its whole cold start", () => {
    const staging = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { spot: true })),
      LLM,
      0,
    );
    expect(staging.replacement.withinNotice).toBe(false);
    expect(staging.warnings).toEqual([]);
    const prod = coldStartEstimate(asProd(spec([LLM], (p) => gpuPool(p, { spot: true }))), LLM, 0);
    const warning = prod.warnings.find((w) => w.path === "serving.models[0]")!.message;
    expect(warning).toMatch(/beyond the 120 s interruption notice; Karpenter drains the node when the notice arrives/);
    expect(warning).toContain(`takes a replica away for its whole cold start (at least ${prod.newNodeSeconds} s)`);
    expect(warning).toContain("not for the cold start less the notice");
    expect(warning).not.toContain(`${prod.newNodeSeconds - SPOT_INTERRUPTION_NOTICE.value} s`);
    // Under Cluster Autoscaler nothing acts on the notice: the replacement starts at its end.
    const s = asProd(spec([LLM], (p) => gpuPool(p, { spot: true })));
    const ca = coldStartEstimate({ ...s, capacity: { ...s.capacity, autoscaler: "cluster-autoscaler" } }, LLM, 0);
    expect(ca.warnings[0].message).toMatch(/nothing drains the node at the notice/);
    // An on-demand pool is not interrupted: no warning even in prod.
    const onDemand = coldStartEstimate(
      asProd(spec([LLM], (p) => gpuPool(p, { spot: false, onDemandFallback: false }))),
      LLM,
      0,
    );
    expect(onDemand.spot).toBe(false);
    expect(onDemand.warnings).toEqual([]);
    // Unknown is warned too, naming the phase with no figure.
    const triton = { ...TRITON_GPU_MODEL, weightsGiB: 1 };
    const t = coldStartEstimate(asProd(spec([triton], (p) => gpuPool(p, { spot: true, warmNodes: 1 }))), triton, 0);
    expect(t.warnings[0].message).toMatch(
      /the server phase has no figure .* whether it serves within the 120 s notice is unknown/,
    );
    expect(t.warnings[0].message).toContain(
      "state the server's measured start (serving.models[0].serverStartSeconds; the platform records it as " +
        "mlserving:server_start_seconds:max24h) to have it counted",
    );
  });

  it("names the pool's reservations, whose replicas spot does not interrupt", () => {
    const odcr = { tags: { team: "ml" }, type: "odcr" as const, instanceType: "g6.2xlarge", instances: 1 };
    const e = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { spot: true, reservations: [odcr] })),
      LLM,
      0,
    );
    expect(e.replacement.reserved).toBe(
      "1 × g6.2xlarge (odcr) of pool gpu's reservations, which spot does not interrupt: replicas there need no replacement",
    );
    expect(coldStartSummaryLines([e]).join("\n")).toContain("NOT within the 120 s notice; 1 × g6.2xlarge (odcr)");
    expect(coldStartEstimate(spec([LLM]), LLM, 0).replacement.reserved).toBeUndefined();
  });

  it("states the scale-out wait against the autoscaler's step without warning on it", () => {
    const e = coldStartEstimate(spec([MOUNTED]), MOUNTED, 0);
    expect(SCALE_UP_PERIOD_SECONDS).toBe(30);
    expect(e.scaleOut).toMatch(
      /^>= 311 s on a new node, >= 65 s on a warm one, while the autoscaler adds replicas every 30 s/,
    );
    expect(e.warnings).toEqual([]);
  });
});

describe("cold-start floor: what it assumes", () => {
  it("assumes the instance type the cost envelope prices the model on, not the fastest one it fits", () => {
    const neuron: ModelSpec = { ...KSERVE_NEURON_MODEL, resources: { neuronDevices: 1, cpu: "3", memory: "12Gi" } };
    const s = spec([neuron]);
    const priced = costEnvelope(s).models[0].instanceType;
    expect(priced).toBe("inf2.xlarge");
    expect(coldStartEstimate(s, neuron, 0).instanceType).toBe(priced);
  });

  it("knows the network and EBS bandwidth of every catalogued instance type", () => {
    expect(INSTANCE_TYPES.filter((t) => NETWORK_BANDWIDTH_MBPS[t.name] === undefined).map((t) => t.name)).toEqual([]);
    expect(INSTANCE_TYPES.filter((t) => EBS_BANDWIDTH_MBPS[t.name] === undefined).map((t) => t.name)).toEqual([]);
  });
});

describe("fast snapshot restore of image caches", () => {
  it("is priced per zone-hour where the table has a price, and listed unpriced elsewhere", () => {
    const pools = (p: AcceleratorPoolSpec[]) =>
      gpuPool(p, { imageCacheSnapshotId: "snap-0123456789abcdef0", imageCacheFastRestore: true });
    const east = { ...spec([LLM], pools), region: "us-east-1" };
    const gpu = costEnvelope(east).components.find((c) => c.name === "capacity:gpu")!;
    const line = gpu.lines.find((l) => l.item === "image-cache fast snapshot restore")!;
    // 3 zones x $0.75 per snapshot and zone per hour x 730 h.
    expect(line).toMatchObject({ floorUsd: 1642.5, ceilingUsd: 1642.5, priced: true });
    expect(costEnvelope(east).pools.find((p) => p.name === "gpu")!.fastRestore).toEqual({ zones: 3, usd: 1642.5 });
    const west = costEnvelope(spec([LLM], pools));
    expect(west.unpriced).toContain("EBS fast snapshot restore in us-west-2");
    expect(
      costEnvelope(spec([LLM]))
        .components.flatMap((c) => c.lines)
        .map((l) => l.item),
    ).not.toContain("image-cache fast snapshot restore");
  });

  it("is refused without the snapshot it restores, naming the key", () => {
    const [pool] = gpuPool(spec([LLM]).capacity.pools, { imageCacheFastRestore: true });
    expect(poolProblems(pool, "karpenter")).toContainEqual({
      path: "imageCacheFastRestore",
      message: expect.stringMatching(/set imageCacheSnapshotId too/),
    });
  });
});

describe("weightsGiB", () => {
  it("is refused at 0 and above the most device memory any catalogued type holds, naming the key", () => {
    expect(MAX_WEIGHTS_GIB).toBe(640); // p5.48xlarge: 8 x 80 GiB
    for (const weightsGiB of [0, -1, MAX_WEIGHTS_GIB + 1])
      expect(modelSpecProblems({ ...LLM, weightsGiB }, "staging")).toContainEqual({
        field: "weightsGiB",
        message: expect.stringMatching(/more than 0 and at most 640/),
      });
    expect(modelSpecProblems({ ...LLM, weightsGiB: 15 }, "staging")).toEqual([]);
  });

  it("reaches the spec from a stack file, and a bad value is reported under its config key", () => {
    const cfg = (weightsGiB: number) => ({
      environment: "staging",
      team: "ml-team",
      ...REACHABLE_API,
      serving: {
        models: [
          {
            name: "chat",
            server: "kserve",
            accelerator: "nvidia",
            runtime: "vllm",
            source: "models:/chat/3",
            weightsGiB,
            resources: { gpus: 1, cpu: "4", memory: "24Gi" },
          },
        ],
      },
    });
    expect(resolvePlatformSpec(cfg(15), "us-west-2", new Set()).serving.models[0].weightsGiB).toBe(15);
    expect(() => resolvePlatformSpec(cfg(0), "us-west-2", new Set())).toThrow(StackConfigError);
    expect(() => resolvePlatformSpec(cfg(0), "us-west-2", new Set())).toThrow(/serving\.models\[0\]\.weightsGiB/);
  });
});

describe("cold-start floor: LoRA adapters", () => {
  it("lists adapters under the weights phase as read at start at no stated size, leaving the counted floor as it was", () => {
    const adapted: ModelSpec = {
      ...LLM,
      mountWeights: true,
      adapters: [{ name: "billing", source: "models:/billing-lora/2", rank: 16 }],
    };
    const s = spec([adapted], (p) => gpuPool(p, { spot: true }));
    const plain = coldStartEstimate(
      spec([{ ...LLM, mountWeights: true }], (p) => gpuPool(p, { spot: true })),
      { ...LLM, mountWeights: true },
      0,
    );
    const e = coldStartEstimate(s, adapted, 0);
    expect(e.unknown).toContain(
      "weights: 1 LoRA adapter(s) (serving.models[0].adapters) read at start from their Mountpoint volumes: their sizes are not stated",
    );
    expect(e.newNodeSeconds).toBe(plain.newNodeSeconds);
    expect(e.replacement.withinNotice).toBe(false);
  });
});

describe("the spot warning's advice", () => {
  const late = (lands: "warm-node" | "new-node") => ({
    lands,
    seconds: 349,
    withinNotice: false,
    notCounted: [],
    basis: "b",
  });
  const neuron = { name: "assistant", runtime: "vllm-neuron" as const };
  it("offers warm nodes only where the replacement lands on a new node", () => {
    expect(spotReplacementWarning(neuron, "m", late("new-node"))!.message).toMatch(/hold warm nodes/);
    expect(spotReplacementWarning(neuron, "m", late("warm-node"))!.message).not.toMatch(/hold warm nodes/);
  });
  it("offers the kept compile where the runtime keeps one, the model lacks it and Karpenter runs the pool", () => {
    expect(spotReplacementWarning(neuron, "m", late("warm-node"))!.message).toMatch(
      /keep its compile across starts \(m\.compileCache, with mountWeights\)/,
    );
    expect(spotReplacementWarning({ ...neuron, compileCache: true }, "m", late("warm-node"))!.message).not.toMatch(
      /compileCache/,
    );
    expect(spotReplacementWarning(neuron, "m", late("warm-node"), "cluster-autoscaler")!.message).not.toMatch(
      /compileCache/,
    );
    expect(spotReplacementWarning({ name: "t", runtime: "triton" as const }, "m", late("warm-node"))!.message).toMatch(
      /Keep replicas\.min one above what the load needs, or serve it/,
    );
  });
});

describe("a measured start of a server that reads its weights in place", () => {
  it("holds the weights: the weights phase is 0 s within it, counted once, even where no rate is known", () => {
    const measured: ModelSpec = { ...MOUNTED, serverStartSeconds: 70 };
    const e = coldStartEstimate(spec([measured]), measured, 0);
    expect(phase(e, "weights")).toMatchObject({ seconds: 0, basis: expect.stringMatching(/serverStartSeconds/) });
    expect(phase(e, "server").seconds).toBe(70);
    expect(e.runningNodeSeconds).toBe(70);
    // Downloaded weights are not in the server's start: their phase still counts them.
    const downloaded: ModelSpec = { ...LLM, serverStartSeconds: 70 };
    expect(phase(coldStartEstimate(spec([downloaded]), downloaded, 0), "weights").seconds).toBeGreaterThan(0);
    // vLLM on Neuron memory-maps mounted weights at no published rate: a measured start still holds them.
    const neuron: ModelSpec = { ...KSERVE_NEURON_MODEL, mountWeights: true, weightsGiB: 6, serverStartSeconds: 90 };
    const n = coldStartEstimate(spec([neuron]), neuron, 0);
    expect(phase(n, "weights").seconds).toBe(0);
    expect(n.unknown.filter((u) => u.startsWith("weights"))).toEqual([]);
  });
});
