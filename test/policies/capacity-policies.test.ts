import { describe, expect, it } from "vitest";
import {
  acceleratorCapacityCapped,
  acceleratorInstanceTypesAllowed,
  acceleratorNodesTainted,
  acceleratorWorkloadsRequestDevices,
  spotCapacityDiversified,
} from "../../policies/rules";
import { resource, violations } from "./policy-harness";

const NG = "aws:eks/nodeGroup:NodeGroup";
const NP = "kubernetes:karpenter.sh/v1:NodePool";
const gpuGroup = (extra: Record<string, unknown> = {}) =>
  resource(NG, {
    amiType: "AL2023_x86_64_NVIDIA",
    capacityType: "SPOT",
    instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"],
    scalingConfig: { minSize: 0, maxSize: 2 },
    taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
    ...extra,
  });
const nodePool = (spec: Record<string, unknown>, templateSpec: Record<string, unknown>) =>
  resource(NP, { spec: { ...spec, template: { spec: templateSpec } } });
const gpuPoolTemplate = (extra: Record<string, unknown> = {}) => ({
  requirements: [
    { key: "node.kubernetes.io/instance-type", operator: "In", values: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"] },
    { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot", "on-demand"] },
  ],
  taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
  ...extra,
});

describe("accelerator-nodes-tainted", () => {
  it("flags untainted GPU and Neuron node groups and NodePools", async () => {
    expect(await violations(acceleratorNodesTainted, [gpuGroup({ taints: [] })])).toHaveLength(1);
    expect(
      await violations(acceleratorNodesTainted, [
        resource(NG, { amiType: "AL2023_x86_64_NEURON", taints: [{ key: "nvidia.com/gpu", effect: "NO_SCHEDULE" }] }),
      ]),
    ).toHaveLength(1);
    expect(await violations(acceleratorNodesTainted, [nodePool({}, gpuPoolTemplate({ taints: [] }))])).toHaveLength(1);
  });
  it("accepts tainted accelerator capacity and ignores CPU node groups", async () => {
    expect(await violations(acceleratorNodesTainted, [gpuGroup(), nodePool({}, gpuPoolTemplate())])).toEqual([]);
    expect(await violations(acceleratorNodesTainted, [resource(NG, { amiType: "AL2023_x86_64_STANDARD" })])).toEqual(
      [],
    );
  });
});

describe("spot-capacity-diversified", () => {
  it("flags spot with fewer than 3 instance types", async () => {
    expect(
      await violations(spotCapacityDiversified, [gpuGroup({ instanceTypes: ["g6.xlarge", "g5.xlarge"] })]),
    ).toHaveLength(1);
    expect(
      await violations(spotCapacityDiversified, [
        nodePool(
          {},
          gpuPoolTemplate({
            requirements: [
              { key: "node.kubernetes.io/instance-type", operator: "In", values: ["g6.xlarge"] },
              { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] },
            ],
          }),
        ),
      ]),
    ).toHaveLength(1);
  });
  it("accepts 3+ types, broad family requirements, and on-demand-only capacity", async () => {
    expect(await violations(spotCapacityDiversified, [gpuGroup(), nodePool({}, gpuPoolTemplate())])).toEqual([]);
    expect(
      await violations(spotCapacityDiversified, [
        nodePool(
          {},
          {
            requirements: [
              { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g6", "g5"] },
              { key: "karpenter.sh/capacity-type", operator: "In", values: ["spot"] },
            ],
          },
        ),
      ]),
    ).toEqual([]);
    expect(
      await violations(spotCapacityDiversified, [
        gpuGroup({ capacityType: "ON_DEMAND", instanceTypes: ["g6.xlarge"] }),
      ]),
    ).toEqual([]);
  });
});

describe("accelerator-instance-types-allowed", () => {
  it("flags p5 in dev, in node groups and NodePools", async () => {
    expect(
      await violations(
        acceleratorInstanceTypesAllowed,
        [gpuGroup({ instanceTypes: ["p5.48xlarge", "g6.xlarge", "g5.xlarge"] })],
        { environment: "dev" },
      ),
    ).toEqual([expect.stringMatching(/p5 are not allowed in dev/)]);
    expect(
      await violations(
        acceleratorInstanceTypesAllowed,
        [
          nodePool(
            {},
            gpuPoolTemplate({
              requirements: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["p5.48xlarge"] }],
            }),
          ),
        ],
        { environment: "dev" },
      ),
    ).toHaveLength(1);
  });
  it("accepts p5 in prod and everyday families in dev; reads the allow-list from config", async () => {
    expect(
      await violations(acceleratorInstanceTypesAllowed, [gpuGroup({ instanceTypes: ["p5.48xlarge"] })], {
        environment: "prod",
      }),
    ).toEqual([]);
    expect(await violations(acceleratorInstanceTypesAllowed, [gpuGroup()], { environment: "dev" })).toEqual([]);
    expect(
      await violations(acceleratorInstanceTypesAllowed, [gpuGroup()], {
        environment: "dev",
        allowedInstanceFamilies: { dev: ["g4dn"], staging: [], prod: [] },
      }),
    ).toHaveLength(1);
  });
});

