import type { ResourceValidationPolicy } from "@pulumi/policy";
import { kitConfig, kitConfigSchema } from "./config";
import type { Props } from "./props";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** Values of a kube-prometheus-stack Helm release, or undefined for any other resource. */
function prometheusStackValues(type: string, props: Props): Props | undefined {
  if (type !== RELEASE || !String(props.chart ?? "").endsWith("kube-prometheus-stack")) return undefined;
  return (props.values ?? {}) as Props;
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
    const routed = [config.route?.receiver, ...((config.route?.routes ?? []) as Props[]).map((r) => r.receiver)];
    if (!routed.some((r) => real.has(r)))
      report("alertmanager.config routes no alert to a receiver with Slack, PagerDuty, webhook or other configs.");
  },
};

export const grafanaNotPublic: ResourceValidationPolicy = {
  name: "grafana-not-public",
  description: "Grafana is never exposed publicly, and never without authentication.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    const values = prometheusStackValues(args.type, args.props);
    if (!values) return;
    const grafana = values.grafana ?? {};
    if (grafana["grafana.ini"]?.["auth.anonymous"]?.enabled === true) report("grafana.ini enables anonymous access.");
    const serviceAnnotations = grafana.service?.annotations ?? {};
    if (
      grafana.service?.type === "LoadBalancer" &&
      serviceAnnotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] !== "internal"
    ) {
      report("grafana.service is a LoadBalancer that is not internal.");
    }
    if (
      grafana.ingress?.enabled &&
      grafana.ingress?.annotations?.["alb.ingress.kubernetes.io/scheme"] === "internet-facing"
    )
      report("grafana.ingress is internet-facing.");
  },
};
