/**
 * The shape of one model spec and the small types and lists it is made of. Only types, constant lists
 * and leaf modules here: the runtimes, bounds and image helpers import these without reaching back up
 * to model-spec.ts (which checks and defaults a spec with their help), so no import circle forms.
 * model-spec.ts re-exports everything here.
 */
import { ACCELERATOR_KINDS, type DeviceField } from "../common/accelerators";
import type { LlmLimits } from "./llm-limits";
import type { LoraAdapterSpec } from "./adapters";
import type { AbTestSpec, ShadowSpec } from "./tracks";

/** The name of a registered runtime (`triton`, `vllm-neuron`, `vllm`, or one a program registered). */
export type RuntimeId = string;

export type ModelServer = "triton" | "kserve";
export const MODEL_SERVERS: readonly ModelServer[] = ["triton", "kserve"];
export type ModelAccelerator = (typeof ACCELERATOR_KINDS)[number] | "cpu";
export const MODEL_ACCELERATORS: readonly ModelAccelerator[] = [...ACCELERATOR_KINDS, "cpu"];
export type ScalingMetric = "queue-time" | "in-flight" | "kv-cache" | "gpu-utilization";
export const SCALING_METRICS: readonly ScalingMetric[] = ["queue-time", "in-flight", "kv-cache", "gpu-utilization"];

/** One model the platform serves. */
export interface ModelSpec {
  /** DNS label; names the Deployment or InferenceService, its Service and its host. */
  name: string;
  /** `triton` (the kit's own Deployment of Triton) or `kserve` (an InferenceService). */
  server: ModelServer;
  accelerator: ModelAccelerator;
  /** The model server (see `MODEL_RUNTIMES`); defaults to the first that runs on the accelerator. */
  runtime: RuntimeId;
  /** s3://bucket/prefix, models:/name/version or models:/name@alias. */
  source: string;
  /**
   * For an alias source: the version the alias pointed to when this rollout was planned. Every
   * replica then loads that version (the alias is not resolved per pod), and moving the alias is
   * a reviewed change of this number. Required outside dev for alias sources.
   */
  pinnedVersion?: number;
  /**
   * Size of the model's files (weights), GiB: what every replica downloads before it serves.
   * Only the plan's cold-start estimate reads it. Default: unknown (the estimate leaves it out).
   */
  weightsGiB?: number;
  /**
   * Seconds the server takes to start with this model once its weights are on the node, as you
   * measured it: the platform records it per model as `mlserving:server_start_seconds:max24h`
   * (monitoring/replica-start-rules.ts), or read it in the server's log (vLLM's "init engine ... took",
   * Triton's model READY, vLLM-Neuron's compile or NEFF load). Only the plan's cold-start floor reads
   * it, instead of the runtime's published figure. Default: the runtime's figure, or unknown where
   * none is published (Triton, vLLM on Neuron).
   */
  serverStartSeconds?: number;
  /**
   * Read the weights in place from S3 through a read-only Mountpoint volume instead of downloading
   * them at every pod start (KServe models; see `mounted-weights.ts`). A registry version is staged
   * once per rollout into the registry's bucket. Default: false (download).
   */
  mountWeights?: boolean;
  /**
   * Keep the server's compile cache across replica starts (runtimes with `compileCache`: vLLM on NVIDIA
   * GPUs or on Neuron, with `mountWeights`, on Karpenter): a Job compiles each served version once per
   * device type of the model's pool and uploads the cache to the registry's bucket; replicas restore it before the server starts
   * (serving/compile-cache.ts). Default: false (every replica compiles).
   */
  compileCache?: boolean;
  replicas: { min: number; max: number };
  /**
   * For an LLM behind the gateway with `replicas.min` 0 (it scales from zero): how long the gateway
   * holds a request while the model has no replica, seconds (see `gateway/scale-from-zero.ts`).
   * Default: `WAKE_TIMEOUT_SECONDS.default` (600 s).
   */
  wakeTimeoutSeconds?: number;
  /**
   * What the autoscaler tracks and its target: average queue time per request in ms
   * (`queue-time`), requests queued or running per replica (`in-flight`), or GPU
   * utilisation in percent (`gpu-utilization`), or the share of vLLM's KV cache in use, in percent,
   * averaged over replicas (`kv-cache`).
   */
  autoscaling: { metric: ScalingMetric; target: number };
  /**
   * Per replica: CPU, memory and the devices of the model's accelerator kind under the kind's
   * `deviceField` (`gpus` for nvidia, `neuronDevices` for neuron; default 1); none for cpu.
   */
  resources: Partial<Record<DeviceField, number>> & { cpu: string; memory: string };
  /** A second version taking a share of traffic (KServe only): source and percent. */
  canary?: { source: string; trafficPercent: number; pinnedVersion?: number };
  /** A variant served to requests carrying one header value (LLMs through the gateway; see `tracks.ts`). */
  abTest?: AbTestSpec;
  /** A version mirrored a copy of the requests, its answers dropped (LLMs through the gateway). */
  shadow?: ShadowSpec;
  /** vLLM limits per replica (runtimes with `llmLimits` only; defaulted from the GPU memory). */
  llm?: LlmLimits;
  /**
   * LoRA adapters served on this model's base, each under its own model name (runtimes with
   * `loraAdapters` only; see `adapters.ts`). Default: none.
   */
  adapters?: LoraAdapterSpec[];
  /**
   * Networks allowed to call this model, instead of the environment's `serving.allowedCidrs`: the
   * model then gets an internal ALB of its own (see `modelIngressGroup`). Default: the environment's.
   */
  allowedCidrs?: string[];
}
