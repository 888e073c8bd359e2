import { modelTracks } from "../serving/tracks";
import { ACCELERATOR_KINDS, ACCELERATOR_REGISTRY, ACCELERATORS, type AcceleratorKind } from "../common/accelerators";
import { daemonSetOverhead, parseCpuMillis, parseMemoryMiB } from "../capacity/node-overhead";
import { sharesPerDevice } from "../capacity/rules";
import { VLLM_GPU_MEMORY_UTILIZATION } from "../serving/llm-limits";
import { runtimeOf } from "../serving/runtimes";
import { instanceType, InstanceTypeInfo } from "../common/instance-types";
import { type ModelSpec, trackReplicas } from "../serving/model-spec";
import type { AcceleratorPoolSpec, PlatformSpec } from "./spec";

/**
 * Whether the platform's models fit the capacity it declares, checked on the resolved spec before
 * anything is planned. Three levels:
 * - error: a model's pod (its requests plus the DaemonSets' share of a node) fits no instance
 *   type of its pools; the config is refused with the model's key path;
 * - warning: the pools' limits cannot hold every model at its maximum replicas, canaries included;
 * - advisory: losing the largest spot type of a spot-only pool, or the availability zone of a
 *   single NAT gateway, would leave a model's minimum unschedulable or unable to start.
 * Key paths are relative to the `mlserving` namespace (`serving.models[0].resources.gpus`).
 */
export interface CapacityFinding {
  level: "error" | "warning" | "advisory";
  path: string;
  message: string;
}

/** What one replica of a model asks of a node. */
export interface ReplicaRequests {
  cpuMillis: number;
  memoryMiB: number;
  /** Accelerator devices (GPUs, or Neuron devices), 0 for a CPU model. */
  devices: number;
  /** Node kind the replica runs on: an accelerator kind, or the system nodes for CPU models. */
  node: AcceleratorKind | "system";
}

export function replicaRequests(m: ModelSpec): ReplicaRequests {
  const node = m.accelerator === "cpu" ? "system" : m.accelerator;
  const devices = ACCELERATOR_REGISTRY.deviceRequest(m.accelerator, m.resources)?.count ?? 0;
  return { cpuMillis: parseCpuMillis(m.resources.cpu), memoryMiB: parseMemoryMiB(m.resources.memory), devices, node };
}

/**
 * Replicas of a model at its minimum and maximum, every track included: a canary sized by its
 * share (`trackReplicas`), an A/B variant and a shadow with the stable track's bounds.
 */
export function replicaBounds(m: ModelSpec): { min: number; max: number } {
  return modelTracks(m).reduce(
    (sum, t) => {
      const r = trackReplicas(m, t.track);
      return { min: sum.min + r.min, max: sum.max + r.max };
    },
    { min: 0, max: 0 },
  );
}

/** Devices a node of the type advertises for a kind (NVIDIA time-slicing multiplies GPUs). */
export function advertisedDevices(t: InstanceTypeInfo, kind: AcceleratorKind, spec: Pick<PlatformSpec, "capacity">) {
  if (!t.accelerator || t.accelerator.kind !== kind) return 0;
  return t.accelerator.count * sharesPerDevice(kind, spec.capacity.gpuTimeSlicingReplicas);
}

/** How many replicas of one model a node of the type holds (0 when one does not fit). */
export function replicasPerNode(t: InstanceTypeInfo, r: ReplicaRequests, spec: Pick<PlatformSpec, "capacity">): number {
  const overhead = daemonSetOverhead(r.node);
  const cpu = t.allocatable.cpuMillis - overhead.cpuMillis;
  const mem = t.allocatable.memoryMiB - overhead.memoryMiB;
  const limits = [Math.floor(cpu / Math.max(r.cpuMillis, 1)), Math.floor(mem / Math.max(r.memoryMiB, 1))];
  if (r.node !== "system") limits.push(Math.floor(advertisedDevices(t, r.node, spec) / Math.max(r.devices, 1)));
  return Math.max(0, Math.min(...limits));
}

/** A place a model's replicas can run: a pool (or the system node group) and one of its instance types. */
export interface Placement {
  /** Pool name, or `system` for the system node group. */
  pool: string;
  poolIndex: number | undefined;
  type: InstanceTypeInfo;
  replicasPerNode: number;
}

