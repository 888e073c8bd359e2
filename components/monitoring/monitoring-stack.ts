import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClusterHandle, existingMonitoring, MonitoringHandle } from "../common/handles";
import { MONITORING_NAMESPACE } from "../common/names";
import { ProblemList, throwIfProblems } from "../common/problems";
import { MONITORING_DEFAULTS, monitoringProblems } from "./rules";
import { installChart } from "../common/chart-addon";
import { PROMETHEUS_STACK_ADDON } from "./addons";
import { AlertRuleInput, DEFAULT_ALERT_RULE_INPUT, prometheusRule } from "./alert-rules";
import { DASHBOARDS, dashboardConfigMap } from "./dashboards";
import { llmAlertRuleGroup } from "./llm-alert-rules";
import { replicaStartRuleGroup } from "./replica-start-rules";
import {
  ALERT_RECEIVER_KEYS,
  ALERT_RECEIVERS_SECRET,
  AlertReceiverKind,
  GRAFANA_ADMIN_SECRET,
  PrometheusStackSizing,
} from "./prometheus-stack-values";
import { kitNamespacePodSecurityLabels } from "../common/pod-security";
import { monitoringNetworkPolicies } from "./network-policies";

/** Where alerts go; every URL and key is a Pulumi secret. At least one is expected in prod. */
export interface AlertReceivers {
  slackWebhookUrl?: pulumi.Input<string>;
  slackChannel?: string;
  pagerdutyRoutingKey?: pulumi.Input<string>;
  webhookUrl?: pulumi.Input<string>;
  /** Dead man's switch URL Watchdog pings (HEARTBEAT_ROUTE in prometheus-stack-values.ts); required in prod. */
  heartbeatUrl?: pulumi.Input<string>;
}

/** The receivers that are configured, each with its URL or key, in the order Alertmanager lists them. */
export function configuredReceivers(r: AlertReceivers): [AlertReceiverKind, pulumi.Input<string>][] {
  const receiverValues: [AlertReceiverKind, pulumi.Input<string> | undefined][] = [
    ["slack", r.slackWebhookUrl],
    ["pagerduty", r.pagerdutyRoutingKey],
    ["webhook", r.webhookUrl],
    ["heartbeat", r.heartbeatUrl],
  ];
  return receiverValues.filter(([, v]) => v !== undefined) as [AlertReceiverKind, pulumi.Input<string>][];
}

export interface MonitoringStackArgs {
  /** The cluster to install into. Required. */
  cluster: ClusterHandle;
  /** Prometheus, Grafana and Alertmanager sizing. Default: 15d retention, 50 GiB, 1 replica, 10 GiB Grafana, 10 GiB Alertmanager. */
  sizing?: Partial<PrometheusStackSizing>;
  /** StorageClass of the persistent volumes. Default: `gp3-encrypted`, the cluster's default class. */
  storageClassName?: string;
  /** Keep the Prometheus stack (and its volumes' claims) when the stack is destroyed. Default: false; true in prod. */
  protect?: boolean;
  /**
   * Keep Prometheus's and Alertmanager's volume claims when the release is uninstalled (StatefulSet
   * `persistentVolumeClaimRetentionPolicy.whenDeleted: Retain`). Default: `protect`. When false the
   * claims go with the release, which destroy deletes before the EBS CSI driver (it waits for the
   * cluster's StorageClass, which waits for the driver), so their volumes are not left behind.
   */
  keepVolumes?: boolean;
  /** Alert receivers. Default: none (alerts are visible in Alertmanager only). */
  receivers?: AlertReceivers;
  /** Thresholds of the kit's alert rules. Default: {@link DEFAULT_ALERT_RULE_INPUT}. */
  alertRules?: AlertRuleInput;
  /**
   * Network isolation of the namespace ({@link monitoringNetworkPolicies}): the cluster's subnets'
   * CIDRs (the control plane calls the operator's webhook from them) and the namespaces whose pods
   * query Prometheus. Default: no NetworkPolicies (the platform always sets it).
   */
  isolation?: { controlPlaneSubnetCidrs: pulumi.Input<string[]>; prometheusClientNamespaces: string[] };
}

