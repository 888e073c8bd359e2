import { ACCELERATOR_KINDS, ACCELERATOR_REGISTRY, type AcceleratorKind } from "./index";

/**
 * The smallest device memory (GiB) of each kind among a platform's pools (the memory a pod must fit
 * in, since the scheduler may place it on any type of its pools), from the instance catalogue,
 * the one source of device memory. A kind with no known type of its own is absent.
 */
export function smallestDeviceMemoryGiB(
  pools: readonly { kind: AcceleratorKind; instanceTypes: readonly string[] }[],
): Partial<Record<AcceleratorKind, number>> {
  return Object.fromEntries(
    ACCELERATOR_KINDS.flatMap((kind) => {
      const types = pools.filter((p) => p.kind === kind).flatMap((p) => p.instanceTypes);
      const gib = ACCELERATOR_REGISTRY.smallestDeviceMemoryGiB(kind, types);
      return gib === undefined ? [] : [[kind, gib]];
    }),
  );
}