/** The pools a model's replicas may land on: pools of its accelerator kind, or the system nodes. */
export function candidatePools(
  spec: PlatformSpec,
  m: ModelSpec,
): { name: string; index?: number; instanceTypes: string[] }[] {
  if (m.accelerator === "cpu") return [{ name: "system", instanceTypes: spec.cluster.systemNodes.instanceTypes }];
  return spec.capacity.pools.flatMap((p, index) =>
    p.kind === m.accelerator ? [{ name: p.name, index, instanceTypes: p.instanceTypes }] : [],
  );
}

/** Every (pool, type) a model's replica fits on; unknown instance types are skipped. */
export function placements(spec: PlatformSpec, m: ModelSpec, r = replicaRequests(m)): Placement[] {
  return candidatePools(spec, m).flatMap((p) =>
    p.instanceTypes.flatMap((name) => {
      const t = instanceType(name);
      if (!t) return [];
      const n = replicasPerNode(t, r, spec);
      return n > 0 ? [{ pool: p.name, poolIndex: p.index, type: t, replicasPerNode: n }] : [];
    }),
  );
}

const fmtCpu = (millis: number) => `${+(millis / 1000).toFixed(3)}`;
const fmtGiB = (mib: number) => `${+(mib / 1024).toFixed(2)}Gi`;

/** Why a model's replica fits none of its pools' types, with the key path of the request to change. */
function fitError(spec: PlatformSpec, m: ModelSpec, i: number, r: ReplicaRequests): CapacityFinding | undefined {
  const at = `serving.models[${i}]`;
  const pools = candidatePools(spec, m);
  if (pools.length === 0) return undefined; // "no pool of its kind" is a config problem of its own
  const types = pools.flatMap((p) => p.instanceTypes.flatMap((n) => instanceType(n) ?? []));
  if (types.length === 0) return undefined; // unknown types are refused by the pool checks
  if (placements(spec, m, r).length > 0) return undefined;
  const where = pools.map((p) => p.name).join(", ");
  const overhead = daemonSetOverhead(r.node);
  if (r.node !== "system") {
    const kind = r.node;
    const most = Math.max(...types.map((t) => advertisedDevices(t, kind, spec)));
    if (most < r.devices) {
      const { deviceField: field, device } = ACCELERATORS[kind];
      const noun = device.many;
      return {
        level: "error",
        path: `${at}.resources.${field}`,
        message:
          `model ${m.name} asks ${r.devices} ${noun} per replica; the largest instance type of its ${kind} ` +
          `pool(s) ${where} has ${most} (${types.map((t) => t.name).join(", ")}). Request fewer or add ` +
          `a larger type to the pool.`,
      };
    }
  }
  const withDevices =
    r.node === "system"
      ? types
      : types.filter((t) => advertisedDevices(t, r.node as AcceleratorKind, spec) >= r.devices);
  const bestCpu = Math.max(...withDevices.map((t) => t.allocatable.cpuMillis - overhead.cpuMillis));
  if (bestCpu < r.cpuMillis) {
    return {
      level: "error",
      path: `${at}.resources.cpu`,
      message:
        `model ${m.name} asks ${fmtCpu(r.cpuMillis)} CPUs per replica; after the node's reservations ` +
        `and the DaemonSets' ${overhead.cpuMillis}m, the most any type of pool(s) ${where} offers a ` +
        `pod is ${fmtCpu(bestCpu)} (${withDevices.map((t) => t.name).join(", ")}). Request less or ` +
        `add a larger type to the pool.`,
    };
  }
  const bestMem = Math.max(
    ...withDevices
      .filter((t) => t.allocatable.cpuMillis - overhead.cpuMillis >= r.cpuMillis)
      .map((t) => t.allocatable.memoryMiB - overhead.memoryMiB),
  );
  return {
    level: "error",
    path: `${at}.resources.memory`,
    message:
      `model ${m.name} asks ${fmtGiB(r.memoryMiB)} of memory per replica; after the node's reservations ` +
      `and the DaemonSets' ${overhead.memoryMiB}Mi, the most a type of pool(s) ${where} with room ` +
      `for its CPU offers is ${fmtGiB(bestMem)}. Request less or add a larger type to the pool.`,
  };
}

