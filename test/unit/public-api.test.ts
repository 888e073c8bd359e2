import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as kit from "../../components";
import pkg from "../../package.json";

describe("public API", () => {
  it.each([
    "Network",
    "EksCluster",
    "LoadBalancerController",
    "PodIdentityRole",
    "AcceleratorNodeGroup",
    "ClusterAutoscaler",
    "Karpenter",
    "NvidiaGpuSupport",
    "NeuronSupport",
    "MonitoringStack",
    "ModelRegistry",
    "ServingPlatform",
    "TritonServer",
    "KServeModel",
    "MlPlatform",
  ])("exports the %s component", (name) => {
    const cls = (kit as Record<string, unknown>)[name];
    expect(typeof cls).toBe("function");
    expect((cls as { prototype: unknown }).prototype).toBeInstanceOf(pulumi.ComponentResource);
  });

  it("builds to dist/ with types and an exports map for the components and the policies", () => {
    expect(pkg.exports["."]).toEqual({ types: "./dist/components/index.d.ts", default: "./dist/components/index.js" });
    expect(pkg.exports["./policies"].default).toBe("./dist/policies/rules/index.js");
  });
});
