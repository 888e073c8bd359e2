// Lookups over the kit's accelerator facts (kit-facts.ts, generated from components/), so the
// pack needs nothing outside its folder. test/policies/self-contained.test.ts holds these to
// the components' own functions for every instance type the kit knows.
import { ACCELERATOR_FACTS } from "./kit-facts";

export type AcceleratorKind = keyof typeof ACCELERATOR_FACTS;
export const ACCELERATOR_KINDS = Object.keys(ACCELERATOR_FACTS) as AcceleratorKind[];

const families = (k: AcceleratorKind) =>
  ACCELERATOR_FACTS[k].families as Readonly<Record<string, Readonly<Record<string, number>>>>;

const byKind = <T>(f: (k: AcceleratorKind) => T) =>
  Object.fromEntries(ACCELERATOR_KINDS.map((k) => [k, f(k)])) as Record<AcceleratorKind, T>;

/** Extended resource a pod requests for one device of each kind. */
export const DEVICE_RESOURCE = byKind((k) => ACCELERATOR_FACTS[k].deviceResource);

/** Taint key on every accelerator node. */
export const ACCELERATOR_TAINT_KEY = byKind((k) => ACCELERATOR_FACTS[k].taintKey);

/** `g6.xlarge` -> `g6`. */
export function familyOf(instanceType: string): string {
  return instanceType.split(".")[0];
}

/** The accelerator kind of an instance type, or undefined for a type the kit does not know. */
export function kindOf(instanceType: string): AcceleratorKind | undefined {
  const [family, size] = instanceType.split(".");
  return ACCELERATOR_KINDS.find((k) => families(k)[family]?.[size] !== undefined);
}

/** Devices of one instance type, or undefined when the kit does not know the type. */
export function devicesPerInstance(instanceType: string): number | undefined {
  const kind = kindOf(instanceType);
  if (kind === undefined) return undefined;
  const [family, size] = instanceType.split(".");
  return families(kind)[family][size];
}

/** The kind a managed node group's EKS AMI type runs: the first kind whose `amiTypeMarker` it contains. */
export function kindOfAmiType(amiType: string): AcceleratorKind | undefined {
  return ACCELERATOR_KINDS.find((k) => amiType.includes(ACCELERATOR_FACTS[k].amiTypeMarker));
}
