import { isOpenToWorld, MAX_PUBLIC_ADDRESSES, publicAddressCount, validateCidr } from "../common/cidr";
import { listLengthProblem, Problem, ProblemList } from "../common/problems";
import { INSTANCE_TYPES, isKnownInstanceType } from "../common/instance-types";
import { KUBERNETES_VERSION } from "../versions";

/** Catalogued types without accelerators: what a system node group can run. */
const SYSTEM_NODE_TYPES = INSTANCE_TYPES.filter((i) => !i.accelerator).map((i) => i.name);

/** Defaults of a cluster built without an environment's defaults (`EksCluster` used on its own). */
export const CLUSTER_DEFAULTS = {
  kubernetesVersion: KUBERNETES_VERSION,
  logRetentionDays: 90,
  storageReclaimPolicy: "Delete" as "Delete" | "Retain",
  systemNodes: { instanceTypes: ["m7i.large", "m6i.large"], minSize: 2, maxSize: 4, diskSizeGiB: 50 },
};

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** EKS cluster names: a letter, then letters, digits, '-' or '_' (100 at most). */
export const CLUSTER_NAME = /^[a-zA-Z][-a-zA-Z0-9_]{0,99}$/;
/** An IAM role or user ARN, as access entries take. */
export const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * Bounds on the cluster's lists, for a stack file and `EksClusterArgs` alike: far above what a
 * platform needs, far below what would make a plan (or an EKS API call) run away.
 */
export const CLUSTER_LIST_LIMITS = {
  publicAccessCidrs: {
    max: 40,
    what: "CIDRs",
    hint: "admit the few networks you control (a VPN, a CI runner's egress range), not single addresses",
  },
  privateAccessCidrs: { max: 40, what: "CIDRs", hint: "list the VPN or peered networks, not single addresses" },
  adminPrincipalArns: {
    max: 100,
    what: "principal ARNs",
    hint: "each becomes an EKS access entry; give people an IAM role they assume and list the role",
  },
  systemNodeInstanceTypes: { max: 10, what: "instance types" },
} as const;

/** What the cluster rules look at: the fields of `EksClusterArgs` and of a stack's `cluster` key. */
export interface ClusterRuleInput {
  clusterName?: string;
  kubernetesVersion?: string;
  publicAccessCidrs?: readonly string[];
  /** Plain CIDRs only; outputs (the VPC's CIDR) are not checked. */
  privateAccessCidrs?: readonly unknown[];
  allowWorldOpenEndpoint?: boolean;
  adminPrincipalArns?: readonly string[];
  logRetentionDays?: number;
  systemNodes?: {
    instanceTypes?: readonly string[];
    minSize?: number;
    desiredSize?: number;
    maxSize?: number;
    diskSizeGiB?: number;
  };
}

