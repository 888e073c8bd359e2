import { devicesPerInstance } from "../common/accelerators";
import { instanceType } from "../common/instance-types";

/** What Cluster Autoscaler assumes every node of a group has: vCPUs, memory and devices. */
export interface InstanceShape {
  vcpu: number;
  memoryGiB: number;
  devices: number;
}

/** The shape of an instance type, or undefined for a type the kit does not know. */
export function instanceShape(name: string): InstanceShape | undefined {
  // vCPUs and memory from the pinned catalogue; devices from the accelerator records.
  const info = instanceType(name);
  const devices = devicesPerInstance(name);
  return info && devices !== undefined ? { vcpu: info.vcpu, memoryGiB: info.memoryMiB / 1024, devices } : undefined;
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
      message:
        `${describe(x.t, x.s)} differs from ${describe(first.t, first.s)}: a Cluster Autoscaler node ` +
        `group needs one instance shape; put other shapes in a pool of their own`,
    }));
}
