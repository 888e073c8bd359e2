import { albSubnetsAnnotation } from "../cluster/load-balancer-controller-values";
import { SYSTEM_NODE_SELECTOR } from "../common/labels";
import { copyPodLabel, podMonitor } from "../common/monitors";
import { MODEL_LABEL, MODEL_VERSION_LABEL, TRACK_LABEL } from "./autoscaling";
import { modelFetcherContainer } from "./model-fetcher";
import type { PullThroughMirror } from "../cluster/pull-through-cache";
import { parseModelSource, servedVersion } from "./model-source";
import { weightsStorageUri } from "./mounted-weights";
import { adapterMountPath, adapterVolumeName } from "./adapters";
import { ModelSpec, trackReplicas } from "./model-spec";
import { ModelRuntime, runtimeOf } from "./runtimes";
import { servingRuntimePod } from "./runtimes/runtime";
import { MODEL_POD_LABEL, MODEL_VERSION_POD_LABEL, SERVING_NAMESPACE, TRACK_POD_LABEL } from "../common/names";
import { placementFor, resourcesFor } from "./triton-builders";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../common/pod-security";
import { callerAnnotations, type EndpointOidc } from "./callers";
import { terminationGracePeriodSeconds, trackSelector, zoneSpread } from "./drain";
import type { ModelTrack } from "./tracks";
import type { CompileCacheRestore } from "./compile-cache";

export { CERT_MANAGER_NAMESPACE, KEDA_NAMESPACE, KSERVE_NAMESPACE } from "../common/names";
/** The pod label that tells runtimes apart in monitors (value: the ServingRuntime's name). */
export const RUNTIME_POD_LABEL = "mlserving.io/runtime";

/**
 * The KServe controller's metrics Service (kserve-resources v0.20.0, files/kserve/resources.yaml):
 * `kserve-controller-manager-metrics-service`, port `https` (8443) behind kube-rbac-proxy.
 */
export const KSERVE_CONTROLLER_METRICS = {
  serviceLabels: { "control-plane": "kserve-controller-manager", "controller-tools.k8s.io": "1.0" },
  port: "https",
};

export { KSERVE_HTTP_PORT } from "./ports";

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

/**
 * KEDA's operator metrics (kedacore/charts v2.20.2 keda/values.yaml `prometheus.operator`): with
 * `enabled` the operator serves them on `:8080` (`--metrics-bind-address`) and its Service
 * (`keda-operator`, label `app.kubernetes.io/name: keda-operator`) gets the port `metrics`. The kit
 * scrapes it with its own ServiceMonitor (KEDA_ADDON.metrics), not the chart's, which the chart
 * would create before the monitoring CRDs exist.
 */
export const KEDA_OPERATOR_METRICS = {
  serviceLabels: { "app.kubernetes.io/name": "keda-operator" },
  port: "metrics",
  // keda_scaled_object_errors_total carries the ScaledObject's own `namespace`: keep it.
  honorLabels: true,
};

/** KEDA 2.20.2 with its CRDs; its operator and metrics server on the system nodes, the operator's metrics served. */
export function kedaValues() {
  return {
    crds: { install: true },
    nodeSelector: onSystemNodes,
    prometheus: { operator: { enabled: true, port: 8080 } },
  };
}

/**
 * kserve-resources v0.20.0 in Standard (raw Deployment) mode: no Knative, no Istio. The kit
 * authors the Ingresses itself (weighted canaries need the ALB's forward actions), so KServe
 * creates none. The chart's `kserve.storage.s3` settings are not set: KServe v0.20.0 applies them
 * (pkg/credentials/service_account_credentials.go) only to a service account annotated for IRSA
 * (`eks.amazonaws.com/role-arn`) or one holding an access-key Secret, and the kit's models use EKS
 * Pod Identity, which has neither; the kit's own fetcher downloads s3:// sources instead
 * ({@link s3StorageContainer}).
 */
export function kserveValues() {
  return {
    kserve: {
      controller: {
        deploymentMode: "Standard",
        gateway: { ingressGateway: { className: "alb" }, disableIngressCreation: true },
        nodeSelector: onSystemNodes,
      },
    },
  };
}

