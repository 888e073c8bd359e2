import { describe, expect, it } from "vitest";
import { llmGatewayInternalRoutesToPools } from "../../policies/rules";
import { inferencePool, inferenceService, llmGateway, llmRoute, withModelDefaults } from "../../components/serving";
import { resource, violations } from "./policy-harness";

const T = {
  gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
  route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  pool: "kubernetes:inference.networking.k8s.io/v1:InferencePool",
  isvc: "kubernetes:serving.kserve.io/v1beta1:InferenceService",
};
const chat = withModelDefaults(
  {
    name: "chat",
    server: "kserve",
    accelerator: "nvidia",
    runtime: "vllm",
    source: "models:/chat/3",
    shadow: { source: "models:/chat/4" },
  },
  "staging",
);
const isvc = (name: string, track: "stable" | "shadow") =>
  resource(
    T.isvc,
    inferenceService({ model: chat, track, name, source: chat.source, serviceAccountName: "chat" }) as never,
    { name },
  );
const gateway = (cidrs = ["10.0.0.0/16"]) =>
  resource(T.gateway, llmGateway({ allowedCidrs: cidrs, replicas: 2 }) as never, { name: "gw" });
const pool = resource(
  T.pool,
  inferencePool({ model: "chat", track: "stable", isvc: "chat", namespace: "serving" }) as never,
  { name: "pool" },
);
const route = (r = llmRoute({ model: chat, namespace: "serving", host: "chat.models.internal" })) =>
  resource(T.route, r as never, { name: "route" });
const kit = () => [gateway(), pool, isvc("chat", "stable"), isvc("chat-shadow", "shadow"), route()];

describe("llm-gateway-internal-routes-to-pools", () => {
  it("passes the kit's gateway, pools and route", async () => {
    expect(await violations(llmGatewayInternalRoutesToPools, kit())).toEqual([]);
  });

  it("lets a model team's route attach to its platform's Gateway (platformGateways), and to no other", async () => {
    const team = llmRoute({ model: chat, namespace: "fraud", host: "chat.models.internal" });
    const teamPool = resource(
      T.pool,
      inferencePool({ model: "chat", track: "stable", isvc: "chat", namespace: "fraud" }) as never,
      { name: "pool" },
    );
    const teamIsvc = (name: string, track: "stable" | "shadow") =>
      resource(
        T.isvc,
        inferenceService({
          model: chat,
          track,
          name,
          namespace: "fraud",
          source: chat.source,
          serviceAccountName: "chat",
        }) as never,
        { name },
      );
    // A team namespace is a model namespace to the rule by its InferenceServices.
    const stack = [teamPool, teamIsvc("chat", "stable"), teamIsvc("chat-shadow", "shadow"), route(team)];
    expect(await violations(llmGatewayInternalRoutesToPools, stack)).toEqual([
      expect.stringMatching(/attaches to llm-gateway\/llm, which is not a Gateway of this stack/),
    ]);
    expect(await violations(llmGatewayInternalRoutesToPools, stack, { platformGateways: ["llm-gateway/llm"] })).toEqual(
      [],
    );
    expect(await violations(llmGatewayInternalRoutesToPools, stack, { platformGateways: ["other/gw"] })).toHaveLength(
      1,
    );
  });

  it("refuses a Gateway that is internet-facing or admits anyone", async () => {
    const open = gateway(["0.0.0.0/0"]);
    const facing = gateway();
    (facing.inputs as any).spec.infrastructure.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] =
      "internet-facing";
    const unnamed = gateway();
    delete (unnamed.inputs as any).spec.infrastructure.annotations[
      "service.beta.kubernetes.io/load-balancer-source-ranges"
    ];
    expect(await violations(llmGatewayInternalRoutesToPools, [open])).toEqual([
      expect.stringMatching(/admits the internet/),
    ]);
    expect(await violations(llmGatewayInternalRoutesToPools, [facing])).toEqual([
      expect.stringMatching(/must be internal/),
    ]);
    expect(await violations(llmGatewayInternalRoutesToPools, [unnamed])).toEqual([
      expect.stringMatching(/name its callers/),
    ]);
  });

  it("refuses a model route to a plain Service, to a pool not in the stack, or mirroring elsewhere", async () => {
    const r = llmRoute({ model: chat, namespace: "serving", host: "chat.models.internal" }) as any;
    const toService = structuredClone(r);
    toService.spec.rules[0].backendRefs = [{ name: "chat-predictor", port: 80 }];
    const toOtherPool = structuredClone(r);
    toOtherPool.spec.rules[0].backendRefs[0].name = "someone-else";
    const mirrorOut = structuredClone(r);
    mirrorOut.spec.rules[0].filters[0].requestMirror.backendRef = { name: "exfil", namespace: "other", port: 80 };
    const base = kit().filter((x) => x.type !== T.route);
    expect(await violations(llmGatewayInternalRoutesToPools, [...base, route(toService)])).toEqual([
      expect.stringMatching(/routes to Service serving\/chat-predictor/),
    ]);
    expect(await violations(llmGatewayInternalRoutesToPools, [...base, route(toOtherPool)])).toEqual([
      expect.stringMatching(/InferencePool serving\/someone-else/),
    ]);
    expect(await violations(llmGatewayInternalRoutesToPools, [...base, route(mirrorOut)])).toEqual([
      expect.stringMatching(/mirrors to other\/exfil/),
    ]);
    expect(await violations(llmGatewayInternalRoutesToPools, [pool, isvc("chat", "stable"), route()])).toEqual(
      expect.arrayContaining([expect.stringMatching(/not a Gateway of this stack/)]),
    );
  });
});
