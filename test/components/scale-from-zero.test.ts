import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { existingMonitoring } from "../../components/common/handles";
import { KServeModel, LlmGateway, ServingPlatform, withModelDefaults } from "../../components/serving";
import type { ModelSpec } from "../../components/serving";
import { WAKE_TIMEOUT_SECONDS } from "../../components/serving/gateway";
import { modelServerBase, Plan, runComponent, testCluster } from "../harness";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const T = {
  scaledObject: "kubernetes:keda.sh/v1alpha1:ScaledObject",
  configMap: "kubernetes:core/v1:ConfigMap",
  route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
};

const llm = (name: string, extra: Partial<ModelSpec> = {}): ModelSpec =>
  withModelDefaults(
    {
      name,
      server: "kserve",
      accelerator: "nvidia",
      runtime: "vllm",
      source: `s3://models-bucket/${name}/3`,
      replicas: { min: 0, max: 2 },
      ...extra,
    },
    "dev",
  );

/** Scale from zero: a model at 0 behind the gateway is woken by the requests its picker holds. */
describe("an LLM at zero replicas behind the gateway", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => {
      const c = testCluster();
      const platform = new ServingPlatform("serving", {
        cluster: c.handle,
        kserve: true,
        monitoring: existingMonitoring(),
      });
      const gateway = new LlmGateway("llm", {
        cluster: c.handle,
        nlbSubnetCidrs: pulumi.output(["10.0.0.0/20"]),
        monitoring: existingMonitoring(),
      });
      const base = modelServerBase(c.handle, platform);
      new KServeModel("woken", {
        ...base,
        model: llm("woken", {
          wakeTimeoutSeconds: 300,
          canary: { source: "s3://models-bucket/woken/4", trafficPercent: 10 },
        }),
        llmGateway: gateway.handle,
      });
      new KServeModel("awake", {
        ...base,
        model: llm("awake", { replicas: { min: 1, max: 2 } }),
        llmGateway: gateway.handle,
      });
      // Parked on the ALB: nothing holds its requests, so nothing wakes it.
      new KServeModel("parked", { ...base, model: llm("parked") });
    });
  });

  const scaler = (name: string) => plan.ofType(T.scaledObject).find((r) => (r.inputs as any).metadata.name === name)!;

  it("gives each serving track a KEDA trigger on its picker's held requests, active at one", () => {
    for (const name of ["woken", "woken-canary"]) {
      const so = scaler(name);
      validateAgainstUpstreamSchema(so.inputs);
      const triggers = (so.inputs as any).spec.triggers;
      expect(triggers).toHaveLength(2);
      expect(triggers[1]).toMatchObject({
        type: "prometheus",
        metricType: "AverageValue",
        metadata: {
          // The picker's gauge at v1.5.0 (pkg/epp/metrics/metrics.go: subsystem inference_extension).
          query: `sum(inference_extension_flow_control_queue_size{namespace="serving",inference_pool="${name}"})`,
          activationThreshold: "0",
          ignoreNullValues: "true",
        },
      });
      expect((so.inputs as any).spec.minReplicaCount).toBe(0);
    }
  });

  it("turns its pickers' Flow Control on, holding a request up to wakeTimeoutSeconds", () => {
    for (const name of ["woken-epp", "woken-canary-epp"]) {
      const cm = plan.ofType(T.configMap).find((r) => (r.inputs as any).metadata.name === name)!;
      const text = Object.values((cm.inputs as any).data)[0] as string;
      expect(text).toContain("featureGates:\n- flowControl\nflowControl:\n  defaultRequestTTL: 300s\n");
    }
  });

  it("lengthens its route's timeout by the hold", () => {
    const route = plan.ofType(T.route).find((r) => (r.inputs as any).metadata.name === "woken")!;
    validateAgainstUpstreamSchema(route.inputs);
    for (const rule of (route.inputs as any).spec.rules) expect(rule.timeouts).toEqual({ request: "600s" });
  });

  it("leaves a model with replicas, and a parked model off the gateway, as they were", () => {
    for (const name of ["awake", "parked"]) expect((scaler(name).inputs as any).spec.triggers).toHaveLength(1);
    const cm = plan.ofType(T.configMap).find((r) => (r.inputs as any).metadata.name === "awake-epp")!;
    expect(Object.values((cm.inputs as any).data)[0]).not.toContain("flowControl");
    const route = plan.ofType(T.route).find((r) => (r.inputs as any).metadata.name === "awake")!;
    expect((route.inputs as any).spec.rules[0].timeouts).toEqual({ request: "300s" });
  });

  it("refuses wakeTimeoutSeconds where nothing holds the request, or beyond Istio's ext_proc timeout", async () => {
    const build = (model: ModelSpec, gateway: boolean) =>
      runComponent(() => {
        const c = testCluster();
        const platform = new ServingPlatform("serving", {
          cluster: c.handle,
          kserve: true,
          monitoring: existingMonitoring(),
        });
        const gw = gateway
          ? new LlmGateway("llm", {
              cluster: c.handle,
              nlbSubnetCidrs: ["10.0.0.0/20"],
              monitoring: existingMonitoring(),
            })
          : undefined;
        new KServeModel("m", {
          ...modelServerBase(c.handle, platform),
          model,
          ...(gw ? { llmGateway: gw.handle } : {}),
        });
      });
    await expect(build(llm("m", { wakeTimeoutSeconds: WAKE_TIMEOUT_SECONDS.max + 1 }), true)).rejects.toThrow(
      /model.wakeTimeoutSeconds: must be a whole number of seconds from 60 to 900/,
    );
    await expect(build(llm("m", { wakeTimeoutSeconds: 300, replicas: { min: 1, max: 2 } }), true)).rejects.toThrow(
      /model.wakeTimeoutSeconds: applies to a model that scales from zero/,
    );
    const triton = withModelDefaults(
      {
        name: "m",
        server: "kserve",
        accelerator: "nvidia",
        source: "s3://b/m/1",
        replicas: { min: 0, max: 1 },
        wakeTimeoutSeconds: 300,
      },
      "dev",
    );
    await expect(build(triton, false)).rejects.toThrow(
      /model.wakeTimeoutSeconds: only the LLM gateway holds a request/,
    );
  });
});
