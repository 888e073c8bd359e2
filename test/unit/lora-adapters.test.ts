import { describe, expect, it } from "vitest";
import {
  adapterNameClashes,
  ASSUMED_LORA_BYTES_PER_RANK,
  inferenceService,
  loraArgs,
  loraSlotsGiB,
  maxLoraRank,
  MODEL_RUNTIMES,
  modelSpecProblems,
  VLLM_MAX_LORA_RANKS,
  weightsObjectNames,
  weightsLocation,
  withModelDefaults,
} from "../../components/serving";
import type { LoraAdapterSpec, ModelInput } from "../../components/serving";
import { defaultLlmLimits } from "../../components/serving/llm-limits";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const billing: LoraAdapterSpec = { name: "billing", source: "models:/billing-lora/2", rank: 16 };
const legal: LoraAdapterSpec = { name: "legal", source: "s3://adapters-bucket/legal/v1", rank: 48 };

const chat = (extra: Partial<ModelInput> = {}) =>
  withModelDefaults(
    {
      name: "chat",
      server: "kserve",
      accelerator: "nvidia",
      runtime: "vllm",
      source: "models:/chat/3",
      adapters: [billing, legal],
      ...extra,
    },
    "staging",
    { deviceMemoryGiB: { nvidia: 24 } },
  );

const fields = (extra: Partial<ModelInput> = {}) => modelSpecProblems(chat(extra), "staging");

describe("vLLM's LoRA arguments (vllm v0.16.0 cli_args.py, config/lora.py)", () => {
  it("enables LoRA, sizes the slots from the adapter count and the rank from the largest, one --lora-modules for all", () => {
    const args = loraArgs([billing, legal]);
    expect(args).toEqual([
      "--enable-lora",
      "--max-loras",
      "2",
      "--max-cpu-loras",
      "2",
      "--max-lora-rank",
      "64",
      "--lora-modules",
      "billing=/mnt/adapters/billing",
      "legal=/mnt/adapters/legal",
    ]);
    // A second --lora-modules would replace the first list (LoRAParserAction sets the attribute).
    expect(args.filter((a) => a === "--lora-modules")).toHaveLength(1);
    expect(loraArgs([])).toEqual([]);
  });

  it("rounds the rank up to a value vLLM accepts", () => {
    expect(VLLM_MAX_LORA_RANKS).toEqual([1, 8, 16, 32, 64, 128, 256, 320, 512]);
    expect(maxLoraRank([{ rank: 1 }])).toBe(1);
    expect(maxLoraRank([{ rank: 4 }])).toBe(8);
    expect(maxLoraRank([{ rank: 16 }, { rank: 8 }])).toBe(16);
    expect(maxLoraRank([{ rank: 300 }])).toBe(320);
    expect(maxLoraRank([{ rank: 512 }])).toBe(512);
  });

  it("are the vLLM GPU runtime's arguments of a model with adapters, and none without", () => {
    const runtime = MODEL_RUNTIMES.vllm;
    expect(runtime.modelArgs!(chat())).toEqual(expect.arrayContaining(loraArgs([billing, legal])));
    // In one run, in order: a flag parted from its value would start vLLM with another setting.
    const args = runtime.modelArgs!(chat());
    const at = args.indexOf("--enable-lora");
    expect(args.slice(at, at + loraArgs([billing, legal]).length)).toEqual(loraArgs([billing, legal]));
    expect(runtime.modelArgs!(chat({ adapters: undefined }))).not.toContain("--enable-lora");
  });
});

describe("no runtime adapter loading", () => {
  it("pins VLLM_ALLOW_RUNTIME_LORA_UPDATING to 0 in both vLLM runtimes", () => {
    for (const id of ["vllm", "vllm-neuron"]) {
      const env = (MODEL_RUNTIMES[id].servingRuntime("serving").spec as any).containers[0].env;
      expect(env, id).toContainEqual({ name: "VLLM_ALLOW_RUNTIME_LORA_UPDATING", value: "0" });
    }
  });
});

