import { describe, expect, it } from "vitest";
import { REACHABLE_API } from "../fixtures/stack";
import { KSERVE_NEURON_MODEL, TRITON_GPU_MODEL } from "../fixtures/models";
import { costEnvelope } from "../../components/platform/cost";
import { INSTANCE_TYPES } from "../../components/common/instance-types";
import { EBS_BANDWIDTH_MBPS, NETWORK_BANDWIDTH_MBPS } from "../../components/common/instance-network";
import {
  ACCELERATOR_NODE_BOOT,
  coldStartEstimate,
  coldStartSummaryLines,
  imageVolumeLimit,
  GP3_DEFAULT_THROUGHPUT_MIBPS,
  IMAGE_DISK_GB,
  modelImages,
  NODE_BOOT,
  SCALE_UP_PERIOD_SECONDS,
  SPOT_INTERRUPTION_NOTICE,
} from "../../components/platform/cold-start";
import type { AcceleratorPoolSpec, PlatformSpec } from "../../components/platform/spec";
import { MAX_WEIGHTS_GIB, modelSpecProblems, type ModelSpec } from "../../components/serving";
import { IMAGES, imageRef } from "../../components/versions";
import { headroomImages } from "../../components/platform/headroom";
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
const gpuPool = (p: AcceleratorPoolSpec[], over: Partial<AcceleratorPoolSpec>) =>
  p.map((x) =>
    x.kind === "nvidia" ? { ...x, instanceTypes: ["g6.2xlarge", "g5.2xlarge", "g6e.2xlarge"], ...over } : x,
  );
const phase = (e: ReturnType<typeof coldStartEstimate>, name: string) => e.phases.find((p) => p.phase === name);
const gp3BytesPerSecond = GP3_DEFAULT_THROUGHPUT_MIBPS.value * 2 ** 20;

