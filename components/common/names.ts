/** Namespace of every model server, its Services and autoscalers. */
export const SERVING_NAMESPACE = "serving";
/** Secret (in the serving namespace) with the MLflow registry credentials model downloads use. */
export const REGISTRY_CREDENTIALS_SECRET = "mlflow-registry-credentials";
/** Pod label naming the kit's model; relabelled to the `mlserving_model` Prometheus label. */
export const MODEL_POD_LABEL = "mlserving.io/model";
/** Pod label telling a model's stable pods from its canary's (KServe). */
export const TRACK_POD_LABEL = "mlserving.io/track";
/** Prometheus label that names the kit's model on every serving series (relabelled from the pod label). */
export const MODEL_LABEL = "mlserving_model";
/** Prometheus label of a KServe model's track (stable or canary), relabelled from the pod label. */
export const TRACK_LABEL = "mlserving_track";
/** Container of the kit's own Triton Deployment that runs the server. */
export const TRITON_SERVER_CONTAINER = "triton";
/** Container a ServingRuntime runs its server in: KServe merges the predictor's container into it (constants.InferenceServiceContainerName). */
export const KSERVE_SERVER_CONTAINER = "kserve-container";
/** Pod label with the registry version a model's pods serve; relabelled to `mlserving_model_version`. */
export const MODEL_VERSION_POD_LABEL = "mlserving.io/model-version";

/** Namespace of kube-prometheus-stack (Prometheus, Alertmanager, Grafana) and the kit's dashboards. */
export const MONITORING_NAMESPACE = "monitoring";
/** Release name of kube-prometheus-stack; its Services are named after it. */
export const PROMETHEUS_STACK_RELEASE = "kube-prometheus-stack";
/** In-cluster address of Prometheus (the chart's `<release>-prometheus` Service on 9090). */
export const PROMETHEUS_URL = `http://${PROMETHEUS_STACK_RELEASE}-prometheus.${MONITORING_NAMESPACE}.svc:9090`;

/** Namespace of the MLflow tracking server and model registry. */
export const REGISTRY_NAMESPACE = "mlflow";
/**
 * Namespaces of the accelerator kinds' support (device plugins, exporters): they live with the kinds'
 * records (`supportNamespaces`), re-exported here for the tables keyed by namespace.
 */
export {
  CALLS_API_SERVER,
  GPU_OPERATOR_NAMESPACE,
  NEURON_MONITOR_NAMESPACE,
  NVIDIA_NAMESPACE,
  SUPPORT_NAMESPACES,
  type SupportNamespace,
} from "./accelerators/namespaces";

/** Namespaces of third-party controllers; the kit creates them as Namespace objects with Pod Security labels. */
export const KEDA_NAMESPACE = "keda";
export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const KSERVE_NAMESPACE = "kserve";
/** Namespace of ExternalDNS, which writes the models' records into the private hosted zone. */
export const EXTERNAL_DNS_NAMESPACE = "external-dns";

/**
 * Name of the `MlPlatform` the stack program creates; its children's names start with it (an
 * accelerator pool's node groups: `mlserving-<pool>-spot-...`).
 */
export const STACK_PLATFORM_NAME = "mlserving";

/** Namespace of istiod, the controller of the LLM gateway (Istio's own default namespace). */
export const ISTIO_NAMESPACE = "istio-system";
/** Namespace of the LLM gateway (Gateway API `Gateway` and the proxy pods Istio runs for it). */
export const LLM_GATEWAY_NAMESPACE = "llm-gateway";
