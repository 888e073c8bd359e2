import { imageRef, type ImagePin } from "../../versions";
import { KSERVE_HTTP_PORT } from "../ports";
import type { ModelRuntime, ScalingQuery } from "./runtime";

/** vLLM's requests running plus waiting, per replica (both vLLM runtimes report it). */
export const vllmInFlight = (sel: string): ScalingQuery => ({
  query: `sum(vllm:num_requests_running${sel}) + sum(vllm:num_requests_waiting${sel})`,
  metricType: "AverageValue",
});

export const vllmHealthProbe = (periodSeconds: number, failureThreshold: number) => ({
  httpGet: { path: "/health", port: KSERVE_HTTP_PORT },
  periodSeconds,
  failureThreshold,
});

/**
 * The ServingRuntime every vLLM runtime shares: `vllm serve /mnt/models` (KServe's storage
 * initializer fills it) with the OpenAI-compatible API and /metrics on KServe's port, readiness
 * and liveness on /health. Each runtime adds what its accelerator needs.
 */
export function vllmServingRuntime(
  namespace: string,
  r: {
    name: string;
    modelFormat: string;
    image: ImagePin;
    env?: { name: string; value: string }[];
    /** Probes for slow starts: a startup probe, or a liveness delay. */
    startupProbe?: ReturnType<typeof vllmHealthProbe>;
    livenessFailureThreshold: number;
    livenessInitialDelaySeconds?: number;
    resources: { cpu: string; memory: string };
    /** A memory-backed /dev/shm of this size (tensor parallelism exchanges tensors through it). */
    shmSize?: string;
  },
): ReturnType<ModelRuntime["servingRuntime"]> {
  return {
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ServingRuntime",
    metadata: { name: r.name, namespace },
    spec: {
      supportedModelFormats: [{ name: r.modelFormat, autoSelect: true, priority: 1 }],
      protocolVersions: ["v1"],
      multiModel: false,
      containers: [
        {
          name: "kserve-container",
          image: imageRef(r.image),
          command: ["vllm", "serve", "/mnt/models"],
          args: ["--port", String(KSERVE_HTTP_PORT), "--served-model-name", "{{.Name}}"],
          ...(r.env ? { env: r.env } : {}),
          ports: [{ name: "http", containerPort: KSERVE_HTTP_PORT, protocol: "TCP" }],
          ...(r.startupProbe ? { startupProbe: r.startupProbe } : {}),
          readinessProbe: vllmHealthProbe(10, 3),
          livenessProbe: {
            ...vllmHealthProbe(15, r.livenessFailureThreshold),
            ...(r.livenessInitialDelaySeconds ? { initialDelaySeconds: r.livenessInitialDelaySeconds } : {}),
          },
          ...(r.shmSize ? { volumeMounts: [{ name: "dshm", mountPath: "/dev/shm" }] } : {}),
          resources: {
            requests: { cpu: r.resources.cpu, memory: r.resources.memory },
            limits: { memory: r.resources.memory },
          },
          securityContext: { allowPrivilegeEscalation: false },
        },
      ],
      ...(r.shmSize ? { volumes: [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: r.shmSize } }] } : {}),
    },
  };
}