describe("cold-start floor per model", () => {
  it("adds node boot, image pull and weight download, each bounded by the root volume's gp3 throughput", () => {
    const s = spec([LLM], (p) => gpuPool(p, { spot: true }));
    const e = coldStartEstimate(s, LLM, 0);
    expect(phase(e, "node")!.seconds).toBe(ACCELERATOR_NODE_BOOT.value);
    // vLLM's image (the MLflow fetcher's size is unpublished and left out) over 125 MiB/s: 218 s.
    const vllmBytes = IMAGE_DISK_GB[imageRef(IMAGES.vllmOpenai)].value * 1e9;
    expect(phase(e, "images")!.seconds).toBe(Math.round(vllmBytes / gp3BytesPerSecond));
    expect(phase(e, "images")!.seconds).toBe(218);
    // 15 GiB at 125 MiB/s: 123 s, on a new node and on a running one alike.
    expect(phase(e, "weights")!.seconds).toBe(123);
    expect(e.runningNodeSeconds).toBe(123);
    expect(e.newNodeSeconds).toBe(90 + 218 + 123);
    expect(e.unknown).toContain(`size of image ${imageRef(IMAGES.mlflow)}`);
    // Every GPU type here has a faster network than the volume (5000 Mbit/s each); the figures
    // name the fastest type, the pool's first on a tie.
    expect(e.instanceType).toBe("g6.2xlarge");
  });

  it("reads mounted weights in place at the network's rate, and pulls no fetcher image", () => {
    const mounted = { ...LLM, mountWeights: true };
    const s = spec([mounted], (p) => gpuPool(p, { spot: true }));
    const e = coldStartEstimate(s, mounted, 0);
    // 15 GiB over g6.2xlarge's 5000 Mbit/s baseline (625 MB/s): 26 s instead of 123 s through gp3.
    const netBytesPerSecond = (NETWORK_BANDWIDTH_MBPS["g6.2xlarge"] * 1e6) / 8;
    expect(netBytesPerSecond).toBeGreaterThan(gp3BytesPerSecond);
    expect(phase(e, "weights")!.seconds).toBe(Math.round((15 * 2 ** 30) / netBytesPerSecond));
    expect(phase(e, "weights")!.seconds).toBe(26);
    expect(phase(e, "weights")!.basis).toMatch(
      /read in place from S3 through Mountpoint .*5000 Mbit\/s baseline network: vLLM --safetensors-load-strategy eager/,
    );
    expect(e.runningNodeSeconds).toBe(26);
    expect(modelImages(mounted)).toEqual([imageRef(IMAGES.vllmOpenai)]);
    expect(e.unknown).not.toContain(`size of image ${imageRef(IMAGES.mlflow)}`);
    expect(e.newNodeSeconds).toBe(90 + 218 + 26);
    expect(e.unknown.join()).not.toMatch(/LoRA/);
  });

  it("lists LoRA adapters as read at start at no stated size, leaving the floor as it was", () => {
    const adapted: ModelSpec = {
      ...LLM,
      mountWeights: true,
      adapters: [{ name: "billing", source: "models:/billing-lora/2", rank: 16 }],
    };
    const s = spec([adapted], (p) => gpuPool(p, { spot: true }));
    const e = coldStartEstimate(s, adapted, 0);
    expect(e.unknown).toContain(
      "1 LoRA adapter(s) (serving.models[0].adapters) read at start from their Mountpoint volumes: their sizes are not stated",
    );
    expect(e.newNodeSeconds).toBe(90 + 218 + 26);
  });

  it("leaves mounted weights unknown for a server that memory-maps them (issue 22, item 5)", () => {
    // vLLM on Neuron loads through its own loader, which takes no load option: no network-rate claim.
    const neuron: ModelSpec = { ...KSERVE_NEURON_MODEL, weightsGiB: 15, mountWeights: true, pinnedVersion: undefined };
    const e = coldStartEstimate(spec([neuron]), neuron, 0);
    expect(phase(e, "weights")).toBeUndefined();
    expect(e.unknown).toContainEqual(expect.stringMatching(/^weights: vLLM on AWS Neuron memory-maps the files/));
    expect(e.runningNodeSeconds).toBeUndefined();
    // Downloaded, the same weights are counted at the volume's rate.
    const downloaded = coldStartEstimate(
      spec([{ ...neuron, mountWeights: false }]),
      { ...neuron, mountWeights: false },
      0,
    );
    expect(phase(downloaded, "weights")!.basis).toMatch(/downloaded at/);
  });

  it("is bounded by the network where the instance type's baseline bandwidth is below the volume's throughput", () => {
    // A CPU model runs on the system nodes: m7i.large and m6i.large, 781 Mbit/s baseline (97.6 MB/s).
    const cpu: ModelSpec = {
      ...TRITON_GPU_MODEL,
      accelerator: "cpu",
      resources: { cpu: "1", memory: "2Gi" },
      weightsGiB: 1,
    };
    const s = spec([cpu]);
    const e = coldStartEstimate(s, cpu, 0);
    const netBytesPerSecond = (NETWORK_BANDWIDTH_MBPS["m7i.large"] * 1e6) / 8;
    expect(netBytesPerSecond).toBeLessThan(gp3BytesPerSecond);
    expect(phase(e, "weights")!.seconds).toBe(Math.round(2 ** 30 / netBytesPerSecond));
    expect(phase(e, "weights")!.basis).toMatch(/781 Mbit\/s baseline network/);
    expect(phase(e, "node")!.seconds).toBe(NODE_BOOT.value);
    expect(e.spot).toBe(false);
  });

  it("assumes the instance type the cost envelope prices the model on, not the fastest one it fits", () => {
    // One Neuron device: inf2.xlarge, inf2.8xlarge and inf2.24xlarge all fit; inf2.xlarge is the cheapest
    // (priced there), inf2.24xlarge has the fastest network.
    const neuron: ModelSpec = { ...KSERVE_NEURON_MODEL, resources: { neuronDevices: 1, cpu: "3", memory: "12Gi" } };
    const s = spec([neuron]);
    const priced = costEnvelope(s).models[0].instanceType;
    expect(priced).toBe("inf2.xlarge");
    expect(coldStartEstimate(s, neuron, 0).instanceType).toBe(priced);
  });

  it("leaves out what no source sizes, and says so, rather than guess", () => {
    const unsized: ModelSpec = { ...LLM, weightsGiB: undefined };
    const e = coldStartEstimate(spec([unsized]), unsized, 0);
    expect(phase(e, "weights")).toBeUndefined();
    expect(e.runningNodeSeconds).toBeUndefined();
    expect(e.unknown).toContain("weights (set serving.models[0].weightsGiB)");
    expect(coldStartSummaryLines([e]).join("\n")).toMatch(/running node unknown/);
    // No size is published for the Neuron DLC: no image phase of 0 s, the image listed instead.
    const neuron: ModelSpec = {
      ...unsized,
      name: "assistant",
      accelerator: "neuron",
      runtime: "vllm-neuron",
      autoscaling: { metric: "in-flight", target: 6 },
      resources: { neuronDevices: 1, cpu: "4", memory: "16Gi" },
      llm: undefined,
    };
    const n = coldStartEstimate(spec([neuron]), neuron, 0);
    expect(n.phases.map((p) => p.phase)).toEqual(["node"]);
    expect(n.unknown).toContain(`size of image ${imageRef(IMAGES.vllmNeuron)}`);
  });

  it("counts no image pull on a pool whose nodes start from an image-cache snapshot", () => {
    const s = spec([LLM], (p) => gpuPool(p, { imageCacheSnapshotId: "snap-0123456789abcdef0" }));
    const e = coldStartEstimate(s, LLM, 0);
    expect(phase(e, "images")!.seconds).toBe(0);
    expect(e.newNodeSeconds).toBe(90 + 123);
  });

  it("warns on spot when a replacement cannot serve within the two-minute notice, and not on an on-demand pool", () => {
    const onSpot = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { spot: true })),
      LLM,
      0,
    );
    expect(onSpot.spot).toBe(true);
    expect(onSpot.newNodeSeconds).toBeGreaterThan(SPOT_INTERRUPTION_NOTICE.value);
    expect(onSpot.warnings).toContainEqual({
      path: "serving.models[0]",
      message: expect.stringMatching(/runs on spot: .* at least 431 s, beyond the 120 s interruption notice/),
    });
    const onDemand = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { spot: false, onDemandFallback: false })),
      LLM,
      0,
    );
    expect(onDemand.spot).toBe(false);
    expect(onDemand.warnings.map((w) => w.message).join("\n")).not.toMatch(/spot/);
  });

  it("says a spot interruption takes the replica away for the whole cold start: Karpenter drains at the notice", () => {
    const e = coldStartEstimate(
      spec([LLM], (p) => gpuPool(p, { spot: true })),
      LLM,
      0,
    );
    expect(e.replacement).toMatchObject({ lands: "new-node", seconds: e.newNodeSeconds, withinNotice: false });
    const warning = e.warnings.find((w) => w.path === "serving.models[0]")!.message;
    expect(warning).toContain(`takes a replica away for the whole ${e.newNodeSeconds} s`);
    expect(warning).not.toContain(`${e.newNodeSeconds - SPOT_INTERRUPTION_NOTICE.value} s`);
    expect(coldStartSummaryLines([e]).join("\n")).toContain(
      `spot replacement: on a new node, >= ${e.newNodeSeconds} s, NOT within the 120 s notice`,
    );
  });

  it("lands a replacement on a warm node whose placeholders pre-pulled its images: only the weights remain", () => {
    // Weights read in place through Mountpoint: bounded by the network, well inside the notice.
    const mounted = { ...LLM, mountWeights: true };
    const warm = spec([mounted], (p) => gpuPool(p, { spot: true, warmNodes: 1 }));
    const e = coldStartEstimate(warm, mounted, 0);
    expect(e.runningNodeSeconds).toBe(phase(e, "weights")!.seconds);
    expect(e.replacement).toMatchObject({ lands: "warm-node", seconds: e.runningNodeSeconds, withinNotice: true });
    expect(e.warnings.map((w) => w.message).join("\n")).not.toMatch(/runs on spot/);
    // Downloaded weights (15 GiB at the gp3 default 125 MiB/s = 123 s) miss the notice even on a warm node.
    const s = spec([LLM], (p) => gpuPool(p, { spot: true, warmNodes: 1 }));
    const downloaded = coldStartEstimate(s, LLM, 0);
    expect(downloaded.replacement).toMatchObject({ lands: "warm-node", seconds: 123, withinNotice: false });
    // The placeholders pull every image a replica of the pool pulls: the server and the MLflow fetcher.
    expect(headroomImages(s, s.capacity.pools[0])).toEqual(
      [imageRef(IMAGES.mlflow), imageRef(IMAGES.vllmOpenai)].sort(),
    );
    // Without weightsGiB the warm node's figure is unknown, and the plan says so rather than claim the notice.
    const noWeights: ModelSpec = { ...LLM };
    delete noWeights.weightsGiB;
    const unknown = coldStartEstimate(
      spec([noWeights], (p) => gpuPool(p, { spot: true, warmNodes: 1 })),
      noWeights,
      0,
    );
    expect(unknown.replacement).toMatchObject({ lands: "warm-node" });
    expect(unknown.replacement.withinNotice).toBeUndefined();
    expect(unknown.warnings.map((w) => w.message).join("\n")).toMatch(
      /whether it serves within the 120 s notice is unknown/,
    );
  });

  it("pulls at the pool's provisioned gp3 throughput, and past the volume when images sit on instance store", () => {
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
    expect(phase(fast, "images")!.seconds).toBeLessThan(phase(plain, "images")!.seconds);
    expect(phase(fast, "images")!.basis).toMatch(/volumeThroughputMiBps|network|EBS/);
    expect(imageVolumeLimit({ volumeThroughputMiBps: 500 }, "g6.2xlarge")[0].bytesPerS).toBe(500 * 2 ** 20);
    // g6.2xlarge carries NVMe: with instanceStore the volume no longer bounds the floor; inf2 has none.
    expect(imageVolumeLimit({ instanceStore: true }, "g6.2xlarge")).toEqual([]);
    expect(imageVolumeLimit({ instanceStore: true }, "inf2.xlarge")[0].bytesPerS).toBe(gp3BytesPerSecond);
  });

  it("warns when a new replica takes longer than the autoscaler's scale-up step", () => {
    const e = coldStartEstimate(spec([LLM]), LLM, 0);
    expect(SCALE_UP_PERIOD_SECONDS).toBe(30);
    expect(e.warnings).toContainEqual({
      path: "serving.models[0].replicas",
      message: expect.stringMatching(/at least 431 s, while the autoscaler adds replicas every 30 s/),
    });
  });

  it("pulls the server's image and the kit's fetcher, for models:/ and s3:// alike; no fetcher for mounted weights", () => {
    expect(modelImages(LLM)).toEqual([imageRef(IMAGES.vllmOpenai), imageRef(IMAGES.mlflow)]);
    // KServe's default storage initializer no longer runs (serving/kserve-builders.ts s3StorageContainer).
    const fromS3: ModelSpec = { ...LLM, source: "s3://bucket/chat" };
    expect(modelImages(fromS3)).toEqual([imageRef(IMAGES.vllmOpenai), imageRef(IMAGES.mlflow)]);
    expect(modelImages(TRITON_GPU_MODEL)).toEqual([imageRef(IMAGES.tritonServer), imageRef(IMAGES.mlflow)]);
    expect(modelImages({ ...LLM, mountWeights: true })).toEqual([imageRef(IMAGES.vllmOpenai)]);
  });

  it("knows the network and EBS bandwidth of every catalogued instance type", () => {
    expect(INSTANCE_TYPES.filter((t) => NETWORK_BANDWIDTH_MBPS[t.name] === undefined).map((t) => t.name)).toEqual([]);
    expect(INSTANCE_TYPES.filter((t) => EBS_BANDWIDTH_MBPS[t.name] === undefined).map((t) => t.name)).toEqual([]);
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
