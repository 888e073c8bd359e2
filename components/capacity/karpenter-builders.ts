import { SYSTEM_NODE_SELECTOR } from "../common/labels";
import {
  ACCELERATOR_TAINT_KEY,
  ACCELERATORS,
  AcceleratorKind,
  DEVICE_RESOURCE,
  devicesPerInstance,
  LABELS,
  NodeOs,
} from "../common/accelerators";
import { bottlerocketTimeSlicingSettings } from "../common/accelerators/device-plugin-values";
import { acceleratorNodeLabels } from "./node-group-builders";
import { CapacityReservationSpec, gp3IopsFor, poolCapacityTypes, sharesPerDevice } from "./rules";

export const KARPENTER_NAMESPACE = "kube-system";
export const KARPENTER_SERVICE_ACCOUNT = "karpenter";
export const KARPENTER_RELEASE = "karpenter";

/**
 * Labels and port of the metrics Service chart karpenter 1.14.1 creates for release `karpenter`
 * (templates/service.yaml, `karpenter.selectorLabels`): Service `karpenter`, port `http-metrics` (8080).
 */
export const KARPENTER_METRICS = {
  serviceLabels: { "app.kubernetes.io/name": "karpenter", "app.kubernetes.io/instance": KARPENTER_RELEASE },
  port: "http-metrics",
};

/**
 * Helm values for chart karpenter 1.14.1 (keys checked in aws/karpenter-provider-aws
 * `charts/karpenter/values.yaml`). The controller runs on the system node group (its default
 * affinity keeps it off Karpenter's own nodes) with the requests the getting-started guide uses.
 */
export function karpenterValues(input: {
  clusterName: string;
  region: string;
  interruptionQueueName: string;
  replicas: number;
  /**
   * Turn on the alpha NodeOverlay feature gate (aws/karpenter-provider-aws v1.14.1
   * charts/karpenter/values.yaml `settings.featureGates.nodeOverlay`, default false;
   * templates/deployment.yaml passes it in FEATURE_GATES), so time-sliced GPU pools'
   * NodeOverlays take effect. Default: off.
   */
  nodeOverlay?: boolean;
  /**
   * Pools launch into capacity reservations: the ReservedCapacity gate (v1.14.1 values.yaml
   * `settings.featureGates.reservedCapacity`, beta, default true) is set explicitly so a values
   * override cannot turn reserved capacity off under them. Default: left to the chart.
   */
  reservedCapacity?: boolean;
}) {
  const featureGates = {
    ...(input.nodeOverlay ? { nodeOverlay: true } : {}),
    ...(input.reservedCapacity ? { reservedCapacity: true } : {}),
  };
  return {
    settings: {
      clusterName: input.clusterName,
      interruptionQueue: input.interruptionQueueName,
      ...(Object.keys(featureGates).length > 0 ? { featureGates } : {}),
    },
    serviceAccount: { create: true, name: KARPENTER_SERVICE_ACCOUNT },
    replicas: input.replicas,
    nodeSelector: { "kubernetes.io/os": "linux", ...SYSTEM_NODE_SELECTOR },
    controller: {
      // Nodes allow one IMDS hop, so the controller cannot read its region from instance metadata.
      env: [{ name: "AWS_REGION", value: input.region }],
      resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
    },
  };
}

export interface NodeClassInput {
  name: string;
  clusterName: string;
  nodeRoleName: string;
  /** EKS AL2023 AMI release (`v20260724`). */
  amiRelease: string;
  /** Bottlerocket release (`v1.61.0`), used with an image-cache snapshot. */
  bottlerocketRelease: string;
  rootVolumeGiB: number;
  /** EBS snapshot with pre-pulled images for the data volume (Bottlerocket only). */
  imageCacheSnapshotId?: string;
  /** NVIDIA pools: GPU time-slicing shares, set in Bottlerocket's user data (AL2023 nodes run the kit's device plugin). */
  gpuTimeSlicingReplicas?: number;
  /** Capacity reservations the pool's NodePool launches into first. Default: none. */
  reservations?: CapacityReservationSpec[];
  /** gp3 throughput of the image volume, MiB/s, with the IOPS it needs. Default: gp3's 125 (and 3,000 IOPS). */
  volumeThroughputMiBps?: number;
  /** AL2023: kubelet and containerd on the instance-store NVMe (RAID0) where the type has it. Default: false. */
  instanceStore?: boolean;
  /** AL2023: nodeadm's `FastImagePull` feature gate in the node's user data ({@link fastImagePullNodeConfig}). Default: false. */
  fastImagePull?: boolean;
  tags: Record<string, string>;
}

/**
 * EC2NodeClass `capacityReservationSelectorTerms` (karpenter v1.14.1 CRD): one term per
 * reservation, `{id}` or `{tags}` (a term with an id may carry nothing else).
 */
