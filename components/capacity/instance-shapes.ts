import { devicesPerInstance } from "../common/accelerators";

/**
 * vCPUs and memory of the accelerator instance types the kit knows, from Karpenter's generated
 * instance-types reference (aws/karpenter-provider-aws v1.14.1
 * `website/content/en/docs/reference/instance-types.md`: `karpenter.k8s.aws/instance-cpu` and
 * `instance-memory`).
 */
const SHAPES: Record<string, { vcpu: number; memoryGiB: number }> = {
  "g4dn.xlarge": { vcpu: 4, memoryGiB: 16 },
  "g4dn.2xlarge": { vcpu: 8, memoryGiB: 32 },
  "g4dn.4xlarge": { vcpu: 16, memoryGiB: 64 },
  "g4dn.8xlarge": { vcpu: 32, memoryGiB: 128 },
  "g4dn.12xlarge": { vcpu: 48, memoryGiB: 192 },
  "g4dn.16xlarge": { vcpu: 64, memoryGiB: 256 },
  "g4dn.metal": { vcpu: 96, memoryGiB: 384 },
  "g5.xlarge": { vcpu: 4, memoryGiB: 16 },
  "g5.2xlarge": { vcpu: 8, memoryGiB: 32 },
  "g5.4xlarge": { vcpu: 16, memoryGiB: 64 },
  "g5.8xlarge": { vcpu: 32, memoryGiB: 128 },
  "g5.12xlarge": { vcpu: 48, memoryGiB: 192 },
  "g5.16xlarge": { vcpu: 64, memoryGiB: 256 },
  "g5.24xlarge": { vcpu: 96, memoryGiB: 384 },
  "g5.48xlarge": { vcpu: 192, memoryGiB: 768 },
  "g6.xlarge": { vcpu: 4, memoryGiB: 16 },
  "g6.2xlarge": { vcpu: 8, memoryGiB: 32 },
  "g6.4xlarge": { vcpu: 16, memoryGiB: 64 },
  "g6.8xlarge": { vcpu: 32, memoryGiB: 128 },
  "g6.12xlarge": { vcpu: 48, memoryGiB: 192 },
  "g6.16xlarge": { vcpu: 64, memoryGiB: 256 },
  "g6.24xlarge": { vcpu: 96, memoryGiB: 384 },
  "g6.48xlarge": { vcpu: 192, memoryGiB: 768 },
  "g6e.xlarge": { vcpu: 4, memoryGiB: 32 },
  "g6e.2xlarge": { vcpu: 8, memoryGiB: 64 },
  "g6e.4xlarge": { vcpu: 16, memoryGiB: 128 },
  "g6e.8xlarge": { vcpu: 32, memoryGiB: 256 },
  "g6e.12xlarge": { vcpu: 48, memoryGiB: 384 },
  "g6e.16xlarge": { vcpu: 64, memoryGiB: 512 },
  "g6e.24xlarge": { vcpu: 96, memoryGiB: 768 },
  "g6e.48xlarge": { vcpu: 192, memoryGiB: 1536 },
  "inf1.xlarge": { vcpu: 4, memoryGiB: 8 },
  "inf1.2xlarge": { vcpu: 8, memoryGiB: 16 },
  "inf1.6xlarge": { vcpu: 24, memoryGiB: 48 },
  "inf1.24xlarge": { vcpu: 96, memoryGiB: 192 },
  "inf2.xlarge": { vcpu: 4, memoryGiB: 16 },
  "inf2.8xlarge": { vcpu: 32, memoryGiB: 128 },
  "inf2.24xlarge": { vcpu: 96, memoryGiB: 384 },
  "inf2.48xlarge": { vcpu: 192, memoryGiB: 768 },
  "p4d.24xlarge": { vcpu: 96, memoryGiB: 1152 },
  "p5.4xlarge": { vcpu: 16, memoryGiB: 256 },
  "p5.48xlarge": { vcpu: 192, memoryGiB: 2048 },
  "trn1.2xlarge": { vcpu: 8, memoryGiB: 32 },
  "trn1.32xlarge": { vcpu: 128, memoryGiB: 512 },
};

/** What Cluster Autoscaler assumes every node of a group has: vCPUs, memory and devices. */
export interface InstanceShape {
  vcpu: number;
  memoryGiB: number;
  devices: number;
}

/** The shape of an instance type, or undefined for a type the kit does not know. */
export function instanceShape(instanceType: string): InstanceShape | undefined {
  const s = SHAPES[instanceType];
  const devices = devicesPerInstance(instanceType);
  return s && devices !== undefined ? { ...s, devices } : undefined;
}

function describe(t: string, s: InstanceShape): string {
  return `${t} (${s.vcpu} vCPU, ${s.memoryGiB} GiB, ${s.devices} device${s.devices === 1 ? "" : "s"})`;
}

/**
 * Cluster Autoscaler models a node group as one instance type (the first of its mixed-instances
 * list) and builds scale-from-zero templates from it, so every type in a group must have the same
 * vCPUs, memory and devices (cluster-autoscaler `cloudprovider/aws/README.md`, "Using Mixed
 * Instances Policies and Spot Instances"). Otherwise a pod needing more than the first type never
 * scales the group up, and a one-device pod may get the largest type. Empty when the types agree
 * (unknown types are left to the instance-type check).
 */
export function nodeGroupShapeProblems(instanceTypes: readonly string[]): { index: number; message: string }[] {
  const known = instanceTypes
    .map((t, index) => ({ t, index, s: instanceShape(t) }))
    .filter((x): x is { t: string; index: number; s: InstanceShape } => x.s !== undefined);
  if (known.length === 0) return [];
  const first = known[0];
  return known
    .filter((x) => x.s.vcpu !== first.s.vcpu || x.s.memoryGiB !== first.s.memoryGiB || x.s.devices !== first.s.devices)
    .map((x) => ({
      index: x.index,
      message: `${describe(x.t, x.s)} differs from ${describe(first.t, first.s)}: a Cluster Autoscaler node group needs one instance shape; put other shapes in a pool of their own`,
    }));
}