describe("accelerator-capacity-capped", () => {
  it("flags a NodePool with no device limit and a stack over its cap", async () => {
    expect(
      await violations(acceleratorCapacityCapped, [nodePool({}, gpuPoolTemplate())], { environment: "prod" }),
    ).toEqual([expect.stringMatching(/no limits\["nvidia.com\/gpu"\]/)]);
    const big = gpuGroup({
      instanceTypes: ["g6.48xlarge", "g5.48xlarge", "g6e.48xlarge"],
      scalingConfig: { maxSize: 3 },
    }); // 3 x 8 = 24 GPUs
    expect(await violations(acceleratorCapacityCapped, [big], { environment: "dev" })).toEqual([
      expect.stringMatching(/up to 24 devices together; dev allows 16/),
    ]);
  });
  it("accepts capped pools within the cap", async () => {
    expect(
      await violations(
        acceleratorCapacityCapped,
        [gpuGroup(), nodePool({ limits: { "nvidia.com/gpu": "8" } }, gpuPoolTemplate())],
        { environment: "dev" },
      ),
    ).toEqual([]);
  });
});

describe("accelerator-workloads-request-devices", () => {
  const deployment = (container: Record<string, unknown>, tolerations: unknown[]) =>
    resource("kubernetes:apps/v1:Deployment", {
      spec: { template: { spec: { tolerations, containers: [{ name: "c", image: "i:1", ...container }] } } },
    });
  const gpuToleration = [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }];
  it("flags a workload that tolerates the GPU taint without requesting a GPU", async () => {
    expect(
      await violations(acceleratorWorkloadsRequestDevices, [
        deployment({ resources: { limits: { cpu: "1" } } }, gpuToleration),
      ]),
    ).toHaveLength(1);
  });
  it("accepts a GPU request, and ignores DaemonSets (device plugins, exporters)", async () => {
    expect(
      await violations(acceleratorWorkloadsRequestDevices, [
        deployment({ resources: { limits: { "nvidia.com/gpu": "1" } } }, gpuToleration),
      ]),
    ).toEqual([]);
    expect(
      await violations(acceleratorWorkloadsRequestDevices, [
        resource("kubernetes:apps/v1:DaemonSet", {
          spec: { template: { spec: { tolerations: gpuToleration, containers: [{ name: "e" }] } } },
        }),
      ]),
    ).toEqual([]);
  });
  it("counts an init container that holds the GPU (a compile Job), and not one that merely runs beside it", async () => {
    const job = (init: Record<string, unknown>) =>
      resource("kubernetes:batch/v1:Job", {
        spec: {
          template: {
            spec: {
              tolerations: gpuToleration,
              initContainers: [{ name: "compile", image: "i:1", ...init }],
              containers: [{ name: "upload", image: "u:1", resources: { limits: { memory: "1Gi" } } }],
            },
          },
        },
      });
    expect(
      await violations(acceleratorWorkloadsRequestDevices, [job({ resources: { limits: { "nvidia.com/gpu": "1" } } })]),
    ).toEqual([]);
    expect(
      await violations(acceleratorWorkloadsRequestDevices, [job({ resources: { limits: { memory: "1Gi" } } })]),
    ).toHaveLength(1);
  });
});
