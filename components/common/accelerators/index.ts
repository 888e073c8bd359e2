import { NODE_POOL_LABEL } from "../labels";
import type { AcceleratorKindRecord, NodeOs } from "./kind";
import { NEURON } from "./neuron";
import { NVIDIA } from "./nvidia";

export type { AcceleratorKindRecord, NodeOs } from "./kind";

/** The accelerator kinds the kit supports, by the name stack files use (`kind: nvidia`). */
export const ACCELERATORS = { nvidia: NVIDIA, neuron: NEURON } as const satisfies Record<string, AcceleratorKindRecord>;

export type AcceleratorKind = keyof typeof ACCELERATORS;
export const ACCELERATOR_KINDS = Object.keys(ACCELERATORS) as readonly AcceleratorKind[];

/** Whether a string names a supported accelerator kind. */
export function isAcceleratorKind(kind: string): kind is AcceleratorKind {
  return Object.prototype.hasOwnProperty.call(ACCELERATORS, kind);
}

const byKind = <T>(f: (r: AcceleratorKindRecord) => T) =>
  Object.fromEntries(ACCELERATOR_KINDS.map((k) => [k, f(ACCELERATORS[k])])) as Record<AcceleratorKind, T>;

/** Extended resource a pod requests for one device of each kind. */
export const DEVICE_RESOURCE = byKind((r) => r.deviceResource);

/** Taint key on every accelerator node; pods must tolerate it (NoSchedule). */
export const ACCELERATOR_TAINT_KEY = byKind((r) => r.taintKey);

/** Node labels the kit puts on accelerator nodes (kind, capacity type, instance families). */
export const LABELS = {
  accelerator: "mlserving.io/accelerator",
  capacityType: "mlserving.io/capacity-type",
  instanceFamilies: "mlserving.io/instance-families",
  nodePool: NODE_POOL_LABEL,
} as const;

/** Families the kit supports for each kind. */
export function familiesOf(kind: AcceleratorKind): string[] {
  return Object.keys(ACCELERATORS[kind].families);
}

/** `g6.xlarge` -> `g6`. */
export function familyOf(instanceType: string): string {
  return instanceType.split(".")[0];
}

/** The accelerator kind of an instance type, or undefined for a type the kit does not know. */
export function kindOf(instanceType: string): AcceleratorKind | undefined {
  const [family, size] = instanceType.split(".");
  return ACCELERATOR_KINDS.find((k) => ACCELERATORS[k].families[family]?.[size] !== undefined);
}

/** Devices of one instance type, or undefined when the kit does not know the type. */
export function devicesPerInstance(instanceType: string): number | undefined {
  const kind = kindOf(instanceType);
  if (kind === undefined) return undefined;
  const [family, size] = instanceType.split(".");
  return ACCELERATORS[kind].families[family][size];
}

/** Problems with a list of instance types for a kind; empty when every type belongs to the kind. */
export function instanceTypeProblems(
  kind: AcceleratorKind,
  instanceTypes: string[],
): { index: number; message: string }[] {
  return instanceTypes.flatMap((t, index) => {
    const k = kindOf(t);
    if (k === kind) return [];
    if (k === undefined)
      return [
        { index, message: `${t} is not a supported ${kind} instance type (families: ${familiesOf(kind).join(", ")})` },
      ];
    return [{ index, message: `${t} is a ${k} instance type; a ${kind} pool takes ${familiesOf(kind).join(", ")}` }];
  });
}

/** Operating systems a kind's managed node groups can run. */
export function osesOf(kind: AcceleratorKind): NodeOs[] {
  return Object.keys(ACCELERATORS[kind].amiTypes) as NodeOs[];
}

/** EKS managed node group AMI type for a kind and OS (EKS API values); throws for an unsupported pair. */
export function amiTypeFor(kind: AcceleratorKind, os: NodeOs): string {
  const ami = ACCELERATORS[kind].amiTypes[os];
  if (ami === undefined) throw new Error(`${kind} nodes do not run ${os} (supported: ${osesOf(kind).join(", ")})`);
  return ami;
}
