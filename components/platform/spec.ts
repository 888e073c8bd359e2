import type * as pulumi from "@pulumi/pulumi";
import type { AcceleratorKind } from "../common/accelerators";
import type { Environment } from "../common/tags";
import type { PrometheusStackSizing } from "../monitoring/prometheus-stack-values";
import type { ModelSpec } from "../serving/model-spec";
import type { NatGatewayMode } from "../network/subnet-tags";

/**
 * The whole platform, validated and with every per-environment default applied. The stack
 * program builds it from Pulumi config (`stacks/config.ts`); other programs may build it in code.
 */
export interface PlatformSpec {
  environment: Environment;
  /** Owning team, put in the `team` tag. */
  team: string;
  region: string;
  /** Name of the EKS cluster and prefix of other physical names. */
  clusterName: string;
  /** Extra tags on every AWS resource (the required tags are always added). */
  tags: Record<string, string>;
  network: {
    cidrBlock: string;
    availabilityZoneCount: number;
    natGateways: NatGatewayMode;
    existing?: { vpcId: string; cidrBlock: string; privateSubnetIds: string[]; publicSubnetIds: string[] };
  };
  cluster: {
    kubernetesVersion: string;
    publicAccessCidrs: string[];
    /** Extra networks allowed to reach the private API endpoint (the VPC's own CIDR always is). */
    privateAccessCidrs: string[];
    adminPrincipalArns: string[];
    logRetentionDays: number;
    systemNodes: {
      instanceTypes: string[];
      minSize: number;
      desiredSize: number;
      maxSize: number;
      diskSizeGiB: number;
    };
    storageReclaimPolicy: "Delete" | "Retain";
  };
  loadBalancerController: { replicas: number };
  capacity: CapacitySpec;
  monitoring: PrometheusStackSizing;
  registry: RegistrySpec;
  serving: ServingSpec;
  /** Alert receivers; URLs and keys are Pulumi secrets. */
  alerting: {
    slackWebhookUrl?: pulumi.Output<string>;
    slackChannel?: string;
    pagerdutyRoutingKey?: pulumi.Output<string>;
    webhookUrl?: pulumi.Output<string>;
  };
}

export interface ServingSpec {
  /** Models are reached at `<model>.<ingressDomain>` on the environment's internal ALB. */
  ingressDomain: string;
  /** ACM certificate for HTTPS on the models' internal ALB. */
  certificateArn?: string;
  models: ModelSpec[];
}

/** The MLflow registry's size and safety settings. */
export interface RegistrySpec {
  replicas: number;
  dbInstanceClass: string;
  dbStorageGiB: number;
  backupRetentionDays: number;
  multiAz: boolean;
  protectState: boolean;
  noncurrentVersionDays: number;
  hostname?: string;
  certificateArn?: string;
}

/** One pool of accelerator capacity, served by node groups (Cluster Autoscaler) or a NodePool (Karpenter). */
export interface AcceleratorPoolSpec {
  name: string;
  kind: AcceleratorKind;
  instanceTypes: string[];
  /** Node groups only (Karpenter pools always start empty). */
  minNodes: number;
  maxNodes: number;
  /** Karpenter `limits` on devices; node groups are capped by maxNodes. */
  maxDevices: number;
  /** Spot is preferred; this allows on-demand when spot is short (a fallback group of maxNodes, or on-demand in the NodePool). */
  onDemandFallback: boolean;
  diskSizeGiB: number;
  /** Node groups only; Karpenter picks the OS from `imageCacheSnapshotId`. */
  os: "al2023" | "bottlerocket";
  /** Karpenter NVIDIA pools only: EBS snapshot of pre-pulled images. */
  imageCacheSnapshotId?: string;
}

export interface CapacitySpec {
  /** The one node autoscaler for accelerator capacity. */
  autoscaler: "cluster-autoscaler" | "karpenter";
  /** Cluster Autoscaler: idle time before an accelerator node is removed. */
  scaleDownUnneededTime: string;
  gpuDevicePlugin: "device-plugin" | "gpu-operator";
  gpuTimeSlicingReplicas?: number;
  neuronScheduler: boolean;
  pools: AcceleratorPoolSpec[];
}
