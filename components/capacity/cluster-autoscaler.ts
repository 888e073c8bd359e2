import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, MonitoringHandle } from "../common/handles";
import { ProblemList, throwIfProblems } from "../common/problems";
import { CAPACITY_DEFAULTS, DURATION } from "./rules";
import { installChart } from "../common/chart-addon";
import { CLUSTER_AUTOSCALER_ADDON } from "./addons";

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
    const scaleDownUnneededTime = args.scaleDownUnneededTime ?? CAPACITY_DEFAULTS.scaleDownUnneededTime;
    throwIfProblems(
      `ClusterAutoscaler "${name}"`,
      new ProblemList().check(
        DURATION.test(scaleDownUnneededTime),
        "scaleDownUnneededTime",
        "must be a duration such as 5m",
      ).list,
    );
    super("mlserving:capacity:ClusterAutoscaler", name, {}, opts);
    const { cluster } = args;

    ({ release: this.release } = installChart(
      name,
      CLUSTER_AUTOSCALER_ADDON,
      { cluster, scaleDownUnneededTime },
      { parent: this, cluster, monitoring: args.monitoring, dependsOn: args.dependsOn },
    ));
    this.registerOutputs({});
  }
}
