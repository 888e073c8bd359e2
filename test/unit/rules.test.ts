import { describe, expect, it } from "vitest";
import { ACCELERATORS, Karpenter } from "../../components";
import { amiTypeFor, devicesPerInstance, kindOf } from "../../components/common";
import { CAPACITY_DEFAULTS, capacityProblems, MIN_SPOT_INSTANCE_TYPES, poolProblems } from "../../components/capacity";
import { clusterProblems } from "../../components/cluster";
import { monitoringProblems } from "../../components/monitoring";
import { networkProblems } from "../../components/network";
import { registryProblems } from "../../components/registry";
import { spotCapacityDiversified } from "../../policies/rules/capacity";

const pool = {
  ...CAPACITY_DEFAULTS.pool,
  name: "gpu",
  kind: "nvidia" as const,
  instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"],
  maxNodes: 2,
  maxDevices: 2,
  onDemandFallback: false,
};

describe("domain rules, one place each", () => {
  it("network: a new VPC is a /16 to /20 across 2 to 6 zones; an existing VPC names its own CIDR", () => {
    expect(networkProblems({ cidrBlock: "10.0.0.0/16", availabilityZoneCount: 3 })).toEqual([]);
    expect(networkProblems({ cidrBlock: "10.0.0.0/24" }).map((p) => p.path)).toEqual(["cidrBlock"]);
    expect(networkProblems({ availabilityZoneCount: 7 })).toEqual([
      { path: "availabilityZoneCount", message: "must be at most 6" },
    ]);
    expect(
      networkProblems({ existing: { cidrBlock: "0.0.0.0/0", privateSubnetIds: ["a", "b"] } }).map((p) => p.path),
    ).toEqual(["existing.cidrBlock"]);
  });

  it("cluster: names the field of each broken rule", () => {
    expect(clusterProblems({})).toEqual([]);
    const paths = clusterProblems({
      logRetentionDays: 42,
      publicAccessCidrs: ["0.0.0.0/0"],
      privateAccessCidrs: ["10.0.0.0/33"],
      systemNodes: { minSize: 0 },
    }).map((p) => p.path);
    expect(paths).toEqual(["systemNodes.minSize", "logRetentionDays", "publicAccessCidrs[0]", "privateAccessCidrs[0]"]);
  });

  it("capacity: pool names fit EKS node group prefixes (32), spot needs the shared minimum of types", () => {
    expect(poolProblems(pool, "karpenter")).toEqual([]);
    expect(poolProblems({ ...pool, name: "x".repeat(33) }, "karpenter").map((p) => p.path)).toEqual(["name"]);
    const twoTypes = poolProblems({ ...pool, instanceTypes: ["g6.xlarge", "g5.xlarge"] }, "cluster-autoscaler");
    expect(twoTypes).toEqual([
      { path: "instanceTypes", message: expect.stringContaining(`at least ${MIN_SPOT_INSTANCE_TYPES} instance types`) },
    ]);
    expect(
      poolProblems(
        {
          ...pool,
          kind: "neuron",
          instanceTypes: ["inf2.xlarge"],
          spot: false,
          os: "bottlerocket",
        },
        "cluster-autoscaler",
      ),
    ).toEqual([{ path: "os", message: "neuron node groups run al2023, not bottlerocket" }]);
    expect(
      capacityProblems({
        autoscaler: "karpenter",
        scaleDownUnneededTime: "5m",
        gpuDevicePlugin: "device-plugin",
        neuronScheduler: false,
        createSpotServiceLinkedRole: true,
        pools: [pool, pool],
      }),
    ).toEqual([{ path: "pools[1].name", message: "pool name gpu is used twice" }]);
  });

  it("capacity: refuses GPU time-slicing on Bottlerocket node groups, whose own device plugin would not share", () => {
    const caSpec = (os: "al2023" | "bottlerocket") => ({
      autoscaler: "cluster-autoscaler" as const,
      scaleDownUnneededTime: "5m",
      gpuDevicePlugin: "device-plugin" as const,
      gpuTimeSlicingReplicas: 4,
      neuronScheduler: false,
      createSpotServiceLinkedRole: false,
      pools: [{ ...pool, instanceTypes: ["g6.xlarge", "g5.xlarge", "g4dn.xlarge"], os }],
    });
    expect(capacityProblems(caSpec("al2023"))).toEqual([]);
    expect(capacityProblems(caSpec("bottlerocket"))).toEqual([
      {
        path: "gpuTimeSlicingReplicas",
        message: expect.stringMatching(/Bottlerocket node groups .*pools\[0\]\.os: al2023/),
      },
    ]);
  });

  it("registry and monitoring: bounds by field", () => {
    expect(registryProblems({})).toEqual([]);
    expect(registryProblems({ backupRetentionDays: 40, replicas: 0 }).map((p) => p.path)).toEqual([
      "replicas",
      "backupRetentionDays",
    ]);
    expect(monitoringProblems({ retention: "0", storageGiB: 5 }).map((p) => p.path)).toEqual([
      "retention",
      "storageGiB",
    ]);
  });

  it("a component and the stack config refuse the same pool with the same message", () => {
    const message = poolProblems({ ...pool, name: "x".repeat(33) }, "karpenter")[0].message;
    expect(
      () =>
        new Karpenter("k", {
          cluster: undefined as never,
          pools: [{ name: "x".repeat(33), kind: "nvidia", instanceTypes: pool.instanceTypes, maxDevices: 2 }],
        }),
    ).toThrow(`pools[0].name: ${message}`);
  });

  it("the policy pack holds spot capacity to the same minimum as the config", () => {
    expect(spotCapacityDiversified.description).toContain(String(MIN_SPOT_INSTANCE_TYPES));
  });
});

describe("accelerator kinds, one record each", () => {
  it("derives device counts, kinds and AMI types from the records", () => {
    expect(devicesPerInstance("g6.12xlarge")).toBe(4);
    expect(devicesPerInstance("inf2.48xlarge")).toBe(12);
    expect(kindOf("p5.48xlarge")).toBe("nvidia");
    expect(kindOf("m7i.large")).toBeUndefined();
    expect(amiTypeFor("neuron", "al2023")).toBe(ACCELERATORS.neuron.amiTypes.al2023);
    expect(() => amiTypeFor("neuron", "bottlerocket")).toThrow(/neuron nodes do not run bottlerocket/);
  });

  it("labels NVIDIA AL2023 nodes for the device plugin, but not Bottlerocket ones", () => {
    expect(ACCELERATORS.nvidia.nodeLabels("al2023")).toMatchObject({ "nvidia.com/gpu.present": "true" });
    expect(ACCELERATORS.nvidia.nodeLabels("bottlerocket")).not.toHaveProperty("nvidia.com/gpu.present");
  });
});