describe("adapter validation (modelSpecProblems)", () => {
  it("accepts S3 prefixes and registry versions with stated ranks", () => {
    expect(fields()).toEqual([]);
  });

  it("refuses aliases, malformed sources, and one source twice", () => {
    const p = fields({
      adapters: [
        { name: "a", source: "models:/billing-lora@production", rank: 8 },
        { name: "b", source: "models:/billing-lora/latest", rank: 8 },
        { name: "c", source: "s3://adapters-bucket/legal/v1", rank: 8 },
        { name: "d", source: "s3://adapters-bucket/legal/v1/", rank: 8 },
      ],
    });
    expect(p).toEqual([
      { field: "adapters[0].source", message: expect.stringContaining("names alias @production") },
      { field: "adapters[1].source", message: expect.stringContaining("models:/<name>/<version>") },
      { field: "adapters[3].source", message: "is also adapters[2]'s source: one adapter per source" },
    ]);
  });

  it("refuses names that are not DNS labels, the base model's own, or used twice", () => {
    const p = fields({
      adapters: [
        { name: "Billing", source: "s3://b-1/x", rank: 8 },
        { name: "chat", source: "s3://b-1/y", rank: 8 },
        { name: "legal", source: "s3://b-1/z", rank: 8 },
        { name: "legal", source: "s3://b-1/w", rank: 8 },
      ],
    });
    expect(p.map((x) => x.field)).toEqual(["adapters[0].name", "adapters[1].name", "adapters[3].name"]);
    expect(p[1].message).toContain("the base model's own name");
    expect(p[2].message).toBe("legal is also adapters[2]'s name");
  });

  it("refuses a rank vLLM cannot hold or that is not a whole number", () => {
    for (const rank of [0, 513, 16.5, Number.NaN]) {
      const p = fields({ adapters: [{ ...billing, rank }] });
      expect(p, String(rank)).toEqual([
        { field: "adapters[0].rank", message: expect.stringContaining("1, 8, 16, 32, 64, 128, 256, 320, 512") },
      ]);
    }
  });

  it("refuses adapters on vLLM on Neuron, naming the key and why", () => {
    const neuron = withModelDefaults(
      { name: "chat", server: "kserve", accelerator: "neuron", source: "models:/chat/3", adapters: [billing] },
      "staging",
    );
    expect(neuron.runtime).toBe("vllm-neuron");
    const p = modelSpecProblems(neuron, "staging");
    expect(p).toEqual([
      { field: "adapters", message: expect.stringContaining("vLLM on AWS Neuron serves no LoRA adapters") },
    ]);
    expect(p[0].message).toContain("release-0.5.3");
  });

  it("refuses adapters on Triton and on the kit's own Deployment", () => {
    const triton = withModelDefaults(
      { name: "resnet", server: "triton", accelerator: "nvidia", source: "s3://b-1/resnet", adapters: [legal] },
      "staging",
    );
    const p = modelSpecProblems(triton, "staging").map((x) => x.field);
    expect(p).toEqual(["adapters", "adapters"]);
  });

  it("refuses an empty list and more than 16 adapters", () => {
    expect(fields({ adapters: [] })).toEqual([
      { field: "adapters", message: expect.stringContaining("lists no adapter") },
    ]);
    const many = Array.from({ length: 17 }, (_, i) => ({ name: `a${i}`, source: `s3://b-1/a${i}`, rank: 8 }));
    expect(fields({ adapters: many })).toEqual([{ field: "adapters", message: expect.stringContaining("at most 16") }]);
  });
});

describe("adapter names across the platform (adapterNameClashes)", () => {
  it("refuses an adapter named like another model or another model's adapter", () => {
    const clashes = adapterNameClashes([
      { name: "chat", adapters: [{ name: "billing" }, { name: "summarizer" }] },
      { name: "summarizer" },
      { name: "support", adapters: [{ name: "billing" }] },
    ]);
    expect(clashes).toEqual([
      { path: "models[0].adapters[1].name", message: expect.stringContaining("is models[1]'s name") },
      { path: "models[2].adapters[0].name", message: expect.stringContaining("is also models[0].adapters[0].name") },
    ]);
    expect(adapterNameClashes([{ name: "chat", adapters: [{ name: "billing" }] }, { name: "support" }])).toEqual([]);
  });
});

