import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { existingMonitoring } from "../../components/common/handles";
import { KServeModel, LlmGateway, ServingPlatform, withModelDefaults } from "../../components/serving";
import type { ModelSpec } from "../../components/serving";
import { CHARTS, CRD_RELEASES } from "../../components/versions";
import { modelServerBase, Plan, runComponent, testCluster } from "../harness";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const chat: ModelSpec = withModelDefaults(
  {
    name: "chat",
    server: "kserve",
    accelerator: "nvidia",
    runtime: "vllm",
    source: "s3://models-bucket/chat/3",
    canary: { source: "s3://models-bucket/chat/4", trafficPercent: 20 },
    abTest: { source: "s3://models-bucket/chat/5", header: { name: "x-cohort", value: "b" } },
    shadow: { source: "s3://models-bucket/chat/6" },
  },
  "dev",
);

const T = {
  release: "kubernetes:helm.sh/v3:Release",
  gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
  route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
  pool: "kubernetes:inference.networking.k8s.io/v1:InferencePool",
  isvc: "kubernetes:serving.kserve.io/v1beta1:InferenceService",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  deployment: "kubernetes:apps/v1:Deployment",
  configGroup: "kubernetes:yaml/v2:ConfigGroup",
  netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};

describe("LlmGateway + a KServe LLM routed through it", () => {
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
        nlbSubnetCidrs: pulumi.output(["10.0.0.0/20", "10.0.16.0/20"]),
        allowedCidrs: ["10.8.0.0/16"],
        monitoring: existingMonitoring(),
      });
      new KServeModel("chat", { ...modelServerBase(c.handle, platform), model: chat, llmGateway: gateway.handle });
    });
  });

  it("installs istiod from its pinned charts after the pinned Gateway API and InferencePool CRDs", () => {
    const releases = Object.fromEntries(plan.ofType(T.release).map((r) => [r.inputs.name, r]));
    expect((releases.istiod.inputs as any).version).toBe(CHARTS.istiod.version);
    expect((releases["istio-base"].inputs as any).version).toBe(CHARTS.istioBase.version);
    expect((releases.istiod.inputs as any).values.env).toEqual({ ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true" });
    const crds = plan.one(T.configGroup, "llm-crds");
    const files = (crds.inputs as any).files as string[];
    for (const pin of [CRD_RELEASES.gatewayApi, CRD_RELEASES.inferenceExtension])
      for (const path of pin.paths)
        expect(files).toContain(`https://raw.githubusercontent.com/${pin.repository}/${pin.commit}/${path}`);
    expect(plan.dependsOn(releases.istiod, T.configGroup, "llm-crds")).toBe(true);
  });

  it("makes the Gateway an internal NLB admitting the named callers, after istiod", () => {
    const gw = plan.one(T.gateway);
    validateAgainstUpstreamSchema(gw.inputs);
    expect(
      (gw.inputs as any).spec.infrastructure.annotations["service.beta.kubernetes.io/load-balancer-source-ranges"],
    ).toBe("10.8.0.0/16");
    expect(plan.dependsOn(gw, T.release, "istiod")).toBe(true);
  });

  it("routes the LLM through the gateway instead of the ALB: a pool per serving track, one HTTPRoute", () => {
    expect(plan.ofType(T.ingress)).toEqual([]);
    const pools = plan.ofType(T.pool).map((r) => (r.inputs as any).metadata.name);
    expect(pools.sort()).toEqual(["chat", "chat-canary", "chat-variant"]);
    const route = plan.one(T.route);
    validateAgainstUpstreamSchema(route.inputs);
    for (const p of plan.ofType(T.pool)) {
      validateAgainstUpstreamSchema(p.inputs);
      expect(route.dependsOn).toContain(p.urn);
    }
    const pickers = plan.ofType(T.deployment).map((r) => (r.inputs as any).metadata.name);
    expect(pickers.sort()).toEqual(["chat-canary-epp", "chat-epp", "chat-variant-epp"]);
  });

  it("serves every track under the model's own name, so clients keep sending it", () => {
    const isvcs = Object.fromEntries(
      plan.ofType(T.isvc).map((r) => [(r.inputs as any).metadata.name, r.inputs as any]),
    );
    expect(Object.keys(isvcs).sort()).toEqual(["chat", "chat-canary", "chat-shadow", "chat-variant"]);
    for (const name of ["chat-canary", "chat-variant", "chat-shadow"])
      expect(isvcs[name].spec.predictor.model.args.slice(-2), name).toEqual(["--served-model-name", "chat"]);
    expect(isvcs.chat.spec.predictor.model.args).not.toContain("--served-model-name");
  });

  it("isolates the gateway's namespace and opens the pickers' flows in the serving namespace", () => {
    const names = plan
      .ofType(T.netpol)
      .map((r) => `${(r.inputs as any).metadata.namespace}/${(r.inputs as any).metadata.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "llm-gateway/default-deny",
        "llm-gateway/allow-nlb-to-gateway",
        "istio-system/allow-gateway-xds",
        "serving/allow-gateway-to-pickers",
        "serving/allow-pickers-to-api-server",
      ]),
    );
  });

  it("refuses A/B and shadow tracks without the gateway, and the gateway for a non-LLM", () => {
    const run = (build: (c: ReturnType<typeof testCluster>, p: ServingPlatform) => void) =>
      runComponent(() => {
        const c = testCluster();
        build(c, new ServingPlatform("serving", { cluster: c.handle, kserve: true, monitoring: existingMonitoring() }));
      });
    return Promise.all([
      expect(run((c, p) => new KServeModel("chat", { ...modelServerBase(c.handle, p), model: chat }))).rejects.toThrow(
        /model\.abTest: is a route of the LLM gateway[\s\S]*model\.shadow/,
      ),
      expect(
        run(
          (c, p) =>
            new KServeModel("resnet", {
              ...modelServerBase(c.handle, p),
              model: withModelDefaults(
                { name: "resnet", server: "kserve", accelerator: "nvidia", runtime: "triton", source: "s3://b/r/1" },
                "dev",
              ),
              llmGateway: { ready: [] },
            }),
        ),
      ).rejects.toThrow(/llmGateway: routes LLMs/),
    ]);
  });
});
