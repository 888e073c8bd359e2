import type { Environment } from "../common/tags";
import type { NatGatewayMode } from "../network/subnet-tags";

/**
 * The whole platform, validated and with every per-environment default applied. The stack
 * program builds it from Pulumi config (`stacks/config.ts`); other programs may build it in code.
 */
export interface PlatformSpec {
  environment: Environment;
  /** Owning team, put in the `team` tag. */
  team: string;
  region: string;
  /** Name of the EKS cluster and prefix of other physical names. */
  clusterName: string;
  /** Extra tags on every AWS resource (the required tags are always added). */
  tags: Record<string, string>;
  network: {
    cidrBlock: string;
    availabilityZoneCount: number;
    natGateways: NatGatewayMode;
    existing?: { vpcId: string; privateSubnetIds: string[]; publicSubnetIds: string[] };
  };
  cluster: {
    kubernetesVersion: string;
    publicAccessCidrs: string[];
    adminPrincipalArns: string[];
    logRetentionDays: number;
    systemNodes: { instanceTypes: string[]; minSize: number; desiredSize: number; maxSize: number; diskSizeGiB: number };
    storageReclaimPolicy: "Delete" | "Retain";
  };
  loadBalancerController: { replicas: number };
}
