import { describe, expect, it } from "vitest";
import {
  ACCELERATOR_KINDS,
  ACCELERATOR_REGISTRY,
  acceleratorRecordProblems,
  acceleratorRegistry,
  ACCELERATORS,
  type AcceleratorKindRecord,
  familiesOf,
  isAcceleratorKind,
} from "../../components/common/accelerators";
import { INSTANCE_TYPES } from "../../components/common/instance-types";
import { CONTROL_PLANE_PORTS, KIT_NAMESPACE_ISOLATION } from "../../components/common/network-policy";
import { KIT_NAMESPACE_POD_SECURITY } from "../../components/common/pod-security";
import { RESERVED_NAMESPACES } from "../../components/platform/teams";

const records = Object.values(ACCELERATORS) as readonly AcceleratorKindRecord[];

describe("the accelerator registry", () => {
  it("keys each record by its own kind, and every kind has catalogued instance types", () => {
    for (const [key, r] of Object.entries(ACCELERATORS)) expect(r.kind).toBe(key);
    for (const k of ACCELERATOR_KINDS) expect(familiesOf(k).length, k).toBeGreaterThan(0);
  });

  it("knows every kind the instance catalogue names (a row of an unregistered kind would be invisible)", () => {
    for (const t of INSTANCE_TYPES)
      if (t.accelerator) expect(isAcceleratorKind(t.accelerator.kind), `${t.name}: ${t.accelerator.kind}`).toBe(true);
  });

  it("gives each kind's support namespaces a Pod Security level and an isolation, and keeps them from model teams", () => {
    for (const r of records)
      for (const ns of r.supportNamespaces) {
        expect(KIT_NAMESPACE_POD_SECURITY[ns], `${r.kind}: ${ns}`).toBeDefined();
        expect(KIT_NAMESPACE_ISOLATION[ns], `${r.kind}: ${ns}`).toBeDefined();
        // A namespace that admits the control plane's calls says on which ports (none for a plain controller).
        if (!KIT_NAMESPACE_ISOLATION[ns].deny.includes("Egress")) expect(CONTROL_PLANE_PORTS[ns], ns).toBeDefined();
        expect(RESERVED_NAMESPACES).toContain(ns);
      }
    expect(records.flatMap((r) => r.supportNamespaces)).toEqual(["nvidia", "gpu-operator", "neuron-monitor"]);
  });

  it("refuses records that collide or contradict themselves", () => {
    const [nvidia, neuron] = records;
    expect(acceleratorRecordProblems(records)).toEqual([]);
    expect(acceleratorRecordProblems([nvidia, { ...neuron, deviceField: nvidia.deviceField }])).toEqual([
      "neuron: deviceField gpus is another kind's too",
    ]);
    expect(acceleratorRecordProblems([{ ...neuron, imageCache: true }])).toEqual([
      "neuron: imageCache needs a Bottlerocket AMI type (Karpenter boots cached images on Bottlerocket)",
    ]);
    expect(acceleratorRecordProblems([{ ...neuron, amiTypeMarker: "NVIDIA" }])).toEqual([
      "neuron: AMI type AL2023_x86_64_NEURON does not contain NVIDIA",
    ]);
    expect(() => acceleratorRegistry([nvidia, nvidia])).toThrow(
      /invalid accelerator records: nvidia: kind nvidia is another kind's too/,
    );
  });

  it("maps EKS AMI types to kinds by the records' words, and counts devices through each kind's sharing", () => {
    expect(ACCELERATOR_REGISTRY.kindOfAmiType("BOTTLEROCKET_ARM_64_NVIDIA")).toBe("nvidia");
    expect(ACCELERATOR_REGISTRY.kindOfAmiType("AL2023_x86_64_NEURON")).toBe("neuron");
    expect(ACCELERATOR_REGISTRY.kindOfAmiType("AL2023_x86_64_STANDARD")).toBeUndefined();
    expect(ACCELERATOR_REGISTRY.sharesPerDevice("nvidia", 4)).toBe(4);
    expect(ACCELERATOR_REGISTRY.sharesPerDevice("neuron", 4)).toBe(1);
    expect(ACCELERATOR_REGISTRY.deviceRequest("neuron", { gpus: 2, neuronDevices: 3 })).toMatchObject({
      resource: "aws.amazon.com/neuron",
      count: 3,
    });
    expect(ACCELERATOR_REGISTRY.deviceRequest("nvidia", {})?.count).toBe(1);
    expect(ACCELERATOR_REGISTRY.deviceRequest("cpu", { gpus: 1 })).toBeUndefined();
  });
});
