import { isOpenToWorld } from "../common/cidr";

/**
 * How the machine that runs `pulumi up` (a laptop, a CI runner) reaches the Kubernetes API:
 * - `public`: through the public endpoint, admitted only from `publicAccessCidrs`;
 * - `private`: through the private endpoint, from a network routed into the cluster's VPC:
 *   an existing VPC the runner sits in (`network.existing`) or one your VPN or peering
 *   reaches, listed in `privateAccessCidrs`.
 */
export type DeployerAccess = "public" | "private";
export const DEPLOYER_ACCESS_MODES: readonly DeployerAccess[] = ["public", "private"];

/** What the API access rule looks at. */
export interface ApiAccessInput {
  deployerAccess: DeployerAccess;
  publicAccessCidrs: readonly string[];
  privateAccessCidrs: readonly string[];
  /** The cluster goes into an existing VPC (which a runner or a VPN may already reach). */
  existingVpc: boolean;
}

/** One broken rule, by the field (relative to the cluster's config) it concerns. */
export interface ApiAccessProblem {
  field: string;
  message: string;
}

/**
 * IPv4 ranges reserved for documentation (RFC 5737). No deployer can have one of these
 * addresses, so they serve as the shipped placeholder: they plan offline, and a real
 * deployment refuses them until they are replaced.
 */
export const DOCUMENTATION_CIDRS = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"] as const;

function inDocumentationRange(cidr: string): boolean {
  const [addr, len] = cidr.split("/");
  const o = addr.split(".").map(Number);
  if (Number(len) < 24) return false;
  return DOCUMENTATION_CIDRS.some((d) => {
    const p = d.split("/")[0].split(".").map(Number);
    return o[0] === p[0] && o[1] === p[1] && o[2] === p[2];
  });
}

/** `10.0.0.1/16` -> `10.0.0.0/16`: the network address AWS would store for a CIDR. */
export function canonicalCidr(cidr: string): string {
  const [addr, len] = cidr.split("/");
  const bits = Number(len);
  const value = addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const block = 2 ** (32 - bits);
  const network = Math.floor(value / block) * block;
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join(".")}/${bits}`;
}

/**
 * Whether the deployer has a network path to the API, and the lists are sane. Empty when
 * `pulumi up` can reach the cluster it creates. Pure: the config schema and the offline plan
 * call it before any resource exists.
 */
export function apiAccessProblems(a: ApiAccessInput): ApiAccessProblem[] {
  const problems: ApiAccessProblem[] = [];
  const lists = { publicAccessCidrs: a.publicAccessCidrs, privateAccessCidrs: a.privateAccessCidrs };
  for (const [field, cidrs] of Object.entries(lists))
    cidrs.forEach((c, i) => {
      // AWS keeps the network address; a CIDR with host bits would show as a change on every pulumi up.
      if (!isOpenToWorld(c) && canonicalCidr(c) !== c)
        problems.push({ field: `${field}[${i}]`, message: `has host bits set; write ${canonicalCidr(c)}` });
    });
  a.publicAccessCidrs.forEach((c, i) => {
    if (isOpenToWorld(c))
      problems.push({
        field: `publicAccessCidrs[${i}]`,
        message:
          "0.0.0.0/0 opens the Kubernetes API to the internet; list your own CIDRs or leave the endpoint private",
      });
  });
  a.privateAccessCidrs.forEach((c, i) => {
    if (isOpenToWorld(c))
      problems.push({
        field: `privateAccessCidrs[${i}]`,
        message: "0.0.0.0/0 is not a network you control; list your VPN or peered CIDRs",
      });
  });
  if (a.deployerAccess === "public" && a.publicAccessCidrs.length === 0) {
    problems.push({
      field: "publicAccessCidrs",
      message:
        "deployerAccess is public but no CIDR may reach the public endpoint: list the egress CIDR of the machine that runs pulumi up (e.g. <your IP>/32)",
    });
  }
  if (a.deployerAccess === "private" && a.privateAccessCidrs.length === 0 && !a.existingVpc) {
    problems.push({
      field: "deployerAccess",
      message:
        "no network path from the machine that runs pulumi up to the Kubernetes API: the endpoint is private and the kit creates a new VPC that nothing reaches. " +
        "Set cluster.deployerAccess: public with cluster.publicAccessCidrs: [<your egress CIDR>], or list your VPN or peered networks in cluster.privateAccessCidrs, or deploy into network.existing (a VPC your runner is in)",
    });
  }
  return problems;
}

/**
 * The shipped placeholder CIDRs still in place: fine for the offline plan, refused by a real
 * deployment (the API would be unreachable, and every Kubernetes resource would time out).
 */
export function apiAccessPlaceholders(a: ApiAccessInput): ApiAccessProblem[] {
  const check = (listed: "publicAccessCidrs" | "privateAccessCidrs", cidrs: readonly string[], replaceWith: string) =>
    cidrs.flatMap((c, i) =>
      inDocumentationRange(c)
        ? [
            {
              field: `${listed}[${i}]`,
              message: `${c} is a documentation range (RFC 5737), the shipped placeholder, from which nobody reaches the API: replace it with ${replaceWith}`,
            },
          ]
        : [],
    );
  return [
    ...check("publicAccessCidrs", a.publicAccessCidrs, "the egress CIDR of the machine that runs pulumi up"),
    ...check("privateAccessCidrs", a.privateAccessCidrs, "your VPN or peered network"),
  ];
}
