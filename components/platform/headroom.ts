import type { HeadroomRequests } from "../capacity/headroom";
import { instanceType } from "../common/instance-types";
import { candidatePools, replicaRequests, replicasPerNode } from "./capacity-checks";
import { modelImages } from "../serving/model-images";
import type { AcceleratorPoolSpec, PlatformSpec } from "./spec";

/**
 * What one warm-headroom placeholder of a pool asks for: the largest replica (devices, CPU,
 * memory, each the most any model of the pool's kind asks) so that a replacement of any of them
 * fits the node it holds. A pool no model uses holds one device.
 */
export function headroomRequests(spec: PlatformSpec, pool: AcceleratorPoolSpec): HeadroomRequests {
  const replicas = spec.serving.models
    .filter((m) => candidatePools(spec, m).some((p) => p.name === pool.name))
    .map(replicaRequests);
  if (replicas.length === 0) return { cpuMillis: 100, memoryMiB: 128, devices: 1 };
  return {
    cpuMillis: Math.max(...replicas.map((r) => r.cpuMillis)),
    memoryMiB: Math.max(...replicas.map((r) => r.memoryMiB)),
    devices: Math.max(...replicas.map((r) => r.devices)),
  };
}

/** The cheapest-first instance types of a pool a placeholder fits on (what a warm node may be). */
export function headroomTypes(spec: PlatformSpec, pool: AcceleratorPoolSpec): string[] {
  const r = headroomRequests(spec, pool);
  return pool.instanceTypes.filter((name) => {
    const t = instanceType(name);
    return t !== undefined && replicasPerNode(t, { ...r, node: pool.kind }, spec) > 0;
  });
}

/** Every image a replica of the pool's models pulls (servers and fetchers), which its placeholders pre-pull. */
export function headroomImages(spec: PlatformSpec, pool: AcceleratorPoolSpec): string[] {
  const models = spec.serving.models.filter((m) => candidatePools(spec, m).some((p) => p.name === pool.name));
  return [...new Set(models.flatMap((m) => modelImages(m)))].sort();
}

/** Whether a model's replacement lands on a warm node: its priced pool holds warm nodes that pre-pulled its images. */
export function warmPoolOf(spec: PlatformSpec, poolName: string | undefined): AcceleratorPoolSpec | undefined {
  const pool = spec.capacity.pools.find((p) => p.name === poolName);
  return pool && (pool.warmNodes ?? 0) > 0 ? pool : undefined;
}
