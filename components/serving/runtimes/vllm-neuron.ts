import { IMAGES } from "../../versions";
import { VLLM_NEURON_RUNTIME_NAME } from "../../common/pod-security";
import { devicesOf } from "../model-spec";
import type { ModelRuntime } from "./runtime";
import { vllmInFlight, vllmServingRuntime } from "./vllm";

/** vLLM's `--max-num-seqs` on the Neuron runtime: sequences one replica runs at once; more wait. */
export const VLLM_MAX_NUM_SEQS = 8;
/** Default in-flight target for vLLM: three quarters of a full batch, so replicas are added before requests wait. */
export const VLLM_IN_FLIGHT_TARGET = 6;

/**
 * vLLM on Inferentia (the AWS Neuron DLC): OpenAI-compatible API on 8080 with Prometheus metrics
 * on /metrics of the same port; the model directory is /mnt/models. No Triton build runs on Neuron.
 */
export const VLLM_NEURON: ModelRuntime = {
  id: "vllm-neuron",
  title: "vLLM on AWS Neuron",
  servingRuntimeName: VLLM_NEURON_RUNTIME_NAME,
  modelFormat: "vllm-neuron",
  image: IMAGES.vllmNeuron,
  accelerators: ["neuron"],
  servers: ["kserve"],
  metricsPort: "http",
  healthPath: "/health",
  // The same vLLM release as the GPU runtime (versions.ts): the same metric names for the picker.
  inferencePool: true,
  defaultAutoscaling: { metric: "in-flight", target: VLLM_IN_FLIGHT_TARGET },
  scalingQueries: {
    // Requests running plus waiting, per replica.
    "in-flight": vllmInFlight,
  },
  servingRuntime: (namespace) =>
    vllmServingRuntime(namespace, {
      name: VLLM_NEURON.servingRuntimeName,
      modelFormat: VLLM_NEURON.modelFormat,
      image: IMAGES.vllmNeuron,
      // Neuron compiles the model at start: liveness waits 10 minutes.
      livenessFailureThreshold: 6,
      livenessInitialDelaySeconds: 600,
      resources: { cpu: "2", memory: "8Gi" },
      // Documented exception (HARDENING_EXCEPTIONS in common/pod-security.ts): the Neuron DLC runs
      // as root; it still drops every capability, cannot escalate and runs seccomp RuntimeDefault.
      user: {
        root: true,
        reason: "the AWS Neuron vLLM DLC has no non-root user and writes its compile cache where root writes",
      },
    }),
  // Two NeuronCores per inf2 device; limits that fit inf2 (context 4096, 8 sequences).
  modelArgs: (model) => [
    "--tensor-parallel-size",
    String((devicesOf(model)?.count ?? 1) * 2),
    "--max-model-len",
    "4096",
    "--max-num-seqs",
    String(VLLM_MAX_NUM_SEQS),
  ],
};
