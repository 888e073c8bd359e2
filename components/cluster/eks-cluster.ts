import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { throwIfProblems } from "../common/problems";
import { CLUSTER_DEFAULTS, clusterProblems } from "./rules";
import { SYSTEM_NODE_SELECTOR } from "../common/labels";
import { awsManagedPolicyArn, serviceTrustPolicy } from "../common/iam";
import { PodIdentityRole } from "../common/pod-identity";
import { componentTagProblems, withManagedBy } from "../common/tags";
import { EKS_ADDONS, KUBERNETES_VERSION } from "../versions";
import {
  CLUSTER_ROLE_MANAGED_POLICIES,
  clusterAdminAccessPolicyArn,
  clusterKmsPolicy,
  controlPlaneLogKeyPolicy,
  CONTROL_PLANE_LOG_TYPES,
  encryptedGp3Volume,
  gp3StorageClass,
  imdsV2MetadataOptions,
  kubeconfig,
  KubeconfigCredentials,
  kubeSystemAllowAllPolicy,
  NetworkPolicyEnforcingMode,
  NODE_ROLE_MANAGED_POLICIES,
  vpcCniConfiguration,
} from "./builders";
import { ClusterHandle } from "../common/handles";

/** Size and shape of the on-demand node group that runs controllers and add-ons. */
export interface SystemNodeGroupArgs {
  /** Instance types. Default: `["m7i.large", "m6i.large"]`. */
  instanceTypes?: string[];
  /** Minimum nodes. Default: 2. */
  minSize?: number;
  /** Nodes at creation. Default: `minSize`. */
  desiredSize?: number;
  /** Maximum nodes. Default: 4. */
  maxSize?: number;
  /** Root volume size in GiB. Default: 50. */
  diskSizeGiB?: number;
}

export interface EksClusterArgs {
  /** Cluster name, also used in discovery tags. Required. */
  clusterName: string;
  /** AWS region of the cluster. Required. */
  region: string;
  /** VPC of the cluster. Required. */
  vpcId: pulumi.Input<string>;
  /** Private subnets for the control plane ENIs and nodes (at least 2 AZs). Required. */
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Kubernetes minor version. Default: {@link KUBERNETES_VERSION} from `versions.ts`. */
  kubernetesVersion?: string;
  /**
   * CIDRs allowed to reach the public API endpoint. Default: `[]`, which keeps the endpoint
   * private only. `0.0.0.0/0` is refused unless `allowWorldOpenEndpoint` is set.
   */
  publicAccessCidrs?: string[];
  /**
   * Networks (VPN, peered VPCs, CI runners) allowed to reach the private API endpoint on 443,
   * through a rule on the cluster security group. Default: none; the platform passes the VPC's CIDR.
   */
  privateAccessCidrs?: pulumi.Input<string>[];
  /** Permit `0.0.0.0/0` in `publicAccessCidrs` (never in prod). Default: false. */
  allowWorldOpenEndpoint?: boolean;
  /** IAM role or user ARNs given cluster-admin through access entries. Default: none. */
  adminPrincipalArns?: string[];
  /** Days to keep control-plane logs in CloudWatch. Default: 90. */
  logRetentionDays?: number;
  /** System node group sizing. Default: see {@link SystemNodeGroupArgs}. */
  systemNodes?: SystemNodeGroupArgs;
  /**
   * How the VPC CNI's network policy agent treats a pod before its NetworkPolicies are programmed
   * ({@link NetworkPolicyEnforcingMode}). `strict` starts new pods denied, and cuts off pods no
   * NetworkPolicy selects: the cluster then admits all of kube-system with a NetworkPolicy, and every
   * other namespace needs policies of its own. Default: `standard` (the platform uses `strict` in prod).
   */
  networkPolicyEnforcingMode?: NetworkPolicyEnforcingMode;
  /**
   * Credentials the Kubernetes provider's `aws eks get-token` uses: the AWS provider's profile and
   * role, which the stack reads from `aws:profile` and `aws:assumeRoles`. Default: the AWS CLI's
   * default chain (environment, default profile, instance role).
   */
  kubeconfigCredentials?: KubeconfigCredentials;
  /** What happens to an EBS volume when its claim is deleted. Default: `Delete`; use `Retain` in prod. */
  storageReclaimPolicy?: "Delete" | "Retain";
  /**
   * Tags for every AWS resource; `environment` (dev, staging or prod) and `team` are required, as
   * the `required-tags` policy requires them. `managed-by` is added.
   */
  tags: Record<string, string>;
  /**
   * Production safety: EKS `deletionProtection` and Pulumi `protect` on the cluster, Pulumi
   * `protect` on the secrets key and on the control-plane log group, which is also kept on
   * destroy (`retainOnDelete`: its audit logs outlive the cluster). Default: false.
   */
  protect?: boolean;
}

