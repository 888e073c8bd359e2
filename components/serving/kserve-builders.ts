import { SYSTEM_NODE_SELECTOR } from "../common/labels";
import { imageRef, IMAGES } from "../versions";
import { copyPodLabel, podMonitor } from "../common/monitors";
import { MODEL_LABEL, TRACK_LABEL } from "./autoscaling";
import { modelFetcherContainer } from "./model-fetcher";
import { parseModelSource } from "./model-source";
import { devicesOf, ModelSpec, VLLM_MAX_NUM_SEQS } from "./model-spec";
import { MODEL_POD_LABEL, SERVING_NAMESPACE, TRACK_POD_LABEL } from "../common/names";
import { placementFor, resourcesFor, tritonArgs } from "./triton-builders";

export const KSERVE_NAMESPACE = "kserve";
export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const KEDA_NAMESPACE = "keda";
/** Runtime names and the pod label that tells them apart in monitors. */
export const RUNTIMES = { triton: "triton-gpu", vllmNeuron: "vllm-neuron" } as const;
export const RUNTIME_POD_LABEL = "mlserving.io/runtime";

/**
 * The KServe controller's metrics Service (kserve-resources v0.20.0, files/kserve/resources.yaml):
 * `kserve-controller-manager-metrics-service`, port `https` (8443) behind kube-rbac-proxy.
 */
export const KSERVE_CONTROLLER_METRICS = {
  serviceLabels: { "control-plane": "kserve-controller-manager", "controller-tools.k8s.io": "1.0" },
  port: "https",
};

/** KServe serves the predictor on 8080 (HTTP) and 9000 (gRPC) in its pods. */
export const KSERVE_HTTP_PORT = 8080;

const onSystemNodes = SYSTEM_NODE_SELECTOR;

/** cert-manager (v1.21.1 chart) with its CRDs, on the system nodes; KServe's webhooks get their certificates from it. */
export function certManagerValues() {
  return {
    crds: { enabled: true, keep: true },
    nodeSelector: onSystemNodes,
    webhook: { nodeSelector: onSystemNodes },
    cainjector: { nodeSelector: onSystemNodes },
  };
}

/** KEDA 2.20.2 with its CRDs; its operator and metrics server on the system nodes. */
export function kedaValues() {
  return { crds: { install: true }, nodeSelector: onSystemNodes };
}

/**
 * kserve-resources v0.20.0 in Standard (raw Deployment) mode: no Knative, no Istio. The kit
 * authors the Ingresses itself (weighted canaries need the ALB's forward actions), so KServe
 * creates none; the built-in storage container stays for s3:// and friends.
 */
export function kserveValues(region: string) {
  return {
    kserve: {
      controller: {
        deploymentMode: "Standard",
        gateway: { ingressGateway: { className: "alb" }, disableIngressCreation: true },
        nodeSelector: onSystemNodes,
      },
      storage: { s3: { useHttps: "1", region } },
    },
  };
}

/**
 * ServingRuntime for Triton on GPUs (or CPUs): the pinned Triton image (KServe's bundled one is
 * 23.05) with the kit's flags on KServe's ports (8080 HTTP, 9000 gRPC) and metrics on 8002.
 */
export function tritonServingRuntime() {
  const args = tritonArgs("/mnt/models").map((a) =>
    a.startsWith("--http-port=")
      ? `--http-port=${KSERVE_HTTP_PORT}`
      : a.startsWith("--grpc-port=")
        ? "--grpc-port=9000"
        : a,
  );
  return {
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ServingRuntime",
    metadata: { name: RUNTIMES.triton, namespace: SERVING_NAMESPACE },
    spec: {
      supportedModelFormats: [
        { name: "triton", version: "2", autoSelect: true, priority: 2 },
        { name: "onnx", version: "1", autoSelect: true, priority: 2 },
        { name: "tensorrt", version: "8", autoSelect: true, priority: 2 },
        { name: "pytorch", version: "1", autoSelect: false },
      ],
      protocolVersions: ["v2", "grpc-v2"],
      multiModel: false,
      containers: [
        {
          name: "kserve-container",
          image: imageRef(IMAGES.tritonServer),
          command: ["tritonserver"],
          args,
          ports: [
            { name: "http", containerPort: KSERVE_HTTP_PORT, protocol: "TCP" },
            { name: "metrics", containerPort: 8002, protocol: "TCP" },
          ],
          readinessProbe: {
            httpGet: { path: "/v2/health/ready", port: KSERVE_HTTP_PORT },
            periodSeconds: 5,
            failureThreshold: 3,
          },
          livenessProbe: {
            httpGet: { path: "/v2/health/live", port: KSERVE_HTTP_PORT },
            periodSeconds: 10,
            failureThreshold: 6,
            initialDelaySeconds: 60,
          },
          resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } },
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
          },
        },
      ],
    },
  };
}

/**
 * ServingRuntime for Inferentia: vLLM on the AWS Neuron DLC, OpenAI-compatible API on 8080
 * with Prometheus metrics on /metrics of the same port; the model directory is /mnt/models.
 */
export function vllmNeuronServingRuntime() {
  return {
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ServingRuntime",
    metadata: { name: RUNTIMES.vllmNeuron, namespace: SERVING_NAMESPACE },
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
  };
}

/**
 * ClusterStorageContainer for `models:/` references: KServe runs it as the storage initializer
 * with `<uri> /mnt/models`, and it pulls the model through the MLflow registry. Its credentials
 * come from a Secret in the InferenceService's namespace.
 */
export function mlflowStorageContainer(trackingUri: string, region: string) {
  return {
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ClusterStorageContainer",
    metadata: { name: "mlflow-models" },
    spec: {
      container: modelFetcherContainer("storage-initializer", { trackingUri, region }),
      supportedUriFormats: [{ prefix: "models:/" }],
      workloadType: "initContainer",
    },
  };
}

