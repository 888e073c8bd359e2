import type { ResourceValidationPolicy } from "@pulumi/policy";
import { kitConfig, kitConfigSchema } from "./config";
import { at, chartName, chartValues, helmTruthy, isMap } from "./helm";
import type { Props } from "./props";

/** Values of a kube-prometheus-stack Helm release, or undefined for any other resource. */
function prometheusStackValues(type: string, props: Props): Props | undefined {
  return chartName(props) === "kube-prometheus-stack" ? chartValues(type, props) : undefined;
}

const INTERNAL_LB_ANNOTATIONS: Record<string, string> = {
  "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
  "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
};

/** Why a chart's `service` values publish it outside the cluster, if they do. */
function servicePublishes(service: Props | undefined, defaultType = "ClusterIP"): string | undefined {
  if (!service || (service.enabled !== undefined && !helmTruthy(service.enabled))) return undefined;
  const type = String(service.type ?? defaultType);
  const annotations = (isMap(service.annotations) ? service.annotations : {}) as Record<string, unknown>;
  if (type === "NodePort") return "type NodePort (a port on every node)";
  if (type === "LoadBalancer" && !Object.entries(INTERNAL_LB_ANNOTATIONS).some(([k, v]) => annotations[k] === v))
    return "type LoadBalancer without the internal scheme annotation";
  if (helmTruthy(service.externalIPs)) return "externalIPs";
  return undefined;
}

/**
 * Where the values of one chart component (`service`, `servicePerReplica`, `ingress`,
 * `ingressPerReplica`, Gateway API `route.<name>`; the layout the prometheus, alertmanager and
 * kube-prometheus-stack charts share) publish it outside the cluster.
 */
function componentPublished(values: Props | undefined, path: string): string[] {
  if (!values || (values.enabled !== undefined && !helmTruthy(values.enabled))) return [];
  const out: string[] = [];
  const service = servicePublishes(at(values, "service"));
  if (service) out.push(`${path}.service is ${service}`);
  const perReplica = at(values, "servicePerReplica");
  if (perReplica && helmTruthy(perReplica.enabled)) {
    const why = servicePublishes({ ...perReplica, enabled: true });
    if (why) out.push(`${path}.servicePerReplica is ${why}`);
  }
  for (const key of ["ingress", "ingressPerReplica"])
    if (helmTruthy(at(values, key)?.enabled)) out.push(`${path}.${key}.enabled creates an Ingress`);
  for (const [name, route] of Object.entries(at(values, "route") ?? {}))
    if (isMap(route) && helmTruthy(route.enabled))
      out.push(`${path}.route.${name}.enabled creates a Gateway API route`);
  return out;
}

/** Every place a Helm install's values publish Prometheus, Alertmanager or Thanos Ruler outside the cluster. */
export function prometheusPublished(type: string, props: Props): string[] {
  const values = chartValues(type, props);
  if (!values) return [];
  switch (chartName(props)) {
    case "kube-prometheus-stack": {
      const out = ["prometheus", "alertmanager", "thanosRuler"].flatMap((c) => componentPublished(at(values, c), c));
      const prometheus = at(values, "prometheus");
      if (prometheus && (prometheus.enabled === undefined || helmTruthy(prometheus.enabled))) {
        if (helmTruthy(at(prometheus, "thanosIngress")?.enabled))
          out.push("prometheus.thanosIngress.enabled creates an Ingress");
        const external = at(prometheus, "thanosServiceExternal");
        if (external && helmTruthy(external.enabled)) {
          const why = servicePublishes({ ...external, enabled: true }, "LoadBalancer");
          if (why) out.push(`prometheus.thanosServiceExternal is ${why}`);
        }
        const thanos = at(prometheus, "thanosService");
        if (thanos && helmTruthy(thanos.enabled)) {
          const why = servicePublishes({ ...thanos, enabled: true });
          if (why) out.push(`prometheus.thanosService is ${why}`);
        }
      }
      return out;
    }
    case "prometheus":
      return [
        ...componentPublished(at(values, "server"), "server"),
        ...componentPublished(at(values, "alertmanager"), "alertmanager"),
      ];
    case "alertmanager":
      return componentPublished(values, "(values)");
    default:
      return [];
  }
}

export const prometheusAlertmanagerNotPublished: ResourceValidationPolicy = {
  name: "prometheus-alertmanager-not-published",
  description:
    "Chart values (kube-prometheus-stack, prometheus, alertmanager) never publish Prometheus, Alertmanager " +
    "or Thanos Ruler, which have no authentication: no NodePort, no LoadBalancer without the internal " +
    "scheme, no externalIPs, no Ingress, no Gateway API route.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    for (const where of prometheusPublished(args.type, args.props))
      report(
        `${where}: Prometheus and Alertmanager have no authentication, so this publishes their APIs ` +
          `(queries, silences); keep them ClusterIP and reach them with kubectl port-forward or through Grafana.`,
      );
  },
};