/** Name of the ClusterStorageContainer that fetches `models:/` references through the registry. */
export const MLFLOW_STORAGE_CONTAINER = "mlflow-models";
/** Name of the ClusterStorageContainer that fetches `s3://` sources with the pod's own identity. */
export const S3_STORAGE_CONTAINER = "s3-models";

/**
 * ClusterStorageContainer for `models:/` references: KServe runs it as the storage initializer
 * with `<uri> /mnt/models`, and it pulls the model through the MLflow registry. Its credentials
 * come from a Secret in the InferenceService's namespace.
 */
export function mlflowStorageContainer(trackingUri: string, region: string, mirror?: PullThroughMirror) {
  return {
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ClusterStorageContainer",
    metadata: { name: MLFLOW_STORAGE_CONTAINER },
    spec: {
      container: modelFetcherContainer("storage-initializer", { trackingUri, region, mirror }),
      supportedUriFormats: [{ prefix: "models:/" }],
      workloadType: "initContainer",
    },
  };
}

/**
 * ClusterStorageContainer for `s3://` sources: the same fetcher (MLflow's client, boto3 underneath)
 * with the region set, reading with the pod's EKS Pod Identity credentials, which the Pod Identity
 * webhook gives every container of the pod, init containers included. It replaces KServe's default
 * storage initializer, whose S3 region and HTTPS settings KServe never applies with Pod Identity
 * (see {@link kserveValues}), and runs hardened like every kit container. No registry credentials.
 */
export function s3StorageContainer(region: string, mirror?: PullThroughMirror) {
  return {
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ClusterStorageContainer",
    metadata: { name: S3_STORAGE_CONTAINER },
    spec: {
      container: modelFetcherContainer("storage-initializer", { region, mirror }),
      supportedUriFormats: [{ prefix: "s3://" }],
      workloadType: "initContainer",
    },
  };
}

export interface InferenceServiceInput {
  model: ModelSpec;
  /** `stable`, or `canary` for the version taking a share of traffic (or an A/B `variant`, a `shadow`; see tracks.ts). */
  track: ModelTrack;
  /** Name of the InferenceService (the model's, or `<model>-canary`). */
  name: string;
  /** What every replica loads (an alias already resolved to its pinned version, see `servedSource`). */
  source: string;
  /** The source as the stack file gives it, when it differs (an alias and its pinned version). */
  configuredSource?: string;
  serviceAccountName: string;
  schedulerName?: string;
  /** Namespace of the model. Default: `serving`. */
  namespace?: string;
  /**
   * Claim of the read-only volume the weights are mounted from (`mountWeights`): KServe mounts it at
   * /mnt/models and runs no storage initializer. Default: the source is downloaded at pod start.
   */
  weightsClaim?: string;
  /** Server arguments after the runtime's (e.g. the served model name of a gateway track). Default: none. */
  extraArgs?: string[];
  /**
   * The claim of each of the model's LoRA adapters (`model.adapters`), by adapter name: mounted
   * read-only at `/mnt/adapters/<name>`, where the runtime's arguments register them. Required
   * for a model with adapters.
   */
  adapterClaims?: Readonly<Record<string, string>>;
  /**
   * Restore the track's compile cache before the server starts (`compileCache`; compile-cache.ts
   * `compileCacheRestore`): an init container, its volumes, the server's mount and env. Default: none.
   */
  compileCache?: CompileCacheRestore;
}

/**
 * The predictor's server arguments after the ServingRuntime's: the runtime's for the model, how it reads
 * mounted weights fastest (mountedWeightsLoad), then the track's own (e.g. a gateway track's served name).
 * The compile Job runs the server with exactly these (compile-cache.ts).
 */
export function predictorArgs(model: ModelSpec, mountedWeights: boolean, extraArgs: readonly string[] = []): string[] {
  const runtime = runtimeOf(model);
  return [
    ...(runtime.modelArgs?.(model) ?? []),
    ...(mountedWeights ? (runtime.mountedWeightsLoad?.args ?? []) : []),
    ...extraArgs,
  ];
}

/**
 * InferenceService (serving.kserve.io/v1beta1) in Standard mode, placed on its accelerator's
 * nodes; its predictor Deployment is scaled by the kit's KEDA ScaledObject (autoscaler class
 * `external`). Neuron models get vLLM limits that fit inf2 (context 4096, 8 sequences).
 */
