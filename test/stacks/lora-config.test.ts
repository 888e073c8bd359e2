import { describe, expect, it } from "vitest";
import { REACHABLE_API } from "../fixtures/stack";
import { CONFIG_NAMESPACE, ConfigProblem, resolvePlatformSpec, StackConfigError } from "../../stacks/config";

const GPU_POOL = {
  name: "gpu",
  kind: "nvidia",
  instanceTypes: ["g6.xlarge", "g6.2xlarge", "g5.xlarge"],
  maxNodes: 4,
  maxDevices: 4,
};

const llm = (extra: Record<string, unknown> = {}) => ({
  name: "chat",
  server: "kserve",
  accelerator: "nvidia",
  runtime: "vllm",
  source: "models:/chat/3",
  replicas: { min: 1, max: 1 },
  resources: { gpus: 1, cpu: "4", memory: "24Gi" },
  ...extra,
});

const raw = (models: Record<string, unknown>[], pools: Record<string, unknown>[] = [GPU_POOL]) => ({
  environment: "staging",
  team: "ml-platform",
  ...REACHABLE_API,
  capacity: { pools },
  serving: { models },
});

function problemsOf(r: Record<string, unknown>): ConfigProblem[] {
  try {
    resolvePlatformSpec(r, "us-west-2");
  } catch (e) {
    if (e instanceof StackConfigError) return e.problems;
    throw e;
  }
  return [];
}

const at = (path: string) => `${CONFIG_NAMESPACE}:serving.models${path}`;
const billing = { name: "billing", source: "models:/billing-lora/2", rank: 16 };

describe("serving.models[].adapters in a stack file", () => {
  it("resolves adapters onto the model", () => {
    const spec = resolvePlatformSpec(raw([llm({ adapters: [billing] })]), "us-west-2");
    expect(spec.serving.models[0].adapters).toEqual([billing]);
  });

  it("names each bad key, before anything is registered", () => {
    const problems = problemsOf(
      raw([
        llm({
          adapters: [
            { name: "billing", source: "models:/billing-lora@production", rank: 16 },
            { name: "billing", source: "s3://adapters-bucket/legal", rank: 600 },
          ],
        }),
      ]),
    );
    expect(problems).toEqual([
      { path: at("[0].adapters[0].source"), message: expect.stringContaining("alias @production") },
      { path: at("[0].adapters[1].name"), message: "billing is also adapters[0]'s name" },
      { path: at("[0].adapters[1].rank"), message: expect.stringContaining("from 1 to 512") },
    ]);
  });

  it("requires the rank, with the schema's message", () => {
    const problems = problemsOf(raw([llm({ adapters: [{ name: "billing", source: "s3://adapters-bucket/b" }] })]));
    expect(problems).toContainEqual({ path: at("[0].adapters[0].rank"), message: "is required" });
  });

  it("refuses adapters on Neuron by the key", () => {
    const neuron = {
      name: "chat",
      server: "kserve",
      accelerator: "neuron",
      source: "models:/chat/3",
      adapters: [billing],
    };
    const pools = [
      {
        name: "inf",
        kind: "neuron",
        instanceTypes: ["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge"],
        maxNodes: 2,
        maxDevices: 8,
      },
    ];
    const problems = problemsOf(raw([neuron], pools));
    expect(problems).toEqual([
      { path: at("[0].adapters"), message: expect.stringContaining("vLLM on AWS Neuron serves no LoRA adapters") },
    ]);
  });

  it("refuses an adapter named like another model or another model's adapter", () => {
    const problems = problemsOf(
      raw([
        llm({ adapters: [billing, { name: "support", source: "s3://adapters-bucket/s", rank: 8 }] }),
        llm({ name: "support", source: "models:/support/1" }),
        llm({ name: "other", source: "models:/other/1", adapters: [{ ...billing, source: "models:/billing-lora/3" }] }),
      ]),
    );
    expect(problems.map((p) => p.path)).toEqual([at("[0].adapters[1].name"), at("[2].adapters[0].name")]);
  });

  it("bounds the list before anything else is checked", () => {
    const many = Array.from({ length: 17 }, (_, i) => ({
      name: `a${i}`,
      source: `s3://adapters-bucket/a${i}`,
      rank: 8,
    }));
    const problems = problemsOf(raw([llm({ adapters: many })]));
    expect(problems).toEqual([{ path: at("[0].adapters"), message: expect.stringContaining("at most 16") }]);
  });

  it("counts the adapters' GPU slots in the KV fit: a context that fits without them is refused with them", () => {
    // One L4 or A10G: 90% of its memory less 15 GiB of weights leaves 5.1 GiB (41913 tokens); 16 rank-64 slots take 5.
    const base = { weightsGiB: 15, llm: { maxModelLen: 40000 } };
    expect(problemsOf(raw([llm(base)]))).toEqual([]);
    const many = Array.from({ length: 16 }, (_, i) => ({
      name: `a${i}`,
      source: `s3://adapters-bucket/a${i}`,
      rank: 64,
    }));
    expect(problemsOf(raw([llm({ ...base, adapters: many })]))).toEqual([
      { path: at("[0].llm.maxModelLen"), message: expect.stringContaining("5 GiB of LoRA slots") },
    ]);
  });
});
