/**
 * Subnet tags that Kubernetes controllers discover subnets by: the AWS Load Balancer
 * Controller (`kubernetes.io/role/elb` for internet-facing, `kubernetes.io/role/internal-elb`
 * for internal load balancers) and Karpenter (`karpenter.sh/discovery`).
 */
export function privateSubnetTags(clusterName: string): Record<string, string> {
  return {
    "kubernetes.io/role/internal-elb": "1",
    [`kubernetes.io/cluster/${clusterName}`]: "shared",
    "karpenter.sh/discovery": clusterName,
  };
}

export function publicSubnetTags(clusterName: string): Record<string, string> {
  return {
    "kubernetes.io/role/elb": "1",
    [`kubernetes.io/cluster/${clusterName}`]: "shared",
  };
}

/** How many NAT gateways the VPC runs: one shared (cheap) or one per availability zone (HA). */
export type NatGatewayMode = "single" | "onePerAz";

export function awsxNatStrategy(mode: NatGatewayMode): "Single" | "OnePerAz" {
  return mode === "single" ? "Single" : "OnePerAz";
}