/** Values gopkg.in/ini.v1 (Grafana's configuration reader) reads as true. */
const INI_TRUE = new Set(["1", "t", "T", "true", "TRUE", "True", "YES", "yes", "Yes", "y", "ON", "on", "On"]);

/** Whether a Grafana setting, as rendered into grafana.ini or an environment variable, reads as enabled. */
export function grafanaSettingEnabled(v: unknown): boolean {
  if (v === true) return true;
  if (typeof v === "number") return INI_TRUE.has(String(v));
  // A template (`{{ ... }}`) is rendered by the chart; the pack cannot tell what it becomes.
  return typeof v === "string" && (INI_TRUE.has(v.trim()) || v.includes("{{"));
}

/** Values of every Grafana a Helm install runs: the grafana chart's, or kube-prometheus-stack's `grafana`. */
function grafanaValues(type: string, props: Props): Props | undefined {
  const values = chartValues(type, props);
  if (!values) return undefined;
  if (chartName(props) === "grafana") return values;
  if (chartName(props) === "kube-prometheus-stack") {
    const grafana = at(values, "grafana") ?? {};
    return grafana.enabled === undefined || helmTruthy(grafana.enabled) ? grafana : undefined;
  }
  return undefined;
}

export const prometheusStoragePersistent: ResourceValidationPolicy = {
  name: "prometheus-storage-persistent",
  description: "In staging and prod, Prometheus keeps its samples on a persistent volume.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    const values = prometheusStackValues(args.type, args.props);
    if (!values || kitConfig(args).environment === "dev") return;
    const claim = values.prometheus?.prometheusSpec?.storageSpec?.volumeClaimTemplate?.spec;
    if (!claim?.resources?.requests?.storage)
      report(
        "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate must request storage; otherwise samples are lost with the pod.",
      );
  },
};

const RECEIVER_CONFIGS = [
  "slack_configs",
  "pagerduty_configs",
  "webhook_configs",
  "email_configs",
  "opsgenie_configs",
  "msteams_configs",
  "sns_configs",
];

export const alertReceiverInProd: ResourceValidationPolicy = {
  name: "alert-receiver-in-prod",
  description: "In prod, Alertmanager routes alerts to at least one real receiver.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    const values = prometheusStackValues(args.type, args.props);
    if (!values || kitConfig(args).environment !== "prod") return;
    const config = values.alertmanager?.config ?? {};
    const real = new Set(
      ((config.receivers ?? []) as Props[])
        .filter((r) => RECEIVER_CONFIGS.some((k) => (r[k] ?? []).length > 0))
        .map((r) => r.name),
    );
    // A route for Watchdog alone is a heartbeat to a dead man's switch: no alert reaches anyone through it.
    const watchdogOnly = (r: Props) =>
      Array.isArray(r.matchers) &&
      r.matchers.length === 1 &&
      /^alertname\s*=\s*"?Watchdog"?$/.test(String(r.matchers[0]));
    const routed = [
      config.route?.receiver,
      ...((config.route?.routes ?? []) as Props[]).filter((r) => !watchdogOnly(r)).map((r) => r.receiver),
    ];
    if (!routed.some((r) => real.has(r)))
      report("alertmanager.config routes no alert to a receiver with Slack, PagerDuty, webhook or other configs.");
  },
};

export const grafanaNotPublic: ResourceValidationPolicy = {
  name: "grafana-not-public",
  description:
    "Grafana (kube-prometheus-stack's or the grafana chart's) is never exposed publicly, and " +
    'never without authentication: no anonymous access however it is written (true, "true", "1", ' +
    '"on", GF_AUTH_ANONYMOUS_ENABLED), no public LoadBalancer or NodePort, no internet-facing Ingress.',
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    const grafana = grafanaValues(args.type, args.props);
    if (!grafana) return;
    const prefix = chartName(args.props) === "grafana" ? "" : "grafana.";
    // The chart renders each map under grafana.ini as an [ini section]; Grafana reads the value with ini.v1's bool.
    const ini = isMap(grafana["grafana.ini"]) ? grafana["grafana.ini"] : {};
    const anonymous = ini["auth.anonymous"];
    if (isMap(anonymous) && grafanaSettingEnabled(anonymous.enabled))
      report(
        `${prefix}grafana.ini [auth.anonymous] enabled = ${JSON.stringify(anonymous.enabled)} enables anonymous access.`,
      );
    const env = at(grafana, "env") ?? {};
    if (grafanaSettingEnabled(env.GF_AUTH_ANONYMOUS_ENABLED))
      report(
        `${prefix}env.GF_AUTH_ANONYMOUS_ENABLED = ${JSON.stringify(env.GF_AUTH_ANONYMOUS_ENABLED)} enables anonymous access.`,
      );
    const service = servicePublishes(at(grafana, "service"));
    if (service) report(`${prefix}service is ${service}.`);
    const ingress = at(grafana, "ingress");
    if (
      helmTruthy(ingress?.enabled) &&
      (ingress?.annotations as Props | undefined)?.["alb.ingress.kubernetes.io/scheme"] === "internet-facing"
    )
      report(`${prefix}ingress is internet-facing.`);
  },
};