/** Problems with a cluster's settings, by field. */
export function clusterProblems(c: ClusterRuleInput): Problem[] {
  const problems = new ProblemList();
  const d = CLUSTER_DEFAULTS.systemNodes;
  const minSize = c.systemNodes?.minSize ?? d.minSize;
  const sys = {
    instanceTypes: c.systemNodes?.instanceTypes ?? d.instanceTypes,
    minSize,
    desiredSize: c.systemNodes?.desiredSize ?? minSize,
    maxSize: c.systemNodes?.maxSize ?? d.maxSize,
    diskSizeGiB: c.systemNodes?.diskSizeGiB ?? d.diskSizeGiB,
  };
  const L = CLUSTER_LIST_LIMITS;
  for (const [path, list, limit] of [
    ["publicAccessCidrs", c.publicAccessCidrs, L.publicAccessCidrs],
    ["privateAccessCidrs", c.privateAccessCidrs, L.privateAccessCidrs],
    ["adminPrincipalArns", c.adminPrincipalArns, L.adminPrincipalArns],
    ["systemNodes.instanceTypes", c.systemNodes?.instanceTypes, L.systemNodeInstanceTypes],
  ] as const) {
    const tooMany = listLengthProblem(list, limit.max, limit.what, "hint" in limit ? limit.hint : undefined);
    // A list over its bound is not checked entry by entry: one problem, at once.
    if (tooMany) return [{ path, message: tooMany }];
  }
  if (c.clusterName !== undefined)
    problems.check(
      CLUSTER_NAME.test(c.clusterName),
      "clusterName",
      "must start with a letter and hold only letters, digits, '-' and '_' (max 100)",
    );
  problems
    .check(
      (c.kubernetesVersion ?? CLUSTER_DEFAULTS.kubernetesVersion) === KUBERNETES_VERSION,
      "kubernetesVersion",
      `must be ${KUBERNETES_VERSION}, the version the kit pins its EKS add-ons, charts and AMIs to (components/versions.ts); supported: ${KUBERNETES_VERSION}`,
    )
    .check(sys.minSize >= 1, "systemNodes.minSize", "the system node group needs at least 1 node")
    .check(
      sys.minSize <= sys.desiredSize && sys.desiredSize <= sys.maxSize,
      "systemNodes",
      `must satisfy minSize <= desiredSize <= maxSize (got ${sys.minSize} <= ${sys.desiredSize} <= ${sys.maxSize})`,
    )
    .check(sys.instanceTypes.length > 0, "systemNodes.instanceTypes", "must list at least one instance type")
    .nest(
      "systemNodes.instanceTypes",
      sys.instanceTypes.flatMap((t, i) =>
        isKnownInstanceType(t)
          ? []
          : [
              {
                path: `[${i}]`,
                message:
                  `${t} is not in the kit's instance-type catalogue (components/common/instance-types.ts); system ` +
                  `node types it knows: ${SYSTEM_NODE_TYPES.join(", ")}`,
              },
            ],
      ),
    )
    .check(sys.diskSizeGiB >= 20, "systemNodes.diskSizeGiB", "must be at least 20 GiB")
    .check(
      LOG_RETENTION_DAYS.includes(c.logRetentionDays ?? CLUSTER_DEFAULTS.logRetentionDays),
      "logRetentionDays",
      `must be a CloudWatch Logs retention period in days: one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  (c.publicAccessCidrs ?? []).forEach((cidr, i) => {
    if (!validateCidr(cidr)) problems.add(`publicAccessCidrs[${i}]`, "must be an IPv4 CIDR such as 203.0.113.0/24");
    else if (isOpenToWorld(cidr) && c.allowWorldOpenEndpoint !== true)
      problems.add(
        `publicAccessCidrs[${i}]`,
        "0.0.0.0/0 opens the Kubernetes API to the internet; list your own CIDRs or leave the endpoint private",
      );
  });
  const publicCidrs = c.publicAccessCidrs ?? [];
  if (c.allowWorldOpenEndpoint !== true && !publicCidrs.some(isOpenToWorld))
    problems.check(
      publicAddressCount(publicCidrs) <= MAX_PUBLIC_ADDRESSES,
      "publicAccessCidrs",
      `together admit ${publicAddressCount(publicCidrs)} public addresses, more than a /8 (${MAX_PUBLIC_ADDRESSES}): ` +
        `that opens the Kubernetes API to the internet in pieces; list your own networks`,
    );
  (c.privateAccessCidrs ?? []).forEach((cidr, i) => {
    if (typeof cidr !== "string") return;
    if (!validateCidr(cidr)) problems.add(`privateAccessCidrs[${i}]`, "must be an IPv4 CIDR such as 10.100.0.0/16");
    else if (isOpenToWorld(cidr))
      problems.add(`privateAccessCidrs[${i}]`, "0.0.0.0/0 is not a network you control; list your VPN or peered CIDRs");
  });
  (c.adminPrincipalArns ?? []).forEach((a, i) =>
    problems.check(IAM_PRINCIPAL_ARN.test(a), `adminPrincipalArns[${i}]`, "must be an IAM role or user ARN"),
  );
  return problems.list;
}

/**
 * How the machine that runs `pulumi up` (a laptop, a CI runner) reaches the Kubernetes API:
 * - `public`: through the public endpoint, admitted only from `publicAccessCidrs`;
 * - `private`: through the private endpoint only, from a network routed into the cluster's VPC,
 *   so only with `network.existing` (a VPC the runner sits in, or one your VPN or peering already
 *   reaches, listed in `privateAccessCidrs`): no route can lead into a VPC the kit has yet to create.
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
export function apiAccessProblems(a: ApiAccessInput): Problem[] {
  const problems: Problem[] = [];
  const lists = { publicAccessCidrs: a.publicAccessCidrs, privateAccessCidrs: a.privateAccessCidrs };
  for (const [field, cidrs] of Object.entries(lists))
    cidrs.forEach((c, i) => {
      // AWS keeps the network address; a CIDR with host bits would show as a change on every pulumi up.
      if (!isOpenToWorld(c) && canonicalCidr(c) !== c)
        problems.push({ path: `${field}[${i}]`, message: `has host bits set; write ${canonicalCidr(c)}` });
    });
  if (a.deployerAccess === "public" && a.publicAccessCidrs.length === 0) {
    problems.push({
      path: "publicAccessCidrs",
      message:
        "deployerAccess is public but no CIDR may reach the public endpoint: list the egress CIDR of the machine that runs pulumi up (e.g. <your IP>/32)",
    });
  }
  // A private-only endpoint is reachable only from inside the cluster's VPC or over a route into
  // it. A VPN attachment, peering or Transit Gateway route needs the VPC's id and a route in its
  // route tables, so none can exist into a VPC the first `pulumi up` is about to create: listing
  // privateAccessCidrs then opens a security group to a network with no path yet, and every
  // Kubernetes resource of that first run times out. Only a VPC that exists before the run works.
  if (a.deployerAccess === "private" && !a.existingVpc) {
    problems.push({
      path: "deployerAccess",
      message:
        "no network path from the machine that runs pulumi up to the Kubernetes API: a private-only " +
        "endpoint is reachable only from inside a VPC that exists before the first pulumi up, " +
        "and the kit creates a new VPC that no VPN or peering (cluster.privateAccessCidrs) can be routed into yet. " +
        ("Set cluster.deployerAccess: public with cluster.publicAccessCidrs: [<your egress CIDR>] (list " +
          "your VPN in cluster.privateAccessCidrs once it reaches the VPC), ") +
        "or deploy into network.existing (a VPC your runner is in or your VPN already reaches)",
    });
  }
  return problems;
}

/**
 * The shipped placeholder CIDRs still in place: fine for the offline plan, refused by a real
 * deployment (the API would be unreachable, and every Kubernetes resource would time out).
 */
export function apiAccessPlaceholders(a: ApiAccessInput): Problem[] {
  const check = (listed: "publicAccessCidrs" | "privateAccessCidrs", cidrs: readonly string[], replaceWith: string) =>
    cidrs.flatMap((c, i) =>
      inDocumentationRange(c)
        ? [
            {
              path: `${listed}[${i}]`,
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
