import type { AcceleratorKindRecord, NodeOs } from "./kind";
import { ACCELERATORS } from "./kinds";
import { acceleratorRegistry } from "./registry";

export type {
  AcceleratorAlertRule,
  AcceleratorDaemonSet,
  AcceleratorDashboard,
  AcceleratorIdleAlert,
  AcceleratorKindRecord,
  AcceleratorMetric,
  AcceleratorSupport,
  AcceleratorSupportContext,
  AcceleratorSupportFactory,
  AcceleratorSupportOptions,
  GpuDevicePlugin,
  NodeOs,
} from "./kind";
export { acceleratorRecordProblems, acceleratorRegistry, type AcceleratorRegistry } from "./registry";
export * from "./device-plugin-values";
export * from "./neuron-monitor";
export * from "./support";

export { ACCELERATORS };

export type AcceleratorKind = keyof typeof ACCELERATORS;

/**
 * The scheduler each kind's pods use, by kind, where the kind's support installs one
 * (`AcceleratorSupport.schedulerName`: the Neuron scheduler extension); a kind that is absent uses
 * the default scheduler.
 */
export type AcceleratorSchedulerNames = Partial<Record<AcceleratorKind, string>>;

/** The kit's registry: every lookup by kind the other domains make goes through it. */
export const ACCELERATOR_REGISTRY = acceleratorRegistry<AcceleratorKind>(Object.values(ACCELERATORS));

export const ACCELERATOR_KINDS = ACCELERATOR_REGISTRY.kinds;

/** The config field of each kind's devices (`gpus`, `neuronDevices`): `resources.<field>` of a model, `quota.<field>` of a team. */
export type DeviceField = (typeof ACCELERATORS)[AcceleratorKind]["deviceField"];
export const DEVICE_FIELDS = ACCELERATOR_KINDS.map((k) => ACCELERATORS[k].deviceField) as readonly DeviceField[];

/** Whether a string names a supported accelerator kind. */
export function isAcceleratorKind(kind: string): kind is AcceleratorKind {
  return ACCELERATOR_REGISTRY.isKind(kind);
}

const byKind = <T>(f: (r: AcceleratorKindRecord) => T) =>
  Object.fromEntries(ACCELERATOR_KINDS.map((k) => [k, f(ACCELERATORS[k])])) as Record<AcceleratorKind, T>;

/** Extended resource a pod requests for one device of each kind. */
export const DEVICE_RESOURCE = byKind((r) => r.deviceResource);

/** Taint key on every accelerator node; pods must tolerate it (NoSchedule). */
export const ACCELERATOR_TAINT_KEY = byKind((r) => r.taintKey);

export { LABELS } from "./labels";

/** Families the kit supports for each kind (the catalogue's families of that kind). */
export function familiesOf(kind: AcceleratorKind): string[] {
  return ACCELERATOR_REGISTRY.familiesOf(kind);
}

/** `g6.xlarge` -> `g6`. */
export function familyOf(instanceType: string): string {
  return instanceType.split(".")[0];
}

/** The accelerator kind of an instance type, or undefined for a type the kit does not know. */
export function kindOf(instanceType: string): AcceleratorKind | undefined {
  return ACCELERATOR_REGISTRY.kindOf(instanceType);
}

/** Devices of one instance type, or undefined when the kit does not know the type. */
export function devicesPerInstance(instanceType: string): number | undefined {
  return ACCELERATOR_REGISTRY.devicesPerInstance(instanceType);
}

/** Problems with a list of instance types for a kind; empty when every type belongs to the kind. */
export function instanceTypeProblems(
  kind: AcceleratorKind,
  instanceTypes: string[],
): { index: number; message: string }[] {
  return ACCELERATOR_REGISTRY.instanceTypeProblems(kind, instanceTypes);
}

/** Operating systems a kind's managed node groups can run. */
export function osesOf(kind: AcceleratorKind): NodeOs[] {
  return ACCELERATOR_REGISTRY.osesOf(kind);
}

/** EKS managed node group AMI type for a kind and OS (EKS API values); throws for an unsupported pair. */
export function amiTypeFor(kind: AcceleratorKind, os: NodeOs): string {
  return ACCELERATOR_REGISTRY.amiTypeFor(kind, os);
}

/** One value per kind's config field (`{ gpus: ..., neuronDevices: ... }`), in kind order: schemas and defaults keyed by the stack files' keys. */
export function byDeviceField<T>(f: (r: AcceleratorKindRecord) => T): Record<DeviceField, T> {
  return Object.fromEntries(ACCELERATOR_KINDS.map((k) => [ACCELERATORS[k].deviceField, f(ACCELERATORS[k])])) as Record<
    DeviceField,
    T
  >;
}
