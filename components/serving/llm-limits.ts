/**
 * vLLM's per-replica limits: the longest context it accepts (`--max-model-len`) and how many
 * sequences it batches at once (`--max-num-seqs`). vLLM refuses to start when one sequence of
 * max-model-len does not fit the KV cache left after the weights, so the defaults are sized from
 * the GPU memory the replica gets.
 */
export interface LlmLimits {
  maxModelLen: number;
  maxNumSeqs: number;
  /**
   * KV cache one token takes, bytes: 2 (K and V) x layers x KV heads x head dimension x 2 (bf16),
   * from the model's config.json. Default: {@link ASSUMED_KV_BYTES_PER_TOKEN} (the 8B class the
   * defaults assume). Only the plan's fit check reads it; vLLM sizes its cache itself.
   */
  kvCacheBytesPerToken?: number;
}

/** Share of GPU memory vLLM takes by default (`--gpu-memory-utilization` 0.9). */
export const VLLM_GPU_MEMORY_UTILIZATION = 0.9;
/** Weights the defaults assume: an 8B-parameter model in bf16 (the common first LLM). */
export const ASSUMED_WEIGHTS_GIB = 16;
/** Activations, CUDA graphs and the sampler's buffers, per replica. */
const RUNTIME_OVERHEAD_GIB = 2;
/**
 * KV cache per token of a Llama-3-8B-class model in bf16: 32 layers x 8 KV heads x 128 dims x
 * 2 (K and V) x 2 bytes = 128 KiB, so 8192 tokens per GiB.
 */
export const ASSUMED_KV_BYTES_PER_TOKEN = 128 * 1024;
const TOKENS_PER_KV_GIB = (1024 * 1024 * 1024) / ASSUMED_KV_BYTES_PER_TOKEN;
/** Average tokens (prompt plus output) per sequence the batch size is sized for. */
const AVERAGE_SEQUENCE_TOKENS = 2048;

export const LLM_LIMIT_BOUNDS = {
  maxModelLen: { min: 256, max: 1_048_576 },
  maxNumSeqs: { min: 1, max: 1024 },
  // From a 1-layer, 1-head toy (2 x 1 x 1 x 256 x 2 bytes) to past the largest dense models (16 MiB).
  kvCacheBytesPerToken: { min: 1024, max: 16 * 1024 * 1024 },
};

const floorPowerOfTwo = (n: number) => 2 ** Math.floor(Math.log2(n));

/**
 * Defaults that fit `gpus` GPUs of `gpuMemoryGiB` each for the assumed 8B bf16 model: KV budget =
 * 90% of GPU memory less weights, overhead and the LoRA adapters' GPU slots (`loraSlotsGiB`, adapters.ts); max-model-len the largest power of two up to 32768
 * whose KV fits, max-num-seqs the budget over 2048-token sequences (multiples of 8, 8 to 256).
 * GPUs too small for the assumed model get the floor (2048 tokens, 8 sequences): set `llm` for a
 * smaller model there.
 */
export function defaultLlmLimits(gpuMemoryGiB: number, gpus: number, loraSlotsGiB = 0): LlmLimits {
  const kvGiB =
    gpus * gpuMemoryGiB * VLLM_GPU_MEMORY_UTILIZATION - ASSUMED_WEIGHTS_GIB - RUNTIME_OVERHEAD_GIB - loraSlotsGiB;
  const tokens = Math.max(0, kvGiB) * TOKENS_PER_KV_GIB;
  const maxModelLen = tokens >= 2048 ? Math.min(32768, floorPowerOfTwo(tokens)) : 2048;
  const maxNumSeqs = Math.min(256, Math.max(8, Math.floor(tokens / AVERAGE_SEQUENCE_TOKENS / 8) * 8));
  return { maxModelLen, maxNumSeqs };
}

/** GPU memory assumed when the stack has no NVIDIA pool the kit knows (g5/g6: 24 GiB). */
export const DEFAULT_GPU_MEMORY_GIB = 24;
