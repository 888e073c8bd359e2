import { ACCELERATORS } from "../common/accelerators";
import { instanceType, type InstanceTypeInfo } from "../common/instance-types";
import type { Problem } from "../common/problems";
import { ASSUMED_KV_BYTES_PER_TOKEN, VLLM_GPU_MEMORY_UTILIZATION } from "../serving/llm-limits";
import { ASSUMED_LORA_BYTES_PER_RANK, loraSlotsGiB } from "../serving/adapters";
import { devicesOf } from "../serving/model-devices";
import type { ModelSpec } from "../serving/model-spec";
import { isRuntimeId, MODEL_RUNTIMES } from "../serving/runtimes";
import type { PlatformSpec } from "./spec";

const GIB = 1024 ** 3;
const fmt = (gib: number) => `${+gib.toFixed(1)} GiB`;

/** The instance types a model's replicas may run on, with the pool (or system node group) and its disk. */
function candidates(spec: PlatformSpec, m: ModelSpec): { pool: string; type: InstanceTypeInfo; diskGiB: number }[] {
  if (m.accelerator === "cpu")
    return spec.cluster.systemNodes.instanceTypes.flatMap((n) => {
      const type = instanceType(n);
      return type ? [{ pool: "system", type, diskGiB: spec.cluster.systemNodes.diskSizeGiB }] : [];
    });
  return spec.capacity.pools
    .filter((p) => p.kind === m.accelerator)
    .flatMap((p) =>
      p.instanceTypes.flatMap((n) => {
        const type = instanceType(n);
        return type?.accelerator?.kind === m.accelerator ? [{ pool: p.name, type, diskGiB: p.diskSizeGiB }] : [];
      }),
    );
}

/** Accelerator memory one replica can reach on a type: its devices' memory, at most the type's devices. */
function reachableGiB(m: ModelSpec, t: InstanceTypeInfo): number {
  const devices = devicesOf(m)?.count ?? 0;
  const a = t.accelerator;
  return a ? (Math.min(devices, a.count) * a.memoryMiBEach) / 1024 : 0;
}

/**
 * Sizes no hardware of the platform can hold, for each model, by the key to change: weights
 * larger than the accelerator memory a replica reaches on every type of its pools, weights larger
 * than every candidate node's disk (they are downloaded there unless mounted), and a vLLM context
 * whose KV cache cannot fit what the weights and the LoRA adapters' GPU slots leave of 90% of GPU
 * memory (vLLM refuses to start; the slots at the 8B-class figure of adapters.ts
 * `ASSUMED_LORA_BYTES_PER_RANK`, x `--max-loras` x `--max-lora-rank`).
 * Unknown weights count as 0; a token's KV cache is the model's `llm.kvCacheBytesPerToken`, else
 * the 8B-class figure the kit's default limits assume ({@link ASSUMED_KV_BYTES_PER_TOKEN}, 128 KiB;
 * a smaller model states its own). Paths are relative to the namespace (`serving.models[0].weightsGiB`).
 */
export function modelHardwareProblems(spec: PlatformSpec): Problem[] {
  const problems: Problem[] = [];
  spec.serving.models.forEach((m, i) => {
    const at = `serving.models[${i}]`;
    const types = candidates(spec, m);
    if (types.length === 0) return; // no pool of its kind, or unknown types: refused on their own
    const names = [...new Set(types.map((c) => `${c.type.name} (pool ${c.pool})`))].join(", ");
    const weights = m.weightsGiB;
    if (weights !== undefined && m.accelerator !== "cpu") {
      const most = Math.max(...types.map((c) => reachableGiB(m, c.type)));
      const noun = ACCELERATORS[m.accelerator].device.one;
      if (weights > most)
        problems.push({
          path: `${at}.weightsGiB`,
          message:
            `model ${m.name}'s weights (${fmt(weights)}) exceed the ${noun} memory a replica reaches on ` +
            `every instance type it may run on (at most ${fmt(most)} with ${devicesOf(m)?.count} ${noun}(s) ` +
            `on ${names}): request more devices, add a type with more memory to the pool, or serve a smaller (quantized) model`,
        });
    }
    if (weights !== undefined && !m.mountWeights) {
      const disk = Math.max(...types.map((c) => c.diskGiB));
      if (weights > disk)
        problems.push({
          path: `${at}.weightsGiB`,
          message:
            `model ${m.name}'s weights (${fmt(weights)}) are downloaded to the node's disk, and no node ` +
            `it may run on has that much (at most ${disk} GiB: ${m.accelerator === "cpu" ? "cluster.systemNodes.diskSizeGiB" : "capacity.pools[].diskSizeGiB"}): ` +
            `raise the disk size, or mount the weights (mountWeights: true, KServe)`,
        });
    }
    const runtime = isRuntimeId(m.runtime) ? MODEL_RUNTIMES[m.runtime] : undefined;
    // The devices the runtime's limits size are its own accelerators' (vLLM on GPU: nvidia).
    if (
      runtime?.llmLimits === true &&
      m.accelerator !== "cpu" &&
      runtime.accelerators.includes(m.accelerator) &&
      m.llm
    ) {
      // vLLM allocates the adapters' slots with the model, before it sizes the KV cache (adapters.ts).
      const loraGiB = loraSlotsGiB(m.adapters ?? []);
      const kvGiB =
        Math.max(...types.map((c) => reachableGiB(m, c.type) * VLLM_GPU_MEMORY_UTILIZATION)) - (weights ?? 0) - loraGiB;
      const less =
        loraGiB > 0
          ? `less the weights and ${fmt(loraGiB)} of LoRA slots (${ASSUMED_LORA_BYTES_PER_RANK / 1024 ** 2} MiB per rank per adapter, an 8B-class model's)`
          : "less the weights";
      const perToken = m.llm.kvCacheBytesPerToken ?? ASSUMED_KV_BYTES_PER_TOKEN;
      const fits = Math.floor((Math.max(0, kvGiB) * GIB) / perToken);
      if (m.llm.maxModelLen > fits)
        problems.push({
          path: `${at}.llm.maxModelLen`,
          message:
            kvGiB <= 0
              ? `model ${m.name}'s weights (${fmt(weights ?? 0)})${loraGiB > 0 ? ` and LoRA slots (${fmt(loraGiB)})` : ""} ` +
                `leave no KV cache in ${VLLM_GPU_MEMORY_UTILIZATION * 100}% of the GPU memory a replica reaches ` +
                `on ${names}, so vLLM refuses to start: request more GPUs (resources.gpus) or add a type with more memory`
              : `one sequence of ${m.llm.maxModelLen} tokens needs ${fmt((m.llm.maxModelLen * perToken) / GIB)} ` +
                `of KV cache (${perToken / 1024} KiB a token${m.llm.kvCacheBytesPerToken === undefined ? ", an 8B-class model's; set llm.kvCacheBytesPerToken to your model's: 2 x layers x KV heads x head dim x 2 bytes" : ""}), ` +
                `but ${VLLM_GPU_MEMORY_UTILIZATION * 100}% of the GPU memory a replica reaches ${less} leaves ` +
                `at most ${fmt(kvGiB)} on ${names}, so vLLM refuses to start: lower llm.maxModelLen to at most ${fits}, ` +
                `or request more GPUs`,
        });
    }
  });
  return problems;
}
