import { ACCELERATOR_KINDS, ACCELERATORS } from "../common/accelerators";
import capacity from "./dashboards/capacity.json";
import llm from "./dashboards/llm.json";
import llmGateway from "./dashboards/llm-gateway.json";
import modelServing from "./dashboards/model-serving.json";
import { GRAFANA_DASHBOARD_LABEL, GRAFANA_FOLDER_ANNOTATION } from "./prometheus-stack-values";

/** Grafana folder the kit's dashboards are provisioned into. */
export const DASHBOARD_FOLDER = "ML serving";

/** One Grafana dashboard the kit ships. */
export interface Dashboard {
  /** Short name: the ConfigMap is `mlserving-dashboard-<name>` and its key `<name>.json`. */
  name: string;
  /** Grafana folder (the sidecar reads it from the ConfigMap's folder annotation). */
  folder: string;
  /** Grafana dashboard model (schemaVersion 39, datasource uid `prometheus`). */
  json: object;
}

/**
 * The kit's dashboards, written for its exporters: model serving (Triton and vLLM), each
 * accelerator kind's devices (its record's `metrics.dashboard`: NVIDIA GPUs on DCGM exporter, AWS
 * Neuron on neuron-monitor), capacity and cost (kube-state-metrics,
 * Karpenter, Cluster Autoscaler) LLMs on vLLM (tokens, TTFT, TPOT, KV cache, queue) and the LLM gateway's InferencePools (queue, picks, prefix-cache hits). Every metric they query is in `METRIC_CATALOG`.
 */
export const DASHBOARDS: Dashboard[] = [
  { name: "model-serving", folder: DASHBOARD_FOLDER, json: modelServing },
  ...ACCELERATOR_KINDS.map((k) => {
    const { name, json } = ACCELERATORS[k].metrics.dashboard;
    return { name, folder: DASHBOARD_FOLDER, json };
  }),
  { name: "capacity", folder: DASHBOARD_FOLDER, json: capacity },
  { name: "llm", folder: DASHBOARD_FOLDER, json: llm },
  { name: "llm-gateway", folder: DASHBOARD_FOLDER, json: llmGateway },
];

/**
 * A v1 ConfigMap that kube-prometheus-stack's Grafana sidecar picks up (label
 * `grafana_dashboard: "1"`, searched in every namespace) and files under the folder named by
 * its `grafana_folder` annotation.
 */
export function dashboardConfigMap(d: Dashboard, namespace: string) {
  return {
    apiVersion: "v1" as const,
    kind: "ConfigMap" as const,
    metadata: {
      name: `mlserving-dashboard-${d.name}`,
      namespace,
      labels: { [GRAFANA_DASHBOARD_LABEL]: "1", "app.kubernetes.io/part-of": "mlserving" },
      annotations: { [GRAFANA_FOLDER_ANNOTATION]: d.folder },
    },
    data: { [`${d.name}.json`]: JSON.stringify(d.json) },
  };
}
