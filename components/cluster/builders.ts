import { policyDocument, PolicyDocument } from "../common/iam";

/** Control-plane log types the kit always enables (the issue asks for at least api, audit, authenticator). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** EKS access policy that grants cluster-wide admin to an access entry. */
export function clusterAdminAccessPolicyArn(partition: string): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
}

/** AWS managed policies of the EKS cluster role. */
export const CLUSTER_ROLE_MANAGED_POLICIES = ["AmazonEKSClusterPolicy"] as const;

/**
 * AWS managed policies of a node role. The CNI policy stays on the node role so aws-node
 * can attach ENIs before the pod identity agent is running on a fresh node.
 */
export const NODE_ROLE_MANAGED_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonEKS_CNI_Policy",
] as const;

/**
 * What the cluster role needs on the secrets-encryption key (envelope encryption of
 * Kubernetes secrets), scoped to that one key.
 */
export function clusterKmsPolicy(keyArn: string): PolicyDocument {
  return policyDocument({
    Sid: "EnvelopeEncryptionOfSecrets",
    Effect: "Allow",
    Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
    Resource: keyArn,
  });
}

/**
 * Key policy of the key that encrypts the control-plane log group: the account administers it (as
 * a default key policy does), and CloudWatch Logs of the region may use it for that one log group
 * only (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch Logs using AWS Key Management
 * Service": principal `logs.<region>.amazonaws.com`, condition `kms:EncryptionContext:aws:logs:arn`).
 */
export function controlPlaneLogKeyPolicy(facts: {
  partition: string;
  accountId: string;
  region: string;
  logGroupName: string;
}): PolicyDocument {
  const { partition, accountId, region, logGroupName } = facts;
  return policyDocument(
    {
      Sid: "AccountAdministersTheKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "CloudWatchLogsEncryptsTheControlPlaneLogGroup",
      Effect: "Allow",
      Principal: { Service: `logs.${region}.amazonaws.com` },
      Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      Resource: "*",
      Condition: {
        ArnEquals: {
          "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:${logGroupName}`,
        },
      },
    },
  );
}

/**
 * How the VPC CNI's network policy agent treats a pod its NetworkPolicies have not reached yet
 * (amazon-vpc-cni-k8s v1.22.3 README, `NETWORK_POLICY_ENFORCING_MODE` (v1.17.1+); the add-on's
 * configuration schema is the chart's values: charts/aws-vpc-cni/values.yaml at v1.22.3,
 * `env.NETWORK_POLICY_ENFORCING_MODE: "standard"`, `enableNetworkPolicy: "false"`):
 * - `standard` (the CNI's default): a new pod starts allowing everything, in and out, until its
 *   policies are programmed, so a model pod is unrestricted for its first moments;
 * - `strict`: a new pod starts denying everything until its policies are programmed, and a pod no
 *   NetworkPolicy selects stays denied ("In Strict Mode, you must have a network policy defined for
 *   every pod in your cluster. Host Networking pods are exempted"). The cluster then admits
 *   kube-system explicitly ({@link kubeSystemAllowAllPolicy}).
 */
export type NetworkPolicyEnforcingMode = "standard" | "strict";
export const NETWORK_POLICY_ENFORCING_MODES: readonly NetworkPolicyEnforcingMode[] = ["standard", "strict"];

/**
 * `configurationValues` of the vpc-cni add-on: prefix delegation (more pod IPs per node, so
 * small GPU instances are not IP-bound), enforcement of Kubernetes NetworkPolicies
 * (`enableNetworkPolicy`, a string in the schema) and the agent's enforcing mode.
 */
export function vpcCniConfiguration(mode: NetworkPolicyEnforcingMode): string {
  return JSON.stringify({
    env: { ENABLE_PREFIX_DELEGATION: "true", WARM_PREFIX_TARGET: "1", NETWORK_POLICY_ENFORCING_MODE: mode },
    enableNetworkPolicy: "true",
  });
}

/**
 * The NetworkPolicy that keeps kube-system as it is in `standard` mode once the agent is `strict`:
 * every pod of the namespace (CoreDNS, the CSI controllers, the load balancer controller,
 * Karpenter) selected, all traffic in and out admitted. kube-system is AWS's and the add-ons',
 * not the kit's to lock down, and in `strict` mode a pod no policy selects is cut off.
 */
export function kubeSystemAllowAllPolicy() {
  return {
    metadata: { name: "allow-all", namespace: "kube-system" },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] },
  };
}

/**
 * The credentials `aws eks get-token` uses in the kubeconfig: the stack's AWS provider's
 * (`aws:profile`, `aws:assumeRoles`), so the Kubernetes provider acts as the identity that created
 * the cluster rather than whatever the shell's default is. Default: the AWS CLI's default chain.
 */
export interface KubeconfigCredentials {
  /** AWS CLI profile, set as `AWS_PROFILE` in the exec environment (as `aws eks update-kubeconfig --profile` writes it). */
  profile?: string;
  /** Role to assume for the token (`aws eks get-token --role-arn`). */
  roleArn?: string;
}

/** Kubeconfig that authenticates with `aws eks get-token`, as the AWS CLI writes it. */
export function kubeconfig(args: {
  clusterName: string;
  endpoint: string;
  certificateAuthority: string;
  region: string;
  credentials?: KubeconfigCredentials;
}): string {
  const user = `aws-${args.clusterName}`;
  const { profile, roleArn } = args.credentials ?? {};
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: args.clusterName,
        cluster: { server: args.endpoint, "certificate-authority-data": args.certificateAuthority },
      },
    ],
    contexts: [{ name: args.clusterName, context: { cluster: args.clusterName, user } }],
    "current-context": args.clusterName,
    users: [
      {
        name: user,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: [
              "eks",
              "get-token",
              "--cluster-name",
              args.clusterName,
              "--region",
              args.region,
              ...(roleArn ? ["--role-arn", roleArn] : []),
              "--output",
              "json",
            ],
            ...(profile ? { env: [{ name: "AWS_PROFILE", value: profile }] } : {}),
          },
        },
      },
    ],
  });
}

/** The cluster's default StorageClass: encrypted gp3 volumes, bound where the pod lands. */
export function gp3StorageClass(reclaimPolicy: "Delete" | "Retain") {
  return {
    metadata: {
      name: "gp3-encrypted",
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: "ebs.csi.aws.com",
    volumeBindingMode: "WaitForFirstConsumer",
    allowVolumeExpansion: true,
    reclaimPolicy,
    parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
  };
}

/** Launch template metadata options: IMDSv2 only. */
export function imdsV2MetadataOptions(hopLimit: number) {
  return { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: hopLimit };
}

/**
 * An encrypted gp3 EBS volume for a launch template (the root volume by default), with provisioned
 * throughput and IOPS when given (EC2 LaunchTemplateEbsBlockDeviceRequest `Throughput`, `Iops`).
 */
export function encryptedGp3Volume(
  sizeGiB: number,
  deviceName = "/dev/xvda",
  perf?: { throughput: number; iops: number },
) {
  return {
    deviceName,
    ebs: {
      volumeSize: sizeGiB,
      volumeType: "gp3",
      encrypted: "true",
      deleteOnTermination: "true",
      ...(perf ? { throughput: perf.throughput, iops: perf.iops } : {}),
    },
  };
}
