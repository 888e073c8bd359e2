import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { encryptedGp3Volume, imdsV2MetadataOptions } from "../cluster/builders";
import { ClusterHandle } from "../common/handles";
import { ProblemList, throwIfProblems, wholeNumberProblem } from "../common/problems";
import {
  CAPACITY_DEFAULTS,
  MIN_ACCELERATOR_DISK_GIB,
  nodeGroupNamePrefix,
  nodeGroupNameProblem,
  poolInstanceTypeProblems,
  GP3_THROUGHPUT,
  gp3IopsFor,
  poolOsProblem,
  TIME_SLICING_LIMITS,
} from "./rules";
import {
  ACCELERATOR_KINDS,
  ACCELERATORS,
  AcceleratorKind,
  amiTypeFor,
  isAcceleratorKind,
  NodeOs,
} from "../common/accelerators";
import { nodeGroupShapeProblems } from "./instance-shapes";
import { acceleratorNodeLabels, acceleratorTaint, CapacityType, clusterAutoscalerAsgTags } from "./node-group-builders";

export interface AcceleratorNodeGroupArgs {
  /** The cluster the nodes join. Required. */
  cluster: ClusterHandle;
  /** `nvidia` (GPU) or `neuron` (Inferentia/Trainium). Required. */
  kind: AcceleratorKind;
  /** Instance types, all of the kind's families; spot needs at least 3 for diversification. Required. */
  instanceTypes: string[];
  /** Minimum nodes; 0 lets the group scale to zero. Default: 0. */
  minSize?: number;
  /** Maximum nodes. Required. */
  maxSize: number;
  /** Nodes at creation. Default: `minSize`. */
  desiredSize?: number;
  /** Capacity of the main group. Default: `spot`. */
  capacityType?: CapacityType;
  /** Also create an on-demand group of this maximum size that the autoscaler uses when spot is short. Default: none. */
  onDemandFallbackMaxSize?: number;
  /** OS image: `al2023` or `bottlerocket` (NVIDIA only; it ships its own device plugin). Default: `al2023`. */
  os?: NodeOs;
  /** Root volume size in GiB, large enough for multi-GB inference images. Default: 200. */
  diskSizeGiB?: number;
  /**
   * gp3 throughput of the node's volumes, MiB/s (125-1000), with the IOPS it needs: the root volume,
   * and on Bottlerocket both the OS volume and the data volume that holds the images. Default: gp3's 125.
   */
  volumeThroughputMiBps?: number;
  /** Tag the Auto Scaling groups for Cluster Autoscaler discovery and scale-from-zero. Default: true. */
  clusterAutoscalerTags?: boolean;
  /**
   * NVIDIA: GPU time-slicing shares the device plugin advertises per GPU (NvidiaGpuSupport's
   * `timeSlicingReplicas`), so Cluster Autoscaler's scale-from-zero template counts them.
   * Not with `os: bottlerocket`, whose own device plugin the kit does not configure. Default: off.
   */
  gpuTimeSlicingReplicas?: number;
}

/**
 * EKS managed node groups of GPU or Inferentia capacity: spot by default with diversified
 * instance types and an optional on-demand fallback, tainted so only accelerator workloads
 * land there, labelled for selection, IMDSv2-only with a large encrypted gp3 volume, able to
 * scale to zero (with the ASG tags Cluster Autoscaler needs to scale back up from zero).
 */
export class AcceleratorNodeGroup extends pulumi.ComponentResource {
  readonly nodeGroups: aws.eks.NodeGroup[];
  /** Node labels, for workloads' node selectors. */
  readonly labels: Record<string, string>;

