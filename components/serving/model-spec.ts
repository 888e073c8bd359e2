import type { Environment } from "../common/tags";
import { MODEL_SOURCE_RULE, parseModelSource } from "./model-source";

export type ModelServer = "triton" | "kserve";
export type ModelAccelerator = "nvidia" | "neuron" | "cpu";
export type ScalingMetric = "queue-time" | "in-flight" | "gpu-utilization";

/** One model the platform serves. */
export interface ModelSpec {
  /** DNS label; names the Deployment or InferenceService, its Service and its host. */
  name: string;
  /** `triton` (the kit's own Deployment of Triton) or `kserve` (an InferenceService). */
  server: ModelServer;
  accelerator: ModelAccelerator;
  /** s3://bucket/prefix, models:/name/version or models:/name@alias. */
  source: string;
  replicas: { min: number; max: number };
  /**
   * What the autoscaler tracks and its target: average queue time per request in ms
   * (`queue-time`), requests queued or running per replica (`in-flight`), or GPU
   * utilisation in percent (`gpu-utilization`).
   */
  autoscaling: { metric: ScalingMetric; target: number };
  /** Per replica. GPUs for nvidia, Neuron devices for neuron; neither for cpu. */
  resources: { gpus?: number; neuronDevices?: number; cpu: string; memory: string };
  /** A second version taking a share of traffic (KServe only): source and percent. */
  canary?: { source: string; trafficPercent: number };
}

/** vLLM's `--max-num-seqs` on the Neuron runtime: sequences one replica runs at once; more wait. */
export const VLLM_MAX_NUM_SEQS = 8;
/** Default in-flight target for vLLM: three quarters of a full batch, so replicas are added before requests wait. */
export const VLLM_IN_FLIGHT_TARGET = 6;

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/;
const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/;

/** Every problem with one model spec, as `field: rule` pairs relative to the model. */
export function modelSpecProblems(m: ModelSpec, environment: Environment): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (!DNS_LABEL.test(m.name)) add("name", "must be a DNS label of at most 42 characters starting with a letter");
  if (!parseModelSource(m.source)) add("source", MODEL_SOURCE_RULE);
  if (m.replicas.min > m.replicas.max)
    add("replicas", `min must not exceed max (${m.replicas.min} > ${m.replicas.max})`);
  if (m.replicas.min === 0 && environment !== "dev")
    add("replicas.min", "scale to zero is allowed in dev only; keep at least 1 replica");
  if (environment === "prod" && m.replicas.min < 2) add("replicas.min", "prod serves from at least 2 replicas");
  if (m.accelerator === "neuron" && m.resources.gpus !== undefined)
    add("resources.gpus", "a neuron model requests neuronDevices, not GPUs");
  if (m.accelerator === "nvidia" && m.resources.neuronDevices !== undefined)
    add("resources.neuronDevices", "an nvidia model requests gpus, not Neuron devices");
  if (m.accelerator === "cpu" && (m.resources.gpus !== undefined || m.resources.neuronDevices !== undefined))
    add("resources", "a cpu model requests neither gpus nor neuronDevices");
  if (m.accelerator === "neuron" && m.server === "triton")
    add("server", "Triton has no Neuron build; serve Neuron models with server: kserve (vLLM Neuron runtime)");
  if (m.accelerator !== "nvidia" && m.autoscaling.metric === "gpu-utilization")
    add("autoscaling.metric", "gpu-utilization needs an nvidia model");
  if (m.accelerator === "neuron" && m.autoscaling.metric === "queue-time")
    add("autoscaling.metric", "the vLLM Neuron runtime scales on in-flight requests");
  if (!(m.autoscaling.target > 0)) add("autoscaling.target", "must be greater than 0");
  if (m.accelerator === "neuron" && m.autoscaling.metric === "in-flight" && m.autoscaling.target >= VLLM_MAX_NUM_SEQS)
    add(
      "autoscaling.target",
      `must be below vLLM's --max-num-seqs (${VLLM_MAX_NUM_SEQS}): at ${VLLM_MAX_NUM_SEQS} or more per replica, requests already wait before it scales out`,
    );
  if (m.autoscaling.metric === "gpu-utilization" && m.autoscaling.target > 100)
    add("autoscaling.target", "GPU utilisation is a percentage (at most 100)");
  if (!QUANTITY.test(m.resources.cpu)) add("resources.cpu", "must be a CPU quantity such as 4 or 500m");
  if (!QUANTITY.test(m.resources.memory)) add("resources.memory", "must be a memory quantity such as 16Gi");
  if (m.canary) {
    if (m.server !== "kserve") add("canary", "canaries are offered for kserve models");
    if (!parseModelSource(m.canary.source)) add("canary.source", MODEL_SOURCE_RULE);
    if (!(m.canary.trafficPercent >= 1 && m.canary.trafficPercent <= 50))
      add("canary.trafficPercent", "must be from 1 to 50");
  }
  return problems;
}

/** Devices per replica, by kind (nvidia defaults to one GPU). */
export function devicesOf(m: ModelSpec): { resource: string; count: number } | undefined {
  if (m.accelerator === "nvidia") return { resource: "nvidia.com/gpu", count: m.resources.gpus ?? 1 };
  if (m.accelerator === "neuron") return { resource: "aws.amazon.com/neuron", count: m.resources.neuronDevices ?? 1 };
  return undefined;
}
