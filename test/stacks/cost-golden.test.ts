import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../cli/stack-file";
import { capacityFindings } from "../../components/platform/capacity-checks";
import { costEnvelope } from "../../components/platform/cost";
import { CONFIG_NAMESPACE, resolvePlatformSpec } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";

/**
 * The cost envelope of each shipped stack, pinned. A change to a stack file, a default, the
 * instance catalogue or the price table that moves a figure must update this file on purpose
 * (and the README's figures with it).
 */
const GOLDEN = {
  dev: {
    region: "us-west-2",
    floor: {
      totalUsd: 772.45,
      withSpotUsd: {
        low: 503.66,
        high: 618.86,
      },
    },
    ceiling: {
      totalUsd: 3406.07,
    },
    components: {
      network: [37.45, 59.5],
      cluster: [232.82, 334.25],
      "capacity:gpu": [399.98, 2251.14],
      "capacity:inferentia": [0, 569.49],
      serving: [32.86, 83.95],
      registry: [67.18, 105.58],
      monitoring: [2.16, 2.16],
    },
    pools: {
      gpu: {
        floor: [1, 383.98],
        ceiling: [3, "g5.xlarge", 2203.14],
      },
      inferentia: {
        floor: [0, 0],
        ceiling: [1, "inf2.xlarge", 553.49],
      },
    },
    models: {
      // Scales from zero behind the LLM gateway: nothing while idle.
      "chat-llm": { type: "g4dn.xlarge", replicas: [0, 1], usd: [0, 383.98] },
      resnet50: {
        type: "g4dn.xlarge",
        replicas: [1, 2],
        usd: [383.98, 767.96],
      },
    },
  },
  staging: {
    region: "us-west-2",
    // The gpu pool holds one g6.2xlarge ODCR (Pulumi.staging.yaml): paid used or not, at the
    // on-demand rate; the floor's first g6.2xlarge runs inside it.
    floor: { totalUsd: 3294.4, withSpotUsd: { low: 1795.74, high: 2438.03 } },
    ceiling: { totalUsd: 18501.14 },
    components: {
      network: [37.45, 59.5],
      cluster: [233.12, 414.84],
      "capacity:gpu": [2918.59, 6211.77],
      "capacity:inferentia": [0, 11620.3],
      serving: [32.86, 83.95],
      registry: [67.18, 105.58],
      monitoring: [5.2, 5.2],
    },
    pools: {
      gpu: { floor: [4, 2140.94], ceiling: [4, "g6e.xlarge", 5434.12] },
      inferentia: { floor: [0, 0], ceiling: [8, "inf2.8xlarge", 11492.3] },
    },
    models: {
      "fraud-detector": { type: "g6.2xlarge", replicas: [1, 1], usd: [713.65, 713.65] },
      // Stable, A/B variant and shadow: three tracks with the model's bounds.
      "support-llm": { type: "g6.2xlarge", replicas: [3, 3], usd: [2140.94, 2140.94] },
    },
  },
  prod: {
    region: "us-east-1",
    // Each pool holds one warm node (Pulumi.prod.yaml warmNodes): a g6.2xlarge and an inf2.xlarge all month.
    // The ECR pull-through cache stores at most the vLLM image's 28.6 GB at $0.10/GB-month (images: $2.86).
    floor: { totalUsd: 9250.49, withSpotUsd: { low: 3592.19, high: 6017.17 } },
    ceiling: { totalUsd: 59865.81 },
    components: {
      network: [111.35, 177.5],
      cluster: [540.02, 1039.66],
      "capacity:gpu": [6550.83, 22706.13],
      "capacity:inferentia": [1692.46, 35414.4],
      serving: [32.86, 83.95],
      registry: [285.71, 406.91],
      monitoring: [34.4, 34.4],
      images: [2.86, 2.86],
    },
    pools: {
      gpu: { floor: [8, 5709.18], ceiling: [16, "g6e.xlarge", 21736.48] },
      inferentia: { floor: [2, 1106.97], ceiling: [24, "inf2.8xlarge", 34476.91] },
    },
    models: {
      "fraud-detector": { type: "g6.2xlarge", replicas: [4, 7], usd: [2854.59, 4995.54] },
      assistant: { type: "inf2.xlarge", replicas: [2, 6], usd: [1106.97, 3320.92] },
      // Stable and a 10% canary: two tracks with the model's bounds.
      "support-llm": { type: "g6.2xlarge", replicas: [4, 8], usd: [2854.59, 5709.18] },
    },
  },
};

function specOf(stack: string) {
  const file = join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`);
  const { config, secretKeys } = loadStackFile(file, CONFIG_NAMESPACE);
  const { raw, region } = rawConfigFromPulumi(config);
  return resolvePlatformSpec(raw, region, new Set(secretKeys));
}
const envelopeOf = (stack: string) => costEnvelope(specOf(stack));

describe.each(["dev", "staging", "prod"] as const)("the shipped %s stack", (stack) => {
  it("plans with no capacity warning of its own making: its pools hold every model at its maximum", () => {
    expect(capacityFindings(specOf(stack)).filter((f) => f.level !== "advisory")).toEqual([]);
  });
});

describe.each(["dev", "staging", "prod"] as const)("the %s stack's monthly envelope", (stack) => {
  const e = envelopeOf(stack);
  const golden = GOLDEN[stack];

  it("has the pinned idle floor and ceiling", () => {
    expect({ region: e.region, floor: e.floor, ceiling: e.ceiling }).toEqual({
      region: golden.region,
      floor: golden.floor,
      ceiling: golden.ceiling,
    });
    expect(e.unpriced).toEqual([]);
  });

  it("breaks down per component, pool and model as pinned", () => {
    expect(Object.fromEntries(e.components.map((c) => [c.name, [c.floorUsd, c.ceilingUsd]]))).toEqual(
      golden.components,
    );
    expect(
      Object.fromEntries(
        e.pools.map((p) => [
          p.name,
          { floor: [p.floor.nodes, p.floor.usd], ceiling: [p.ceiling.nodes, p.ceiling.instanceType, p.ceiling.usd] },
        ]),
      ),
    ).toEqual(golden.pools);
    expect(
      Object.fromEntries(
        e.models.map((m) => [
          m.name,
          { type: m.instanceType, replicas: [m.floor.replicas, m.ceiling.replicas], usd: [m.floor.usd, m.ceiling.usd] },
        ]),
      ),
    ).toEqual(golden.models);
  });
});
