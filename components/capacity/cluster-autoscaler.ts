import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, MonitoringHandle } from "../common/handles";
import { ArgsChecker } from "../common/errors";
import { PodIdentityRole } from "../common/pod-identity";
import { helmChartArgs } from "../common/helm";
import { CHARTS, IMAGES } from "../versions";
import { serviceMonitor } from "../common/monitors";
import {
  CLUSTER_AUTOSCALER_METRICS,
  CLUSTER_AUTOSCALER_NAMESPACE,
  CLUSTER_AUTOSCALER_RELEASE,
  CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
  clusterAutoscalerPolicy,
  clusterAutoscalerValues,
} from "./cluster-autoscaler-values";

export interface ClusterAutoscalerArgs {
  /** The cluster whose node groups it scales. Required. */
  cluster: ClusterHandle;
  /** How long a node must be idle before removal (Go duration). Default: `5m`, prompt for costly accelerators. */
  scaleDownUnneededTime?: string;
  /** Resources that must exist first (e.g. the node groups). Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Resources the ServiceMonitor waits for (the Prometheus operator's CRDs). Default: no ServiceMonitor. */
  monitoring?: MonitoringHandle;
}

/** Cluster Autoscaler: pinned chart, pod identity scoped to this cluster's groups, spot-first priority expander. */
export class ClusterAutoscaler extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    const scaleDownUnneededTime = args.scaleDownUnneededTime ?? "5m";
    new ArgsChecker(`ClusterAutoscaler "${name}"`)
      .require(/^\d+(s|m|h)$/.test(scaleDownUnneededTime), "scaleDownUnneededTime", "must be a duration such as 5m")
      .throwIfAny();
    super("mlserving:capacity:ClusterAutoscaler", name, {}, opts);
    const { cluster } = args;

    const role = new PodIdentityRole(
      `${name}-pod-identity`,
      {
        clusterName: cluster.name,
        namespace: CLUSTER_AUTOSCALER_NAMESPACE,
        serviceAccount: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
        policy: clusterAutoscalerPolicy(cluster.name),
        tags: cluster.tags,
      },
      { parent: this },
    );

    this.release = new k8s.helm.v3.Release(
      name,
      {
        ...helmChartArgs(CHARTS.clusterAutoscaler),
        name: CLUSTER_AUTOSCALER_RELEASE,
        namespace: CLUSTER_AUTOSCALER_NAMESPACE,
        values: clusterAutoscalerValues({
          clusterName: cluster.name,
          region: cluster.region,
          imageTag: IMAGES.clusterAutoscaler.tag,
          scaleDownUnneededTime,
        }),
        atomic: true,
        timeout: 600,
      },
      {
        parent: this,
        provider: cluster.provider,
        dependsOn: [role, ...cluster.workloadReady, ...(args.dependsOn ?? [])],
      },
    );
    if (args.monitoring) {
      new k8s.apiextensions.CustomResource(
        `${name}-metrics`,
        serviceMonitor({
          name: "cluster-autoscaler",
          namespace: CLUSTER_AUTOSCALER_NAMESPACE,
          serviceLabels: CLUSTER_AUTOSCALER_METRICS.serviceLabels,
          port: CLUSTER_AUTOSCALER_METRICS.port,
        }),
        { parent: this, provider: cluster.provider, dependsOn: [this.release, ...args.monitoring.ready] },
      );
    }
    this.registerOutputs({});
  }
}
