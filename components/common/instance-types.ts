/**
 * The kit's catalogue of EC2 instance types: every type its stacks and defaults use or its
 * policies allow (system nodes m7i/m6i; GPU g4dn, g5, g6, g6e, p4d, p5; Neuron inf1, inf2, trn1),
 * with what each offers a pod. The single source for instance facts: capacity checks, the cost
 * model and (later) the config's refusal of unknown types read it. Pure data; no Pulumi imports.
 *
 * Sources (pinned, 2026-08-21):
 * - vCPU, memory, GPU count/name/memory, instance-store NVMe and the allocatable figures come from
 *   Karpenter's generated instance-type reference, aws/karpenter-provider-aws
 *   `website/content/en/v1.14/reference/instance-types.md` @ 1d927085dd81a9df9301e613f371dac5b4d16bfe
 *   (generated from EC2 DescribeInstanceTypes by `hack/docs/instancetypes_gen`).
 *   `allocatable` is what Karpenter computes a node offers pods on AL2023 after kube-reserved,
 *   system-reserved and the eviction threshold (its stated assumptions: AL2023, no
 *   blockDeviceMappings); EKS managed node groups on AL2023 reserve by the same formula.
 * - Neuron device memory per chip, from the AWS Neuron architecture pages
 *   (awsdocs-neuron.readthedocs-hosted.com .../neuron-hardware/inferentia.html: 8 GiB;
 *   inferentia2.html: 32 GiB HBM; trainium.html: 32 GiB).
 * - `instanceStoreGB` is EC2's InstanceStorageInfo.TotalSizeInGB (decimal GB, as AWS states it);
 *   0 means EBS only.
 */

export const INSTANCE_CATALOGUE_DATE = "2026-08-21";
export const INSTANCE_CATALOGUE_SOURCE =
  "https://github.com/aws/karpenter-provider-aws/blob/1d927085dd81a9df9301e613f371dac5b4d16bfe/website/content/en/v1.14/reference/instance-types.md";

/**
 * Kind of accelerator an instance carries: an accelerator record's `kind` (common/accelerators/).
 * This catalogue is the one source of which types carry which kind, with how many devices and how
 * much memory each: the accelerator registry reads it.
 */
export type InstanceAcceleratorKind = string;

export interface InstanceAccelerator {
  kind: InstanceAcceleratorKind;
  /** Chip name as EC2 reports it: t4, a10g, l4, l40s, a100, h100, inferentia, inferentia2, trainium. */
  name: string;
  /** Devices a node advertises (`nvidia.com/gpu` or `aws.amazon.com/neuron`). */
  count: number;
  /** Device memory of one device, MiB. */
  memoryMiBEach: number;
}

export interface InstanceTypeInfo {
  /** `g6.xlarge`. */
  name: string;
  /** `g6`. */
  family: string;
  vcpu: number;
  memoryMiB: number;
  accelerator?: InstanceAccelerator;
  instanceStoreGB: number;
  /** What pods may request on one node (Karpenter's AL2023 figures). */
  allocatable: { cpuMillis: number; memoryMiB: number; pods: number };
}

function t(
  name: string,
  vcpu: number,
  memoryMiB: number,
  accelerator: InstanceAccelerator | undefined,
  instanceStoreGB: number,
  allocatable: InstanceTypeInfo["allocatable"],
): InstanceTypeInfo {
  return {
    name,
    family: name.split(".")[0],
    vcpu,
    memoryMiB,
    ...(accelerator ? { accelerator } : {}),
    instanceStoreGB,
    allocatable,
  };
}

