import { describe, expect, it } from "vitest";
import { REACHABLE_API } from "../fixtures/stack";
import { smallestDeviceMemoryGiB } from "../../components/common/accelerators/gpu-memory";
import { instanceType } from "../../components/common/instance-types";
import {
  inferenceService,
  MODEL_RUNTIMES,
  modelSpecProblems,
  runtimePodMonitor,
  scaledObject,
  withModelDefaults,
} from "../../components/serving";
import { defaultLlmLimits } from "../../components/serving/llm-limits";
import { IMAGES, imageRef } from "../../components/versions";
import { CONFIG_NAMESPACE, ConfigProblem, resolvePlatformSpec, StackConfigError } from "../../stacks/config";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const llm = (extra: Record<string, unknown> = {}) =>
  withModelDefaults(
    {
      name: "chat",
      server: "kserve",
      accelerator: "nvidia",
      runtime: "vllm",
      source: "models:/chat/3",
      resources: { gpus: 2 },
      ...extra,
    },
    "staging",
    { deviceMemoryGiB: { nvidia: 48 } },
  );

const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe("vLLM on NVIDIA GPUs", () => {
  it("is registered as `vllm` on nvidia, served by KServe from the pinned vllm/vllm-openai image", () => {
    const runtime = MODEL_RUNTIMES.vllm;
    expect(runtime.accelerators).toEqual(["nvidia"]);
    expect(runtime.servers).toEqual(["kserve"]);
    const sr = runtime.servingRuntime("serving") as any;
    const container = sr.spec.containers[0];
    expect(container.image).toBe(imageRef(IMAGES.vllmOpenai));
    expect(container.command).toEqual(["vllm", "serve", "/mnt/models"]);
    expect(container.readinessProbe.httpGet.path).toBe(runtime.healthPath);
    // Never fetches weights from the Hugging Face Hub; only /mnt/models.
    expect(container.env).toContainEqual({ name: "HF_HUB_OFFLINE", value: "1" });
    expect(container.volumeMounts).toContainEqual({ name: "dshm", mountPath: "/dev/shm" });
    validateAgainstUpstreamSchema(sr);
  });

  it("runs tensor parallel over the GPUs requested, with the model's context and batch limits", () => {
    const model = llm({ llm: { maxModelLen: 8192 } });
    expect(modelSpecProblems(model, "staging")).toEqual([]);
    const isvc = inferenceService({
      model,
      track: "stable",
      name: "chat",
      source: model.source,
      serviceAccountName: "chat",
    });
    validateAgainstUpstreamSchema(isvc);
    const args = isvc.spec.predictor.model.args as string[];
    expect(argAfter(args, "--tensor-parallel-size")).toBe("2");
    expect(argAfter(args, "--max-model-len")).toBe("8192");
    // Not given: defaulted from two 48 GiB GPUs.
    expect(argAfter(args, "--max-num-seqs")).toBe(String(defaultLlmLimits(48, 2).maxNumSeqs));
    expect(isvc.spec.predictor.model.runtime).toBe("vllm-gpu");
    expect(isvc.spec.predictor.storageContainerName).toBe("mlflow-models");
    expect(runtimePodMonitor(MODEL_RUNTIMES.vllm).spec.podMetricsEndpoints[0].port).toBe("http");
  });

  it("defaults context and batch to what the GPU memory holds, larger with more memory", () => {
    const small = defaultLlmLimits(24, 1);
    const large = defaultLlmLimits(48, 1);
    const two = defaultLlmLimits(24, 2);
    expect(small.maxModelLen).toBeLessThan(large.maxModelLen);
    expect(small.maxNumSeqs).toBeLessThanOrEqual(large.maxNumSeqs);
    expect(two.maxModelLen).toBeGreaterThan(small.maxModelLen);
    // 24 GiB: 21.6 GiB usable - 16 GiB weights - 2 GiB overhead = 3.6 GiB of KV, 29491 tokens.
    expect(small).toEqual({ maxModelLen: 16384, maxNumSeqs: 8 });
    expect(defaultLlmLimits(80, 1)).toEqual({ maxModelLen: 32768, maxNumSeqs: 216 });
    // Too small for the assumed 8B model: the floor, not a negative length.
    expect(defaultLlmLimits(16, 1)).toEqual({ maxModelLen: 2048, maxNumSeqs: 8 });
  });

  it("reads device memory from the instance catalogue (its one source), per kind, and sizes for the smallest", () => {
    const g5 = instanceType("g5.xlarge")!.accelerator!.memoryMiBEach / 1024;
    const pools = (kind: "nvidia" | "neuron", instanceTypes: string[]) => ({ kind, instanceTypes });
    expect(smallestDeviceMemoryGiB([pools("nvidia", ["g6e.xlarge", "g5.xlarge"])])).toEqual({ nvidia: g5 });
    expect(smallestDeviceMemoryGiB([pools("neuron", ["inf2.xlarge"]), pools("nvidia", ["p5.48xlarge"])])).toEqual({
      neuron: 32,
      nvidia: 80,
    });
    expect(smallestDeviceMemoryGiB([pools("nvidia", ["m7i.large"])])).toEqual({});
    // A neuron model's limits are sized from its own devices' memory, not from a GPU pool's.
    const m = withModelDefaults(
      { name: "n", server: "kserve", accelerator: "neuron", source: "models:/n/1", llm: { maxNumSeqs: 8 } },
      "staging",
      { deviceMemoryGiB: { nvidia: 16, neuron: 80 } },
    );
    expect(m.llm!.maxModelLen).toBe(defaultLlmLimits(80, 1).maxModelLen);
  });

  it("scales on KV-cache use by default, before requests queue", () => {
    const model = llm();
    expect(model.autoscaling).toEqual({ metric: "kv-cache", target: 70 });
    const so = scaledObject(model, "chat-predictor", { track: "stable" });
    const trigger = so.spec.triggers[0];
    expect(trigger.metricType).toBe("Value");
    expect(trigger.metadata.query).toBe(
      'avg(vllm:kv_cache_usage_perc{namespace="serving",mlserving_model="chat",mlserving_track="stable"}) * 100',
    );
    validateAgainstUpstreamSchema(so);
  });

  it("rejects llm limits out of range or on a runtime that takes none, and kv-cache targets over 100", () => {
    const bad = llm({ llm: { maxModelLen: 100, maxNumSeqs: 2.5 }, autoscaling: { metric: "kv-cache", target: 120 } });
    expect(modelSpecProblems(bad, "staging")).toEqual([
      { field: "autoscaling.target", message: "kv-cache is a percentage (at most 100)" },
      { field: "llm.maxModelLen", message: "must be a whole number from 256 to 1048576" },
      { field: "llm.maxNumSeqs", message: "must be a whole number from 1 to 1024" },
    ]);
    const triton = withModelDefaults(
      { name: "bert", server: "kserve", accelerator: "nvidia", source: "models:/bert/1", llm: { maxNumSeqs: 8 } },
      "staging",
    );
    expect(modelSpecProblems(triton, "staging")).toEqual([
      { field: "llm", message: "NVIDIA Triton Inference Server takes no llm limits; they apply to vllm" },
    ]);
    const tritonKv = withModelDefaults(
      {
        name: "bert",
        server: "kserve",
        accelerator: "nvidia",
        source: "models:/bert/1",
        autoscaling: { metric: "kv-cache", target: 50 },
      },
      "staging",
    );
    expect(modelSpecProblems(tritonKv, "staging").map((p) => p.field)).toEqual(["autoscaling.metric"]);
  });

  it("takes llm from the stack file and sizes defaults from the stack's GPU pools", () => {
    const raw = (models: unknown[], pools?: unknown[]) => ({
      environment: "dev",
      team: "ml-platform",
      ...REACHABLE_API,
      serving: { models },
      ...(pools ? { capacity: { pools } } : {}),
    });
    const model = {
      name: "chat",
      server: "kserve",
      accelerator: "nvidia",
      runtime: "vllm",
      source: "s3://b-models/chat",
    };
    const onL40s = resolvePlatformSpec(
      raw(
        [model],
        // One shape (4 vCPU, 32 GiB, one 48 GiB L40S): what a Cluster Autoscaler group takes.
        [{ name: "gpu", kind: "nvidia", instanceTypes: ["g6e.xlarge"], spot: false, maxNodes: 2 }],
      ),
      "us-west-2",
      new Set(),
    );
    // The L40S's memory as EC2 reports it (45776 MiB, the catalogue's one figure), not the marketed 48 GB.
    expect(onL40s.serving.models[0].llm).toEqual(defaultLlmLimits(45776 / 1024, 1));
    const problemsOf = (m: unknown): ConfigProblem[] => {
      try {
        resolvePlatformSpec(raw([m]), "us-west-2", new Set());
      } catch (e) {
        if (e instanceof StackConfigError) return e.problems;
        throw e;
      }
      return [];
    };
    expect(problemsOf({ ...model, llm: { contextLength: 4 } }).map((p) => p.path)).toEqual([
      `${CONFIG_NAMESPACE}:serving.models[0].llm.contextLength`,
    ]);
    expect(problemsOf({ ...model, llm: { maxModelLen: 0 } })).toEqual([
      {
        path: `${CONFIG_NAMESPACE}:serving.models[0].llm.maxModelLen`,
        message: "must be a whole number from 256 to 1048576",
      },
    ]);
  });
});
