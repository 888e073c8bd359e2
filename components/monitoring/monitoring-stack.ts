import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClusterHandle } from "../cluster/handle";
import { ArgsChecker } from "../common/errors";
import { helmChartArgs } from "../common/helm";
import { CHARTS } from "../versions";
import {
  GRAFANA_ADMIN_SECRET,
  MONITORING_NAMESPACE,
  PROMETHEUS_STACK_RELEASE,
  PrometheusStackSizing,
  prometheusStackValues,
} from "./prometheus-stack-values";

export interface MonitoringStackArgs {
  cluster: ClusterHandle;
  /** Prometheus, Grafana and Alertmanager sizing. Default: 15d retention, 50 GiB, 1 replica, 10 GiB Grafana, 10 GiB Alertmanager. */
  sizing?: Partial<PrometheusStackSizing>;
  /** StorageClass of the persistent volumes. Default: `gp3-encrypted`, the cluster's default class. */
  storageClassName?: string;
  /** Keep the Prometheus stack (and its volumes' claims) when the stack is destroyed. Default: false; true in prod. */
  protect?: boolean;
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

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const sizing: PrometheusStackSizing = { retention: "15d", storageGiB: 50, replicas: 1, grafanaStorageGiB: 10, alertmanagerStorageGiB: 10, ...args.sizing };
    new ArgsChecker(`MonitoringStack "${name}"`)
      .require(/^\d+[dhw]$/.test(sizing.retention), "sizing.retention", "must be a duration such as 15d")
      .require(sizing.storageGiB >= 10, "sizing.storageGiB", "must be at least 10")
      .require(Number.isInteger(sizing.replicas) && sizing.replicas >= 1, "sizing.replicas", "must be a whole number of at least 1")
      .throwIfAny();
    super("mlserving:monitoring:MonitoringStack", name, {}, opts);
    const { cluster } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };

    const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: MONITORING_NAMESPACE } }, { ...k8sOpts, dependsOn: cluster.workloadReady });
    const password = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
    this.grafanaAdminPassword = password.result;
    const adminSecret = new k8s.core.v1.Secret(`${name}-grafana-admin`, {
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace: MONITORING_NAMESPACE },
      type: "Opaque",
      stringData: { "admin-user": "admin", "admin-password": password.result },
    }, { ...k8sOpts, dependsOn: [ns] });

    this.release = new k8s.helm.v3.Release(name, {
      ...helmChartArgs(CHARTS.kubePrometheusStack),
      name: PROMETHEUS_STACK_RELEASE,
      namespace: MONITORING_NAMESPACE,
      values: prometheusStackValues(sizing, args.storageClassName ?? "gp3-encrypted"),
      atomic: true,
      timeout: 900,
    }, { ...k8sOpts, dependsOn: [ns, adminSecret], protect: args.protect });
    this.ready = [this.release];
    this.registerOutputs({ grafanaAdminPassword: this.grafanaAdminPassword });
  }
}