/**
 * A time-sliced `nvidia.com/gpu` is a share of one physical GPU: the device plugin hands a pod
 * asking for more than one share several shares of what may be the same GPU (NVIDIA
 * k8s-device-plugin README, "Shared Access to GPUs with CUDA Time-Slicing": more shares give "no
 * additional compute", hence its `failRequestsGreaterThanOne`, which the kit sets), so a model
 * asking for more than one GPU (tensor parallel) is refused while time-slicing is on.
 */
function timeSlicingError(
  spec: PlatformSpec,
  m: ModelSpec,
  i: number,
  r: ReplicaRequests,
): CapacityFinding | undefined {
  const replicas = spec.capacity.gpuTimeSlicingReplicas;
  if (replicas === undefined || r.node === "system" || !ACCELERATORS[r.node].timeSlicing) return undefined;
  // vLLM takes `--gpu-memory-utilization` (0.9 at the pinned image, serving/llm-limits.ts) of the
  // whole GPU per instance ("a per-instance limit ... if you have two vLLM instances running on the
  // same GPU, you can set the GPU memory utilization to 0.5 for each instance", vLLM engine
  // arguments), so a second replica on a shared GPU cannot start: the shares' fit is not there.
  if (runtimeOf(m).llmLimits)
    return {
      level: "error",
      path: `serving.models[${i}].runtime`,
      message:
        `model ${m.name} runs vLLM, which takes ${VLLM_GPU_MEMORY_UTILIZATION * 100}% of its GPU's ` +
        `memory per replica, but capacity.gpuTimeSlicingReplicas: ${replicas} puts up to ${replicas} ` +
        `replicas on one GPU, and all but the first fail to start. Remove capacity.gpuTimeSlicingReplicas, ` +
        `or serve this model with another runtime.`,
    };
  if (r.devices <= 1) return undefined;
  const { deviceField, deviceResource, device } = ACCELERATORS[r.node];
  return {
    level: "error",
    path: `serving.models[${i}].resources.${deviceField}`,
    message:
      `model ${m.name} asks ${r.devices} ${device.many} per replica, but capacity.gpuTimeSlicingReplicas: ${replicas} ` +
      `makes every ${deviceResource} a time-slice of one physical ${device.one}, and ${r.devices} slices may be the same ` +
      `${device.one} (the device plugin refuses such a request). Ask for 1 ${device.one}, or remove ` +
      `capacity.gpuTimeSlicingReplicas to run it on ${r.devices} whole ${device.many}.`,
  };
}

/** The errors only: what the config refuses (exit 2), with paths relative to the namespace. */
export function capacityFitProblems(spec: PlatformSpec): { path: string; message: string }[] {
  return capacityFindings(spec)
    .filter((f) => f.level === "error")
    .map(({ path, message }) => ({ path, message }));
}

/** Every capacity finding of a resolved spec: errors, warnings and advisories. */
export function capacityFindings(spec: PlatformSpec): CapacityFinding[] {
  const findings: CapacityFinding[] = [];
  const requests = new Map<ModelSpec, ReplicaRequests>();
  spec.serving.models.forEach((m, i) => {
    let r: ReplicaRequests;
    try {
      r = replicaRequests(m);
    } catch (e) {
      const field = /CPU/.test((e as Error).message) ? "cpu" : "memory";
      findings.push({ level: "error", path: `serving.models[${i}].resources.${field}`, message: (e as Error).message });
      return;
    }
    requests.set(m, r);
    const err = timeSlicingError(spec, m, i, r) ?? fitError(spec, m, i, r);
    if (err) findings.push(err);
  });
  findings.push(...coverageWarnings(spec, requests));
  findings.push(...spotLossAdvisories(spec, requests));
  findings.push(...zoneLossAdvisories(spec));
  return findings;
}

