import { familyOf } from "./index";

/**
 * Memory per GPU (GiB) of the NVIDIA instance families the kit supports, from the EC2
 * accelerated-computing instance specifications: g4dn T4 16 GB, g5 A10G 24 GB, g6 L4 24 GB,
 * g6e L40S 48 GB, p4d A100 40 GB, p5 H100 80 GB. Every family in `NVIDIA.families` has an entry
 * (a unit test keeps them in step).
 */
export const GPU_MEMORY_GIB: Readonly<Record<string, number>> = {
  g4dn: 16,
  g5: 24,
  g6: 24,
  g6e: 48,
  p4d: 40,
  p5: 80,
};

/**
 * The smallest memory per GPU among instance types (the one a pod must fit on, since the
 * scheduler may place it on any of them); undefined when none is a known NVIDIA family.
 */
export function smallestGpuMemoryGiB(instanceTypes: readonly string[]): number | undefined {
  const sizes = instanceTypes.map((t) => GPU_MEMORY_GIB[familyOf(t)]).filter((g) => g !== undefined);
  return sizes.length > 0 ? Math.min(...sizes) : undefined;
}
