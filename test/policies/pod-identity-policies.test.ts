import { describe, expect, it } from "vitest";
import { podIdentityTrustPinned } from "../../policies/rules";
import { eksClusterArn, podIdentityTrustPolicy } from "../../components/common/iam";
import { resource, violations } from "./policy-harness";

// Issue 22, item 7: staging and prod use the same namespaces and service accounts in one account,
// so a Pod Identity trust policy that pins only those lets either cluster assume the other's roles.

const role = (assumeRolePolicy: unknown, name = "r") => resource("aws:iam/role:Role", { assumeRolePolicy }, { name });
const trust = (Condition?: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        ...(Condition ? { Condition } : {}),
        ...extra,
      },
    ],
  });
const clusterArn = eksClusterArn({
  partition: "aws",
  region: "us-west-2",
  accountId: "123456789012",
  name: "mlserving-prod",
});
const names = {
  "aws:RequestTag/kubernetes-namespace": "serving",
  "aws:RequestTag/kubernetes-service-account": "fraud-detector",
};

describe("pod-identity-trust-pinned", () => {
  it("accepts the kit's trust policy in every environment", async () => {
    const doc = podIdentityTrustPolicy({ clusterArn, namespace: "serving", serviceAccount: "fraud-detector" });
    for (const environment of ["dev", "staging", "prod"])
      expect(await violations(podIdentityTrustPinned, [role(JSON.stringify(doc))], { environment })).toEqual([]);
  });

  it("refuses, in prod, a trust that pins the namespace and service account but not the cluster", async () => {
    expect(
      await violations(podIdentityTrustPinned, [role(trust({ StringEquals: names }))], { environment: "prod" }),
    ).toEqual([
      expect.stringMatching(/without pinning aws:RequestTag\/eks-cluster-arn .*in any cluster of the account/),
    ]);
    // Outside prod the names suffice; the kit pins the cluster there too.
    expect(
      await violations(podIdentityTrustPinned, [role(trust({ StringEquals: names }))], { environment: "dev" }),
    ).toEqual([]);
  });

  it("accepts the cluster pinned by name, and reads operators and keys case-insensitively", async () => {
    const byName = trust({ StringEquals: { ...names, "aws:RequestTag/eks-cluster-name": "mlserving-prod" } });
    const upper = trust({
      stringequals: {
        "AWS:REQUESTTAG/KUBERNETES-NAMESPACE": "serving",
        "aws:requesttag/kubernetes-service-account": "m",
      },
      StringEquals: { "aws:RequestTag/eks-cluster-arn": clusterArn },
    });
    expect(
      await violations(podIdentityTrustPinned, [role(byName, "a"), role(upper, "b")], { environment: "prod" }),
    ).toEqual([]);
  });

  it("refuses an unconditioned trust, wildcards, several values, and StringLike in every environment", async () => {
    const cluster = { "aws:RequestTag/eks-cluster-arn": clusterArn };
    const cases = [
      trust(),
      trust({ StringEquals: { ...cluster, ...names, "aws:RequestTag/kubernetes-service-account": "*" } }),
      trust({ StringEquals: { ...cluster, ...names, "aws:RequestTag/kubernetes-namespace": ["serving", "mlflow"] } }),
      trust({ StringLike: { ...cluster, ...names } }),
      trust(undefined, { Principal: "*" }),
    ].map((t, i) => role(t, `r${i}`));
    // The last trusts every principal, the pod identity service included.
    for (const environment of ["dev", "prod"])
      expect(await violations(podIdentityTrustPinned, cases, { environment }), environment).toHaveLength(5);
  });

  it("ignores roles other services assume", async () => {
    const ec2 = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    expect(await violations(podIdentityTrustPinned, [role(ec2)], { environment: "prod" })).toEqual([]);
  });
});