describe("the InferenceService of a model with adapters", () => {
  const model = chat();
  const claims = { billing: "chat-lora-11111111", legal: "chat-lora-22222222" };
  const isvc = inferenceService({
    model,
    track: "stable",
    name: "chat",
    source: model.source,
    serviceAccountName: "chat",
    adapterClaims: claims,
  }) as any;

  it("mounts each adapter's claim read-only where --lora-modules points, valid against KServe's schema", () => {
    const predictor = isvc.spec.predictor;
    expect(predictor.volumes).toEqual([
      { name: "lora-billing", persistentVolumeClaim: { claimName: "chat-lora-11111111", readOnly: true } },
      { name: "lora-legal", persistentVolumeClaim: { claimName: "chat-lora-22222222", readOnly: true } },
    ]);
    expect(predictor.model.volumeMounts).toEqual([
      { name: "lora-billing", mountPath: "/mnt/adapters/billing", readOnly: true },
      { name: "lora-legal", mountPath: "/mnt/adapters/legal", readOnly: true },
    ]);
    const modules = predictor.model.args.slice(predictor.model.args.indexOf("--lora-modules") + 1);
    for (const m of predictor.model.volumeMounts)
      expect(modules).toContain(`${m.mountPath.split("/").pop()}=${m.mountPath}`);
    validateAgainstUpstreamSchema(isvc);
  });

  it("refuses to build without a claim for every adapter", () => {
    expect(() =>
      inferenceService({
        model,
        track: "stable",
        name: "chat",
        source: model.source,
        serviceAccountName: "chat",
        adapterClaims: { billing: "x" },
      }),
    ).toThrow(/no claim for adapter\(s\) legal/);
  });

  it("names adapter objects apart from every track's weights", () => {
    const at = weightsLocation(billing.source, "serving");
    expect(at.prefix).toBe("mlserving-weights/serving/billing-lora/2");
    const lora = weightsObjectNames("chat", "serving", at, "lora").claim;
    expect(lora).toMatch(/^chat-lora-[0-9a-f]{8}$/);
    expect(lora).not.toBe(weightsObjectNames("chat-lora", "serving", at).claim);
    expect(weightsObjectNames("chat", "serving", at).claim).toMatch(/^chat-wt-/);
  });
});

describe("GPU memory of the adapters' slots", () => {
  it("is --max-loras x --max-lora-rank x 5 MiB for the 8B class", () => {
    expect(ASSUMED_LORA_BYTES_PER_RANK).toBe(5 * 1024 * 1024);
    expect(loraSlotsGiB([billing, legal])).toBeCloseTo((2 * 64 * 5) / 1024);
    expect(loraSlotsGiB([])).toBe(0);
    // A rank vLLM cannot hold is refused elsewhere; the fit check neither throws nor counts it.
    expect(loraSlotsGiB([{ rank: 600 }, { rank: 8 }])).toBeCloseTo((2 * 8 * 5) / 1024);
  });

  it("shrink the default context where they take KV budget, and leave it where they do not", () => {
    expect(chat({ adapters: undefined }).llm).toEqual(defaultLlmLimits(24, 1));
    expect(chat().llm).toEqual(defaultLlmLimits(24, 1, loraSlotsGiB([billing, legal])));
    const many = Array.from({ length: 16 }, (_, i) => ({ name: `a${i}`, source: `s3://b-1/a${i}`, rank: 64 }));
    // 24 GiB: 3.6 GiB of KV without adapters (16384 tokens); 16 rank-64 slots take 5 GiB, leaving the floor.
    expect(chat({ adapters: undefined }).llm?.maxModelLen).toBe(16384);
    expect(chat({ adapters: many }).llm?.maxModelLen).toBe(2048);
  });
});
