import { INSTANCE_TYPES, type InstanceTypeInfo } from "../instance-types";
import type { AcceleratorKindRecord, NodeOs } from "./kind";

/**
 * The accelerator kinds of a kit, with every lookup the other domains make by kind. Built from
 * records (`acceleratorRegistry`), so a test can add a kind through its record alone; the kit's
 * own is `ACCELERATOR_REGISTRY` (index.ts).
 */
export interface AcceleratorRegistry<K extends string = string> {
  /** The kinds, in record order. */
  readonly kinds: readonly K[];
  /** Whether a string names a kind of this registry. */
  isKind(kind: string): kind is K;
  /** The record of a kind. */
  record(kind: K): AcceleratorKindRecord<K>;
  /** Families the catalogue holds for a kind, in catalogue order. */
  familiesOf(kind: K): string[];
  /** The accelerator kind of an instance type, or undefined for a type the catalogue does not know or one with no accelerator. */
  kindOf(instanceType: string): K | undefined;
  /** Devices of one instance type, or undefined when the catalogue does not know it as an accelerator type. */
  devicesPerInstance(instanceType: string): number | undefined;
  /** Smallest device memory (GiB) among those instance types of a kind; undefined when none is of the kind. */
  smallestDeviceMemoryGiB(kind: K, instanceTypes: readonly string[]): number | undefined;
  /** Problems with a list of instance types for a kind; empty when every type belongs to the kind. */
  instanceTypeProblems(kind: K, instanceTypes: readonly string[]): { index: number; message: string }[];
  /** Operating systems a kind's managed node groups can run. */
  osesOf(kind: K): NodeOs[];
  /** EKS managed node group AMI type for a kind and OS (EKS API values); throws for an unsupported pair. */
  amiTypeFor(kind: K, os: NodeOs): string;
  /** The kind a managed node group's EKS AMI type runs, by the records' `amiTypeMarker`. */
  kindOfAmiType(amiType: string): K | undefined;
  /**
   * Schedulable devices each physical device of a kind is advertised as: `timeSlicingReplicas`
   * for a kind that time-slices (when it is on), else 1.
   */
  sharesPerDevice(kind: K, timeSlicingReplicas?: number): number;
  /**
   * The devices a model or a quota asks of each kind, read from the kind's `deviceField`
   * (`resources.gpus`, `quota.neuronDevices`); the kind of `accelerator` defaults to one device.
   */
  deviceRequest(
    accelerator: string,
    fields: Readonly<Partial<Record<string, unknown>>>,
  ): { kind: K; record: AcceleratorKindRecord<K>; resource: string; count: number } | undefined;
}

/** Problems with a set of records: duplicate names, fields, resources or taints; an image cache without Bottlerocket. */
export function acceleratorRecordProblems(records: readonly AcceleratorKindRecord[]): string[] {
  const problems: string[] = [];
  for (const key of ["kind", "deviceField", "deviceResource", "taintKey", "amiTypeMarker"] as const) {
    const seen = new Set<string>();
    for (const r of records) {
      if (seen.has(r[key])) problems.push(`${r.kind}: ${key} ${r[key]} is another kind's too`);
      seen.add(r[key]);
    }
  }
  for (const r of records) {
    if (r.imageCache && r.amiTypes.bottlerocket === undefined)
      problems.push(
        `${r.kind}: imageCache needs a Bottlerocket AMI type (Karpenter boots cached images on Bottlerocket)`,
      );
    for (const ami of Object.values(r.amiTypes))
      if (!ami.includes(r.amiTypeMarker))
        problems.push(`${r.kind}: AMI type ${ami} does not contain ${r.amiTypeMarker}`);
  }
  return problems;
}

/**
 * A registry over records and an instance catalogue (default: the kit's). The catalogue is the one
 * source of which instance type carries which kind, how many devices and how much device memory.
 */
export function acceleratorRegistry<K extends string>(
  records: readonly AcceleratorKindRecord<K>[],
  catalogue: readonly InstanceTypeInfo[] = INSTANCE_TYPES,
): AcceleratorRegistry<K> {
  const problems = acceleratorRecordProblems(records);
  if (problems.length > 0) throw new Error(`invalid accelerator records: ${problems.join("; ")}`);
  const byKind = new Map<string, AcceleratorKindRecord<K>>(records.map((r) => [r.kind, r]));
  const isKind = (kind: string): kind is K => byKind.has(kind);
  const types = new Map(catalogue.map((t) => [t.name, t]));
  const acceleratorOf = (instanceType: string) => {
    const a = types.get(instanceType)?.accelerator;
    return a && isKind(a.kind) ? { ...a, kind: a.kind } : undefined;
  };
  const record = (kind: K) => {
    const r = byKind.get(kind);
    if (r === undefined) throw new Error(`unknown accelerator kind ${kind}`);
    return r;
  };
  const familiesOf = (kind: K) => [
    ...new Set(catalogue.filter((t) => t.accelerator?.kind === kind).map((t) => t.family)),
  ];
  const kindOf = (instanceType: string) => acceleratorOf(instanceType)?.kind;
  const osesOf = (kind: K) => Object.keys(record(kind).amiTypes) as NodeOs[];
  return {
    kinds: records.map((r) => r.kind),
    isKind,
    record,
    familiesOf,
    kindOf,
    devicesPerInstance: (instanceType) => acceleratorOf(instanceType)?.count,
    smallestDeviceMemoryGiB: (kind, instanceTypes) => {
      const sizes = instanceTypes.flatMap((t) => {
        const a = acceleratorOf(t);
        return a && a.kind === kind ? [a.memoryMiBEach / 1024] : [];
      });
      return sizes.length > 0 ? Math.min(...sizes) : undefined;
    },
    instanceTypeProblems: (kind, instanceTypes) =>
      instanceTypes.flatMap((t, index) => {
        const k = kindOf(t);
        if (k === kind) return [];
        const families = familiesOf(kind).join(", ");
        if (k === undefined)
          return [{ index, message: `${t} is not a supported ${kind} instance type (families: ${families})` }];
        return [{ index, message: `${t} is a ${k} instance type; a ${kind} pool takes ${families}` }];
      }),
    osesOf,
    amiTypeFor: (kind, os) => {
      const ami = record(kind).amiTypes[os];
      if (ami === undefined) throw new Error(`${kind} nodes do not run ${os} (supported: ${osesOf(kind).join(", ")})`);
      return ami;
    },
    kindOfAmiType: (amiType) => records.find((r) => amiType.includes(r.amiTypeMarker))?.kind,
    sharesPerDevice: (kind, timeSlicingReplicas) => (record(kind).timeSlicing ? (timeSlicingReplicas ?? 1) : 1),
    deviceRequest: (accelerator, fields) => {
      if (!isKind(accelerator)) return undefined;
      const r = record(accelerator);
      const count = fields[r.deviceField];
      return { kind: accelerator, record: r, resource: r.deviceResource, count: typeof count === "number" ? count : 1 };
    },
  };
}
