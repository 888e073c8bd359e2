import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../common/problems";
import { componentTagProblems, withManagedBy } from "../common/tags";
import { NETWORK_DEFAULTS, networkProblems } from "./rules";
import { subnetCidrBlocks } from "../common/subnet-cidrs";
import { awsxNatStrategy, NatGatewayMode, privateSubnetTags, publicSubnetTags } from "./subnet-tags";

/** Ids of a VPC created outside the kit. */
export interface ExistingVpc {
  /** The VPC id. */
  vpcId: pulumi.Input<string>;
  /** The VPC's IPv4 CIDR (NetworkPolicies and the database's rules refer to it). */
  cidrBlock: pulumi.Input<string>;
  /** Private subnets (one per AZ) for nodes, pods and internal load balancers. */
  privateSubnetIds: pulumi.Input<string>[];
  /** Public subnets for internet-facing load balancers. Default: none. */
  publicSubnetIds?: pulumi.Input<string>[];
}

export interface NetworkArgs {
  /** The EKS cluster's name; subnets are tagged for its load balancers and Karpenter. Required. */
  clusterName: string;
  /** AWS region, used for the S3 gateway endpoint's service name. Required. */
  region: string;
  /** IPv4 CIDR of a new VPC. Default: `10.0.0.0/16`. */
  cidrBlock?: string;
  /** Number of availability zones for a new VPC (2 to 6). Default: 3. */
  availabilityZoneCount?: number;
  /** NAT gateways: `single` (cheap) or `onePerAz` (survives an AZ outage). Default: `onePerAz`. */
  natGateways?: NatGatewayMode;
  /** Use this VPC instead of creating one; the kit then creates nothing in the network. Default: create a VPC. */
  existing?: ExistingVpc;
  /**
   * Tags for every resource; `environment` (dev, staging or prod) and `team` are required, as the
   * `required-tags` policy requires them. `managed-by` is added.
   */
  tags: Record<string, string>;
}

/**
 * The platform's VPC: private and public subnets across availability zones, tagged for
 * EKS load balancers and Karpenter discovery, NAT per environment and an S3 gateway endpoint
 * (model artifacts and images layers stay off the NAT). Or an existing VPC given by ids.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly cidrBlock: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  /**
   * IPv4 CIDRs of the private subnets (read from EC2 by subnet id): internal load balancers live
   * there, so they are the default callers of model endpoints and the ALB peers of NetworkPolicies.
   */
  readonly privateSubnetCidrs: pulumi.Output<string[]>;
  /** The awsx VPC, when the kit created one. */
  readonly vpc?: awsx.ec2.Vpc;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    const azs = args.availabilityZoneCount ?? NETWORK_DEFAULTS.availabilityZoneCount;
    const cidr = args.cidrBlock ?? NETWORK_DEFAULTS.cidrBlock;
    throwIfProblems(`Network "${name}"`, [
      ...(args.clusterName.length > 0 ? [] : [{ path: "clusterName", message: "must not be empty" }]),
      ...networkProblems(args),
      ...componentTagProblems(args.tags),
    ]);
    super("mlserving:network:Network", name, {}, opts);

    if (args.existing) {
      this.vpcId = pulumi.output(args.existing.vpcId);
      this.cidrBlock = pulumi.output(args.existing.cidrBlock);
      this.privateSubnetIds = pulumi.output(args.existing.privateSubnetIds);
      this.publicSubnetIds = pulumi.output(args.existing.publicSubnetIds ?? []);
    } else {
      const tags = withManagedBy(args.tags);
      this.vpc = new awsx.ec2.Vpc(
        name,
        {
          cidrBlock: cidr,
          numberOfAvailabilityZones: azs,
          enableDnsHostnames: true,
          enableDnsSupport: true,
          natGateways: { strategy: awsxNatStrategy(args.natGateways ?? NETWORK_DEFAULTS.natGateways) },
          subnetStrategy: "Auto",
          subnetSpecs: [
            { type: "Private", tags: { ...tags, ...privateSubnetTags(args.clusterName) } },
            { type: "Public", size: 256, tags: { ...tags, ...publicSubnetTags(args.clusterName) } },
          ],
          // Gateway endpoints are free; "Auto" associates it with the VPC's route tables.
          vpcEndpointStrategy: "Auto",
          vpcEndpointSpecs: [
            {
              serviceName: `com.amazonaws.${args.region}.s3`,
              vpcEndpointType: "Gateway",
              tags,
            },
          ],
          tags: { ...tags, Name: name },
        },
        { parent: this },
      );
      this.vpcId = this.vpc.vpcId;
      this.cidrBlock = pulumi.output(cidr);
      this.privateSubnetIds = this.vpc.privateSubnetIds;
      this.publicSubnetIds = this.vpc.publicSubnetIds;
    }
    this.privateSubnetCidrs = subnetCidrBlocks(this.privateSubnetIds, { parent: this });
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
    });
  }
}
