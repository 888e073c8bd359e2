import * as pulumi from "@pulumi/pulumi";
import { LoadBalancerController } from "../cluster/load-balancer-controller";
import { EksCluster } from "../cluster/eks-cluster";
import { standardTags } from "../common/tags";
import { Network } from "../network/network";
import { PlatformSpec } from "./spec";

/**
 * The whole ML serving platform for one environment: network, cluster and the controllers
 * on it, wired in order with typed handles.
 */
export class MlPlatform extends pulumi.ComponentResource {
  readonly network: Network;
  readonly cluster: EksCluster;
  readonly loadBalancerController: LoadBalancerController;

  constructor(name: string, spec: PlatformSpec, opts?: pulumi.ComponentResourceOptions) {
    super("mlserving:platform:MlPlatform", name, {}, opts);
    const tags = standardTags(spec.environment, spec.team, spec.tags);
    const parent = { parent: this };

    this.network = new Network(`${name}-network`, {
      clusterName: spec.clusterName,
      region: spec.region,
      cidrBlock: spec.network.cidrBlock,
      availabilityZoneCount: spec.network.availabilityZoneCount,
      natGateways: spec.network.natGateways,
      existing: spec.network.existing,
      tags,
    }, parent);

    this.cluster = new EksCluster(`${name}-eks`, {
      clusterName: spec.clusterName,
      region: spec.region,
      vpcId: this.network.vpcId,
      privateSubnetIds: this.network.privateSubnetIds,
      kubernetesVersion: spec.cluster.kubernetesVersion,
      publicAccessCidrs: spec.cluster.publicAccessCidrs,
      adminPrincipalArns: spec.cluster.adminPrincipalArns,
      logRetentionDays: spec.cluster.logRetentionDays,
      systemNodes: spec.cluster.systemNodes,
      storageReclaimPolicy: spec.cluster.storageReclaimPolicy,
      tags,
    }, parent);

    this.loadBalancerController = new LoadBalancerController(`${name}-lbc`, {
      cluster: this.cluster.handle,
      replicas: spec.loadBalancerController.replicas,
    }, parent);

    this.registerOutputs({ clusterName: this.cluster.cluster.name });
  }
}