export function inferenceService(input: InferenceServiceInput) {
  const { model } = input;
  const runtime = runtimeOf(model);
  const placement = placementFor(model.accelerator);
  // The kit's fetcher downloads both kinds of source (one ClusterStorageContainer each); mounted weights need none.
  const storageContainer = input.weightsClaim
    ? {}
    : {
        storageContainerName:
          parseModelSource(input.source)?.kind === "s3" ? S3_STORAGE_CONTAINER : MLFLOW_STORAGE_CONTAINER,
      };
  const args = predictorArgs(model, input.weightsClaim !== undefined, input.extraArgs);
  // Each adapter's read-only claim, mounted where the runtime's --lora-modules point (adapters.ts).
  const adapters = model.adapters ?? [];
  const missing = adapters.filter((a) => !input.adapterClaims?.[a.name]).map((a) => a.name);
  if (missing.length > 0) throw new Error(`model ${model.name}: no claim for adapter(s) ${missing.join(", ")}`);
  const adapterVolumes = adapters.map((a) => ({
    name: adapterVolumeName(a.name),
    persistentVolumeClaim: { claimName: input.adapterClaims![a.name], readOnly: true },
  }));
  const adapterMounts = adapters.map((a) => ({
    name: adapterVolumeName(a.name),
    mountPath: adapterMountPath(a.name),
    readOnly: true,
  }));
  const version = servedVersion(input.source);
  // The registry version served, on the InferenceService and its pods (and so on every scraped series).
  const versionLabel: Record<string, string> =
    version !== undefined ? { [MODEL_VERSION_POD_LABEL]: String(version) } : {};
  // An alias pinned for this rollout: which alias the version came from, for reviewers and rollbacks.
  const sourceAnnotation: Record<string, string> =
    input.configuredSource && input.configuredSource !== input.source
      ? { "mlserving.io/model-source": input.configuredSource }
      : {};
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: {
      name: input.name,
      namespace: input.namespace ?? SERVING_NAMESPACE,
      labels: { [MODEL_POD_LABEL]: model.name, ...versionLabel },
      annotations: {
        ...sourceAnnotation,
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
        // A canary is sized from its share of traffic (trackReplicas), the stable track by the model.
        minReplicas: trackReplicas(model, input.track).min,
        maxReplicas: trackReplicas(model, input.track).max,
        labels: {
          [MODEL_POD_LABEL]: model.name,
          [RUNTIME_POD_LABEL]: runtime.servingRuntimeName,
          [TRACK_POD_LABEL]: input.track,
          ...versionLabel,
        },
        deploymentStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        // Drain (serving/drain.ts): the runtime's container pauses in preStop; the grace covers its longest request.
        // KServe v0.20.0 takes these from the predictor, not the ServingRuntime (MergePodSpec in
        // pkg/controller/v1beta1/inferenceservice/utils/utils.go keeps only the runtime's node
        // selector, affinity, tolerations, volumes, image pull secrets and scheduler name).
        terminationGracePeriodSeconds: terminationGracePeriodSeconds(runtime.drain),
        topologySpreadConstraints: zoneSpread(trackSelector(model.name, input.track)),
        // Model servers never call the Kubernetes API (Pod Identity mounts its own token).
        automountServiceAccountToken: false,
        // Non-root with the runtime's uid, seccomp RuntimeDefault (Pod Security `restricted`).
        securityContext: restrictedPodSecurityContext(runtime.runAsUser),
        ...storageContainer,
        // KServe v0.20.0 merges these with the ServingRuntime's volumes and container by name and
        // mount path (MergePodSpec, MergeRuntimeContainers: strategic merge patches).
        // The compile cache's restore (compile-cache.ts). KServe v0.20.0 keeps the predictor's whole pod
        // spec, init containers included, over the runtime's (MergePodSpec: a strategic merge onto the
        // runtime's node selector, affinity, tolerations and volumes), and merges the container's env by
        // name (MergeRuntimeContainers), so the cache env replaces a runtime's own value of it.
        ...(input.compileCache ? { initContainers: input.compileCache.initContainers } : {}),
        ...(adapterVolumes.length > 0 || input.compileCache
          ? { volumes: [...adapterVolumes, ...(input.compileCache?.volumes ?? [])] }
          : {}),
        model: {
          modelFormat: { name: runtime.modelFormat },
          runtime: runtime.servingRuntimeName,
          storageUri: input.weightsClaim ? weightsStorageUri(input.weightsClaim) : input.source,
          resources: resourcesFor(model),
          // KServe merges this over the ServingRuntime's container (MergeRuntimeContainers): the
          // predictor's own container is restricted whatever the runtime object says.
          securityContext: { ...restrictedContainerSecurityContext(), runAsUser: runtime.runAsUser },
          // The runtime's own readiness probe, merged over the same probe: the InferenceService shows
          // that traffic waits for the server even where the ServingRuntime is another stack's (a model
          // team's stack deploying onto the platform's runtime), so the policy pack can see it there.
          ...withReadinessProbe(runtime),
          ...(args.length > 0 ? { args } : {}),
          ...(input.compileCache ? { env: input.compileCache.env } : {}),
          ...(adapterMounts.length > 0 || input.compileCache
            ? { volumeMounts: [...adapterMounts, ...(input.compileCache?.volumeMounts ?? [])] }
            : {}),
        },
      },
    },
  };
}

