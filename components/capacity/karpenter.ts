import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NODE_ROLE_MANAGED_POLICIES } from "../cluster/builders";
import { ClusterHandle, MonitoringHandle } from "../common/handles";
import { ProblemList, throwIfProblems, wholeNumberProblem } from "../common/problems";
import { installChart } from "../common/chart-addon";
import { awsManagedPolicyArn, serviceTrustPolicy } from "../common/iam";
import { BOTTLEROCKET_RELEASE, EKS_AMI_RELEASE } from "../versions";
import { KARPENTER_ADDON } from "./addons";
import { ACCELERATORS, AcceleratorKind } from "../common/accelerators";
import {
  AcceleratorPoolSpec,
  CAPACITY_DEFAULTS,
  CapacityReservationSpec,
  poolsProblems,
  TIME_SLICING_LIMITS,
} from "./rules";
import { ec2NodeClassSpec, karpenterPoolOs, nodePoolSpec, timeSlicingNodeOverlays } from "./karpenter-builders";
import {
  eventPattern,
  INTERRUPTION_EVENT_RULES,
  interruptionQueuePolicy,
  karpenterControllerPolicies,
} from "./karpenter-policies";

/** One Karpenter NodePool of accelerator capacity. */
export interface KarpenterPoolArgs {
  /** Pool name (a DNS label), e.g. `gpu`. Required. */
  name: string;
  /** `nvidia` or `neuron`. Required. */
  kind: AcceleratorKind;
  /** Instance types the pool may launch, all of the kind's families; at least 3 for spot. Required. */
  instanceTypes: string[];
  /** Cap on the devices the pool holds at once (`limits`). Required. */
  maxDevices: number;
  /** Allow on-demand when spot is short (spot stays preferred). Default: true. */
  onDemandFallback?: boolean;
  /** Launch spot; false makes an on-demand pool (then 1 instance type is enough). Default: true. */
  spot?: boolean;
  /** Image volume size in GiB. Default: 200. */
  diskSizeGiB?: number;
  /** EBS snapshot of pre-pulled images for fast cold starts (NVIDIA on Bottlerocket). Default: none. */
  imageCacheSnapshotId?: string;
  /**
   * Capacity reservations (ODCRs, Capacity Blocks) the pool launches into before spot and
   * on-demand: the node class selects them, the NodePool adds the `reserved` capacity type and
   * the controller may launch into exactly these. Default: none.
   */
  reservations?: CapacityReservationSpec[];
  /** gp3 throughput of the image volume, MiB/s (125-1000), with the IOPS it needs. Default: 125. */
  volumeThroughputMiBps?: number;
  /** AL2023: kubelet and containerd on instance-store NVMe (RAID0) where the type has it. Default: false. */
  instanceStore?: boolean;
  /** AL2023: nodeadm's FastImagePull gate (SOCI parallel pull and unpack); needs 600 MiB/s or instance store. Default: false. */
  fastImagePull?: boolean;
}

export interface KarpenterArgs {
  /** The cluster Karpenter provisions nodes for. Required. */
  cluster: ClusterHandle;
  /** Accelerator NodePools. Default: none. */
  pools?: KarpenterPoolArgs[];
  /** Resources the NodePools wait for before they may launch (e.g. the EC2 Spot service-linked role). Default: none. */
  launchReady?: pulumi.Resource[];
  /** Controller replicas. Default: 2. */
  replicas?: number;
  /** Resources the ServiceMonitor waits for (the Prometheus operator's CRDs). Default: no ServiceMonitor. */
  monitoring?: MonitoringHandle;
  /**
   * GPU time-slicing shares the NVIDIA device plugins advertise per GPU (NvidiaGpuSupport's
   * `timeSlicingReplicas`): NVIDIA pools get NodeOverlays with the shared count (the NodeOverlay
   * feature gate is turned on), device limits in shares, and Bottlerocket nodes the sharing
   * settings. Default: off.
   */
  gpuTimeSlicingReplicas?: number;
}

/** A Karpenter pool as the capacity rules see it: it starts empty, on AL2023 unless it has an image cache. */
function karpenterPoolSpec(p: KarpenterPoolArgs): AcceleratorPoolSpec {
  return {
    name: p.name,
    kind: p.kind,
    instanceTypes: p.instanceTypes,
    minNodes: 0,
    maxNodes: Math.max(1, p.maxDevices),
    maxDevices: p.maxDevices,
    onDemandFallback: p.onDemandFallback ?? true,
    spot: p.spot ?? true,
    diskSizeGiB: p.diskSizeGiB ?? CAPACITY_DEFAULTS.pool.diskSizeGiB,
    os: "al2023",
    imageCacheSnapshotId: p.imageCacheSnapshotId,
    reservations: p.reservations,
    volumeThroughputMiBps: p.volumeThroughputMiBps,
    instanceStore: p.instanceStore,
    fastImagePull: p.fastImagePull,
  };
}

