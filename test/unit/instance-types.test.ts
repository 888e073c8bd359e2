import { describe, expect, it } from "vitest";
import { devicesPerInstance, familiesOf, kindOf } from "../../components/common/accelerators";
import {
  acceleratorCount,
  INSTANCE_TYPES,
  instanceType,
  instanceTypesOfFamily,
  isKnownInstanceType,
  unknownInstanceTypes,
} from "../../components/common/instance-types";
import { DEFAULT_POLICY_CONFIG } from "../../policies/rules";
import { ENVIRONMENT_DEFAULTS } from "../../components/platform/defaults";

describe("instance-type catalogue", () => {
  it("knows every type the environment defaults use", () => {
    for (const d of Object.values(ENVIRONMENT_DEFAULTS)) {
      expect(unknownInstanceTypes(d.cluster.systemNodes.instanceTypes)).toEqual([]);
      for (const p of d.capacity.pools) expect(unknownInstanceTypes(p.instanceTypes), p.name).toEqual([]);
    }
  });

  it("has types for every family the policies' allow-lists name", () => {
    const families = new Set(Object.values(DEFAULT_POLICY_CONFIG.allowedInstanceFamilies).flat());
    for (const f of families) expect(instanceTypesOfFamily(f).length, f).toBeGreaterThan(0);
  });

  it("agrees with the accelerator records on every type's kind and device count", () => {
    const accelFamilies = [...familiesOf("nvidia"), ...familiesOf("neuron")];
    for (const t of INSTANCE_TYPES.filter((i) => accelFamilies.includes(i.family))) {
      expect(t.accelerator, t.name).toBeDefined();
      expect(devicesPerInstance(t.name), t.name).toBe(t.accelerator!.count);
      expect(kindOf(t.name), t.name).toBe(t.accelerator!.kind);
    }
    // ...and every size the accelerator records know is catalogued.
    const sizes = [
      "xlarge",
      "2xlarge",
      "4xlarge",
      "6xlarge",
      "8xlarge",
      "12xlarge",
      "16xlarge",
      "24xlarge",
      "32xlarge",
      "48xlarge",
      "metal",
    ];
    for (const f of accelFamilies)
      for (const size of sizes) {
        const name = `${f}.${size}`;
        if (devicesPerInstance(name) !== undefined) expect(isKnownInstanceType(name), name).toBe(true);
      }
  });

  it("records EC2's figures (spot checks against DescribeInstanceTypes as Karpenter's reference prints them)", () => {
    expect(instanceType("g6.xlarge")).toEqual({
      name: "g6.xlarge",
      family: "g6",
      vcpu: 4,
      memoryMiB: 16384,
      accelerator: { kind: "nvidia", name: "l4", count: 1, memoryMiBEach: 22888 },
      instanceStoreGB: 250,
      allocatable: { cpuMillis: 3920, memoryMiB: 14162, pods: 58 },
    });
    expect(instanceType("p5.48xlarge")?.accelerator).toEqual({
      kind: "nvidia",
      name: "h100",
      count: 8,
      memoryMiBEach: 81920,
    });
    expect(instanceType("inf2.48xlarge")?.accelerator).toEqual({
      kind: "neuron",
      name: "inferentia2",
      count: 12,
      memoryMiBEach: 32768,
    });
    expect(instanceType("m7i.large")).toMatchObject({ vcpu: 2, memoryMiB: 8192, instanceStoreGB: 0 });
    expect(instanceType("m7i.large")?.accelerator).toBeUndefined();
  });

  it("allocatable is always less than the machine", () => {
    for (const t of INSTANCE_TYPES) {
      expect(t.allocatable.cpuMillis, t.name).toBeLessThan(t.vcpu * 1000);
      expect(t.allocatable.memoryMiB, t.name).toBeLessThan(t.memoryMiB);
    }
  });

  it("looks types up by name and refuses unknown ones", () => {
    expect(isKnownInstanceType("inf2.xlarge")).toBe(true);
    expect(isKnownInstanceType("g7.xlarge")).toBe(false);
    expect(instanceType("g7.xlarge")).toBeUndefined();
    expect(unknownInstanceTypes(["g6.xlarge", "g7.xlarge", "m7i.large"])).toEqual(["g7.xlarge"]);
    expect(acceleratorCount("g5.48xlarge", "nvidia")).toBe(8);
    expect(acceleratorCount("g5.48xlarge", "neuron")).toBe(0);
    expect(acceleratorCount("m6i.large", "nvidia")).toBe(0);
  });
});