/** The readiness probe of a runtime's server container as its ServingRuntime sets it (none when it sets none). */
function withReadinessProbe(runtime: ModelRuntime): { readinessProbe?: unknown } {
  const probe = servingRuntimePod(runtime, SERVING_NAMESPACE).container.readinessProbe;
  return probe ? { readinessProbe: probe } : {};
}

/** The readiness endpoint the ALB health-checks: the runtime's. */
export function healthPathFor(model: Pick<ModelSpec, "runtime">): string {
  return runtimeOf(model).healthPath;
}

/**
 * PodMonitor for the KServe predictor pods of one runtime, on the runtime's metrics port,
 * labelling every series with the kit's model, track and the registry version served.
 */
export function runtimePodMonitor(runtime: ModelRuntime, namespace: string = SERVING_NAMESPACE) {
  return podMonitor({
    name: runtime.servingRuntimeName,
    namespace,
    podLabels: { [RUNTIME_POD_LABEL]: runtime.servingRuntimeName },
    port: runtime.metricsPort,
    relabelings: [
      copyPodLabel(MODEL_POD_LABEL, MODEL_LABEL),
      copyPodLabel(TRACK_POD_LABEL, TRACK_LABEL),
      copyPodLabel(MODEL_VERSION_POD_LABEL, MODEL_VERSION_LABEL),
    ],
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
  /** Networks allowed to call the endpoint (the ALB's `inbound-cidrs`; see callers.ts). Required. */
  allowedCidrs: readonly string[];
  /** ALB OpenID Connect authentication; needs `certificateArn` (HTTPS only). Default: none. */
  oidc?: EndpointOidc;
  /** Namespace of the model. Default: `serving`. */
  namespace?: string;
  /**
   * Subnets of the internal ALB: the cluster's private subnets, whose CIDRs the model namespace's
   * NetworkPolicies admit ({@link albSubnetsAnnotation}). Default: the controller's subnet discovery.
   */
  albSubnetIds?: readonly string[];
}) {
  if (input.internetFacing && (input.albSubnetIds ?? []).length > 0)
    throw new Error(
      `model ${input.model}: albSubnetIds are the private subnets, an internet-facing ALB needs public ones`,
    );
  if (input.oidc && !input.certificateArn)
    throw new Error(`model ${input.model}: OIDC authentication needs an HTTPS listener (certificateArn)`);
  const annotations: Record<string, string> = {
    "alb.ingress.kubernetes.io/scheme": input.internetFacing ? "internet-facing" : "internal",
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/group.name": input.groupName,
    "alb.ingress.kubernetes.io/healthcheck-path": input.healthPath,
    ...albSubnetsAnnotation(input.albSubnetIds),
    ...callerAnnotations(input.allowedCidrs, input.oidc),
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
      namespace: input.namespace ?? SERVING_NAMESPACE,
      labels: { [MODEL_POD_LABEL]: input.model },
      annotations,
    },
    spec: {
      ingressClassName: "alb",
      rules: [{ host: input.host, http: { paths: [{ path: "/", pathType: "Prefix", backend }] } }],
    },
  };
}
