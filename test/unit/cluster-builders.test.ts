import { describe, expect, it } from "vitest";
import {
  clusterAdminAccessPolicyArn,
  clusterKmsPolicy,
  CONTROL_PLANE_LOG_TYPES,
  gp3StorageClass,
  imdsV2MetadataOptions,
  kubeconfig,
  loadBalancerControllerPolicy,
  loadBalancerControllerValues,
  vpcCniConfiguration,
} from "../../components/cluster";
import {
  eksClusterArn,
  isOpenToWorld,
  podIdentityTrustPolicy,
  prefixLength,
  validateCidr,
} from "../../components/common";
import { privateSubnetTags, publicSubnetTags } from "../../components/network";

describe("cluster builders", () => {
  it("turns on prefix delegation and network policy in vpc-cni, as strings", () => {
    const cfg = JSON.parse(vpcCniConfiguration("standard"));
    expect(cfg.env.ENABLE_PREFIX_DELEGATION).toBe("true");
    expect(cfg.enableNetworkPolicy).toBe("true");
    expect(cfg.env.NETWORK_POLICY_ENFORCING_MODE).toBe("standard");
  });

  it("sets the network policy agent's enforcing mode through the aws-node env (chart values v1.22.3)", () => {
    expect(JSON.parse(vpcCniConfiguration("strict")).env.NETWORK_POLICY_ENFORCING_MODE).toBe("strict");
  });

  it("authenticates the kubeconfig as the stack's AWS provider: profile in the env, role as --role-arn", () => {
    const base = { clusterName: "c", endpoint: "https://x", certificateAuthority: "ca", region: "eu-west-1" };
    const exec = (credentials?: { profile?: string; roleArn?: string }) =>
      JSON.parse(kubeconfig({ ...base, credentials })).users[0].user.exec;
    expect(exec().env).toBeUndefined();
    expect(exec().args).not.toContain("--role-arn");
    const both = exec({ profile: "ml-prod", roleArn: "arn:aws:iam::123456789012:role/deployer" });
    expect(both.env).toEqual([{ name: "AWS_PROFILE", value: "ml-prod" }]);
    expect(both.args).toEqual([
      "eks",
      "get-token",
      "--cluster-name",
      "c",
      "--region",
      "eu-west-1",
      "--role-arn",
      "arn:aws:iam::123456789012:role/deployer",
      "--output",
      "json",
    ]);
  });

  it("logs api, audit and authenticator at least", () => {
    expect(CONTROL_PLANE_LOG_TYPES).toEqual(expect.arrayContaining(["api", "audit", "authenticator"]));
  });

  it("scopes the cluster role's KMS permissions to the one key", () => {
    const doc = clusterKmsPolicy("arn:aws:kms:us-west-2:123456789012:key/abc");
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0].Resource).toBe("arn:aws:kms:us-west-2:123456789012:key/abc");
    expect(doc.Statement[0].Action).toEqual(["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]);
  });

  it("builds a kubeconfig that gets tokens from aws eks get-token for the right cluster and region", () => {
    const cfg = JSON.parse(
      kubeconfig({ clusterName: "c1", endpoint: "https://x.eks", certificateAuthority: "Q0E=", region: "eu-west-1" }),
    );
    expect(cfg.clusters[0].cluster).toEqual({ server: "https://x.eks", "certificate-authority-data": "Q0E=" });
    const exec = cfg.users[0].user.exec;
    expect(exec.command).toBe("aws");
    expect(exec.args).toEqual([
      "eks",
      "get-token",
      "--cluster-name",
      "c1",
      "--region",
      "eu-west-1",
      "--output",
      "json",
    ]);
    expect(cfg["current-context"]).toBe("c1");
  });

  it("makes the encrypted gp3 class the default, bound where the pod lands", () => {
    const sc = gp3StorageClass("Retain");
    expect(sc.provisioner).toBe("ebs.csi.aws.com");
    expect(sc.parameters).toMatchObject({ type: "gp3", encrypted: "true" });
    expect(sc.volumeBindingMode).toBe("WaitForFirstConsumer");
    expect(sc.reclaimPolicy).toBe("Retain");
    expect(sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
  });

  it("requires IMDSv2 tokens", () => {
    expect(imdsV2MetadataOptions(1)).toEqual({
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
    });
  });

  it("names the admin access policy in the partition", () => {
    expect(clusterAdminAccessPolicyArn("aws-us-gov")).toBe(
      "arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
    );
  });

  it("trusts only the pod identity service, with the session tagging it needs", () => {
    expect(podIdentityTrustPolicy().Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      },
    ]);
  });

  it("binds a pod identity role to its one service account of one cluster through the session tags", () => {
    const clusterArn = eksClusterArn({
      partition: "aws",
      region: "us-west-2",
      accountId: "123456789012",
      name: "ml-prod",
    });
    expect(clusterArn).toBe("arn:aws:eks:us-west-2:123456789012:cluster/ml-prod");
    expect(
      podIdentityTrustPolicy({ clusterArn, namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" })
        .Statement[0].Condition,
    ).toEqual({
      StringEquals: {
        "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:us-west-2:123456789012:cluster/ml-prod",
        "aws:RequestTag/kubernetes-namespace": "kube-system",
        "aws:RequestTag/kubernetes-service-account": "ebs-csi-controller-sa",
      },
    });
  });

  it("validates CIDRs and spots world-open ones", () => {
    expect(validateCidr("10.0.0.0/16")).toBe(true);
    expect(validateCidr("300.0.0.0/16")).toBe(false);
    expect(validateCidr("10.0.0.0/33")).toBe(false);
    expect(validateCidr("10.0.0.0")).toBe(false);
    expect(isOpenToWorld("0.0.0.0/0")).toBe(true);
    expect(isOpenToWorld("203.0.113.0/24")).toBe(false);
    expect(prefixLength("10.0.0.0/18")).toBe(18);
  });
});

describe("load balancer controller", () => {
  it("keeps the upstream policy and moves ARNs to the partition", () => {
    const doc = loadBalancerControllerPolicy("aws-cn");
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/arn:aws:/);
    expect(text).toContain("arn:aws-cn:elasticloadbalancing:*:*:targetgroup/*/*");
    const actions = doc.Statement.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(actions).toEqual(
      expect.arrayContaining([
        "elasticloadbalancing:CreateLoadBalancer",
        "ec2:DescribeSubnets",
        "iam:CreateServiceLinkedRole",
      ]),
    );
  });

  it("gives the controller its region and VPC so it never needs instance metadata", () => {
    const v = loadBalancerControllerValues({ clusterName: "c", region: "us-east-1", vpcId: "vpc-1", replicas: 2 });
    expect(v).toMatchObject({ clusterName: "c", region: "us-east-1", vpcId: "vpc-1", replicaCount: 2 });
    expect(v.serviceAccount).toEqual({ create: true, name: "aws-load-balancer-controller" });
  });
});

describe("subnet tags", () => {
  it("tags private subnets for internal load balancers and Karpenter discovery", () => {
    expect(privateSubnetTags("c1")).toEqual({
      "kubernetes.io/role/internal-elb": "1",
      "kubernetes.io/cluster/c1": "shared",
      "karpenter.sh/discovery": "c1",
    });
  });
  it("tags public subnets for internet-facing load balancers only", () => {
    expect(publicSubnetTags("c1")).toEqual({ "kubernetes.io/role/elb": "1", "kubernetes.io/cluster/c1": "shared" });
  });
});
