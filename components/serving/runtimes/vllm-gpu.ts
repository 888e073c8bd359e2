import { imageRef, IMAGES } from "../../versions";
import { devicesOf } from "../model-spec";
import { KSERVE_HTTP_PORT } from "../ports";
import type { ModelRuntime } from "./runtime";

/** Size of the shared-memory volume at /dev/shm (tensor parallelism exchanges tensors through it). */
export const VLLM_SHM_SIZE = "8Gi";

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
  metricsPort: "http",
  healthPath: "/health",
  llmLimits: true,
  // Average KV-cache use across replicas: vLLM queues requests only once its KV cache is full,
  // so scaling out at 70% adds replicas while requests still start at once.
  defaultAutoscaling: { metric: "kv-cache", target: 70 },
  scalingQueries: {
    // Share of KV-cache blocks in use, averaged over the replicas' engines, in percent.
    "kv-cache": (sel) => ({ query: `avg(vllm:kv_cache_usage_perc${sel}) * 100`, metricType: "Value" }),
    // Requests running plus waiting, per replica.
    "in-flight": (sel) => ({
      query: `sum(vllm:num_requests_running${sel}) + sum(vllm:num_requests_waiting${sel})`,
      metricType: "AverageValue",
    }),
  },
  servingRuntime: (namespace) => ({
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ServingRuntime",
    metadata: { name: VLLM_GPU.servingRuntimeName, namespace },
    spec: {
      supportedModelFormats: [{ name: "vllm", autoSelect: true, priority: 1 }],
      protocolVersions: ["v1"],
      multiModel: false,
      containers: [
        {
          name: "kserve-container",
          image: imageRef(IMAGES.vllmOpenai),
          command: ["vllm", "serve", "/mnt/models"],
          args: ["--port", String(KSERVE_HTTP_PORT), "--served-model-name", "{{.Name}}"],
          // Weights come only from /mnt/models: never reach out to the Hugging Face Hub.
          env: [
            { name: "HF_HUB_OFFLINE", value: "1" },
            { name: "VLLM_NO_USAGE_STATS", value: "1" },
          ],
          ports: [{ name: "http", containerPort: KSERVE_HTTP_PORT, protocol: "TCP" }],
          // Loading weights into GPU memory and capturing CUDA graphs takes minutes: up to 20 before liveness applies.
          startupProbe: {
            httpGet: { path: "/health", port: KSERVE_HTTP_PORT },
            periodSeconds: 10,
            failureThreshold: 120,
          },
          readinessProbe: {
            httpGet: { path: "/health", port: KSERVE_HTTP_PORT },
            periodSeconds: 10,
            failureThreshold: 3,
          },
          // /health fails once the engine process has died; restart the pod then.
          livenessProbe: {
            httpGet: { path: "/health", port: KSERVE_HTTP_PORT },
            periodSeconds: 15,
            failureThreshold: 4,
          },
          volumeMounts: [{ name: "dshm", mountPath: "/dev/shm" }],
          resources: { requests: { cpu: "4", memory: "16Gi" }, limits: { memory: "16Gi" } },
          securityContext: { allowPrivilegeEscalation: false },
        },
      ],
      volumes: [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: VLLM_SHM_SIZE } }],
    },
  }),
  modelArgs: (model) => {
    const args = ["--tensor-parallel-size", String(devicesOf(model)?.count ?? 1)];
    if (model.llm)
      args.push("--max-model-len", String(model.llm.maxModelLen), "--max-num-seqs", String(model.llm.maxNumSeqs));
    return args;
  },
};