/**
 * A secure EKS cluster from plain `aws.*` resources: API authentication mode with access
 * entries, KMS envelope encryption of secrets, control-plane logs, private endpoint, pinned
 * managed add-ons with pod identity, a hardened system node group, a default encrypted gp3
 * StorageClass, and a Kubernetes provider, all handed on as one {@link ClusterHandle}.
 */
export class EksCluster extends pulumi.ComponentResource {
  readonly handle: ClusterHandle;
  readonly cluster: aws.eks.Cluster;
  readonly secretsKey: aws.kms.Key;
  /** Key of the control-plane log group (CloudWatch Logs may use it for that group only). */
  readonly logsKey: aws.kms.Key;
  readonly systemNodeGroup: aws.eks.NodeGroup;
  readonly addons: Record<keyof typeof EKS_ADDONS, aws.eks.Addon>;
  readonly provider: k8s.Provider;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    const d = CLUSTER_DEFAULTS.systemNodes;
    const sys = {
      instanceTypes: args.systemNodes?.instanceTypes ?? d.instanceTypes,
      minSize: args.systemNodes?.minSize ?? d.minSize,
      maxSize: args.systemNodes?.maxSize ?? d.maxSize,
      diskSizeGiB: args.systemNodes?.diskSizeGiB ?? d.diskSizeGiB,
      desiredSize: args.systemNodes?.desiredSize ?? args.systemNodes?.minSize ?? d.minSize,
    };
    const cidrs = args.publicAccessCidrs ?? [];
    const logRetentionDays = args.logRetentionDays ?? CLUSTER_DEFAULTS.logRetentionDays;
    throwIfProblems(`EksCluster "${name}"`, [...clusterProblems(args), ...componentTagProblems(args.tags)]);
    super("mlserving:cluster:EksCluster", name, {}, opts);

    const tags = withManagedBy(args.tags);
    const protect = args.protect ?? false;
    const version = args.kubernetesVersion ?? KUBERNETES_VERSION;
    const parent = { parent: this };
    const partition = aws.getPartitionOutput({}, parent).partition;
    const accountId = aws.getCallerIdentityOutput({}, parent).accountId;
    const policyArn = (p: string) => partition.apply((part) => awsManagedPolicyArn(part, p));

