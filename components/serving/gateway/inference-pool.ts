import { SYSTEM_NODE_SELECTOR } from "../../common/labels";
import { MODEL_POD_LABEL, TRACK_POD_LABEL } from "../../common/names";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../common/pod-security";
import { serviceMonitor } from "../../common/monitors";
import { imageRef, IMAGES } from "../../versions";
import { KSERVE_HTTP_PORT } from "../ports";
import { terminationGracePeriodSeconds } from "../drain";
import { VLLM_DRAIN } from "../runtimes/vllm";
import type { ModelTrack } from "../tracks";
import { ENDPOINT_PICKER_COMPONENT, ENDPOINT_PICKER_PORTS } from "./gateway-builders";
import { flowControlConfigLines, type WakeSettings } from "./scale-from-zero";

/** API group of InferencePool (Gateway API Inference Extension v1, GA since v1.0). */
export const INFERENCE_POOL_GROUP = "inference.networking.k8s.io";

/** One pool: the InferenceService whose predictor pods it holds, in the model's namespace. */
export interface PoolInput {
  /** The kit's model name (`mlserving.io/model` on the predictor pods). */
  model: string;
  track: ModelTrack;
  /** The InferenceService's name; the pool is named after it, its picker `<name>-epp`. */
  isvc: string;
  namespace: string;
  /** The track scales from zero: its picker holds requests while it has no replica (`scale-from-zero.ts`). Default: none. */
  wake?: WakeSettings;
}

/** Label naming the pool on its picker's objects. */
export const POOL_LABEL = "mlserving.io/inference-pool";

/** Name of a pool's endpoint picker: its Deployment, Service, ServiceAccount, Role, ConfigMap. */
export const endpointPickerName = (isvc: string) => `${isvc}-epp`;

/** The file of the picker's ConfigMap the picker reads (`--config-file /config/<file>`). */
export const PICKER_CONFIG_FILE = "kit-plugins.yaml";

/**
 * uid of the picker image (`gcr.io/distroless/static:nonroot`, the Dockerfile's BASE_IMAGE at
 * gateway-api-inference-extension v1.5.0): distroless's `nonroot` user, 65532.
 */
export const PICKER_UID = 65532;

/** Labels of one picker's pods (and its Service's selector). */
export function endpointPickerPodLabels(isvc: string): Record<string, string> {
  return { ...ENDPOINT_PICKER_COMPONENT, "mlserving.io/endpoint-picker": endpointPickerName(isvc) };
}

/**
 * The scheduling profile: every request scored by queue depth, KV-cache use and prefix-cache
 * affinity, the highest total picked. It is the `default-plugins.yaml` the upstream `inferencepool`
 * chart writes at v1.5.0 (charts/epplib templates/_config.yaml, weights 2, 2 and 3), written by
 * the kit so that a chart change is a reviewed change here. The scorers read vLLM's
 * `vllm:num_requests_waiting`, `vllm:kv_cache_usage_perc` and `vllm:cache_config_info` from each pod's
 * /metrics (the picker's defaults, pkg/epp/server/options.go); both vLLM runtimes report them.
 */
export const PICKER_SCORERS = [
  { type: "queue-scorer", weight: 2 },
  { type: "kv-cache-utilization-scorer", weight: 2 },
  { type: "prefix-cache-scorer", weight: 3 },
] as const;

/**
 * The picker's EndpointPickerConfig (inference.networking.x-k8s.io/v1alpha1) as the YAML text it
 * reads; for a track woken from zero, with its Flow Control layer holding requests (`scale-from-zero.ts`).
 */
