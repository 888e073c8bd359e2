import { describe, expect, it } from "vitest";
import { REACHABLE_API } from "../fixtures/stack";
import { daemonSetOverhead, parseCpuMillis, parseMemoryMiB } from "../../components/capacity/node-overhead";
import { instanceType } from "../../components/common/instance-types";
import {
  capacityFindings,
  capacityFitProblems,
  replicaBounds,
  replicasPerNode,
} from "../../components/platform/capacity-checks";
import type { AcceleratorPoolSpec, PlatformSpec } from "../../components/platform/spec";
import type { ModelSpec } from "../../components/serving";
import { resolvePlatformSpec, StackConfigError } from "../../stacks/config";
import { KSERVE_NEURON_MODEL, TRITON_GPU_MODEL } from "../fixtures/models";

/** A valid spec of an environment with its default pools, then the models and pools a test sets. */
function spec(
  env: "dev" | "staging" | "prod",
  models: ModelSpec[],
  pools?: (p: AcceleratorPoolSpec[]) => AcceleratorPoolSpec[],
  extra: Partial<PlatformSpec> = {},
): PlatformSpec {
  const base = resolvePlatformSpec(
    {
      environment: env,
      team: "ml-team",
      ...REACHABLE_API,
      ...(env === "prod" ? { alertWebhookUrl: "https://hooks.example.com/x" } : {}),
    },
    "us-west-2",
    new Set(["mlserving:alertWebhookUrl"]),
  );
  return {
    ...base,
    ...extra,
    capacity: { ...base.capacity, pools: pools ? pools(base.capacity.pools) : base.capacity.pools },
    serving: { ...base.serving, models },
  };
}

const gpu = (
  over: Omit<Partial<ModelSpec>, "resources"> & { resources?: Partial<ModelSpec["resources"]> },
): ModelSpec => ({
  ...TRITON_GPU_MODEL,
  ...over,
  resources: { ...TRITON_GPU_MODEL.resources, cpu: "3", memory: "12Gi", ...over.resources },
});
const levels = (s: PlatformSpec, level: string) => capacityFindings(s).filter((f) => f.level === level);

