import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The IPv4 CIDRs of subnets, read from EC2 by id (`aws.ec2.getSubnet`), in the order of the ids. */
export function subnetCidrBlocks(
  subnetIds: pulumi.Input<pulumi.Input<string>[]>,
  opts: pulumi.InvokeOutputOptions,
): pulumi.Output<string[]> {
  return pulumi
    .output(subnetIds)
    .apply((ids) => pulumi.all(ids.map((id) => aws.ec2.getSubnetOutput({ id }, opts).cidrBlock)));
}
