import { NODE_POOL_LABEL } from "./labels";

/**
 * What the kit knows about accelerator instance types: which families carry which
 * accelerator, how many devices each size has, and the Kubernetes names of those devices.
 * Counts from the EC2 instance type tables (as published in Karpenter's generated
 * instance-types reference, v1.14).
 */

export type AcceleratorKind = "nvidia" | "neuron";
export const ACCELERATOR_KINDS: readonly AcceleratorKind[] = ["nvidia", "neuron"];

/** Extended resource a pod requests for one device of each kind. */
export const DEVICE_RESOURCE: Record<AcceleratorKind, string> = {
  nvidia: "nvidia.com/gpu",
  neuron: "aws.amazon.com/neuron",
};

/** Taint key on every accelerator node; pods must tolerate it (NoSchedule). */
export const ACCELERATOR_TAINT_KEY: Record<AcceleratorKind, string> = {
  nvidia: "nvidia.com/gpu",
  neuron: "aws.amazon.com/neuron",
};

/** Node labels the kit puts on accelerator nodes (kind, capacity type, instance families). */
export const LABELS = {
  accelerator: "mlserving.io/accelerator",
  capacityType: "mlserving.io/capacity-type",
  instanceFamilies: "mlserving.io/instance-families",
  nodePool: NODE_POOL_LABEL,
} as const;

/** Devices per instance size, by family. */
const DEVICES_PER_SIZE: Record<string, { kind: AcceleratorKind; sizes: Record<string, number> }> = {
  g4dn: {
    kind: "nvidia",
    sizes: { xlarge: 1, "2xlarge": 1, "4xlarge": 1, "8xlarge": 1, "12xlarge": 4, "16xlarge": 1, metal: 8 },
  },
  g5: {
    kind: "nvidia",
    sizes: {
      xlarge: 1,
      "2xlarge": 1,
      "4xlarge": 1,
      "8xlarge": 1,
      "12xlarge": 4,
      "16xlarge": 1,
      "24xlarge": 4,
      "48xlarge": 8,
    },
  },
  g6: {
    kind: "nvidia",
    sizes: {
      xlarge: 1,
      "2xlarge": 1,
      "4xlarge": 1,
      "8xlarge": 1,
      "12xlarge": 4,
      "16xlarge": 1,
      "24xlarge": 4,
      "48xlarge": 8,
    },
  },
  g6e: {
    kind: "nvidia",
    sizes: {
      xlarge: 1,
      "2xlarge": 1,
      "4xlarge": 1,
      "8xlarge": 1,
      "12xlarge": 4,
      "16xlarge": 1,
      "24xlarge": 4,
      "48xlarge": 8,
    },
  },
  p4d: { kind: "nvidia", sizes: { "24xlarge": 8 } },
  p5: { kind: "nvidia", sizes: { "4xlarge": 1, "48xlarge": 8 } },
  inf1: { kind: "neuron", sizes: { xlarge: 1, "2xlarge": 1, "6xlarge": 4, "24xlarge": 16 } },
  inf2: { kind: "neuron", sizes: { xlarge: 1, "8xlarge": 1, "24xlarge": 6, "48xlarge": 12 } },
  trn1: { kind: "neuron", sizes: { "2xlarge": 1, "32xlarge": 16 } },
};

/** Families the kit supports for each kind. */
export function familiesOf(kind: AcceleratorKind): string[] {
  return Object.entries(DEVICES_PER_SIZE)
    .filter(([, f]) => f.kind === kind)
    .map(([name]) => name);
}

/** `g6.xlarge` -> `g6`. */
export function familyOf(instanceType: string): string {
  return instanceType.split(".")[0];
}

/** Devices of one instance type, or undefined when the kit does not know the type. */
export function devicesPerInstance(instanceType: string): number | undefined {
  const [family, size] = instanceType.split(".");
  return DEVICES_PER_SIZE[family]?.sizes[size];
}

/** The accelerator kind of an instance type, or undefined for a type the kit does not know. */
export function kindOf(instanceType: string): AcceleratorKind | undefined {
  return devicesPerInstance(instanceType) === undefined ? undefined : DEVICES_PER_SIZE[familyOf(instanceType)].kind;
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

/** EKS managed node group AMI type for a kind (EKS API values). */
export function amiTypeFor(kind: AcceleratorKind, os: "al2023" | "bottlerocket"): string {
  if (kind === "neuron") return "AL2023_x86_64_NEURON";
  return os === "bottlerocket" ? "BOTTLEROCKET_x86_64_NVIDIA" : "AL2023_x86_64_NVIDIA";
}
