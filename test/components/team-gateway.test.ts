import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MlPlatform, PlatformReference } from "../../components/platform";
import { KServeModel, TritonServer, withModelDefaults } from "../../components/serving";
import { authoredKubernetesObjects } from "../../cli/manifests";
import { llmGatewayInternalRoutesToPools } from "../../policies/rules";
import { runComponent } from "../harness";
import { devPlatformSpec } from "../fixtures/stack";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { violations } from "../policies/policy-harness";

const recorded = JSON.parse(
  readFileSync(join(__dirname, "..", "..", "examples", "model-team", "platform-outputs.dev.json"), "utf8"),
).outputs;

/** The dev platform's outputs, its fraud team offered vLLM and an LLM of its own. */
function teamOutputs(gateway = true) {
  const o = structuredClone(recorded);
  o.serving.teams.fraud = { namespace: "fraud", kserveRuntimes: ["vllm"], models: ["fraud-scorer", "fraud-assistant"] };
  if (!gateway) delete o.serving.llmGateway;
  return o;
}
const assistant = withModelDefaults(
  {
    name: "fraud-assistant",
    server: "kserve",
    accelerator: "nvidia",
    runtime: "vllm",
    source: "models:/fraud-assistant/2",
    replicas: { min: 0, max: 1 },
  },
  "dev",
);

describe("a model team's LLM behind the platform's gateway (PlatformReference)", () => {
  it("records the platform's Gateway in its outputs (dev runs one)", () => {
    expect(recorded.serving.llmGateway).toEqual({ name: "llm", namespace: "llm-gateway", listener: "http" });
  });

  it("puts the pool, picker and route in the team's namespace, attached to the platform's Gateway", async () => {
    const plan = await runComponent(() => {
      const platform = PlatformReference.fromOutputs("platform", teamOutputs(), { team: "fraud" });
      new KServeModel(assistant.name, platform.modelServerArgs(assistant, { team: "fraud" }));
    });
    expect(plan.ofType("kubernetes:networking.k8s.io/v1:Ingress")).toEqual([]);
    const route = plan.one("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").inputs as any;
    expect(route.metadata.namespace).toBe("fraud");
    expect(route.spec.parentRefs).toEqual([
      {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: "llm",
        namespace: "llm-gateway",
        sectionName: "http",
      },
    ]);
    expect((plan.one("kubernetes:inference.networking.k8s.io/v1:InferencePool").inputs as any).metadata.namespace).toBe(
      "fraud",
    );
    const scaled = plan.one("kubernetes:keda.sh/v1alpha1:ScaledObject").inputs as any;
    expect(scaled.spec.triggers[1].metadata.query).toContain('namespace="fraud",inference_pool="fraud-assistant"');
    const objects = authoredKubernetesObjects(plan.resources) as Record<string, any>[];
    for (const o of objects) {
      validateAgainstUpstreamSchema(o);
      expect(o.metadata.namespace, o.metadata.name).toBe("fraud");
    }
    // The pack's rule passes it with the platform's Gateway named, as the team's offline plan names it.
    expect(
      await violations(llmGatewayInternalRoutesToPools, plan.resources, { platformGateways: ["llm-gateway/llm"] }),
    ).toEqual([]);
  });

  it("keeps a team's LLM on the ALB when the platform runs no gateway, and Triton models always", async () => {
    const plan = await runComponent(() => {
      const platform = PlatformReference.fromOutputs("platform", teamOutputs(false), { team: "fraud" });
      expect(platform.llmGateway).toBeUndefined();
      new KServeModel(
        assistant.name,
        platform.modelServerArgs({ ...assistant, replicas: { min: 1, max: 1 } }, { team: "fraud" }),
      );
      const scorer = withModelDefaults(
        { name: "fraud-scorer", server: "triton", accelerator: "nvidia", source: "models:/fraud-scorer/1" },
        "dev",
      );
      expect(
        PlatformReference.fromOutputs("p2", teamOutputs(), { team: "fraud" }).modelServerArgs(scorer, {
          team: "fraud",
        }),
      ).not.toHaveProperty("llmGateway");
      new TritonServer(scorer.name, platform.modelServerArgs(scorer, { team: "fraud" }));
    });
    expect(plan.ofType("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")).toEqual([]);
    expect(plan.ofType("kubernetes:networking.k8s.io/v1:Ingress")).toHaveLength(2);
  });
});

describe("the platform's gateway admits its teams' routes", () => {
  it("lists the team namespaces on the Gateway's listener and isolates their pickers like serving's", async () => {
    const plan = await runComponent(
      () =>
        new MlPlatform(
          "ml",
          devPlatformSpec({
            serving: { gateway: { replicas: 1 }, models: [] },
            teams: [
              {
                name: "fraud",
                quota: { cpu: "8", memory: "32Gi", gpus: 1, neuronDevices: 0, pods: 10 },
                runtimes: ["vllm"],
                models: [],
              },
            ],
          }),
        ),
    );
    const gw = plan.one("kubernetes:gateway.networking.k8s.io/v1:Gateway").inputs as any;
    expect(gw.spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0].values).toEqual([
      "serving",
      "fraud",
    ]);
    const netpols = plan
      .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((r) => r.inputs as any)
      .filter((p) => p.metadata.namespace === "fraud")
      .map((p) => p.metadata.name);
    expect(netpols).toEqual(
      expect.arrayContaining(["allow-gateway-to-pickers", "allow-gateway-and-pickers-to-models"]),
    );
    const egress = plan
      .ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((r) => r.inputs as any)
      .find((p) => p.metadata.namespace === "llm-gateway" && p.metadata.name === "allow-model-pods");
    expect(
      egress.spec.egress[0].to.map((t: any) => t.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]),
    ).toEqual(["serving", "fraud"]);
  });
});