/**
 * kube-prometheus-stack (Prometheus operator and CRDs, Prometheus, Alertmanager, Grafana,
 * kube-state-metrics, node exporter) on persistent encrypted storage, with Grafana's admin
 * password generated as a Pulumi secret.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly namespace: string = MONITORING_NAMESPACE;
  readonly grafanaAdminPassword: pulumi.Output<string>;
  /** Wait on these before creating ServiceMonitors, PrometheusRules or dashboards. */
  readonly ready: pulumi.Resource[];
  /** What other components need from monitoring: namespace, Prometheus URL and what to wait for. */
  readonly handle: MonitoringHandle;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const sizing: PrometheusStackSizing = { ...MONITORING_DEFAULTS, ...args.sizing };
    throwIfProblems(`MonitoringStack "${name}"`, new ProblemList().nest("sizing", monitoringProblems(sizing)).list);
    super("mlserving:monitoring:MonitoringStack", name, {}, opts);
    const { cluster } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };

    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: { name: MONITORING_NAMESPACE, labels: kitNamespacePodSecurityLabels(MONITORING_NAMESPACE) } },
      { ...k8sOpts, dependsOn: cluster.workloadReady },
    );
    if (args.isolation) {
      const { prometheusClientNamespaces } = args.isolation;
      const cidrs = pulumi.output(args.isolation.controlPlaneSubnetCidrs);
      const shapes = monitoringNetworkPolicies({ controlPlaneSubnetCidrs: ["0.0.0.0/32"], prometheusClientNamespaces });
      shapes.forEach(
        (shape, i) =>
          new k8s.networking.v1.NetworkPolicy(
            `${name}-netpol-${shape.metadata.name}`,
            {
              metadata: shape.metadata,
              spec: cidrs.apply(
                (c) => monitoringNetworkPolicies({ controlPlaneSubnetCidrs: c, prometheusClientNamespaces })[i].spec,
              ),
            },
            { ...k8sOpts, dependsOn: [ns] },
          ),
      );
    }
    const password = new random.RandomPassword(
      `${name}-grafana-admin`,
      { length: 32, special: false },
      { parent: this },
    );
    this.grafanaAdminPassword = password.result;
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: GRAFANA_ADMIN_SECRET, namespace: MONITORING_NAMESPACE },
        type: "Opaque",
        stringData: { "admin-user": "admin", "admin-password": password.result },
      },
      { ...k8sOpts, dependsOn: [ns] },
    );

    // Receivers' URLs and keys live in a Secret that Alertmanager mounts; the Helm values only name files.
    const r = args.receivers ?? {};
    const configured = configuredReceivers(r);
    const dependsOn: pulumi.Resource[] = [ns, adminSecret];
    if (configured.length > 0) {
      dependsOn.push(
        new k8s.core.v1.Secret(
          `${name}-alert-receivers`,
          {
            metadata: { name: ALERT_RECEIVERS_SECRET, namespace: MONITORING_NAMESPACE },
            type: "Opaque",
            stringData: Object.fromEntries(
              configured.map(([kind, value]) => [ALERT_RECEIVER_KEYS[kind], pulumi.secret(value)]),
            ),
          },
          { ...k8sOpts, dependsOn: [ns] },
        ),
      );
    }

    ({ release: this.release } = installChart(
      name,
      PROMETHEUS_STACK_ADDON,
      {
        sizing,
        storageClassName: args.storageClassName ?? "gp3-encrypted",
        receivers: configured.map(([k]) => k),
        slackChannel: r.slackChannel,
        keepVolumes: args.keepVolumes ?? args.protect ?? false,
      },
      { parent: this, cluster, dependsOn, protect: args.protect },
    ));
    this.ready = [this.release];
    this.handle = existingMonitoring(this.ready);

    for (const d of DASHBOARDS) {
      new k8s.core.v1.ConfigMap(`${name}-dashboard-${d.name}`, dashboardConfigMap(d, MONITORING_NAMESPACE), {
        ...k8sOpts,
        dependsOn: [ns],
      });
    }
    new k8s.apiextensions.CustomResource(
      `${name}-alerts`,
      withGroup(
        withGroup(
          prometheusRule(MONITORING_NAMESPACE, args.alertRules ?? DEFAULT_ALERT_RULE_INPUT),
          llmAlertRuleGroup(),
        ),
        replicaStartRuleGroup(),
      ),
      {
        ...k8sOpts,
        dependsOn: [this.release],
      },
    );
    this.registerOutputs({ grafanaAdminPassword: this.grafanaAdminPassword });
  }
}

/** A PrometheusRule with one more group (the LLM alerts live in llm-alert-rules.ts, the replica starts in replica-start-rules.ts). */
function withGroup<R extends { spec: { groups: object[] } }>(rule: R, group: object): R {
  return { ...rule, spec: { ...rule.spec, groups: [...rule.spec.groups, group] } };
}
