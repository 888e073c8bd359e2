import { SYSTEM_NODE_SELECTOR } from "../common/labels";
import { ACCELERATOR_TAINT_KEY, LABELS } from "../common/accelerators";
import { policyDocument, PolicyDocument } from "../common/iam";
import { IMAGES } from "../versions";
import type { PullThroughMirror } from "../cluster/pull-through-cache";
import { pulledImageRef } from "../cluster/pull-through-cache";
import { modelFetcherContainer } from "./model-fetcher";
import { ModelSource, servedSource } from "./model-source";
import { devicesOf } from "./model-devices";
import type { ModelSpec } from "./model-types";
import { MODEL_POD_LABEL, SERVING_NAMESPACE, TRITON_SERVER_CONTAINER } from "../common/names";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../common/pod-security";
import {
  ALB_IDLE_TIMEOUT_SECONDS,
  preStopPause,
  type RuntimeDrain,
  terminationGracePeriodSeconds,
  zoneSpread,
} from "./drain";

/**
 * The Triton image's own user: `triton-server`, uid and gid 1000 (triton-inference-server/server
 * build.py deletes Ubuntu's `ubuntu` user, adds it and asserts both ids are 1000 in every image).
 */
export const TRITON_UID = 1000;
/**
 * Where Triton writes at run time with a read-only root filesystem: /tmp (HOME too: the Python
 * backend's stubs and the frameworks' caches) on an emptyDir; /dev/shm is its own memory volume.
 */
export const TRITON_TMP = "/tmp";

export const TRITON_PORTS = { http: 8000, grpc: 8001, metrics: 8002 } as const;
const MODEL_DIR = "/models";

/** Size of Triton's memory-backed /dev/shm (the Python backend and its stubs exchange tensors through it). */
export const TRITON_SHM_SIZE = "2Gi";

/**
 * How Triton drains: predictive requests are answered whole, so none outlives the ALB's idle timeout.
 * After SIGTERM Triton refuses new requests and waits up to `--exit-timeout-secs` for those in flight
 * (tritonserver --help: "Timeout (in seconds) when exiting to wait for in-flight inferences to
 * finish"), set to this.
 */
export const TRITON_DRAIN: RuntimeDrain = { longestRequestSeconds: ALB_IDLE_TIMEOUT_SECONDS };

/**
 * Triton's probes on its v2 health endpoints, on `port` (the Deployment's named port or KServe's
 * 8080): a startup probe allowing 15 minutes (10 s x 90) for the model repository to load (large
 * TensorRT engines, Python backends installing their environment) before liveness applies, then
 * readiness and liveness.
 */
export function tritonProbes(port: number | string) {
  return {
    startupProbe: { httpGet: { path: "/v2/health/ready", port }, periodSeconds: 10, failureThreshold: 90 },
    readinessProbe: { httpGet: { path: "/v2/health/ready", port }, periodSeconds: 5, failureThreshold: 3 },
    livenessProbe: { httpGet: { path: "/v2/health/live", port }, periodSeconds: 10, failureThreshold: 6 },
  };
}

export function tritonLabels(model: string) {
  return {
    "app.kubernetes.io/name": "triton",
    "app.kubernetes.io/instance": model,
    "app.kubernetes.io/part-of": "mlserving",
    [MODEL_POD_LABEL]: model,
  };
}

/** Triton's command line: the fetched repository, fixed ports, latency histograms for p50/p95/p99. */
export function tritonArgs(modelRepository = MODEL_DIR): string[] {
  return [
    `--model-repository=${modelRepository}`,
    "--model-control-mode=none",
    "--exit-on-error=true",
    "--strict-readiness=true",
    `--exit-timeout-secs=${TRITON_DRAIN.longestRequestSeconds}`,
    `--http-port=${TRITON_PORTS.http}`,
    `--grpc-port=${TRITON_PORTS.grpc}`,
    `--metrics-port=${TRITON_PORTS.metrics}`,
    "--allow-metrics=true",
    "--allow-gpu-metrics=true",
    "--metrics-config=histogram_latencies=true",
  ];
}

/** Node selection and tolerations that land a model on its accelerator's nodes (or system nodes for cpu). */
export function placementFor(accelerator: ModelSpec["accelerator"]): {
  nodeSelector: Record<string, string>;
  tolerations: { key: string; operator: string; effect: string }[];
} {
  if (accelerator === "cpu") return { nodeSelector: { ...SYSTEM_NODE_SELECTOR }, tolerations: [] };
  return {
    nodeSelector: { [LABELS.accelerator]: accelerator },
    tolerations: [{ key: ACCELERATOR_TAINT_KEY[accelerator], operator: "Exists", effect: "NoSchedule" }],
  };
}

