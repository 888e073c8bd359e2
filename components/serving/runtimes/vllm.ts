import type { ImagePin } from "../../versions";
import type { PullThroughMirror } from "../../cluster/pull-through-cache";
import { pulledImageRef } from "../../cluster/pull-through-cache";
import { restrictedContainerSecurityContext } from "../../common/pod-security";
import { KSERVE_HTTP_PORT } from "../ports";
import { ALB_DEREGISTRATION_DELAY_SECONDS, ENDPOINT_REMOVAL_SECONDS, type RuntimeDrain } from "../drain";
import type { ModelRuntime, ScalingQuery } from "./runtime";
import { VLLM_RUNTIME_LORA_UPDATING_ENV } from "../adapters";
import { KSERVE_SERVER_CONTAINER } from "../../common/names";

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

/** How vLLM drains: token streams, which end at the latest when the ALB drops a deregistered target's connections. */
export const VLLM_DRAIN: RuntimeDrain = { longestRequestSeconds: ALB_DEREGISTRATION_DELAY_SECONDS };

/**
 * vLLM's preStop drain: the endpoint-removal pause, then wait (at most the longest stream) until the
 * engine holds no request, running or waiting, as its own /metrics reports them
 * (`vllm:num_requests_running`, `vllm:num_requests_waiting`), polled every 2 s; a failed scrape ends
 * the wait. The pinned vLLM cannot be shown to drain on SIGTERM (serving/drain.ts), so the drain is
 * over before the kubelet sends it. Python's standard library only: both vLLM images ship python3.
 */
export const VLLM_PRESTOP_SCRIPT = [
  "import re, time, urllib.request",
  `time.sleep(${ENDPOINT_REMOVAL_SECONDS})`,
  `deadline = time.monotonic() + ${VLLM_DRAIN.longestRequestSeconds}`,
  "while time.monotonic() < deadline:",
  "    try:",
  `        text = urllib.request.urlopen('http://127.0.0.1:${KSERVE_HTTP_PORT}/metrics', timeout=5).read().decode()`,
  "    except Exception:",
  "        break",
  "    held = re.findall(r'^vllm:num_requests_(?:running|waiting)(?:\\{[^}]*\\})? (\\S+)$', text, re.M)",
  "    if sum(float(v) for v in held) == 0:",
  "        break",
  "    time.sleep(2)",
].join("\n");

/** The preStop hook every vLLM container runs ({@link VLLM_PRESTOP_SCRIPT}). */
export function vllmPreStop() {
  return { preStop: { exec: { command: ["python3", "-c", VLLM_PRESTOP_SCRIPT] } } };
}

/** Where a non-root vLLM writes with a read-only root filesystem: an emptyDir at /tmp, also its HOME. */
export const VLLM_TMP = "/tmp";

/**
 * uid (and gid) every vLLM container runs as. Neither image has a USER: vllm-project/vllm
 * docker/Dockerfile installs Python system-wide; the Neuron DLC (aws-neuron/deep-learning-containers
 * vllm/inference/0.16.0/Dockerfile.neuronx) installs it under /opt/conda as root with the default
 * umask, so any uid reads and runs it. 1000 is `ubuntu` in both Ubuntu 24.04 based images.
 */
export const VLLM_UID = 1000;

/**
 * The container securityContext and what a non-root vLLM needs, with a read-only root filesystem.
 * HOME on the writable /tmp, where Hugging Face, vLLM, Triton, FlashInfer and TorchInductor keep
 * their caches by default (the approach of vllm-project/vllm#40275, which makes the image
 * non-root-ready later); USER and LOGNAME set, because torch calls `getpass.getuser()`, which
 * fails for a uid missing from /etc/passwd unless they are (kserve/kserve#5666); the working
 * directory on /tmp too (the Neuron DLC's WORKDIR, /workspace/vllm, is a root-owned VOLUME).
 */
function vllmUserSettings(uid: number) {
  return {
    env: [
      { name: "HOME", value: VLLM_TMP },
      { name: "USER", value: "vllm" },
      { name: "LOGNAME", value: "vllm" },
    ],
    securityContext: { ...restrictedContainerSecurityContext(), runAsUser: uid, runAsGroup: uid },
    volumeMounts: [{ name: "tmp", mountPath: VLLM_TMP }],
    volumes: [{ name: "tmp", emptyDir: {} as Record<string, string> }],
  };
}

/**
 * The ServingRuntime every vLLM runtime shares: `vllm serve /mnt/models` (KServe's storage
 * initializer fills it) with the OpenAI-compatible API and /metrics on KServe's port, readiness
 * and liveness on /health, the preStop drain. Each runtime adds what its accelerator needs.
 */
export function vllmServingRuntime(
  namespace: string,
  r: {
    name: string;
    modelFormat: string;
    image: ImagePin;
    env?: { name: string; value: string }[];
    /** The startup probe: how long loading (and compiling) may take before liveness applies. */
    startupProbe: ReturnType<typeof vllmHealthProbe>;
    livenessFailureThreshold: number;
    resources: { cpu: string; memory: string };
    /** A memory-backed /dev/shm of this size (tensor parallelism exchanges tensors through it). */
    shmSize?: string;
    /** The non-root uid (and gid) the container runs as. */
    uid: number;
    /** The stack's pull-through cache, when it has one. Default: the image's own registry. */
    mirror?: PullThroughMirror;
  },
): ReturnType<ModelRuntime["servingRuntime"]> {
  const u = vllmUserSettings(r.uid);
  // Runtime adapter loading pinned off, whatever the image sets: no caller may load an adapter (adapters.ts).
  const env = [...u.env, { ...VLLM_RUNTIME_LORA_UPDATING_ENV }, ...(r.env ?? [])];
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
          name: KSERVE_SERVER_CONTAINER,
          image: pulledImageRef(r.image, r.mirror),
          command: ["vllm", "serve", "/mnt/models"],
          args: ["--port", String(KSERVE_HTTP_PORT), "--served-model-name", "{{.Name}}"],
          env,
          workingDir: VLLM_TMP,
          ports: [{ name: "http", containerPort: KSERVE_HTTP_PORT, protocol: "TCP" }],
          startupProbe: r.startupProbe,
          readinessProbe: vllmHealthProbe(10, 3),
          livenessProbe: vllmHealthProbe(15, r.livenessFailureThreshold),
          lifecycle: vllmPreStop(),
          volumeMounts,
          resources: {
            requests: { cpu: r.resources.cpu, memory: r.resources.memory },
            limits: { memory: r.resources.memory },
          },
          securityContext: u.securityContext,
        },
      ],
      volumes,
    },
  };
}