    // Control-plane identity and secrets encryption.
    const clusterRole = new aws.iam.Role(
      `${name}-cluster`,
      {
        description: `EKS control plane of ${args.clusterName}`,
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy("eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"])),
        tags,
      },
      parent,
    );
    // The cluster depends on these: on destroy EKS still needs them to remove the cluster's
    // security group and network interfaces, or the VPC cannot be deleted afterwards.
    const clusterPolicies = CLUSTER_ROLE_MANAGED_POLICIES.map(
      (p) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-cluster-${p}`,
          { role: clusterRole.name, policyArn: policyArn(p) },
          parent,
        ),
    );
    this.secretsKey = new aws.kms.Key(
      `${name}-secrets`,
      {
        description: `Envelope encryption of Kubernetes secrets in ${args.clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      { parent: this, protect },
    );
    new aws.kms.Alias(
      `${name}-secrets`,
      { name: `alias/eks/${args.clusterName}/secrets`, targetKeyId: this.secretsKey.keyId },
      parent,
    );
    const kmsPolicy = new aws.iam.RolePolicy(
      `${name}-cluster-kms`,
      {
        role: clusterRole.name,
        policy: this.secretsKey.arn.apply((arn) => JSON.stringify(clusterKmsPolicy(arn))),
      },
      parent,
    );

    // EKS writes control-plane logs here; creating the group first sets retention, tags and its key.
    // The key outlives a prod destroy with the group it decrypts (retainOnDelete).
    const logGroupName = `/aws/eks/${args.clusterName}/cluster`;
    this.logsKey = new aws.kms.Key(
      `${name}-logs`,
      {
        description: `Encryption of the control-plane log group ${logGroupName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi
          .all([partition, accountId])
          .apply(([p, a]) =>
            JSON.stringify(controlPlaneLogKeyPolicy({ partition: p, accountId: a, region: args.region, logGroupName })),
          ),
        tags,
      },
      { parent: this, protect, retainOnDelete: protect },
    );
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane`,
      {
        name: logGroupName,
        retentionInDays: logRetentionDays,
        kmsKeyId: this.logsKey.arn,
        tags,
      },
      { parent: this, protect, retainOnDelete: protect },
    );

    this.cluster = new aws.eks.Cluster(
      name,
      {
        name: args.clusterName,
        version,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: args.privateSubnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: cidrs.length > 0,
          publicAccessCidrs: cidrs.length > 0 ? cidrs : undefined,
        },
        accessConfig: {
          authenticationMode: "API",
          // The identity running `pulumi up` must reach the API to create Kubernetes objects.
          bootstrapClusterCreatorAdminPermissions: true,
        },
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: this.secretsKey.arn } },
        enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        // vpc-cni, kube-proxy and CoreDNS are installed below as pinned managed add-ons.
        bootstrapSelfManagedAddons: false,
        upgradePolicy: { supportType: "STANDARD" },
        deletionProtection: protect,
        tags,
      },
      { parent: this, protect, dependsOn: [logGroup, kmsPolicy, ...clusterPolicies] },
    );
    const clusterName = this.cluster.name;
    const clusterSecurityGroupId = this.cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId);
    (args.privateAccessCidrs ?? []).forEach(
      (cidrIpv4, i) =>
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-api-${i}`,
          {
            securityGroupId: clusterSecurityGroupId,
            cidrIpv4,
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            description: "Kubernetes API (private endpoint)",
            tags,
          },
          parent,
        ),
    );

    (args.adminPrincipalArns ?? []).forEach((principalArn, i) => {
      const entry = new aws.eks.AccessEntry(
        `${name}-admin-${i}`,
        { clusterName, principalArn, type: "STANDARD", tags },
        parent,
      );
      new aws.eks.AccessPolicyAssociation(
        `${name}-admin-${i}`,
        {
          clusterName,
          principalArn: entry.principalArn,
          policyArn: partition.apply(clusterAdminAccessPolicyArn),
          accessScope: { type: "cluster" },
        },
        parent,
      );
    });

    // Add-ons that nodes need to become Ready come before the node group.
    const addon = (
      key: keyof typeof EKS_ADDONS,
      addonName: string,
      extra: Partial<aws.eks.AddonArgs> = {},
      dependsOn: pulumi.Resource[] = [],
    ) =>
      new aws.eks.Addon(
        `${name}-${addonName}`,
        {
          clusterName,
          addonName,
          addonVersion: EKS_ADDONS[key],
          resolveConflictsOnCreate: "OVERWRITE",
          resolveConflictsOnUpdate: "OVERWRITE",
          tags,
          ...extra,
        },
        { parent: this, dependsOn },
      );
    const enforcingMode = args.networkPolicyEnforcingMode ?? "standard";
    const vpcCni = addon("vpcCni", "vpc-cni", { configurationValues: vpcCniConfiguration(enforcingMode) });
    const kubeProxy = addon("kubeProxy", "kube-proxy");
    const podIdentityAgent = addon("podIdentityAgent", "eks-pod-identity-agent");

    // System nodes: on-demand, AL2023, IMDSv2 only, encrypted gp3 root volume.
    const nodeRole = new aws.iam.Role(
      `${name}-node`,
      {
        description: `EKS nodes of ${args.clusterName}`,
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")),
        tags,
      },
      parent,
    );
    const nodePolicies = NODE_ROLE_MANAGED_POLICIES.map(
      (p) =>
        new aws.iam.RolePolicyAttachment(`${name}-node-${p}`, { role: nodeRole.name, policyArn: policyArn(p) }, parent),
    );
    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-system`,
      {
        description: `System nodes of ${args.clusterName}`,
        // Hop limit 1: pods cannot reach instance metadata (and the node role); they use pod identity.
        metadataOptions: imdsV2MetadataOptions(1),
        blockDeviceMappings: [encryptedGp3Volume(sys.diskSizeGiB)],
        tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags })),
        updateDefaultVersion: true,
        tags,
      },
      parent,
    );
    this.systemNodeGroup = new aws.eks.NodeGroup(
      `${name}-system`,
      {
        clusterName,
        nodeGroupNamePrefix: "system-",
        nodeRoleArn: nodeRole.arn,
        subnetIds: args.privateSubnetIds,
        amiType: "AL2023_x86_64_STANDARD",
        capacityType: "ON_DEMAND",
        instanceTypes: sys.instanceTypes,
        scalingConfig: { minSize: sys.minSize, desiredSize: sys.desiredSize, maxSize: sys.maxSize },
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
        labels: { ...SYSTEM_NODE_SELECTOR },
        nodeRepairConfig: { enabled: true },
        tags,
      },
      {
        parent: this,
        dependsOn: [vpcCni, kubeProxy, podIdentityAgent, ...nodePolicies],
        // The cluster autoscaler owns the desired size once the group exists.
        ignoreChanges: ["scalingConfig.desiredSize"],
      },
    );

    this.provider = new k8s.Provider(
      `${name}-k8s`,
      {
        kubeconfig: pulumi.all([this.cluster.endpoint, this.cluster.certificateAuthority]).apply(([endpoint, ca]) =>
          kubeconfig({
            clusterName: args.clusterName,
            endpoint,
            certificateAuthority: ca.data ?? "",
            region: args.region,
            credentials: args.kubeconfigCredentials,
          }),
        ),
        enableServerSideApply: true,
      },
      { parent: this, dependsOn: [this.systemNodeGroup] },
    );

    // In strict mode a pod no NetworkPolicy selects is cut off: kube-system is admitted before the
    // add-ons whose Deployments run there (CoreDNS must reach the API server to become ready).
    const kubeSystemPolicies =
      enforcingMode === "strict"
        ? [
            new k8s.networking.v1.NetworkPolicy(`${name}-kube-system-allow-all`, kubeSystemAllowAllPolicy(), {
              parent: this,
              provider: this.provider,
            }),
          ]
        : [];

    // Add-ons that run as Deployments need nodes.
    const coredns = addon("coredns", "coredns", {}, [this.systemNodeGroup, ...kubeSystemPolicies]);
    const ebsCsiRole = new PodIdentityRole(
      `${name}-ebs-csi`,
      {
        cluster: { name: args.clusterName, region: args.region, partition, accountId },
        namespace: "kube-system",
        serviceAccount: "ebs-csi-controller-sa",
        managedPolicyArns: [policyArn("service-role/AmazonEBSCSIDriverPolicy")],
        createAssociation: false,
        tags,
      },
      parent,
    );
    const ebsCsi = addon(
      "ebsCsiDriver",
      "aws-ebs-csi-driver",
      {
        podIdentityAssociations: [{ roleArn: ebsCsiRole.roleArn, serviceAccount: "ebs-csi-controller-sa" }],
      },
      [this.systemNodeGroup, podIdentityAgent, ebsCsiRole, ...kubeSystemPolicies],
    );
    // Mountpoint for S3, for models that read their weights in place (serving/mounted-weights.ts). Its
    // volumes use each workload pod's own credentials (authenticationSource: pod), so the driver
    // itself gets no role; its node DaemonSet tolerates every taint (chart value node.tolerateAllTaints).
    const mountpointS3 = addon("mountpointS3CsiDriver", "aws-mountpoint-s3-csi-driver", {}, [
      this.systemNodeGroup,
      podIdentityAgent,
      ...kubeSystemPolicies,
    ]);
    this.addons = {
      vpcCni,
      kubeProxy,
      podIdentityAgent,
      coredns,
      ebsCsiDriver: ebsCsi,
      mountpointS3CsiDriver: mountpointS3,
    };

    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      gp3StorageClass(args.storageReclaimPolicy ?? "Delete"),
      {
        parent: this,
        provider: this.provider,
        dependsOn: [ebsCsi],
      },
    );

    this.handle = {
      name: args.clusterName,
      region: args.region,
      partition,
      accountId,
      kubernetesVersion: version,
      arn: this.cluster.arn,
      endpoint: this.cluster.endpoint,
      certificateAuthority: this.cluster.certificateAuthority.apply((ca) => ca.data ?? ""),
      vpcId: pulumi.output(args.vpcId),
      privateSubnetIds: pulumi.output(args.privateSubnetIds),
      clusterSecurityGroupId,
      nodeRole,
      provider: this.provider,
      workloadReady: [this.systemNodeGroup, coredns, storageClass],
      tags,
    };
    this.registerOutputs({
      clusterName: this.cluster.name,
      clusterArn: this.cluster.arn,
      endpoint: this.cluster.endpoint,
      secretsKeyArn: this.secretsKey.arn,
    });
  }
}
