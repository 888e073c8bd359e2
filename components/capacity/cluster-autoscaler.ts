import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, MonitoringHandle } from "../common/handles";
import { ProblemList, throwIfProblems } from "../common/problems";
import { CAPACITY_DEFAULTS, scaleDownUnneededTimeProblem } from "./rules";
import { installChart } from "../common/chart-addon";
import { CLUSTER_AUTOSCALER_ADDON } from "./addons";
import { clusterAutoscalerDiscoveryTags } from "./cluster-autoscaler-values";

export interface ClusterAutoscalerArgs {
  /** The cluster whose node groups it scales. Required. */
  cluster: ClusterHandle;
  /** How long a node must be idle before removal (Go duration). Default: `5m`, prompt for costly accelerators. */
  scaleDownUnneededTime?: string;
  /** Resources that must exist first (e.g. the node groups). Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Resources the ServiceMonitor waits for (the Prometheus operator's CRDs). Default: no ServiceMonitor. */
  monitoring?: MonitoringHandle;
  /**
   * Managed node groups to scale whose Auto Scaling groups carry no discovery tags yet (such as
   * the cluster's system group): the kit tags their ASGs with {@link clusterAutoscalerDiscoveryTags}.
   * Groups the kit makes for Cluster Autoscaler tag themselves. Default: none.
   */
  discoverNodeGroups?: aws.eks.NodeGroup[];
}

/** Cluster Autoscaler: pinned chart, pod identity scoped to this cluster's groups, spot-first priority expander. */
export class ClusterAutoscaler extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    const scaleDownUnneededTime = args.scaleDownUnneededTime ?? CAPACITY_DEFAULTS.scaleDownUnneededTime;
    throwIfProblems(
      `ClusterAutoscaler "${name}"`,
      new ProblemList().check(
        scaleDownUnneededTimeProblem(scaleDownUnneededTime) === undefined,
        "scaleDownUnneededTime",
        scaleDownUnneededTimeProblem(scaleDownUnneededTime) ?? "",
      ).list,
    );
    super("mlserving:capacity:ClusterAutoscaler", name, {}, opts);
    const { cluster } = args;

    const discoveryTags = (args.discoverNodeGroups ?? []).flatMap((group, g) => {
      const asgName = group.resources.apply((r) => r[0]?.autoscalingGroups?.[0]?.name ?? "");
      return Object.entries(clusterAutoscalerDiscoveryTags(cluster.name)).map(
        ([key, value], i) =>
          new aws.autoscaling.Tag(
            `${name}-discovery-${g}-${i}`,
            { autoscalingGroupName: asgName, tag: { key, value, propagateAtLaunch: false } },
            { parent: this },
          ),
      );
    });

    ({ release: this.release } = installChart(
      name,
      CLUSTER_AUTOSCALER_ADDON,
      { cluster, scaleDownUnneededTime },
      { parent: this, cluster, monitoring: args.monitoring, dependsOn: [...(args.dependsOn ?? []), ...discoveryTags] },
    ));
    this.registerOutputs({});
  }
}