export interface InferenceServiceInput {
  model: ModelSpec;
  /** `stable`, or `canary` for the version taking a share of traffic. */
  track: "stable" | "canary";
  /** Name of the InferenceService (the model's, or `<model>-canary`). */
  name: string;
  source: string;
  serviceAccountName: string;
  schedulerName?: string;
}

/**
 * InferenceService (serving.kserve.io/v1beta1) in Standard mode, placed on its accelerator's
 * nodes; its predictor Deployment is scaled by the kit's KEDA ScaledObject (autoscaler class
 * `external`). Neuron models get vLLM limits that fit inf2 (context 4096, 8 sequences).
 */
export function inferenceService(input: InferenceServiceInput) {
  const { model } = input;
  const vllm = model.accelerator === "neuron";
  const devices = devicesOf(model);
  const placement = placementFor(model.accelerator);
  const runtime = vllm ? RUNTIMES.vllmNeuron : RUNTIMES.triton;
  const s3 = parseModelSource(input.source)?.kind === "s3";
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: {
      name: input.name,
      namespace: SERVING_NAMESPACE,
      labels: { [MODEL_POD_LABEL]: model.name },
      annotations: {
        "serving.kserve.io/deploymentMode": "Standard",
        // The kit's own ScaledObject scales the predictor (see scaledObject); KServe leaves replicas alone.
        "serving.kserve.io/autoscalerClass": "external",
      },
    },
    spec: {
      predictor: {
        serviceAccountName: input.serviceAccountName,
        ...(input.schedulerName ? { schedulerName: input.schedulerName } : {}),
        ...placement,
        minReplicas: model.replicas.min,
        maxReplicas: model.replicas.max,
        labels: { [MODEL_POD_LABEL]: model.name, [RUNTIME_POD_LABEL]: runtime, [TRACK_POD_LABEL]: input.track },
        deploymentStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        ...(s3 ? {} : { storageContainerName: "mlflow-models" }),
        model: {
          modelFormat: { name: vllm ? "vllm-neuron" : "triton" },
          runtime,
          storageUri: input.source,
          resources: resourcesFor(model),
          ...(vllm && devices
            ? {
                args: [
                  "--tensor-parallel-size",
                  String(devices.count * 2),
                  "--max-model-len",
                  "4096",
                  "--max-num-seqs",
                  String(VLLM_MAX_NUM_SEQS),
                ],
              }
            : {}),
        },
      },
    },
  };
}

/** The readiness endpoint the ALB health-checks: Triton's v2 ready, or vLLM's /health. */
export function healthPathFor(model: Pick<ModelSpec, "accelerator">): string {
  return model.accelerator === "neuron" ? "/health" : "/v2/health/ready";
}

/**
 * PodMonitor for the KServe predictor pods of one runtime (Triton serves metrics on its
 * `metrics` port, vLLM on `http`), labelling every series with the kit's model and track.
 */
export function runtimePodMonitor(runtime: (typeof RUNTIMES)[keyof typeof RUNTIMES]) {
  return podMonitor({
    name: runtime,
    namespace: SERVING_NAMESPACE,
    podLabels: { [RUNTIME_POD_LABEL]: runtime },
    port: runtime === RUNTIMES.triton ? "metrics" : "http",
    relabelings: [copyPodLabel(MODEL_POD_LABEL, MODEL_LABEL), copyPodLabel(TRACK_POD_LABEL, TRACK_LABEL)],
  });
}

/**
 * An internal ALB route to a model. With a canary, the route is an ALB forward action that
 * splits traffic by weight between the stable and canary predictor Services (KServe's own
 * canaryTrafficPercent works only in Knative mode).
 */
export function modelIngress(input: {
  model: string;
  host: string;
  healthPath: string;
  canaryPercent?: number;
  internetFacing?: boolean;
  groupName: string;
  /** ACM certificate: the ALB then listens on HTTPS 443 only. */
  certificateArn?: string;
  /** Service and port to route to. Default: KServe's `<model>-predictor` on 80. */
  service?: { name: string; port: { name: string } | { number: number } };
}) {
  const annotations: Record<string, string> = {
    "alb.ingress.kubernetes.io/scheme": input.internetFacing ? "internet-facing" : "internal",
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/group.name": input.groupName,
    "alb.ingress.kubernetes.io/healthcheck-path": input.healthPath,
  };
  if (input.certificateArn) {
    annotations["alb.ingress.kubernetes.io/certificate-arn"] = input.certificateArn;
    annotations["alb.ingress.kubernetes.io/listen-ports"] = JSON.stringify([{ HTTPS: 443 }]);
  }
  let backend: { service: { name: string; port: { name: string } | { number: number } } } = {
    service: input.service ?? { name: `${input.model}-predictor`, port: { number: 80 } },
  };
  if (input.canaryPercent) {
    const action = `${input.model}-weighted`;
    annotations[`alb.ingress.kubernetes.io/actions.${action}`] = JSON.stringify({
      type: "forward",
      forwardConfig: {
        targetGroups: [
          { serviceName: `${input.model}-predictor`, servicePort: "80", weight: 100 - input.canaryPercent },
          { serviceName: `${input.model}-canary-predictor`, servicePort: "80", weight: input.canaryPercent },
        ],
      },
    });
    backend = { service: { name: action, port: { name: "use-annotation" } } };
  }
  return {
    metadata: {
      name: input.model,
      namespace: SERVING_NAMESPACE,
      labels: { [MODEL_POD_LABEL]: input.model },
      annotations,
    },
    spec: {
      ingressClassName: "alb",
      rules: [{ host: input.host, http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }],
    },
  };
}
