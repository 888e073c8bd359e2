import { imageRef, IMAGES } from "../../versions";
import { devicesOf } from "../model-spec";
import { KSERVE_HTTP_PORT } from "../ports";
import type { ModelRuntime } from "./runtime";

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
  servingRuntimeName: "vllm-neuron",
  modelFormat: "vllm-neuron",
  image: IMAGES.vllmNeuron,
  accelerators: ["neuron"],
  servers: ["kserve"],
  metricsPort: "http",
  healthPath: "/health",
  defaultAutoscaling: { metric: "in-flight", target: VLLM_IN_FLIGHT_TARGET },
  scalingQueries: {
    // Requests running plus waiting, per replica.
    "in-flight": (sel) => ({
      query: `sum(vllm:num_requests_running${sel}) + sum(vllm:num_requests_waiting${sel})`,
      metricType: "AverageValue",
    }),
  },
  servingRuntime: (namespace) => ({
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ServingRuntime",
    metadata: { name: VLLM_NEURON.servingRuntimeName, namespace },
    spec: {
      supportedModelFormats: [{ name: "vllm-neuron", autoSelect: true, priority: 1 }],
      protocolVersions: ["v1"],
      multiModel: false,
      containers: [
        {
          name: "kserve-container",
          image: imageRef(IMAGES.vllmNeuron),
          command: ["vllm", "serve", "/mnt/models"],
          args: ["--port", String(KSERVE_HTTP_PORT), "--served-model-name", "{{.Name}}"],
          ports: [{ name: "http", containerPort: KSERVE_HTTP_PORT, protocol: "TCP" }],
          readinessProbe: {
            httpGet: { path: "/health", port: KSERVE_HTTP_PORT },
            periodSeconds: 10,
            failureThreshold: 3,
          },
          livenessProbe: {
            httpGet: { path: "/health", port: KSERVE_HTTP_PORT },
            periodSeconds: 15,
            failureThreshold: 6,
            initialDelaySeconds: 600,
          },
          resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "8Gi" } },
          securityContext: { allowPrivilegeEscalation: false },
        },
      ],
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
