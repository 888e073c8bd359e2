import { IMAGES } from "../../versions";
import { devicesOf } from "../model-devices";
import type { ModelRuntime } from "./runtime";
import { loraArgs } from "../adapters";
import { VLLM_DRAIN, VLLM_UID, vllmHealthProbe, vllmInFlight, vllmServingRuntime } from "./vllm";

export { VLLM_UID } from "./vllm";

/**
 * vLLM's weight loading for weights on a network mount. By default vLLM memory-maps each safetensors
 * file and copies tensors out of the mapping (`--safetensors-load-strategy` lazy), which turns into
 * small random reads; on network file systems that is many times slower, which is why vLLM added
 * `--safetensors-load-strategy eager`: each file is read whole into CPU memory, sequentially, then
 * its tensors are loaded (vllm-project/vllm#24469, merged 2025-09, in every release since v0.11.0,
 * the pinned v0.16.0 included; vllm/config/load.py `LoadConfig.safetensors_load_strategy`:
 * "recommended for models on network filesystems"). Later releases prefetch automatically on NFS
 * and Lustre only; Mountpoint is a FUSE mount, which they do not detect. Sequential whole-object
 * reads are what Mountpoint serves at high throughput (awslabs/mountpoint-s3 README: "optimized for
 * applications that need high read throughput to large objects"). Eager holds one file at a time
 * in memory: the replica's memory must hold its largest shard (Hugging Face checkpoints shard at 5 GB
 * by default) besides the server's own.
 */
export const VLLM_EAGER_LOAD = {
  args: ["--safetensors-load-strategy", "eager"],
  basis:
    "vLLM --safetensors-load-strategy eager reads each safetensors file whole and in order (vllm-project/vllm#24469), Mountpoint's fast path",
} as const;

/** Size of the shared-memory volume at /dev/shm (tensor parallelism exchanges tensors through it). */
export const VLLM_SHM_SIZE = "8Gi";

/**
 * vLLM's own start on a GPU, measured by a vLLM maintainer on Meta-Llama-3-8B (the shipped LLM's size)
 * on a faster GPU than the kit's L4 and A10G, so a floor: process start, imports and the API server come
 * on top (vllm-project/vllm#20264: a response 59 s after a start whose engine init took 34 s).
 */
export const VLLM_GPU_SERVER_START = {
  uncached: {
    seconds: 39,
    basis:
      "vllm-project/vllm#11005 (vLLM maintainer, 2024-12-09), Meta-Llama-3-8B with torch.compile: " +
      "torch.compile 19.37 s and CUDA graph capture 15 s, 'init engine (profile, create kv cache, " +
      "warmup model) took 39.34 seconds'",
  },
  cached: {
    seconds: 25,
    basis:
      "the same start less the 14.77 s of compiling the graph for the general shape (vllm-project/vllm#11005), " +
      "which a cache hit loads from vLLM's torch.compile cache instead ('Directly load the compiled " +
      "graph ... from the cache', vllm-project/vllm#20264); Dynamo's bytecode transform and the graph " +
      "capture still run: 39.34 - 14.77 = 24.57 s",
  },
} as const;

/**
 * vLLM on NVIDIA GPUs (the official vllm/vllm-openai image): OpenAI-compatible API
 * (/v1/chat/completions, /v1/completions, /v1/models) on 8080 with Prometheus metrics on
 * /metrics of the same port; the model directory KServe's storage initializer fills is
 * /mnt/models, so weights come from S3 or the MLflow registry and never from the Hugging Face Hub.
 * Tensor parallel over the GPUs a replica requests; context and batch limits from the model's `llm`.
 */
export const VLLM_GPU: ModelRuntime = {
  id: "vllm",
  title: "vLLM on NVIDIA GPUs",
  servingRuntimeName: "vllm-gpu",
  modelFormat: "vllm",
  image: IMAGES.vllmOpenai,
  accelerators: ["nvidia"],
  servers: ["kserve"],
  runAsUser: VLLM_UID,
  metricsExporter: "vllm",
  metricsPort: "http",
  healthPath: "/health",
  drain: VLLM_DRAIN,
  llmLimits: true,
  inferencePool: true,
  // Average KV-cache use across replicas: vLLM queues requests only once its KV cache is full,
  // so scaling out at 70% adds replicas while requests still start at once.
  defaultAutoscaling: { metric: "kv-cache", target: 70 },
  scalingQueries: {
    // Share of KV-cache blocks in use, averaged over the replicas' engines, in percent.
    "kv-cache": (sel) => ({ query: `avg(vllm:kv_cache_usage_perc${sel}) * 100`, metricType: "Value" }),
    // Requests running plus waiting, per replica.
    "in-flight": vllmInFlight,
  },
  servingRuntime: (namespace, mirror) =>
    vllmServingRuntime(namespace, {
      mirror,
      name: VLLM_GPU.servingRuntimeName,
      modelFormat: VLLM_GPU.modelFormat,
      image: IMAGES.vllmOpenai,
      // Weights come only from /mnt/models: never reach out to the Hugging Face Hub.
      env: [
        { name: "HF_HUB_OFFLINE", value: "1" },
        { name: "VLLM_NO_USAGE_STATS", value: "1" },
      ],
      // Loading weights into GPU memory and capturing CUDA graphs takes minutes: up to 20 before liveness applies.
      startupProbe: vllmHealthProbe(10, 120),
      // /health fails once the engine process has died; restart the pod then.
      livenessFailureThreshold: 4,
      resources: { cpu: "4", memory: "16Gi" },
      shmSize: VLLM_SHM_SIZE,
      // Non-root with a read-only root filesystem (see vllmUserSettings for what that takes).
      uid: VLLM_UID,
    }),
  // The engine's start after the weights are read: torch.compile (on by default in vLLM's V1 engine)
  // and CUDA graph capture. A replica starts with an empty cache (HOME is the pod's emptyDir) unless
  // the model keeps its compile cache (compileCache), restored into VLLM_CACHE_ROOT.
  serverStart: VLLM_GPU_SERVER_START,
  compileCache: {
    env: "VLLM_CACHE_ROOT",
    perDevice: true,
    basis:
      "vLLM keeps torch.compile's artifacts under VLLM_CACHE_ROOT/torch_compile_cache/<hash>, the hash " +
      "holding the GPU's name and CUDA version (vllm/compilation/backends.py, compiler_interface.py, around v0.16.0)",
  },
  // Over Mountpoint, read each safetensors file whole instead of memory-mapping it (issue 22, item 5).
  mountedWeightsLoad: VLLM_EAGER_LOAD,
  // LoRA adapters mounted at /mnt/adapters/<name>, registered at start (adapters.ts).
  loraAdapters: true,
  modelArgs: (model) => {
    const args = ["--tensor-parallel-size", String(devicesOf(model)?.count ?? 1)];
    if (model.llm)
      args.push("--max-model-len", String(model.llm.maxModelLen), "--max-num-seqs", String(model.llm.maxNumSeqs));
    args.push(...loraArgs(model.adapters ?? []));
    return args;
  },
};