export function endpointPickerConfig(wake?: WakeSettings): string {
  const lines = [
    "apiVersion: inference.networking.x-k8s.io/v1alpha1",
    "kind: EndpointPickerConfig",
    ...(wake ? flowControlConfigLines(wake) : []),
    "plugins:",
    ...PICKER_SCORERS.map((s) => `- type: ${s.type}`),
    "- type: metrics-data-source",
    "  parameters:",
    '    scheme: "http"',
    '    path: "/metrics"',
    "    insecureSkipVerify: true",
    "- type: core-metrics-extractor",
    "schedulingProfiles:",
    "- name: default",
    "  plugins:",
    ...PICKER_SCORERS.flatMap((s) => [`  - pluginRef: ${s.type}`, `    weight: ${s.weight}`]),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The InferencePool (inference.networking.k8s.io/v1): the track's predictor pods, selected by the
 * labels the kit puts on them (InferenceService `predictor.labels`), on KServe's HTTP port, and its
 * endpoint picker. FailOpen (the upstream chart's default): while the picker is down the gateway
 * still forwards, without its scoring; the `LlmEndpointPickerDown` alert says so.
 */
export function inferencePool(p: PoolInput) {
  return {
    apiVersion: `${INFERENCE_POOL_GROUP}/v1`,
    kind: "InferencePool",
    metadata: {
      name: p.isvc,
      namespace: p.namespace,
      labels: { [MODEL_POD_LABEL]: p.model, [TRACK_POD_LABEL]: p.track },
    },
    spec: {
      targetPorts: [{ number: KSERVE_HTTP_PORT }],
      appProtocol: "http",
      selector: { matchLabels: { [MODEL_POD_LABEL]: p.model, [TRACK_POD_LABEL]: p.track } },
      endpointPickerRef: {
        name: endpointPickerName(p.isvc),
        port: { number: ENDPOINT_PICKER_PORTS.extProc },
        failureMode: "FailOpen",
      },
    },
  };
}

/** How often Prometheus scrapes a picker's metrics, seconds (its queue is what wakes a track from zero). */
export const PICKER_SCRAPE_SECONDS = 15;

/** Where a picker's service-account token is mounted: the path client-go's in-cluster config reads. */
const TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * The picker's objects (gateway-api-inference-extension v1.5.0 charts/epplib and inferencepool
 * templates, authored by the kit because the chart offers no pod or container securityContext):
 * ServiceAccount, a Role reading pods and InferencePools in the namespace and its binding, the
 * scoring config, the Deployment and its Service. The picker calls the API server, so its token is
 * a projected volume at client-go's path (bound, one hour) rather than an automounted one.
 */
export function endpointPickerObjects(p: PoolInput) {
  const name = endpointPickerName(p.isvc);
  const meta = { name, namespace: p.namespace, labels: { ...ENDPOINT_PICKER_COMPONENT, [POOL_LABEL]: p.isvc } };
  const podLabels = endpointPickerPodLabels(p.isvc);
  const serviceAccount = { metadata: meta, automountServiceAccountToken: false };
  const role = {
    metadata: meta,
    rules: [
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "watch", "list"] },
      { apiGroups: [INFERENCE_POOL_GROUP], resources: ["inferencepools"], verbs: ["get", "watch", "list"] },
    ],
  };
  const roleBinding = {
    metadata: meta,
    subjects: [{ kind: "ServiceAccount", name, namespace: p.namespace }],
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
  };
  const configMap = { metadata: meta, data: { [PICKER_CONFIG_FILE]: endpointPickerConfig(p.wake) } };
  const grpcProbe = { port: ENDPOINT_PICKER_PORTS.health, service: "inference-extension" };
  const deployment = {
    metadata: meta,
    spec: {
      // One active picker: the prefix-cache scorer keeps its index in memory (the chart's Recreate).
      replicas: 1,
      strategy: { type: "Recreate" },
      selector: { matchLabels: podLabels },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: false,
          nodeSelector: { ...SYSTEM_NODE_SELECTOR },
          securityContext: restrictedPodSecurityContext(PICKER_UID),
          // As long as the pool's pods (the chart's 130 s is shorter than the kit's vLLM drain): the
          // picker's ext_proc stream stays open for the whole request, and it waits for open
          // streams when it stops (v1.5.0 internal/runnable/grpc.go), so a long generation survives.
          terminationGracePeriodSeconds: terminationGracePeriodSeconds(VLLM_DRAIN),
          containers: [
            {
              name: "epp",
              image: imageRef(IMAGES.endpointPicker),
              args: [
                "--pool-name",
                p.isvc,
                "--pool-namespace",
                p.namespace,
                "--pool-group",
                INFERENCE_POOL_GROUP,
                "--zap-encoder",
                "json",
                "--config-file",
                `/config/${PICKER_CONFIG_FILE}`,
                "--v",
                "1",
                "--tracing=false",
                // Prometheus scrapes without a token; the NetworkPolicy admits only Prometheus to 9090.
                "--metrics-endpoint-auth=false",
              ],
              env: [
                { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
              ],
              ports: [
                { name: "grpc", containerPort: ENDPOINT_PICKER_PORTS.extProc },
                { name: "grpc-health", containerPort: ENDPOINT_PICKER_PORTS.health },
                { name: "metrics", containerPort: ENDPOINT_PICKER_PORTS.metrics },
              ],
              livenessProbe: { grpc: grpcProbe, initialDelaySeconds: 5, periodSeconds: 10 },
              readinessProbe: { grpc: grpcProbe, periodSeconds: 2 },
              // Sized for the kit's system nodes; the chart's 4 CPU / 8 GiB is its scale-test sizing.
              resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "2Gi" } },
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [
                { name: "config", mountPath: "/config", readOnly: true },
                { name: "api-token", mountPath: TOKEN_DIR, readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name } },
            {
              name: "api-token",
              projected: {
                sources: [
                  { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                  { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                  { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
                ],
              },
            },
          ],
        },
      },
    },
  };
  const service = {
    metadata: meta,
    spec: {
      selector: podLabels,
      ports: [
        { name: "grpc-ext-proc", protocol: "TCP", port: ENDPOINT_PICKER_PORTS.extProc },
        { name: "http-metrics", protocol: "TCP", port: ENDPOINT_PICKER_PORTS.metrics },
      ],
      type: "ClusterIP",
    },
  };
  /**
   * The picker serves ext_proc over TLS with a self-signed certificate (`--secure-serving`, on by
   * default); Istio's gateway reaches it through this rule, as the chart's `provider.name: istio`
   * writes it (charts/inferencepool templates/istio.yaml).
   */
  const destinationRule = {
    apiVersion: "networking.istio.io/v1",
    kind: "DestinationRule",
    metadata: meta,
    spec: {
      host: `${name}.${p.namespace}.svc.cluster.local`,
      trafficPolicy: { tls: { mode: "SIMPLE", insecureSkipVerify: true } },
    },
  };
  const monitor = serviceMonitor({
    name,
    namespace: p.namespace,
    serviceLabels: meta.labels,
    port: "http-metrics",
    interval: `${PICKER_SCRAPE_SECONDS}s`,
  });
  return { serviceAccount, role, roleBinding, configMap, deployment, service, destinationRule, monitor };
}
