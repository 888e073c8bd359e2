import { isOpenToWorld, validateCidr } from "../common/cidr";
import { Problem, ProblemList } from "../common/problems";
import { KUBERNETES_VERSION } from "../versions";

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
  if (c.clusterName !== undefined)
    problems.check(
      CLUSTER_NAME.test(c.clusterName),
      "clusterName",
      "must start with a letter and hold only letters, digits, '-' and '_' (max 100)",
    );
  problems
    .check(
      /^1\.\d{2}$/.test(c.kubernetesVersion ?? CLUSTER_DEFAULTS.kubernetesVersion),
      "kubernetesVersion",
      `must be a minor version such as ${KUBERNETES_VERSION}`,
    )
    .check(sys.minSize >= 1, "systemNodes.minSize", "the system node group needs at least 1 node")
    .check(
      sys.minSize <= sys.desiredSize && sys.desiredSize <= sys.maxSize,
      "systemNodes",
      `must satisfy minSize <= desiredSize <= maxSize (got ${sys.minSize} <= ${sys.desiredSize} <= ${sys.maxSize})`,
    )
    .check(sys.instanceTypes.length > 0, "systemNodes.instanceTypes", "must list at least one instance type")
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