const TYPES: InstanceTypeInfo[] = [
  t("g4dn.xlarge", 4, 16384, { kind: "nvidia", name: "t4", count: 1, memoryMiBEach: 16384 }, 125, {
    cpuMillis: 3920,
    memoryMiB: 14481,
    pods: 29,
  }),
  t("g4dn.2xlarge", 8, 32768, { kind: "nvidia", name: "t4", count: 1, memoryMiBEach: 16384 }, 225, {
    cpuMillis: 7910,
    memoryMiB: 29636,
    pods: 29,
  }),
  t("g4dn.4xlarge", 16, 65536, { kind: "nvidia", name: "t4", count: 1, memoryMiBEach: 16384 }, 225, {
    cpuMillis: 15890,
    memoryMiB: 59946,
    pods: 29,
  }),
  t("g4dn.8xlarge", 32, 131072, { kind: "nvidia", name: "t4", count: 1, memoryMiBEach: 16384 }, 900, {
    cpuMillis: 31850,
    memoryMiB: 120248,
    pods: 58,
  }),
  t("g4dn.12xlarge", 48, 196608, { kind: "nvidia", name: "t4", count: 4, memoryMiBEach: 16384 }, 900, {
    cpuMillis: 47810,
    memoryMiB: 178933,
    pods: 234,
  }),
  t("g4dn.16xlarge", 64, 262144, { kind: "nvidia", name: "t4", count: 1, memoryMiBEach: 16384 }, 900, {
    cpuMillis: 63770,
    memoryMiB: 241490,
    pods: 58,
  }),
  t("g4dn.metal", 96, 393216, { kind: "nvidia", name: "t4", count: 8, memoryMiBEach: 16384 }, 1800, {
    cpuMillis: 95690,
    memoryMiB: 355262,
    pods: 737,
  }),
  t("g5.xlarge", 4, 16384, { kind: "nvidia", name: "a10g", count: 1, memoryMiBEach: 22888 }, 250, {
    cpuMillis: 3920,
    memoryMiB: 14162,
    pods: 58,
  }),
  t("g5.2xlarge", 8, 32768, { kind: "nvidia", name: "a10g", count: 1, memoryMiBEach: 22888 }, 450, {
    cpuMillis: 7910,
    memoryMiB: 29317,
    pods: 58,
  }),
  t("g5.4xlarge", 16, 65536, { kind: "nvidia", name: "a10g", count: 1, memoryMiBEach: 22888 }, 600, {
    cpuMillis: 15890,
    memoryMiB: 57691,
    pods: 234,
  }),
  t("g5.8xlarge", 32, 131072, { kind: "nvidia", name: "a10g", count: 1, memoryMiBEach: 22888 }, 900, {
    cpuMillis: 31850,
    memoryMiB: 118312,
    pods: 234,
  }),
  t("g5.12xlarge", 48, 196608, { kind: "nvidia", name: "a10g", count: 4, memoryMiBEach: 22888 }, 3800, {
    cpuMillis: 47810,
    memoryMiB: 173400,
    pods: 737,
  }),
  t("g5.16xlarge", 64, 262144, { kind: "nvidia", name: "a10g", count: 1, memoryMiBEach: 22888 }, 1900, {
    cpuMillis: 63770,
    memoryMiB: 239554,
    pods: 234,
  }),
  t("g5.24xlarge", 96, 393216, { kind: "nvidia", name: "a10g", count: 4, memoryMiBEach: 22888 }, 3800, {
    cpuMillis: 95690,
    memoryMiB: 355262,
    pods: 737,
  }),
  t("g5.48xlarge", 192, 786432, { kind: "nvidia", name: "a10g", count: 8, memoryMiBEach: 22888 }, 7600, {
    cpuMillis: 191450,
    memoryMiB: 723299,
    pods: 345,
  }),
  t("g6.xlarge", 4, 16384, { kind: "nvidia", name: "l4", count: 1, memoryMiBEach: 22888 }, 250, {
    cpuMillis: 3920,
    memoryMiB: 14162,
    pods: 58,
  }),
  t("g6.2xlarge", 8, 32768, { kind: "nvidia", name: "l4", count: 1, memoryMiBEach: 22888 }, 450, {
    cpuMillis: 7910,
    memoryMiB: 29317,
    pods: 58,
  }),
  t("g6.4xlarge", 16, 65536, { kind: "nvidia", name: "l4", count: 1, memoryMiBEach: 22888 }, 600, {
    cpuMillis: 15890,
    memoryMiB: 57691,
    pods: 234,
  }),
  t("g6.8xlarge", 32, 131072, { kind: "nvidia", name: "l4", count: 1, memoryMiBEach: 22888 }, 900, {
    cpuMillis: 31850,
    memoryMiB: 118312,
    pods: 234,
  }),
  t("g6.12xlarge", 48, 196608, { kind: "nvidia", name: "l4", count: 4, memoryMiBEach: 22888 }, 3760, {
    cpuMillis: 47810,
    memoryMiB: 178933,
    pods: 234,
  }),
  t("g6.16xlarge", 64, 262144, { kind: "nvidia", name: "l4", count: 1, memoryMiBEach: 22888 }, 1880, {
    cpuMillis: 63770,
    memoryMiB: 234021,
    pods: 737,
  }),
  t("g6.24xlarge", 96, 393216, { kind: "nvidia", name: "l4", count: 4, memoryMiBEach: 22888 }, 3760, {
    cpuMillis: 95690,
    memoryMiB: 355262,
    pods: 737,
  }),
  t("g6.48xlarge", 192, 786432, { kind: "nvidia", name: "l4", count: 8, memoryMiBEach: 22888 }, 7520, {
    cpuMillis: 191450,
    memoryMiB: 718987,
    pods: 737,
  }),
  t("g6e.xlarge", 4, 32768, { kind: "nvidia", name: "l40s", count: 1, memoryMiBEach: 45776 }, 250, {
    cpuMillis: 3920,
    memoryMiB: 29317,
    pods: 58,
  }),
  t("g6e.2xlarge", 8, 65536, { kind: "nvidia", name: "l40s", count: 1, memoryMiBEach: 45776 }, 450, {
    cpuMillis: 7910,
    memoryMiB: 59627,
    pods: 58,
  }),
  t("g6e.4xlarge", 16, 131072, { kind: "nvidia", name: "l40s", count: 1, memoryMiBEach: 45776 }, 600, {
    cpuMillis: 15890,
    memoryMiB: 118312,
    pods: 234,
  }),
  t("g6e.8xlarge", 32, 262144, { kind: "nvidia", name: "l40s", count: 1, memoryMiBEach: 45776 }, 900, {
    cpuMillis: 31850,
    memoryMiB: 239554,
    pods: 234,
  }),
  t("g6e.12xlarge", 48, 393216, { kind: "nvidia", name: "l40s", count: 4, memoryMiBEach: 45776 }, 3800, {
    cpuMillis: 47810,
    memoryMiB: 360157,
    pods: 292,
  }),
  t("g6e.16xlarge", 64, 524288, { kind: "nvidia", name: "l40s", count: 1, memoryMiBEach: 45776 }, 1900, {
    cpuMillis: 63770,
    memoryMiB: 476504,
    pods: 737,
  }),
  t("g6e.24xlarge", 96, 786432, { kind: "nvidia", name: "l40s", count: 4, memoryMiBEach: 45776 }, 3800, {
    cpuMillis: 95690,
    memoryMiB: 721682,
    pods: 492,
  }),
  t("g6e.48xlarge", 192, 1572864, { kind: "nvidia", name: "l40s", count: 8, memoryMiBEach: 45776 }, 7600, {
    cpuMillis: 191450,
    memoryMiB: 1449132,
    pods: 492,
  }),
  t("inf1.xlarge", 4, 8192, { kind: "neuron", name: "inferentia", count: 1, memoryMiBEach: 8192 }, 0, {
    cpuMillis: 3920,
    memoryMiB: 6804,
    pods: 38,
  }),
  t("inf1.2xlarge", 8, 16384, { kind: "neuron", name: "inferentia", count: 1, memoryMiBEach: 8192 }, 0, {
    cpuMillis: 7910,
    memoryMiB: 14382,
    pods: 38,
  }),
  t("inf1.6xlarge", 24, 49152, { kind: "neuron", name: "inferentia", count: 4, memoryMiBEach: 8192 }, 0, {
    cpuMillis: 23870,
    memoryMiB: 42536,
    pods: 234,
  }),
  t("inf1.24xlarge", 96, 196608, { kind: "neuron", name: "inferentia", count: 16, memoryMiBEach: 8192 }, 0, {
    cpuMillis: 95690,
    memoryMiB: 177976,
    pods: 321,
  }),
  t("inf2.xlarge", 4, 16384, { kind: "neuron", name: "inferentia2", count: 1, memoryMiBEach: 32768 }, 0, {
    cpuMillis: 3920,
    memoryMiB: 14162,
    pods: 58,
  }),
  t("inf2.8xlarge", 32, 131072, { kind: "neuron", name: "inferentia2", count: 1, memoryMiBEach: 32768 }, 0, {
    cpuMillis: 31850,
    memoryMiB: 118312,
    pods: 234,
  }),
  t("inf2.24xlarge", 96, 393216, { kind: "neuron", name: "inferentia2", count: 6, memoryMiBEach: 32768 }, 0, {
    cpuMillis: 95690,
    memoryMiB: 355262,
    pods: 737,
  }),
  t("inf2.48xlarge", 192, 786432, { kind: "neuron", name: "inferentia2", count: 12, memoryMiBEach: 32768 }, 0, {
    cpuMillis: 191450,
    memoryMiB: 718987,
    pods: 737,
  }),
  t("m6i.large", 2, 8192, undefined, 0, { cpuMillis: 1930, memoryMiB: 6903, pods: 29 }),
  t("m6i.xlarge", 4, 16384, undefined, 0, { cpuMillis: 3920, memoryMiB: 14162, pods: 58 }),
  t("m6i.2xlarge", 8, 32768, undefined, 0, { cpuMillis: 7910, memoryMiB: 29317, pods: 58 }),
  t("m6i.4xlarge", 16, 65536, undefined, 0, { cpuMillis: 15890, memoryMiB: 57691, pods: 234 }),
  t("m6i.8xlarge", 32, 131072, undefined, 0, { cpuMillis: 31850, memoryMiB: 118312, pods: 234 }),
  t("m6i.12xlarge", 48, 196608, undefined, 0, { cpuMillis: 47810, memoryMiB: 178933, pods: 234 }),
  t("m6i.16xlarge", 64, 262144, undefined, 0, { cpuMillis: 63770, memoryMiB: 234021, pods: 737 }),
  t("m6i.24xlarge", 96, 393216, undefined, 0, { cpuMillis: 95690, memoryMiB: 355262, pods: 737 }),
  t("m6i.32xlarge", 128, 524288, undefined, 0, { cpuMillis: 127610, memoryMiB: 476504, pods: 737 }),
  t("m7i.large", 2, 8192, undefined, 0, { cpuMillis: 1930, memoryMiB: 6903, pods: 29 }),
  t("m7i.xlarge", 4, 16384, undefined, 0, { cpuMillis: 3920, memoryMiB: 14162, pods: 58 }),
  t("m7i.2xlarge", 8, 32768, undefined, 0, { cpuMillis: 7910, memoryMiB: 29317, pods: 58 }),
  t("m7i.4xlarge", 16, 65536, undefined, 0, { cpuMillis: 15890, memoryMiB: 57691, pods: 234 }),
  t("m7i.8xlarge", 32, 131072, undefined, 0, { cpuMillis: 31850, memoryMiB: 118312, pods: 234 }),
  t("m7i.12xlarge", 48, 196608, undefined, 0, { cpuMillis: 47810, memoryMiB: 178933, pods: 234 }),
  t("m7i.16xlarge", 64, 262144, undefined, 0, { cpuMillis: 63770, memoryMiB: 234021, pods: 737 }),
  t("m7i.24xlarge", 96, 393216, undefined, 0, { cpuMillis: 95690, memoryMiB: 355262, pods: 737 }),
  t("m7i.48xlarge", 192, 786432, undefined, 0, { cpuMillis: 191450, memoryMiB: 718987, pods: 737 }),
  t("p4d.24xlarge", 96, 1179648, { kind: "nvidia", name: "a100", count: 8, memoryMiBEach: 40960 }, 8000, {
    cpuMillis: 95690,
    memoryMiB: 1082712,
    pods: 737,
  }),
  t("p5.4xlarge", 16, 262144, { kind: "nvidia", name: "h100", count: 1, memoryMiBEach: 81920 }, 3800, {
    cpuMillis: 15890,
    memoryMiB: 240830,
    pods: 118,
  }),
  t("p5.48xlarge", 192, 2097152, { kind: "nvidia", name: "h100", count: 8, memoryMiBEach: 81920 }, 30400, {
    cpuMillis: 191450,
    memoryMiB: 1938410,
    pods: 100,
  }),
  t("trn1.2xlarge", 8, 32768, { kind: "neuron", name: "trainium", count: 1, memoryMiBEach: 32768 }, 474, {
    cpuMillis: 7910,
    memoryMiB: 29317,
    pods: 58,
  }),
  t("trn1.32xlarge", 128, 524288, { kind: "neuron", name: "trainium", count: 16, memoryMiBEach: 32768 }, 7600, {
    cpuMillis: 127610,
    memoryMiB: 481894,
    pods: 247,
  }),
];

const BY_NAME: ReadonlyMap<string, InstanceTypeInfo> = new Map(TYPES.map((i) => [i.name, i]));

/** Every catalogued type, in catalogue order. */
export const INSTANCE_TYPES: readonly InstanceTypeInfo[] = TYPES;

/** Facts of one instance type, or undefined when the kit does not know it. */
export function instanceType(name: string): InstanceTypeInfo | undefined {
  return BY_NAME.get(name);
}

/** Whether the kit knows the instance type. */
export function isKnownInstanceType(name: string): boolean {
  return BY_NAME.has(name);
}

/** Catalogued types of a family (`g6` -> g6.xlarge ... g6.48xlarge). */
export function instanceTypesOfFamily(family: string): InstanceTypeInfo[] {
  return TYPES.filter((i) => i.family === family);
}

/** Devices of the given kind on one node of the type (0 for another kind or no accelerator). */
export function acceleratorCount(name: string, kind: InstanceAcceleratorKind): number {
  const a = BY_NAME.get(name)?.accelerator;
  return a && a.kind === kind ? a.count : 0;
}

/** Instance types of a list that the catalogue does not know. */
export function unknownInstanceTypes(names: readonly string[]): string[] {
  return names.filter((n) => !BY_NAME.has(n));
}
