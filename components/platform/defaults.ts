import type { AcceleratorPoolSpec, CapacityReservationSpec, CapacitySpec } from "../capacity/rules";
import { CAPACITY_DEFAULTS } from "../capacity/rules";
import { maxDevicesPerNode } from "../capacity/node-group-builders";
import type { Environment } from "../common/tags";
import { KUBERNETES_VERSION } from "../versions";
import type { PlatformSpec } from "./spec";

/** What an environment decides; the stack (team, region, names, models, receivers) decides the rest. */
export type EnvironmentDefaults = Omit<
  PlatformSpec,
  "environment" | "team" | "region" | "clusterName" | "tags" | "serving" | "alerting" | "cluster"
> & { cluster: Omit<PlatformSpec["cluster"], "deployerAccess" | "kubeconfigCredentials"> };

const GPU_TYPES = ["g6.xlarge", "g6.2xlarge", "g5.xlarge", "g5.2xlarge", "g6e.xlarge"];
const INFERENTIA_TYPES = ["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge"];
/** A default pool: what it sets, and the rest from `withPoolDefaults` (any environment: these pools set onDemandFallback). */
const pool = (
  p: Pick<AcceleratorPoolSpec, "name" | "kind" | "instanceTypes" | "maxNodes" | "maxDevices" | "onDemandFallback"> &
    Partial<Pick<AcceleratorPoolSpec, "spot">>,
): AcceleratorPoolSpec => withPoolDefaults(p, "prod");
const capacity = (autoscaler: CapacitySpec["autoscaler"], pools: AcceleratorPoolSpec[]): CapacitySpec => ({
  autoscaler,
  scaleDownUnneededTime: CAPACITY_DEFAULTS.scaleDownUnneededTime,
  gpuDevicePlugin: CAPACITY_DEFAULTS.gpuDevicePlugin,
  neuronScheduler: CAPACITY_DEFAULTS.neuronScheduler,
  createSpotServiceLinkedRole: CAPACITY_DEFAULTS.createSpotServiceLinkedRole,
  pools,
});

/**
 * Per-environment defaults. dev is cheap (one NAT gateway, small system group, short log
 * retention); staging mirrors prod's shape at a smaller size; prod is highly available
 * (NAT per AZ, three system nodes) and keeps volumes when their claims are deleted.
 */
export const ENVIRONMENT_DEFAULTS: Record<Environment, EnvironmentDefaults> = {
  dev: {
    network: { cidrBlock: "10.10.0.0/16", availabilityZoneCount: 3, natGateways: "single" },
    cluster: {
      kubernetesVersion: KUBERNETES_VERSION,
      publicAccessCidrs: [],
      privateAccessCidrs: [],
      adminPrincipalArns: [],
      logRetentionDays: 30,
      systemNodes: {
        instanceTypes: ["m7i.large", "m6i.large"],
        minSize: 2,
        desiredSize: 2,
        maxSize: 3,
        diskSizeGiB: 50,
      },
      storageReclaimPolicy: "Delete",
      networkPolicyEnforcingMode: "standard",
    },
    loadBalancerController: { replicas: 1 },
    // Accelerators scale to zero, driven by Cluster Autoscaler (no controller to pay for). CA models
    // a node group as one instance shape, so each pool lists one shape: 4 vCPU, 16 GiB, 1 device.
    // GPUs run on spot across three families; inf2.xlarge is the only such Inferentia type, and
    // one type is too thin for spot, so the Inferentia pool is on-demand.
    capacity: capacity("cluster-autoscaler", [
      pool({
        name: "gpu",
        kind: "nvidia",
        instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"],
        maxNodes: 2,
        maxDevices: 2,
        onDemandFallback: false,
      }),
      pool({
        name: "inferentia",
        kind: "neuron",
        instanceTypes: ["inf2.xlarge"],
        maxNodes: 1,
        maxDevices: 1,
        onDemandFallback: false,
        spot: false,
      }),
    ]),
    // 4 days: more than the 3-day SLO ticket window, which Prometheus needs whole to evaluate it.
    monitoring: { retention: "4d", storageGiB: 20, replicas: 1, grafanaStorageGiB: 5, alertmanagerStorageGiB: 2 },
    registry: {
      replicas: 1,
      dbInstanceClass: "db.t4g.medium",
      dbStorageGiB: 20,
      backupRetentionDays: 7,
      multiAz: false,
      protectState: false,
      noncurrentVersionDays: 30,
    },
  },
  staging: {
    network: { cidrBlock: "10.20.0.0/16", availabilityZoneCount: 3, natGateways: "single" },
    cluster: {
      kubernetesVersion: KUBERNETES_VERSION,
      publicAccessCidrs: [],
      privateAccessCidrs: [],
      adminPrincipalArns: [],
      logRetentionDays: 90,
      systemNodes: {
        instanceTypes: ["m7i.large", "m6i.large"],
        minSize: 2,
        desiredSize: 2,
        maxSize: 4,
        diskSizeGiB: 50,
      },
      storageReclaimPolicy: "Delete",
      networkPolicyEnforcingMode: "standard",
    },
    loadBalancerController: { replicas: 2 },
    capacity: capacity("karpenter", [
      pool({
        name: "gpu",
        kind: "nvidia",
        instanceTypes: GPU_TYPES,
        maxNodes: 4,
        maxDevices: 4,
        onDemandFallback: true,
      }),
      pool({
        name: "inferentia",
        kind: "neuron",
        instanceTypes: INFERENTIA_TYPES,
        maxNodes: 2,
        maxDevices: 8,
        onDemandFallback: true,
      }),
    ]),
    monitoring: { retention: "15d", storageGiB: 50, replicas: 1, grafanaStorageGiB: 10, alertmanagerStorageGiB: 5 },
    registry: {
      replicas: 2,
      dbInstanceClass: "db.t4g.medium",
      dbStorageGiB: 20,
      backupRetentionDays: 14,
      multiAz: false,
      protectState: false,
      noncurrentVersionDays: 90,
    },
  },
  prod: {
    network: { cidrBlock: "10.30.0.0/16", availabilityZoneCount: 3, natGateways: "onePerAz" },
    cluster: {
      kubernetesVersion: KUBERNETES_VERSION,
      publicAccessCidrs: [],
      privateAccessCidrs: [],
      adminPrincipalArns: [],
      logRetentionDays: 365,
      systemNodes: {
        instanceTypes: ["m7i.xlarge", "m6i.xlarge"],
        minSize: 3,
        desiredSize: 3,
        maxSize: 6,
        diskSizeGiB: 80,
      },
      storageReclaimPolicy: "Retain",
      // A new model pod starts denied until its NetworkPolicies apply (cluster/builders.ts).
      networkPolicyEnforcingMode: "strict",
    },
    loadBalancerController: { replicas: 2 },
    capacity: capacity("karpenter", [
      pool({
        name: "gpu",
        kind: "nvidia",
        instanceTypes: GPU_TYPES,
        maxNodes: 16,
        maxDevices: 16,
        onDemandFallback: true,
      }),
      pool({
        name: "inferentia",
        kind: "neuron",
        instanceTypes: INFERENTIA_TYPES,
        maxNodes: 6,
        maxDevices: 24,
        onDemandFallback: true,
      }),
    ]),
    monitoring: { retention: "30d", storageGiB: 200, replicas: 2, grafanaStorageGiB: 20, alertmanagerStorageGiB: 10 },
    registry: {
      replicas: 2,
      dbInstanceClass: "db.m7g.large",
      dbStorageGiB: 100,
      backupRetentionDays: 30,
      multiAz: true,
      protectState: true,
      noncurrentVersionDays: 365,
    },
  },
};