export function capacityReservationSelectorTerms(reservations: readonly CapacityReservationSpec[]) {
  return reservations.map((r) => (r.id !== undefined ? { id: r.id } : { tags: { ...r.tags } }));
}

/**
 * The AL2023 user data that turns on nodeadm's `FastImagePull` feature gate: containerd pulls and
 * unpacks image layers in parallel through the SOCI snapshotter (no SOCI index needed), on nodes of
 * at least 4 vCPUs and 7 GiB (awslabs/amazon-eks-ami v20260724 nodeadm/doc/examples.md "Enabling fast
 * image pull (experimental)", nodeadm/internal/containerd/config.go `UseSOCISnapshotter`).
 */
export function fastImagePullNodeConfig(): string {
  return [
    "apiVersion: node.eks.aws/v1alpha1",
    "kind: NodeConfig",
    "spec:",
    "  featureGates:",
    "    FastImagePull: true",
    "",
  ].join("\n");
}

/**
 * EC2NodeClass (karpenter.k8s.aws/v1) for accelerator nodes. AL2023 by default (the pinned
 * alias picks the NVIDIA or Neuron AMI per instance type) with a large encrypted gp3 root
 * volume; with an image-cache snapshot, Bottlerocket, whose second volume (/dev/xvdb) holds
 * container images and can be created from a snapshot of pre-pulled images.
 */
/**
 * The OS of a Karpenter pool's nodes: Bottlerocket where they attach an image-cache snapshot (its
 * data volume holds the images), AL2023 otherwise.
 */
export function karpenterPoolOs(pool: { imageCacheSnapshotId?: string }): NodeOs {
  return pool.imageCacheSnapshotId !== undefined ? "bottlerocket" : "al2023";
}

export function ec2NodeClassSpec(input: NodeClassInput) {
  const discovery = { "karpenter.sh/discovery": input.clusterName };
  const ebs = (extra: Record<string, unknown>) => ({
    volumeType: "gp3",
    encrypted: true,
    deleteOnTermination: true,
    ...(input.volumeThroughputMiBps !== undefined
      ? { throughput: input.volumeThroughputMiBps, iops: gp3IopsFor(input.volumeThroughputMiBps) }
      : {}),
    ...extra,
  });
  const bottlerocket = karpenterPoolOs(input) === "bottlerocket";
  return {
    amiSelectorTerms: [
      { alias: bottlerocket ? `bottlerocket@${input.bottlerocketRelease}` : `al2023@${input.amiRelease}` },
    ],
    role: input.nodeRoleName,
    subnetSelectorTerms: [{ tags: discovery }],
    securityGroupSelectorTerms: [{ tags: discovery }],
    metadataOptions: {
      httpEndpoint: "enabled",
      httpProtocolIPv6: "disabled",
      httpPutResponseHopLimit: 1,
      httpTokens: "required",
    },
    blockDeviceMappings: bottlerocket
      ? [
          { deviceName: "/dev/xvda", ebs: ebs({ volumeSize: "8Gi" }) },
          {
            deviceName: "/dev/xvdb",
            ebs: ebs({ volumeSize: `${input.rootVolumeGiB}Gi`, snapshotID: input.imageCacheSnapshotId }),
          },
        ]
      : [{ deviceName: "/dev/xvda", rootVolume: true, ebs: ebs({ volumeSize: `${input.rootVolumeGiB}Gi` }) }],
    // Karpenter merges Bottlerocket user data with its own, keeping settings outside `kubernetes`
    // (karpenter-provider-aws v1.14.1 pkg/providers/amifamily/bootstrap/bottlerocketsettings.go:
    // `SettingsRaw`), so Bottlerocket's own device plugin shares GPUs like the kit's does on AL2023.
    ...(bottlerocket && input.gpuTimeSlicingReplicas
      ? { userData: bottlerocketTimeSlicingSettings(input.gpuTimeSlicingReplicas) }
      : {}),
    // A NodeConfig as user data: Karpenter puts it after its own generated NodeConfig in the MIME
    // archive, and nodeadm merges the two (karpenter-provider-aws v1.14.1 docs/concepts/nodeclasses.md, "AL2023").
    ...(input.fastImagePull && !bottlerocket ? { userData: fastImagePullNodeConfig() } : {}),
    // Types without instance store keep everything on the root volume (Karpenter sets up RAID0 only where there are disks).
    ...(input.instanceStore && !bottlerocket ? { instanceStorePolicy: "RAID0" } : {}),
    ...(input.reservations?.length
      ? { capacityReservationSelectorTerms: capacityReservationSelectorTerms(input.reservations) }
      : {}),
    tags: input.tags,
  };
}

