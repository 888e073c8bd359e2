import { imageRef, type ImagePin } from "../../versions";
import { RUNTIME_DEFAULT_SECCOMP, restrictedContainerSecurityContext } from "../../common/pod-security";
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

/** Where a non-root vLLM writes with a read-only root filesystem: an emptyDir at /tmp, also its HOME. */
export const VLLM_TMP = "/tmp";

/**
 * How a vLLM image runs: as a non-root uid with a read-only root filesystem, or as root (an
 * image that cannot run otherwise; `reason` says why and the exception is in HARDENING_EXCEPTIONS).
 */
export type VllmUser = { uid: number } | { root: true; reason: string };

/**
 * The container securityContext and what a non-root vLLM needs. The vLLM images have no USER
 * (vllm-project/vllm docker/Dockerfile) and install Python system-wide, readable by any uid.
 * With an arbitrary uid: HOME on the writable /tmp, where Hugging Face, vLLM, Triton, FlashInfer
 * and TorchInductor keep their caches by default (the approach of vllm-project/vllm#40275, which
 * makes the image non-root-ready later); USER and LOGNAME set, because torch calls
 * `getpass.getuser()`, which fails for a uid missing from /etc/passwd unless they are
 * (kserve/kserve#5666).
 */
function vllmUserSettings(user: VllmUser) {
  if ("root" in user)
    return {
      env: [] as { name: string; value: string }[],
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP },
      },
      volumeMounts: [] as { name: string; mountPath: string }[],
      volumes: [] as { name: string; emptyDir: Record<string, string> }[],
    };
  return {
    env: [
      { name: "HOME", value: VLLM_TMP },
      { name: "USER", value: "vllm" },
      { name: "LOGNAME", value: "vllm" },
    ],
    securityContext: { ...restrictedContainerSecurityContext(), runAsUser: user.uid, runAsGroup: user.uid },
    volumeMounts: [{ name: "tmp", mountPath: VLLM_TMP }],
    volumes: [{ name: "tmp", emptyDir: {} as Record<string, string> }],
  };
}

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
    /** Who the container runs as. */
    user: VllmUser;
  },
): ReturnType<ModelRuntime["servingRuntime"]> {
  const u = vllmUserSettings(r.user);
  const env = [...u.env, ...(r.env ?? [])];
  const volumeMounts = [...(r.shmSize ? [{ name: "dshm", mountPath: "/dev/shm" }] : []), ...u.volumeMounts];
  const volumes = [
    ...(r.shmSize ? [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: r.shmSize } }] : []),
    ...u.volumes,
  ];
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
          ...(env.length > 0 ? { env } : {}),
          ports: [{ name: "http", containerPort: KSERVE_HTTP_PORT, protocol: "TCP" }],
          ...(r.startupProbe ? { startupProbe: r.startupProbe } : {}),
          readinessProbe: vllmHealthProbe(10, 3),
          livenessProbe: {
            ...vllmHealthProbe(15, r.livenessFailureThreshold),
            ...(r.livenessInitialDelaySeconds ? { initialDelaySeconds: r.livenessInitialDelaySeconds } : {}),
          },
          ...(volumeMounts.length > 0 ? { volumeMounts } : {}),
          resources: {
            requests: { cpu: r.resources.cpu, memory: r.resources.memory },
            limits: { memory: r.resources.memory },
          },
          securityContext: u.securityContext,
        },
      ],
      ...(volumes.length > 0 ? { volumes } : {}),
    },
  };
}