  constructor(name: string, args: AcceleratorNodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    const minSize = args.minSize ?? 0;
    const desiredSize = args.desiredSize ?? minSize;
    const capacityType = args.capacityType ?? "spot";
    const os = args.os ?? CAPACITY_DEFAULTS.pool.os;
    const diskSizeGiB = args.diskSizeGiB ?? CAPACITY_DEFAULTS.pool.diskSizeGiB;
    const problems = new ProblemList();
    if (!isAcceleratorKind(args.kind)) problems.add("kind", `must be one of ${ACCELERATOR_KINDS.join(", ")}`);
    else {
      problems.nest("instanceTypes", poolInstanceTypeProblems(args.kind, args.instanceTypes, capacityType === "spot"));
      const osProblem = poolOsProblem(args.kind, os);
      if (osProblem) problems.add("os", osProblem);
    }
    const slicing = args.gpuTimeSlicingReplicas;
    if (slicing !== undefined) {
      const p = wholeNumberProblem(slicing, TIME_SLICING_LIMITS.min, TIME_SLICING_LIMITS.max);
      if (p) problems.add("gpuTimeSlicingReplicas", p);
      problems.check(
        isAcceleratorKind(args.kind) && ACCELERATORS[args.kind].timeSlicing && os === "al2023",
        "gpuTimeSlicingReplicas",
        `applies to ${ACCELERATOR_KINDS.filter((k) => ACCELERATORS[k].timeSlicing).join(", ")} node groups on al2023 only ` +
          "(Bottlerocket's own device plugin is not configured to share)",
      );
    }
    if (args.volumeThroughputMiBps !== undefined) {
      const t = wholeNumberProblem(args.volumeThroughputMiBps, GP3_THROUGHPUT.min, GP3_THROUGHPUT.max);
      if (t) problems.add("volumeThroughputMiBps", `${t} (gp3 throughput, MiB/s)`);
    }
    const minProblem = wholeNumberProblem(minSize, 0);
    if (minProblem) problems.add("minSize", minProblem);
    problems
      .check(
        minSize <= desiredSize && desiredSize <= args.maxSize,
        "maxSize",
        `must satisfy minSize <= desiredSize <= maxSize (got ${minSize} <= ${desiredSize} <= ${args.maxSize})`,
      )
      .check(args.maxSize >= 1, "maxSize", "must be at least 1")
      .check(
        args.onDemandFallbackMaxSize === undefined || args.onDemandFallbackMaxSize >= 1,
        "onDemandFallbackMaxSize",
        "must be at least 1",
      )
      .check(
        diskSizeGiB >= MIN_ACCELERATOR_DISK_GIB,
        "diskSizeGiB",
        `must be at least ${MIN_ACCELERATOR_DISK_GIB} GiB for inference images`,
      );
    const groupName = nodeGroupNameProblem(name, `the component name ${name}`);
    if (groupName) problems.add("name", groupName);
    // Cluster Autoscaler models a group as one instance shape.
    for (const p of nodeGroupShapeProblems(args.instanceTypes)) problems.add(`instanceTypes[${p.index}]`, p.message);
    throwIfProblems(`AcceleratorNodeGroup "${name}"`, problems.list);
    super("mlserving:capacity:AcceleratorNodeGroup", name, {}, opts);
    const { cluster } = args;
    const perf =
      args.volumeThroughputMiBps !== undefined
        ? { throughput: args.volumeThroughputMiBps, iops: gp3IopsFor(args.volumeThroughputMiBps) }
        : undefined;

    const launchTemplate = new aws.ec2.LaunchTemplate(
      name,
      {
        description: `${args.kind} accelerator nodes of ${cluster.name}`,
        // Hop limit 1: pods cannot reach instance metadata (and the node role); they use pod identity.
        metadataOptions: imdsV2MetadataOptions(1),
        // Bottlerocket keeps the OS on /dev/xvda and images on the data volume /dev/xvdb.
        // Both Bottlerocket volumes get the provisioned throughput, as in the Karpenter EC2NodeClass.
        blockDeviceMappings:
          os === "bottlerocket"
            ? [encryptedGp3Volume(8, "/dev/xvda", perf), encryptedGp3Volume(diskSizeGiB, "/dev/xvdb", perf)]
            : [encryptedGp3Volume(diskSizeGiB, "/dev/xvda", perf)],
        tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
          resourceType,
          tags: cluster.tags,
        })),
        updateDefaultVersion: true,
        tags: cluster.tags,
      },
      { parent: this },
    );

    const group = (
      suffix: CapacityType,
      type: CapacityType,
      sizes: { minSize: number; desiredSize: number; maxSize: number },
    ) => {
      const labels = acceleratorNodeLabels(args.kind, type, args.instanceTypes, name, os);
      const nodeGroup = new aws.eks.NodeGroup(
        `${name}-${suffix}`,
        {
          clusterName: cluster.name,
          nodeGroupNamePrefix: nodeGroupNamePrefix(name, suffix),
          nodeRoleArn: cluster.nodeRole.arn,
          subnetIds: cluster.privateSubnetIds,
          amiType: amiTypeFor(args.kind, os),
          capacityType: type === "spot" ? "SPOT" : "ON_DEMAND",
          instanceTypes: args.instanceTypes,
          scalingConfig: sizes,
          updateConfig: { maxUnavailable: 1 },
          launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
          labels,
          taints: [acceleratorTaint(args.kind)],
          nodeRepairConfig: { enabled: true },
          tags: cluster.tags,
        },
        { parent: this, dependsOn: cluster.workloadReady, ignoreChanges: ["scalingConfig.desiredSize"] },
      );

      if (args.clusterAutoscalerTags ?? true) {
        const asgName = nodeGroup.resources.apply((r) => r[0]?.autoscalingGroups?.[0]?.name ?? "");
        const tags = clusterAutoscalerAsgTags({
          clusterName: cluster.name,
          kind: args.kind,
          labels,
          instanceTypes: args.instanceTypes,
          gpuTimeSlicingReplicas: slicing,
        });
        Object.entries(tags).forEach(
          ([key, value], i) =>
            new aws.autoscaling.Tag(
              `${name}-${suffix}-asg-${i}`,
              {
                autoscalingGroupName: asgName,
                tag: { key, value, propagateAtLaunch: false },
              },
              { parent: this },
            ),
        );
      }
      return { nodeGroup, labels };
    };

    const main = group(capacityType, capacityType, { minSize, desiredSize, maxSize: args.maxSize });
    this.nodeGroups = [main.nodeGroup];
    if (args.onDemandFallbackMaxSize !== undefined && capacityType === "spot") {
      this.nodeGroups.push(
        group("on-demand", "on-demand", { minSize: 0, desiredSize: 0, maxSize: args.onDemandFallbackMaxSize })
          .nodeGroup,
      );
    }
    this.labels = main.labels;
    this.registerOutputs({ nodeGroupNames: this.nodeGroups.map((g) => g.nodeGroupName) });
  }
}
