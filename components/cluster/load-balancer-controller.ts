import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ArgsChecker } from "../common/errors";
import { installChart } from "../common/chart-addon";
import { ClusterHandle } from "../common/handles";
import { LOAD_BALANCER_CONTROLLER_ADDON } from "./addons";

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

    const { release, role } = installChart(
      name,
      LOAD_BALANCER_CONTROLLER_ADDON,
      { cluster, replicas },
      { parent: this, cluster },
    );
    this.release = release;
    this.roleArn = role!.roleArn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
