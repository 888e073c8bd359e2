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
 * Trust policy for EKS Pod Identity: the `pods.eks.amazonaws.com` principal needs both
 * `sts:AssumeRole` and `sts:TagSession` (the agent tags sessions with the pod's attributes).
 * Given a service account, the session tags must name it, so the role cannot be associated
 * with another workload by mistake (EKS user guide, "Create a Pod Identity role").
 */
export function podIdentityTrustPolicy(serviceAccount?: { namespace: string; name: string }): PolicyDocument {
  const doc = serviceTrustPolicy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]);
  if (serviceAccount) {
    doc.Statement[0].Condition = {
      StringEquals: {
        "aws:RequestTag/kubernetes-namespace": serviceAccount.namespace,
        "aws:RequestTag/kubernetes-service-account": serviceAccount.name,
      },
    };
  }
  return doc;
}

/** ARN of an AWS managed IAM policy in the given partition. */
export function awsManagedPolicyArn(partition: string, path: string): string {
  return `arn:${partition}:iam::aws:policy/${path}`;
}