/**
 * Karpenter with spot interruption handling: controller (pinned chart, pod identity, the IAM
 * Karpenter documents, scoped to this cluster), its own node role with an EC2_LINUX access
 * entry, an encrypted TLS-only SQS queue fed by EventBridge rules for spot interruptions,
 * rebalance recommendations, instance state changes, capacity reservation interruptions and
 * AWS Health events, and an EC2NodeClass plus NodePool per accelerator pool.
 */
export class Karpenter extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly interruptionQueue: aws.sqs.Queue;
  readonly nodeRole: aws.iam.Role;
  readonly nodePools: k8s.apiextensions.CustomResource[] = [];

  constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
    const pools = args.pools ?? [];
    const replicasProblem = wholeNumberProblem(args.replicas ?? 2, 1);
    const slicing = args.gpuTimeSlicingReplicas;
    const slicingProblem =
      slicing === undefined ? undefined : wholeNumberProblem(slicing, TIME_SLICING_LIMITS.min, TIME_SLICING_LIMITS.max);
    throwIfProblems(`Karpenter "${name}"`, [
      ...(replicasProblem ? [{ path: "replicas", message: replicasProblem }] : []),
      ...(slicingProblem ? [{ path: "gpuTimeSlicingReplicas", message: slicingProblem }] : []),
      ...new ProblemList().nest("pools", poolsProblems(pools.map(karpenterPoolSpec), "karpenter")).list,
    ]);
    super("mlserving:capacity:Karpenter", name, {}, opts);
    const { cluster } = args;
    const parent = { parent: this };

    // Nodes Karpenter launches get their own role, admitted to the cluster by an EC2_LINUX access entry.
    this.nodeRole = new aws.iam.Role(
      `${name}-node`,
      {
        description: `Nodes Karpenter launches for ${cluster.name}`,
        assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")),
        tags: cluster.tags,
      },
      parent,
    );
    const nodePolicies = [...NODE_ROLE_MANAGED_POLICIES, "AmazonSSMManagedInstanceCore"].map(
      (p) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${p}`,
          {
            role: this.nodeRole.name,
            policyArn: cluster.partition.apply((part) => awsManagedPolicyArn(part, p)),
          },
          parent,
        ),
    );
    const accessEntry = new aws.eks.AccessEntry(
      `${name}-node`,
      {
        clusterName: cluster.name,
        principalArn: this.nodeRole.arn,
        type: "EC2_LINUX",
        tags: cluster.tags,
      },
      parent,
    );

    // Interruption handling: EventBridge -> SQS (SSE, TLS only) -> Karpenter drains ahead of the reclaim.
    this.interruptionQueue = new aws.sqs.Queue(
      `${name}-interruptions`,
      {
        name: `${cluster.name}-karpenter`,
        messageRetentionSeconds: 300,
        sqsManagedSseEnabled: true,
        tags: cluster.tags,
      },
      parent,
    );
    new aws.sqs.QueuePolicy(
      `${name}-interruptions`,
      {
        queueUrl: this.interruptionQueue.url,
        policy: this.interruptionQueue.arn.apply((arn) => JSON.stringify(interruptionQueuePolicy(arn))),
      },
      parent,
    );
    for (const [ruleName, rule] of Object.entries(INTERRUPTION_EVENT_RULES)) {
      const eventRule = new aws.cloudwatch.EventRule(
        `${name}-${ruleName}`,
        {
          description: `${rule.detailType} -> Karpenter (${cluster.name})`,
          eventPattern: eventPattern(rule),
          tags: cluster.tags,
        },
        parent,
      );
      new aws.cloudwatch.EventTarget(
        `${name}-${ruleName}`,
        { rule: eventRule.name, arn: this.interruptionQueue.arn },
        parent,
      );
    }

    // Node classes find the cluster security group by the same discovery tag as the subnets.
    new aws.ec2.Tag(
      `${name}-sg-discovery`,
      {
        resourceId: cluster.clusterSecurityGroupId,
        key: "karpenter.sh/discovery",
        value: cluster.name,
      },
      parent,
    );

    const scope = pulumi.all([cluster.partition, cluster.accountId, this.nodeRole.arn, this.interruptionQueue.arn]);
    const documents = scope.apply(([partition, accountId, nodeRoleArn, interruptionQueueArn]) =>
      karpenterControllerPolicies({
        partition,
        region: cluster.region,
        accountId,
        clusterName: cluster.name,
        nodeRoleArn,
        interruptionQueueArn,
        capacityReservations: pools.flatMap((p) => (p.reservations ?? []).map((r) => r.id ?? "tags")),
      }),
    );
    const policyNames = [
      "node-lifecycle",
      "iam-integration",
      "eks-integration",
      "interruption",
      "resource-discovery",
      "zonal-shift",
    ];
    const policies = policyNames.map(
      (p) =>
        new aws.iam.Policy(
          `${name}-${p}`,
          {
            description: `Karpenter controller (${cluster.name}): ${p}`,
            policy: documents.apply((d) => JSON.stringify(d[p])),
            tags: cluster.tags,
          },
          parent,
        ),
    );
    ({ release: this.release } = installChart(
      name,
      KARPENTER_ADDON,
      {
        cluster,
        interruptionQueueName: this.interruptionQueue.name,
        replicas: args.replicas ?? 2,
        controllerPolicyArns: policies.map((p) => p.arn),
        nodeOverlay: slicing !== undefined && pools.some((p) => ACCELERATORS[p.kind].timeSlicing),
        reservedCapacity: pools.some((p) => (p.reservations ?? []).length > 0),
      },
      {
        parent: this,
        cluster,
        monitoring: args.monitoring,
        dependsOn: [accessEntry, ...nodePolicies],
        podIdentityName: `${name}-controller`,
      },
    ));

    for (const pool of pools) {
      const os = karpenterPoolOs(pool);
      const poolSlicing = ACCELERATORS[pool.kind].timeSlicing ? slicing : undefined;
      const nodeClass = new k8s.apiextensions.CustomResource(
        `${name}-${pool.name}`,
        {
          apiVersion: "karpenter.k8s.aws/v1",
          kind: "EC2NodeClass",
          metadata: { name: pool.name },
          spec: this.nodeRole.name.apply((nodeRoleName) =>
            ec2NodeClassSpec({
              name: pool.name,
              clusterName: cluster.name,
              nodeRoleName,
              amiRelease: EKS_AMI_RELEASE,
              bottlerocketRelease: BOTTLEROCKET_RELEASE,
              rootVolumeGiB: pool.diskSizeGiB ?? 200,
              imageCacheSnapshotId: pool.imageCacheSnapshotId,
              gpuTimeSlicingReplicas: poolSlicing,
              reservations: pool.reservations,
              volumeThroughputMiBps: pool.volumeThroughputMiBps,
              instanceStore: pool.instanceStore,
              fastImagePull: pool.fastImagePull,
              tags: cluster.tags,
            }),
          ),
        },
        { parent: this, provider: cluster.provider, dependsOn: [this.release] },
      );
      this.nodePools.push(
        new k8s.apiextensions.CustomResource(
          `${name}-${pool.name}`,
          {
            apiVersion: "karpenter.sh/v1",
            kind: "NodePool",
            metadata: { name: pool.name },
            spec: nodePoolSpec({
              name: pool.name,
              kind: pool.kind,
              nodeClassName: pool.name,
              instanceTypes: pool.instanceTypes,
              maxDevices: pool.maxDevices,
              onDemandFallback: pool.onDemandFallback ?? true,
              spot: pool.spot,
              os,
              gpuTimeSlicingReplicas: poolSlicing,
              reservations: pool.reservations,
            }),
          },
          { parent: this, provider: cluster.provider, dependsOn: [nodeClass, ...(args.launchReady ?? [])] },
        ),
      );
      if (poolSlicing !== undefined)
        for (const overlay of timeSlicingNodeOverlays({
          pool: pool.name,
          kind: pool.kind,
          instanceTypes: pool.instanceTypes,
          gpuTimeSlicingReplicas: poolSlicing,
        }))
          new k8s.apiextensions.CustomResource(
            `${name}-${overlay.metadata.name}`,
            { apiVersion: "karpenter.sh/v1alpha1", kind: "NodeOverlay", ...overlay },
            { parent: this, provider: cluster.provider, dependsOn: [this.release] },
          );
    }
    this.registerOutputs({ interruptionQueueUrl: this.interruptionQueue.url, nodeRoleArn: this.nodeRole.arn });
  }
}
