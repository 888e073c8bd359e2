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
 * `configurationValues` of the vpc-cni add-on: prefix delegation (more pod IPs per node, so
 * small GPU instances are not IP-bound) and enforcement of Kubernetes NetworkPolicies.
 */
export function vpcCniConfiguration(): string {
  return JSON.stringify({
    env: { ENABLE_PREFIX_DELEGATION: "true", WARM_PREFIX_TARGET: "1" },
    enableNetworkPolicy: "true",
  });
}

/** Kubeconfig that authenticates with `aws eks get-token`, as the AWS CLI writes it. */
export function kubeconfig(args: {
  clusterName: string;
  endpoint: string;
  certificateAuthority: string;
  region: string;
}): string {
  const user = `aws-${args.clusterName}`;
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
            args: ["eks", "get-token", "--cluster-name", args.clusterName, "--region", args.region, "--output", "json"],
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

/** An encrypted gp3 EBS volume for a launch template (the root volume by default). */
export function encryptedGp3Volume(sizeGiB: number, deviceName = "/dev/xvda") {
  return {
    deviceName,
    ebs: { volumeSize: sizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
  };
}
