import { beforeAll, describe, expect, it } from "vitest";
import { EksCluster, EksClusterArgs, LoadBalancerController } from "../../components/cluster";
import { EKS_ADDONS, KUBERNETES_VERSION, CHARTS } from "../../components/versions";
import { json, Plan, runComponent } from "../harness";

const baseArgs: EksClusterArgs = {
  clusterName: "ml-test",
  region: "us-west-2",
  vpcId: "vpc-0123456789abcdef0",
  privateSubnetIds: ["subnet-aaaaaaaa", "subnet-bbbbbbbb", "subnet-cccccccc"],
  adminPrincipalArns: ["arn:aws:iam::123456789012:role/Admin"],
  tags: { environment: "dev", team: "ml" },
};

describe("EksCluster", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => {
      const c = new EksCluster("eks", baseArgs);
      new LoadBalancerController("lbc", { cluster: c.handle });
      return c;
    });
  });

  it("pins the Kubernetes version, uses API auth and encrypts secrets with a rotating key", () => {
    const cluster = plan.one("aws:eks/cluster:Cluster").inputs as Record<string, any>;
    expect(cluster.version).toBe(KUBERNETES_VERSION);
    expect(cluster.accessConfig.authenticationMode).toBe("API");
    const key = plan.one("aws:kms/key:Key", "secrets");
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(cluster.encryptionConfig.resources).toEqual(["secrets"]);
    expect(cluster.encryptionConfig.provider.keyArn).toMatch(/^arn:aws:kms:us-west-2:123456789012:key\//);
  });

  it("keeps the endpoint private when no CIDRs are given, and logs the control plane", () => {
    const cluster = plan.one("aws:eks/cluster:Cluster").inputs as Record<string, any>;
    expect(cluster.vpcConfig.endpointPrivateAccess).toBe(true);
    expect(cluster.vpcConfig.endpointPublicAccess).toBe(false);
    expect(cluster.vpcConfig.publicAccessCidrs).toBeUndefined();
    expect(cluster.enabledClusterLogTypes).toEqual(expect.arrayContaining(["api", "audit", "authenticator"]));
    const logGroup = plan.one("aws:cloudwatch/logGroup:LogGroup");
    expect(logGroup.inputs.name).toBe("/aws/eks/ml-test/cluster");
  });

  it("encrypts the control-plane log group with a rotating key CloudWatch Logs may use for that group only", () => {
    const key = plan.one("aws:kms/key:Key", "logs");
    const logGroup = plan.one("aws:cloudwatch/logGroup:LogGroup");
    expect(logGroup.inputs.kmsKeyId).toMatch(/^arn:aws:kms:us-west-2:123456789012:key\//);
    expect(key.inputs.enableKeyRotation).toBe(true);
    const policy = json<any>(key.inputs.policy);
    const logs = policy.Statement.find((s: any) => s.Principal?.Service === "logs.us-west-2.amazonaws.com");
    expect(logs.Action).toEqual([
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]);
    expect(logs.Condition).toEqual({
      ArnEquals: {
        "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-west-2:123456789012:log-group:/aws/eks/ml-test/cluster",
      },
    });
    const admin = policy.Statement.find((s: any) => s.Principal?.AWS);
    expect(admin.Principal.AWS).toBe("arn:aws:iam::123456789012:root");
  });

  it("lets the cluster role use exactly the secrets key", () => {
    const policy = json<any>(plan.one("aws:iam/rolePolicy:RolePolicy", "cluster-kms").inputs.policy);
    const keyArn = (plan.one("aws:eks/cluster:Cluster").inputs as any).encryptionConfig.provider.keyArn;
    expect(policy.Statement[0].Resource).toBe(keyArn);
  });

  it("grants cluster admin to configured principals through access entries", () => {
    const entry = plan.one("aws:eks/accessEntry:AccessEntry");
    expect(entry.inputs).toMatchObject({
      clusterName: "ml-test",
      principalArn: "arn:aws:iam::123456789012:role/Admin",
      type: "STANDARD",
    });
    const assoc = plan.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    expect(assoc.inputs.policyArn).toBe("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
    expect(assoc.inputs.accessScope).toEqual({ type: "cluster" });
  });

  it("installs the pinned managed add-ons, vpc-cni with prefix delegation and network policy", () => {
    const addons = Object.fromEntries(plan.ofType("aws:eks/addon:Addon").map((a) => [a.inputs.addonName, a.inputs]));
    expect(Object.keys(addons).sort()).toEqual([
      "aws-ebs-csi-driver",
      "aws-mountpoint-s3-csi-driver",
      "coredns",
      "eks-pod-identity-agent",
      "kube-proxy",
      "vpc-cni",
    ]);
    expect(addons["vpc-cni"].addonVersion).toBe(EKS_ADDONS.vpcCni);
    expect(addons["coredns"].addonVersion).toBe(EKS_ADDONS.coredns);
    // Mountpoint volumes use each model pod's own credentials: the driver gets no role of its own.
    expect(addons["aws-mountpoint-s3-csi-driver"].addonVersion).toBe(EKS_ADDONS.mountpointS3CsiDriver);
    expect(addons["aws-mountpoint-s3-csi-driver"].podIdentityAssociations).toBeUndefined();
    const cni = json<any>(addons["vpc-cni"].configurationValues);
    expect(cni.env.ENABLE_PREFIX_DELEGATION).toBe("true");
    expect(cni.enableNetworkPolicy).toBe("true");
  });

  it("gives the EBS CSI driver its own pod identity role with the AWS managed policy", () => {
    const ebs = plan.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "aws-ebs-csi-driver")!;
    const [assoc] = ebs.inputs.podIdentityAssociations as { roleArn: string; serviceAccount: string }[];
    expect(assoc.serviceAccount).toBe("ebs-csi-controller-sa");
    const role = plan
      .ofType("aws:iam/role:Role")
      .find((r) => assoc.roleArn.endsWith(`/${r.name}`) || assoc.roleArn.includes(r.name))!;
    const trust = json<any>(role.inputs.assumeRolePolicy).Statement[0];
    expect(trust.Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    expect(trust.Condition.StringEquals["aws:RequestTag/kubernetes-service-account"]).toBe(assoc.serviceAccount);
    // Pinned to this cluster: staging and prod use the same namespaces and service accounts in one account.
    expect(trust.Condition.StringEquals["aws:RequestTag/eks-cluster-arn"]).toBe(
      "arn:aws:eks:us-west-2:123456789012:cluster/ml-test",
    );
    const attachment = plan
      .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .find((a) => a.name.startsWith("eks-ebs-csi"))!;
    expect(attachment.inputs.policyArn).toBe("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy");
  });

  it("runs system nodes on-demand on AL2023 with IMDSv2 and an encrypted gp3 root volume", () => {
    const ng = plan.one("aws:eks/nodeGroup:NodeGroup").inputs as Record<string, any>;
    expect(ng.amiType).toBe("AL2023_x86_64_STANDARD");
    expect(ng.capacityType).toBe("ON_DEMAND");
    expect(ng.scalingConfig).toEqual({ minSize: 2, desiredSize: 2, maxSize: 4 });
    expect(ng.nodeRepairConfig).toEqual({ enabled: true });
    const lt = plan.one("aws:ec2/launchTemplate:LaunchTemplate").inputs as Record<string, any>;
    expect(ng.launchTemplate.id).toMatch(/^lt-/);
    expect(lt.metadataOptions).toEqual({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
    expect(lt.blockDeviceMappings[0].ebs).toMatchObject({ volumeType: "gp3", encrypted: "true" });
  });

  it("creates node-dependent add-ons after the node group, and node prerequisites before it", () => {
    const ng = plan.one("aws:eks/nodeGroup:NodeGroup");
    const coredns = plan.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "coredns")!;
    expect(plan.dependsOn(coredns, "aws:eks/nodeGroup:NodeGroup")).toBe(true);
    expect(plan.dependsOn(ng, "aws:eks/addon:Addon", "vpc-cni")).toBe(true);
  });

  it("makes an encrypted gp3 StorageClass the default, through the cluster's provider", () => {
    const sc = plan.one("kubernetes:storage.k8s.io/v1:StorageClass");
    expect(sc.inputs.provisioner).toBe("ebs.csi.aws.com");
    expect((sc.inputs.parameters as any).encrypted).toBe("true");
    const provider = plan.one("pulumi:providers:kubernetes");
    expect(sc.provider).toBe(provider.urn);
    const kubeconfig = JSON.parse(provider.inputs.kubeconfig as string);
    expect(kubeconfig.clusters[0].cluster.server).toMatch(/^https:\/\/[0-9A-F]+\.gr7\.us-west-2\.eks\.amazonaws\.com$/);
    expect(kubeconfig.users[0].user.exec.args).toContain("ml-test");
  });

  it("installs the load balancer controller chart with a pod identity role holding its documented policy", () => {
    const release = plan.one("kubernetes:helm.sh/v3:Release");
    expect(release.inputs).toMatchObject({
      chart: CHARTS.awsLoadBalancerController.chart,
      version: CHARTS.awsLoadBalancerController.version,
      namespace: "kube-system",
    });
    expect((release.inputs.values as any).vpcId).toBe("vpc-0123456789abcdef0");
    const assoc = plan
      .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
      .find((a) => a.inputs.serviceAccount === "aws-load-balancer-controller")!;
    expect(assoc.inputs).toMatchObject({ clusterName: "ml-test", namespace: "kube-system" });
    const policy = json<any>(plan.one("aws:iam/rolePolicy:RolePolicy", "lbc").inputs.policy);
    expect(JSON.stringify(policy)).toContain("elasticloadbalancing:CreateLoadBalancer");
  });

  it("tags every AWS resource it creates with the given tags", () => {
    for (const r of plan.resources.filter((x) =>
      [
        "aws:eks/cluster:Cluster",
        "aws:iam/role:Role",
        "aws:kms/key:Key",
        "aws:eks/nodeGroup:NodeGroup",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:eks/addon:Addon",
      ].includes(x.type),
    )) {
      expect(r.inputs.tags, r.urn).toMatchObject({ environment: "dev", team: "ml", "managed-by": "pulumi-mlserving" });
    }
  });
});

describe("EksCluster private API access", () => {
  it("opens 443 on the cluster security group to the listed networks only", async () => {
    const plan = await runComponent(
      () => new EksCluster("eks", { ...baseArgs, privateAccessCidrs: ["10.0.0.0/16", "10.100.0.0/16"] }),
    );
    const rules = plan.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => r.inputs as any);
    expect(rules.map((r) => r.cidrIpv4)).toEqual(["10.0.0.0/16", "10.100.0.0/16"]);
    for (const r of rules)
      expect(r).toMatchObject({
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        securityGroupId: expect.stringMatching(/^sg-/),
      });
  });
});

describe("EksCluster arguments", () => {
  it("allows a public endpoint only for listed CIDRs", async () => {
    const plan = await runComponent(
      () => new EksCluster("eks", { ...baseArgs, publicAccessCidrs: ["203.0.113.0/24"] }),
    );
    const cluster = plan.one("aws:eks/cluster:Cluster").inputs as Record<string, any>;
    expect(cluster.vpcConfig.endpointPublicAccess).toBe(true);
    expect(cluster.vpcConfig.publicAccessCidrs).toEqual(["203.0.113.0/24"]);
  });

  it("refuses 0.0.0.0/0, bad sizes and bad ARNs, naming each field, before building anything", () => {
    expect(
      () =>
        new EksCluster("eks", {
          ...baseArgs,
          publicAccessCidrs: ["0.0.0.0/0"],
          systemNodes: { minSize: 3, maxSize: 2 },
          adminPrincipalArns: ["not-an-arn"],
          logRetentionDays: 42,
        }),
    ).toThrow(
      /systemNodes: must satisfy minSize <= desiredSize <= maxSize[\s\S]*logRetentionDays[\s\S]*publicAccessCidrs\[0\]: 0\.0\.0\.0\/0[\s\S]*adminPrincipalArns\[0\]/,
    );
  });
});

describe("EksCluster network policy enforcement and kubeconfig credentials", () => {
  it("keeps the CNI's standard mode by default, with no policy in kube-system", async () => {
    const plan = await runComponent(() => new EksCluster("eks", baseArgs));
    const cni = plan.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "vpc-cni")!;
    expect(json<any>(cni.inputs.configurationValues).env.NETWORK_POLICY_ENFORCING_MODE).toBe("standard");
    expect(plan.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")).toEqual([]);
  });

  it("in strict mode admits kube-system before the add-ons that run there, and sets the agent strict", async () => {
    const plan = await runComponent(() => new EksCluster("eks", { ...baseArgs, networkPolicyEnforcingMode: "strict" }));
    const cni = plan.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "vpc-cni")!;
    expect(json<any>(cni.inputs.configurationValues).env.NETWORK_POLICY_ENFORCING_MODE).toBe("strict");
    const policy = plan.one("kubernetes:networking.k8s.io/v1:NetworkPolicy");
    expect(policy.inputs).toMatchObject({
      metadata: { namespace: "kube-system" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] },
    });
    for (const addonName of ["coredns", "aws-ebs-csi-driver", "aws-mountpoint-s3-csi-driver"]) {
      const addon = plan.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === addonName)!;
      expect(addon.dependsOn, addonName).toContain(policy.urn);
    }
  });

  it("gives the Kubernetes provider's aws eks get-token the stack's profile and role", async () => {
    const plan = await runComponent(
      () =>
        new EksCluster("eks", {
          ...baseArgs,
          kubeconfigCredentials: { profile: "ml-prod", roleArn: "arn:aws:iam::123456789012:role/deployer" },
        }),
    );
    const exec = JSON.parse(plan.one("pulumi:providers:kubernetes").inputs.kubeconfig as string).users[0].user.exec;
    expect(exec.env).toEqual([{ name: "AWS_PROFILE", value: "ml-prod" }]);
    expect(exec.args.join(" ")).toContain("--role-arn arn:aws:iam::123456789012:role/deployer");
  });
});