/** Whether the pools of each kind can hold every model of that kind at its maximum, canaries included. */
function coverageWarnings(spec: PlatformSpec, requests: Map<ModelSpec, ReplicaRequests>): CapacityFinding[] {
  const out: CapacityFinding[] = [];
  for (const kind of ACCELERATOR_KINDS) {
    const pools = spec.capacity.pools.map((p, index) => ({ p, index })).filter(({ p }) => p.kind === kind);
    const models = spec.serving.models.filter((m) => m.accelerator === kind && requests.has(m));
    if (pools.length === 0 || models.length === 0) continue;
    const first = pools[0].index;
    const names = models.map((m) => `${m.name} (${replicaBounds(m).max} × ${requests.get(m)!.devices})`).join(", ");
    if (spec.capacity.autoscaler === "karpenter") {
      // Both in schedulable devices: the NodePools' limits count time-sliced GPUs as shares (karpenter-builders.ts).
      const needed = models.reduce((s, m) => s + replicaBounds(m).max * requests.get(m)!.devices, 0);
      const shares = sharesPerDevice(kind, spec.capacity.gpuTimeSlicingReplicas);
      const limit = pools.reduce((s, { p }) => s + p.maxDevices * shares, 0);
      if (needed > limit)
        out.push({
          level: "warning",
          path: `capacity.pools[${first}].maxDevices`,
          message:
            `the ${kind} models at their maximum replicas, canaries included, need ${needed} devices (${names}); ` +
            `the ${kind} NodePool limits allow ${limit}${shares > 1 ? ` (maxDevices × ${shares} time-slices a GPU)` : ""}. ` +
            `Replicas above the limit stay pending.`,
        });
    } else {
      // Node groups: each model packed on its best type; the on-demand fallback group stands in for spot, it adds no capacity.
      const needed = models.reduce((s, m) => {
        const best = Math.max(0, ...placements(spec, m, requests.get(m)).map((pl) => pl.replicasPerNode));
        return best === 0 ? s : s + Math.ceil(replicaBounds(m).max / best);
      }, 0);
      const limit = pools.reduce((s, { p }) => s + p.maxNodes, 0);
      if (needed > limit)
        out.push({
          level: "warning",
          path: `capacity.pools[${first}].maxNodes`,
          message:
            `the ${kind} models at their maximum replicas, canaries included, need ${needed} nodes (${names}); ` +
            `the ${kind} node groups may grow to ${limit}. Replicas above it stay pending.`,
        });
    }
  }
  return out;
}

/** The largest type of a pool: most devices, then most vCPUs, then most memory. */
export function largestType(p: AcceleratorPoolSpec): InstanceTypeInfo | undefined {
  const types = p.instanceTypes.flatMap((n) => instanceType(n) ?? []);
  const size = (t: InstanceTypeInfo) => [t.accelerator?.count ?? 0, t.vcpu, t.memoryMiB];
  return types.sort((a, b) => {
    const [x, y] = [size(a), size(b)];
    return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
  })[0];
}

/** If a spot-only pool loses its largest type, can each model's minimum still be placed? */
function spotLossAdvisories(spec: PlatformSpec, requests: Map<ModelSpec, ReplicaRequests>): CapacityFinding[] {
  const lost = new Map<string, string>(); // pool name -> type lost
  for (const p of spec.capacity.pools) {
    if (p.onDemandFallback || !p.spot) continue; // on-demand capacity is not reclaimed
    const t = largestType(p);
    if (t) lost.set(p.name, t.name);
  }
  const out: CapacityFinding[] = [];
  spec.serving.models.forEach((m, i) => {
    const r = requests.get(m);
    if (!r || m.accelerator === "cpu" || replicaBounds(m).min === 0) return;
    const all = placements(spec, m, r);
    if (all.length === 0) return;
    const left = all.filter((pl) => lost.get(pl.pool) !== pl.type.name);
    if (left.length === 0) {
      const gone = [...new Set(all.map((pl) => `${pl.type.name} in pool ${pl.pool}`))].join(", ");
      out.push({
        level: "advisory",
        path: `serving.models[${i}]`,
        message:
          `model ${m.name} fits only ${gone}, the largest type of a spot-only pool: if spot capacity ` +
          `for it runs dry, its minimum of ${replicaBounds(m).min} replica(s) cannot be scheduled. Add ` +
          `another type that fits, or set onDemandFallback.`,
      });
    }
  });
  return out;
}

/** Losing the availability zone of a single NAT gateway cuts every private subnet's egress. */
function zoneLossAdvisories(spec: PlatformSpec): CapacityFinding[] {
  if (spec.network.existing || spec.network.natGateways !== "single") return [];
  const models = spec.serving.models.filter((m) => replicaBounds(m).min > 0).map((m) => m.name);
  if (models.length === 0) return [];
  return [
    {
      level: "advisory",
      path: "network.natGateways",
      message:
        `one NAT gateway serves every zone: if its availability zone fails, nodes launched to replace ` +
        `lost replicas of ${models.join(", ")} have no route to pull their images, so the models' minimum ` +
        `may not come back until the zone does. Use natGateways: onePerAz where that matters.`,
    },
  ];
}