/** Requests and limits of one replica, devices included (devices are limits-only resources). */
export function resourcesFor(model: ModelSpec) {
  const devices = devicesOf(model);
  const extra = devices ? { [devices.resource]: String(devices.count) } : {};
  return {
    requests: { cpu: model.resources.cpu, memory: model.resources.memory, ...extra },
    limits: { memory: model.resources.memory, ...extra },
  };
}

/** Read-only access to exactly the model's S3 prefix. */
export function modelReaderPolicy(partition: string, source: Extract<ModelSource, { kind: "s3" }>): PolicyDocument {
  const bucketArn = `arn:${partition}:s3:::${source.bucket}`;
  return policyDocument(
    { Sid: "ReadModelObjects", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/${source.prefix}/*` },
    {
      Sid: "ListModelPrefix",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": [`${source.prefix}/*`, source.prefix] } },
    },
  );
}

export interface TritonDeploymentInput {
  model: ModelSpec;
  serviceAccountName: string;
  region: string;
  trackingUri?: string;
  schedulerName?: string;
  /** Namespace of the model. Default: `serving`. */
  namespace?: string;
  /** The stack's pull-through cache, when it has one. Default: every image from its own registry. */
  mirror?: PullThroughMirror;
}

/**
 * Triton for one model: an init container fetches the model repository, Triton serves it on
 * 8000/8001/8002 with startup, readiness and liveness probes on the v2 health endpoints,
 * /dev/shm in memory, a preStop pause so load balancers drain, spread across zones.
 */
export function tritonDeployment(input: TritonDeploymentInput) {
  const { model } = input;
  const labels = tritonLabels(model.name);
  const placement = placementFor(model.accelerator);
  return {
    metadata: {
      name: model.name,
      namespace: input.namespace ?? SERVING_NAMESPACE,
      labels,
      // The model may be registered after the platform is up, and KEDA owns the replica count:
      // Pulumi creates the Deployment without waiting for it to become ready.
      annotations: { "pulumi.com/skipAwait": "true" },
    },
    spec: {
      replicas: model.replicas.min,
      selector: { matchLabels: labels },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: input.serviceAccountName,
          ...(input.schedulerName ? { schedulerName: input.schedulerName } : {}),
          ...placement,
          terminationGracePeriodSeconds: terminationGracePeriodSeconds(TRITON_DRAIN),
          topologySpreadConstraints: zoneSpread(labels),
          // Model servers never call the Kubernetes API: no token in the pod.
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(TRITON_UID),
          initContainers: [
            {
              ...modelFetcherContainer(
                "fetch-model",
                { trackingUri: input.trackingUri, region: input.region, mirror: input.mirror },
                [servedSource(model.source, model.pinnedVersion), MODEL_DIR],
              ),
              volumeMounts: [{ name: "models", mountPath: MODEL_DIR }],
            },
          ],
          containers: [
            {
              name: TRITON_SERVER_CONTAINER,
              image: pulledImageRef(IMAGES.tritonServer, input.mirror),
              command: ["tritonserver"],
              args: tritonArgs(),
              env: [{ name: "HOME", value: TRITON_TMP }],
              ports: [
                { name: "http", containerPort: TRITON_PORTS.http, protocol: "TCP" },
                { name: "grpc", containerPort: TRITON_PORTS.grpc, protocol: "TCP" },
                { name: "metrics", containerPort: TRITON_PORTS.metrics, protocol: "TCP" },
              ],
              resources: resourcesFor(model),
              ...tritonProbes("http"),
              lifecycle: preStopPause(),
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [
                { name: "models", mountPath: MODEL_DIR, readOnly: true },
                { name: "dshm", mountPath: "/dev/shm" },
                { name: "tmp", mountPath: TRITON_TMP },
              ],
            },
          ],
          volumes: [
            { name: "models", emptyDir: {} },
            { name: "tmp", emptyDir: {} },
            { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: TRITON_SHM_SIZE } },
          ],
        },
      },
    },
  };
}

export function tritonService(model: string, namespace: string = SERVING_NAMESPACE) {
  return {
    metadata: { name: model, namespace, labels: tritonLabels(model) },
    spec: {
      type: "ClusterIP",
      selector: tritonLabels(model),
      ports: [
        { name: "http", port: TRITON_PORTS.http, targetPort: "http", protocol: "TCP" },
        {
          name: "grpc",
          port: TRITON_PORTS.grpc,
          targetPort: "grpc",
          protocol: "TCP",
          appProtocol: "kubernetes.io/h2c",
        },
        { name: "metrics", port: TRITON_PORTS.metrics, targetPort: "metrics", protocol: "TCP" },
      ],
    },
  };
}

/** At most one replica down for voluntary disruptions (node drains, consolidation). */
export function podDisruptionBudget(
  name: string,
  selector: Record<string, string>,
  namespace: string = SERVING_NAMESPACE,
) {
  return {
    metadata: { name, namespace, labels: selector },
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  };
}
