import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgsChecker } from "../common/errors";
import { helmChartArgs } from "../common/helm";
import { PodIdentityRole } from "../common/pod-identity";
import { CHARTS } from "../versions";
import { ClusterHandle } from "../common/handles";
import {
  LOAD_BALANCER_CONTROLLER_NAMESPACE,
  LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
  loadBalancerControllerPolicy,
  loadBalancerControllerValues,
} from "./load-balancer-controller-values";

export interface LoadBalancerControllerArgs {
  /** The cluster to install into. Required. */
  cluster: ClusterHandle;
  /** Controller replicas. Default: 2. */
  replicas?: number;
}

/**
 * AWS Load Balancer Controller (pinned Helm release) with a pod identity role holding the
 * IAM policy its install guide requires, so Services and Ingresses get internal NLBs/ALBs.
 */
export class LoadBalancerController extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    const replicas = args.replicas ?? 2;
    new ArgsChecker(`LoadBalancerController "${name}"`)
      .require(Number.isInteger(replicas) && replicas >= 1, "replicas", "must be a whole number of at least 1")
      .throwIfAny();
    super("mlserving:cluster:LoadBalancerController", name, {}, opts);
    const { cluster } = args;

    const role = new PodIdentityRole(
      `${name}-pod-identity`,
      {
        clusterName: cluster.name,
        namespace: LOAD_BALANCER_CONTROLLER_NAMESPACE,
        serviceAccount: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
        policy: cluster.partition.apply(loadBalancerControllerPolicy),
        tags: cluster.tags,
      },
      { parent: this },
    );
    this.roleArn = role.roleArn;

    this.release = new k8s.helm.v3.Release(
      name,
      {
        ...helmChartArgs(CHARTS.awsLoadBalancerController),
        name: "aws-load-balancer-controller",
        namespace: LOAD_BALANCER_CONTROLLER_NAMESPACE,
        values: cluster.vpcId.apply((vpcId) =>
          loadBalancerControllerValues({ clusterName: cluster.name, region: cluster.region, vpcId, replicas }),
        ),
        atomic: true,
        timeout: 600,
      },
      { parent: this, provider: cluster.provider, dependsOn: [role, ...cluster.workloadReady] },
    );
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
