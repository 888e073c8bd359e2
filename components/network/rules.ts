import { cidrProblem, prefixLength, validateCidr } from "../common/cidr";
import { listLengthProblem, Problem, ProblemList, wholeNumberProblem } from "../common/problems";
import type { NatGatewayMode } from "./subnet-tags";

/** Defaults of a network built without an environment's defaults (`Network` used on its own). */
export const NETWORK_DEFAULTS = {
  cidrBlock: "10.0.0.0/16",
  availabilityZoneCount: 3,
  natGateways: "onePerAz" as NatGatewayMode,
};

/**
 * Limits of a new VPC: the subnets (a /19-/23 each for up to 6 AZs, private and public) and EKS
 * prefix delegation need at least a /20, and AWS allows at most a /16.
 */
export const NETWORK_LIMITS = { minPrefix: 16, maxPrefix: 20, minAzs: 2, maxAzs: 6, minPrivateSubnets: 2 } as const;

/** The CIDR sizes AWS accepts for a VPC (an existing VPC's `cidrBlock`). */
export const VPC_CIDR_PREFIXES = { minPrefix: 16, maxPrefix: 28 } as const;

/** Bounds on an existing VPC's subnet lists (a subnet per AZ and tier is plenty; AWS Regions have at most 6 AZs the kit uses). */
export const NETWORK_LIST_LIMITS = {
  privateSubnetIds: { max: 16, what: "subnet ids" },
  publicSubnetIds: { max: 16, what: "subnet ids" },
} as const;

/** `[index, index of its first occurrence]` for each repeated plain-string entry. */
function duplicates(values: readonly unknown[]): [number, number][] {
  const seen = new Map<string, number>();
  const out: [number, number][] = [];
  values.forEach((v, i) => {
    if (typeof v !== "string") return;
    const first = seen.get(v);
    if (first === undefined) seen.set(v, i);
    else out.push([i, first]);
  });
  return out;
}

/** What the network rules look at: the fields of `NetworkArgs` and of a stack's `network` key. */
export interface NetworkRuleInput {
  cidrBlock?: string;
  availabilityZoneCount?: number;
  /** An existing VPC: its CIDR is checked when it is a plain string (not an output). */
  existing?: { cidrBlock?: unknown; privateSubnetIds: readonly unknown[]; publicSubnetIds?: readonly unknown[] };
}

/** Problems with a network's settings, by field (`cidrBlock`, `availabilityZoneCount`, `existing.privateSubnetIds`). */
export function networkProblems(n: NetworkRuleInput): Problem[] {
  const problems = new ProblemList();
  const cidr = n.cidrBlock ?? NETWORK_DEFAULTS.cidrBlock;
  const azs = n.availabilityZoneCount ?? NETWORK_DEFAULTS.availabilityZoneCount;
  const { minPrefix, maxPrefix, minAzs, maxAzs, minPrivateSubnets } = NETWORK_LIMITS;
  if (!n.existing) {
    const syntax = cidrProblem(cidr, "10.0.0.0/16");
    if (syntax && !validateCidr(cidr)) problems.add("cidrBlock", syntax);
    else if (prefixLength(cidr) < minPrefix || prefixLength(cidr) > maxPrefix)
      problems.add(
        "cidrBlock",
        `must be an IPv4 CIDR with a prefix from /${minPrefix} to /${maxPrefix}, such as 10.0.0.0/16`,
      );
    else if (syntax) problems.add("cidrBlock", syntax);
    const azProblem = wholeNumberProblem(azs, minAzs, maxAzs);
    if (azProblem) problems.add("availabilityZoneCount", azProblem);
  } else {
    for (const list of ["privateSubnetIds", "publicSubnetIds"] as const) {
      const tooMany = listLengthProblem(
        n.existing[list],
        NETWORK_LIST_LIMITS[list].max,
        NETWORK_LIST_LIMITS[list].what,
      );
      if (tooMany) return [{ path: `existing.${list}`, message: tooMany }];
    }
    problems.check(
      n.existing.privateSubnetIds.length >= minPrivateSubnets,
      "existing.privateSubnetIds",
      `EKS needs subnets in at least ${minPrivateSubnets} availability zones`,
    );
    const existingCidr = n.existing.cidrBlock;
    if (typeof existingCidr === "string") {
      const { minPrefix: vpcMin, maxPrefix: vpcMax } = VPC_CIDR_PREFIXES;
      const inVpcRange =
        validateCidr(existingCidr) && prefixLength(existingCidr) >= vpcMin && prefixLength(existingCidr) <= vpcMax;
      problems.check(
        inVpcRange,
        "existing.cidrBlock",
        `must be the VPC's own IPv4 CIDR, a /${vpcMin} to /${vpcMax} such as 10.0.0.0/16 (it opens the API and the registry to that network)`,
      );
      const hostBits = inVpcRange ? cidrProblem(existingCidr, "10.0.0.0/16") : undefined;
      if (hostBits) problems.add("existing.cidrBlock", hostBits);
    }
    for (const list of ["privateSubnetIds", "publicSubnetIds"] as const)
      duplicates(n.existing[list] ?? []).forEach(([i, first]) =>
        problems.add(
          `existing.${list}[${i}]`,
          `repeats ${list}[${first}]: each subnet is one availability zone, so listing one twice fakes a second zone`,
        ),
      );
  }
  return problems.list;
}