export interface NodePoolInput {
  name: string;
  kind: AcceleratorKind;
  nodeClassName: string;
  instanceTypes: string[];
  /** Cap on devices (nvidia.com/gpu or aws.amazon.com/neuron) the pool may hold at once. */
  maxDevices: number;
  /** Allow on-demand when spot is short; spot stays preferred. */
  onDemandFallback: boolean;
  /** Launch spot at all; false makes an on-demand pool. Default: true. */
  spot?: boolean;
  /** OS of the pool's node class. */
  os: NodeOs;
  /** NVIDIA GPU time-slicing shares: the device limit counts shares, maxDevices stays physical GPUs. Default: off. */
  gpuTimeSlicingReplicas?: number;
  /** The pool holds capacity reservations: `reserved` joins its capacity types, preferred first. Default: none. */
  reservations?: CapacityReservationSpec[];
}

/**
 * NodePool (karpenter.sh/v1) for one accelerator kind: the listed instance types on spot (and
 * on-demand as fallback: Karpenter prefers spot when both are allowed; with reservations,
 * `reserved` first: v1.14.1 docs/concepts/nodepools.md "prioritize reserved, then spot, then on-demand"), tainted for that
 * accelerator, capped in devices, and disrupted gently: empty or underutilised nodes go after
 * 10 minutes, one node at a time, so running inference is not churned.
 */
export function nodePoolSpec(input: NodePoolInput) {
  const capacityTypes = poolCapacityTypes(input);
  const labels = acceleratorNodeLabels(input.kind, "spot", input.instanceTypes, input.name, input.os);
  delete labels[LABELS.capacityType]; // Karpenter labels capacity itself: karpenter.sh/capacity-type.
  return {
    template: {
      metadata: { labels },
      spec: {
        nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: input.nodeClassName },
        requirements: [
          { key: "node.kubernetes.io/instance-type", operator: "In", values: input.instanceTypes },
          { key: "karpenter.sh/capacity-type", operator: "In", values: capacityTypes },
          { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
        ],
        taints: [{ key: ACCELERATOR_TAINT_KEY[input.kind], value: "true", effect: "NoSchedule" }],
        expireAfter: "720h",
      },
    },
    // Karpenter checks limits against its nodes' capacity, which a NodeOverlay raises to the shares.
    limits: {
      [DEVICE_RESOURCE[input.kind]]: String(
        input.maxDevices * sharesPerDevice(input.kind, input.gpuTimeSlicingReplicas),
      ),
    },
    disruption: {
      consolidationPolicy: "WhenEmptyOrUnderutilized",
      consolidateAfter: "10m",
      budgets: [{ nodes: "1" }],
    },
  };
}

/**
 * NodeOverlays (karpenter.sh/v1alpha1, alpha behind the NodeOverlay feature gate) that tell
 * Karpenter's scheduling simulation what a time-sliced GPU node of the pool advertises: each
 * instance type's GPUs times the shares. Without them Karpenter counts physical GPUs, so a pod
 * asking for one share on a full node never gets a node, and limits are reached early. Read at
 * kubernetes-sigs/karpenter 6e7eab7a0f48 (the core karpenter-provider-aws v1.14.1 pins):
 * `spec.capacity` is merged over the instance type's capacity (pkg/cloudprovider/types.go
 * `ApplyCapacityOverlay`: `lo.Assign`, the overlay's value wins), only cpu, memory,
 * ephemeral-storage and pods are refused (pkg/apis/v1alpha1/nodeoverlay_validation.go), and
 * requirements are matched against each NodePool's instance types with `karpenter.sh/nodepool`
 * (pkg/controllers/nodeoverlay/controller.go `getOverlaidOfferings`). One overlay per GPU count
 * of the pool, so overlays never select the same type twice (which Karpenter marks as a conflict).
 */
export function timeSlicingNodeOverlays(input: {
  pool: string;
  /** The pool's kind (one whose record time-slices). */
  kind: AcceleratorKind;
  instanceTypes: string[];
  gpuTimeSlicingReplicas: number;
}): { metadata: { name: string }; spec: Record<string, unknown> }[] {
  const { kind } = input;
  const byCount = new Map<number, string[]>();
  for (const t of input.instanceTypes) {
    const n = devicesPerInstance(t);
    if (n) byCount.set(n, [...(byCount.get(n) ?? []), t]);
  }
  return [...byCount.entries()]
    .sort(([a], [b]) => a - b)
    .map(([gpus, types]) => ({
      metadata: { name: `${input.pool}-time-slicing-${gpus}gpu` },
      spec: {
        requirements: [
          { key: "karpenter.sh/nodepool", operator: "In", values: [input.pool] },
          { key: "node.kubernetes.io/instance-type", operator: "In", values: types },
        ],
        capacity: {
          [ACCELERATORS[kind].deviceResource]: String(gpus * sharesPerDevice(kind, input.gpuTimeSlicingReplicas)),
        },
      },
    }));
}