/**
 * An accelerator pool as a stack file (`capacity.pools[]`) or a program writes it: its name, kind,
 * instance types and `maxNodes`; {@link withPoolDefaults} fills in the rest.
 */
export type AcceleratorPoolInput = Pick<AcceleratorPoolSpec, "name" | "kind" | "instanceTypes" | "maxNodes"> &
  Partial<Omit<AcceleratorPoolSpec, "name" | "kind" | "instanceTypes" | "maxNodes" | "reservations">> & {
    reservations?: (Omit<CapacityReservationSpec, "type"> & Partial<Pick<CapacityReservationSpec, "type">>)[];
  };

/**
 * A pool with its defaults: `CAPACITY_DEFAULTS.pool` (minNodes, spot, disk, OS), `maxDevices` of
 * `maxNodes` nodes of its largest type, on-demand fallback outside dev, reservations `odcr`.
 */
export function withPoolDefaults(p: AcceleratorPoolInput, environment: Environment): AcceleratorPoolSpec {
  const d = CAPACITY_DEFAULTS.pool;
  return {
    name: p.name,
    kind: p.kind,
    instanceTypes: p.instanceTypes,
    minNodes: p.minNodes ?? d.minNodes,
    maxNodes: p.maxNodes,
    maxDevices: p.maxDevices ?? p.maxNodes * Math.max(1, maxDevicesPerNode(p.instanceTypes)),
    // Outside dev, spot shortages fall back to on-demand unless a pool says otherwise.
    onDemandFallback: p.onDemandFallback ?? environment !== "dev",
    spot: p.spot ?? d.spot,
    diskSizeGiB: p.diskSizeGiB ?? d.diskSizeGiB,
    os: p.os ?? d.os,
    imageCacheSnapshotId: p.imageCacheSnapshotId,
    ...(p.imageCacheFastRestore ? { imageCacheFastRestore: true } : {}),
    ...(p.imageCacheImages ? { imageCacheImages: p.imageCacheImages } : {}),
    ...(p.warmNodes ? { warmNodes: p.warmNodes } : {}),
    ...(p.volumeThroughputMiBps !== undefined ? { volumeThroughputMiBps: p.volumeThroughputMiBps } : {}),
    ...(p.instanceStore ? { instanceStore: true } : {}),
    ...(p.fastImagePull ? { fastImagePull: true } : {}),
    ...(p.reservations ? { reservations: p.reservations.map((r) => ({ ...r, type: r.type ?? "odcr" })) } : {}),
  };
}

/** Whether the platform creates the models' private hosted zone (`serving.privateZone`, default true). */
export function createsPrivateZone(spec: Pick<PlatformSpec, "serving">): boolean {
  return spec.serving.privateZone ?? true;
}
