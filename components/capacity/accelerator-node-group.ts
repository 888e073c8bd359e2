import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { encryptedGp3Volume, imdsV2MetadataOptions } from "../cluster/builders";
import { ClusterHandle } from "../common/handles";
import { ArgsChecker } from "../common/errors";
import { ACCELERATOR_KINDS, AcceleratorKind, amiTypeFor, instanceTypeProblems } from "../common/accelerators";
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
  os?: "al2023" | "bottlerocket";
  /** Root volume size in GiB, large enough for multi-GB inference images. Default: 200. */
  diskSizeGiB?: number;
  /** Tag the Auto Scaling groups for Cluster Autoscaler discovery and scale-from-zero. Default: true. */
  clusterAutoscalerTags?: boolean;
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
    const os = args.os ?? "al2023";
    const diskSizeGiB = args.diskSizeGiB ?? 200;
    const check = new ArgsChecker(`AcceleratorNodeGroup "${name}"`)
      .require(ACCELERATOR_KINDS.includes(args.kind), "kind", `must be one of ${ACCELERATOR_KINDS.join(", ")}`)
      .require(args.instanceTypes.length > 0, "instanceTypes", "must list at least one instance type")
      .require(
        capacityType !== "spot" || args.instanceTypes.length >= 3,
        "instanceTypes",
        "spot capacity needs at least 3 instance types so one spot pool running dry does not stop scaling",
      )
      .require(Number.isInteger(minSize) && minSize >= 0, "minSize", "must be a whole number >= 0")
      .require(
        minSize <= desiredSize && desiredSize <= args.maxSize,
        "maxSize",
        `must satisfy minSize <= desiredSize <= maxSize (got ${minSize} <= ${desiredSize} <= ${args.maxSize})`,
      )
      .require(args.maxSize >= 1, "maxSize", "must be at least 1")
      .require(
        args.onDemandFallbackMaxSize === undefined || args.onDemandFallbackMaxSize >= 1,
        "onDemandFallbackMaxSize",
        "must be at least 1",
      )
      .require(os === "al2023" || args.kind === "nvidia", "os", "bottlerocket is offered for nvidia only")
      .require(diskSizeGiB >= 50, "diskSizeGiB", "must be at least 50 GiB for inference images");
    if (ACCELERATOR_KINDS.includes(args.kind)) {
      for (const p of instanceTypeProblems(args.kind, args.instanceTypes))
        check.require(false, `instanceTypes[${p.index}]`, p.message);
    }
    check.throwIfAny();
    super("mlserving:capacity:AcceleratorNodeGroup", name, {}, opts);
    const { cluster } = args;

    const launchTemplate = new aws.ec2.LaunchTemplate(
      name,
      {
        description: `${args.kind} accelerator nodes of ${cluster.name}`,
        // Hop limit 1: pods cannot reach instance metadata (and the node role); they use pod identity.
        metadataOptions: imdsV2MetadataOptions(1),
        // Bottlerocket keeps the OS on /dev/xvda and images on the data volume /dev/xvdb.
        blockDeviceMappings:
          os === "bottlerocket"
            ? [encryptedGp3Volume(8, "/dev/xvda"), encryptedGp3Volume(diskSizeGiB, "/dev/xvdb")]
            : [encryptedGp3Volume(diskSizeGiB)],
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
      suffix: string,
      type: CapacityType,
      sizes: { minSize: number; desiredSize: number; maxSize: number },
    ) => {
      const labels = acceleratorNodeLabels(args.kind, type, args.instanceTypes, name, os);
      const nodeGroup = new aws.eks.NodeGroup(
        `${name}-${suffix}`,
        {
          clusterName: cluster.name,
          nodeGroupNamePrefix: `${name}-${suffix}-`,
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