describe("a model's replica must fit an instance type of its pool", () => {
  it("refuses 8 GPUs in a pool of 1-GPU types, naming the model and the key path", () => {
    const problems = capacityFitProblems(spec("dev", [gpu({ resources: { gpus: 8 } })]));
    expect(problems).toEqual([
      {
        path: "serving.models[0].resources.gpus",
        message: expect.stringMatching(/model resnet asks 8 GPUs per replica; the largest instance type .* has 1/),
      },
    ]);
  });

  it("accepts the same model when the pool lists an 8-GPU type", () => {
    const s = spec("dev", [gpu({ resources: { gpus: 8 } })], (pools) =>
      pools.map((p) => (p.kind === "nvidia" ? { ...p, instanceTypes: [...p.instanceTypes, "g6.48xlarge"] } : p)),
    );
    expect(capacityFitProblems(s)).toEqual([]);
  });

  it("counts the DaemonSets' share: 3.9 CPUs do not fit a 4-vCPU node, 3.7 do", () => {
    const tooMuch = capacityFitProblems(spec("dev", [gpu({ resources: { cpu: "3900m" } })]));
    expect(tooMuch.map((p) => p.path)).toEqual(["serving.models[0].resources.cpu"]);
    expect(tooMuch[0].message).toMatch(/DaemonSets' 135m.*3\.785/);
    expect(capacityFitProblems(spec("dev", [gpu({ resources: { cpu: "3700m" } })]))).toEqual([]);
  });

  it("refuses memory no type with room for the CPU offers", () => {
    const problems = capacityFitProblems(spec("dev", [gpu({ resources: { memory: "40Gi" } })]));
    expect(problems.map((p) => p.path)).toEqual(["serving.models[0].resources.memory"]);
  });

  it("checks Neuron models against the Neuron pool with neuron-monitor's share", () => {
    const ok = { ...KSERVE_NEURON_MODEL, resources: { neuronDevices: 1, cpu: "3", memory: "12Gi" } };
    expect(capacityFitProblems(spec("staging", [ok]))).toEqual([]);
    const tooMany = { ...ok, resources: { ...ok.resources, neuronDevices: 16 } };
    expect(capacityFitProblems(spec("staging", [tooMany]))).toEqual([
      {
        path: "serving.models[0].resources.neuronDevices",
        message: expect.stringMatching(/asks 16 Neuron devices.* has 6/),
      },
    ]);
    expect(daemonSetOverhead("neuron").cpuMillis).toBe(daemonSetOverhead("nvidia").cpuMillis + 256);
  });

  it("checks CPU models against the system node types", () => {
    const cpuModel: ModelSpec = { ...gpu({}), accelerator: "cpu", resources: { cpu: "16", memory: "8Gi" } };
    expect(capacityFitProblems(spec("dev", [cpuModel])).map((p) => p.path)).toEqual([
      "serving.models[0].resources.cpu",
    ]);
    expect(capacityFitProblems(spec("dev", [{ ...cpuModel, resources: { cpu: "1", memory: "4Gi" } }]))).toEqual([]);
  });

  it("with GPU time-slicing, packs one-GPU replicas by shares and refuses multi-GPU replicas, naming the key", () => {
    const sliced = (s: PlatformSpec) => ({ ...s, capacity: { ...s.capacity, gpuTimeSlicingReplicas: 4 } });
    const one = { ...gpu({}), resources: { gpus: 1, cpu: "500m", memory: "2Gi" } };
    const g6 = instanceType("g6.xlarge")!;
    expect(
      replicasPerNode(g6, { cpuMillis: 500, memoryMiB: 2048, devices: 1, node: "nvidia" }, sliced(spec("dev", []))),
    ).toBe(4);
    expect(capacityFitProblems(sliced(spec("dev", [one])))).toEqual([]);
    // Two shares may be the same physical GPU: tensor parallel over them is meaningless.
    const s = spec("dev", [gpu({ resources: { gpus: 2 } })]);
    expect(capacityFitProblems(sliced(s))).toEqual([
      {
        path: "serving.models[0].resources.gpus",
        message: expect.stringMatching(/asks 2 GPUs .*capacity\.gpuTimeSlicingReplicas: 4 .*Ask for 1 GPU/),
      },
    ]);
    // vLLM takes 90% of the whole GPU per replica: a second replica on a shared GPU cannot start.
    const llm: ModelSpec = {
      ...gpu({ server: "kserve" }),
      runtime: "vllm",
      resources: { gpus: 1, cpu: "3", memory: "12Gi" },
    };
    expect(capacityFitProblems(spec("dev", [llm]))).toEqual([]);
    expect(capacityFitProblems(sliced(spec("dev", [llm])))).toEqual([
      {
        path: "serving.models[0].runtime",
        message: expect.stringMatching(/runs vLLM, which takes 90% .*Remove capacity\.gpuTimeSlicingReplicas/),
      },
    ]);
  });

  it("is refused by the config with the full key path (exit 2 in the plan)", () => {
    const raw = {
      environment: "dev",
      team: "ml-team",
      ...REACHABLE_API,
      serving: { models: [{ ...gpu({}), resources: { gpus: 8, cpu: "3", memory: "12Gi" } }] },
    };
    try {
      resolvePlatformSpec(raw, "us-west-2");
      expect.unreachable("accepted");
    } catch (e) {
      expect(e).toBeInstanceOf(StackConfigError);
      expect((e as StackConfigError).problems).toEqual([
        {
          path: "mlserving:serving.models[0].resources.gpus",
          message: expect.stringContaining("model resnet asks 8 GPUs"),
        },
      ]);
    }
  });
});

describe("pool limits must cover every model at its maximum, canaries included", () => {
  const canaried = (max: number): ModelSpec => ({
    ...gpu({ server: "kserve" }),
    replicas: { min: 1, max },
    canary: { source: "models:/resnet/4", trafficPercent: 10 },
  });

  it("warns when a NodePool's device limit is below the stable maximum plus the canary's", () => {
    // staging's GPU NodePool allows 4 GPUs; 4 stable replicas and a 10% canary's 1 need 5.
    expect(levels(spec("staging", [canaried(4)]), "warning")).toEqual([
      {
        level: "warning",
        path: "capacity.pools[0].maxDevices",
        message: expect.stringMatching(/need 5 devices .*limits allow 4/),
      },
    ]);
  });

  it("is quiet when the limit covers them", () => {
    expect(levels(spec("staging", [canaried(3)]), "warning")).toEqual([]);
  });

  it("counts a time-sliced NodePool's limit in shares, as its NodePool and NodeOverlays do", () => {
    const s = spec("staging", [canaried(3)]);
    // 4 GPUs x 2 shares = 8 >= 6.
    expect(levels({ ...s, capacity: { ...s.capacity, gpuTimeSlicingReplicas: 2 } }, "warning")).toEqual([]);
  });

  it("counts nodes for node groups (Cluster Autoscaler)", () => {
    // dev's GPU node group grows to 2 nodes of 1 GPU; 3 replicas need 3.
    const s = spec("dev", [gpu({ replicas: { min: 0, max: 3 } })]);
    expect(levels(s, "warning").map((f) => f.path)).toEqual(["capacity.pools[0].maxNodes"]);
    expect(levels(spec("dev", [gpu({ replicas: { min: 0, max: 2 } })]), "warning")).toEqual([]);
  });

  it("adds a canary track sized from its share of traffic, not a second copy of the stable track", () => {
    expect(replicaBounds(canaried(3))).toEqual({ min: 2, max: 4 });
    expect(replicaBounds({ ...canaried(8), replicas: { min: 2, max: 8 } })).toEqual({ min: 4, max: 10 });
    expect(replicaBounds(gpu({}))).toEqual({ min: 1, max: 4 });
  });
});

describe("advisories: losing the largest spot type or one availability zone", () => {
  const bigOnly = gpu({ resources: { cpu: "6", memory: "24Gi" } }); // fits only 2xlarge sizes

  it("advises when a model fits only the largest type of a spot-only pool", () => {
    const s = spec("dev", [bigOnly], (pools) =>
      pools.map((p) =>
        p.kind === "nvidia"
          ? { ...p, instanceTypes: ["g6.xlarge", "g5.xlarge", "g6.2xlarge"], onDemandFallback: false }
          : p,
      ),
    );
    expect(levels(s, "advisory").filter((f) => f.path.startsWith("serving"))).toEqual([
      {
        level: "advisory",
        path: "serving.models[0]",
        message: expect.stringMatching(/fits only g6\.2xlarge in pool gpu/),
      },
    ]);
  });

  it("does not when the pool falls back to on-demand, or another type fits", () => {
    const withFallback = spec("dev", [bigOnly], (pools) =>
      pools.map((p) =>
        p.kind === "nvidia"
          ? { ...p, instanceTypes: ["g6.xlarge", "g5.xlarge", "g6.2xlarge"], onDemandFallback: true }
          : p,
      ),
    );
    expect(levels(withFallback, "advisory").filter((f) => f.path.startsWith("serving"))).toEqual([]);
    const twoFit = spec("dev", [bigOnly], (pools) =>
      pools.map((p) => (p.kind === "nvidia" ? { ...p, instanceTypes: ["g6.xlarge", "g5.2xlarge", "g6.2xlarge"] } : p)),
    );
    expect(levels(twoFit, "advisory").filter((f) => f.path.startsWith("serving"))).toEqual([]);
  });

  it("does not call an on-demand pool (spot: false) spot-only: nothing is reclaimed there", () => {
    // dev's Inferentia pool: inf2.xlarge alone, on-demand, no fallback.
    const neuron: ModelSpec = { ...KSERVE_NEURON_MODEL, resources: { neuronDevices: 1, cpu: "3", memory: "12Gi" } };
    const onDemand = spec("dev", [neuron]);
    expect(onDemand.capacity.pools.find((p) => p.kind === "neuron")).toMatchObject({
      spot: false,
      onDemandFallback: false,
    });
    expect(levels(onDemand, "advisory").filter((f) => f.path.startsWith("serving"))).toEqual([]);
  });

  it("advises that a single NAT gateway's zone takes image pulls down with it", () => {
    const single = spec("dev", [gpu({})]);
    expect(levels(single, "advisory").map((f) => f.path)).toEqual(["network.natGateways"]);
    const perAz = spec("dev", [gpu({})], undefined, { network: { ...single.network, natGateways: "onePerAz" } });
    expect(levels(perAz, "advisory")).toEqual([]);
    expect(levels(spec("dev", [gpu({ replicas: { min: 0, max: 2 } })]), "advisory")).toEqual([]);
  });
});

describe("quantities and packing", () => {
  it("parses Kubernetes CPU and memory quantities", () => {
    expect(parseCpuMillis("4")).toBe(4000);
    expect(parseCpuMillis("500m")).toBe(500);
    expect(parseCpuMillis("1.5")).toBe(1500);
    expect(parseMemoryMiB("16Gi")).toBe(16384);
    expect(parseMemoryMiB("512Mi")).toBe(512);
    expect(() => parseCpuMillis("four")).toThrow(/CPU quantity/);
    expect(() => parseMemoryMiB("16GB")).toThrow(/memory quantity/);
  });

  it("packs replicas a node by the scarcest of CPU, memory and devices", () => {
    const s = spec("dev", []);
    const r = { cpuMillis: 3000, memoryMiB: 12288, devices: 1, node: "nvidia" as const };
    expect(replicasPerNode(instanceType("g6.xlarge")!, r, s)).toBe(1);
    expect(replicasPerNode(instanceType("g6.12xlarge")!, r, s)).toBe(4); // 4 GPUs
    expect(replicasPerNode(instanceType("g6.12xlarge")!, { ...r, devices: 0, node: "system" }, s)).toBe(14); // memory
    expect(replicasPerNode(instanceType("m7i.large")!, r, s)).toBe(0);
  });
});
