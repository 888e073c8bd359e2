import { describe, expect, it } from "vitest";
import { existingMonitoring } from "../../components/common/handles";
import { LlmGateway } from "../../components/serving";
import { MlPlatform } from "../../components/platform";
import { devPlatformSpec } from "../fixtures/stack";
import { runComponent, testCluster } from "../harness";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const build = (jwt?: { issuer: string; jwksUri: string; audiences?: string[] }) =>
  runComponent(() => {
    const c = testCluster();
    new LlmGateway("llm", {
      cluster: c.handle,
      nlbSubnetCidrs: ["10.0.0.0/20"],
      monitoring: existingMonitoring(),
      ...(jwt ? { jwt } : {}),
    });
  });

describe("LlmGateway with JWT callers", () => {
  it("validates bearer tokens at its Gateway and denies requests without one, once istiod runs", async () => {
    const plan = await build({ issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys" });
    const ra = plan.one("kubernetes:security.istio.io/v1:RequestAuthentication");
    const ap = plan.one("kubernetes:security.istio.io/v1:AuthorizationPolicy");
    for (const r of [ra, ap]) {
      validateAgainstUpstreamSchema(r.inputs);
      expect(plan.dependsOn(r, "kubernetes:helm.sh/v3:Release", "istiod")).toBe(true);
    }
    expect((ra.inputs as any).spec.jwtRules[0].issuer).toBe("https://idp.example.com");
    expect((ap.inputs as any).spec.rules[0].from[0].source.requestPrincipals).toEqual(["https://idp.example.com/*"]);
  });

  it("names callers by network only without jwt", async () => {
    const plan = await build();
    expect(plan.ofType("kubernetes:security.istio.io/v1:RequestAuthentication")).toEqual([]);
    expect(plan.ofType("kubernetes:security.istio.io/v1:AuthorizationPolicy")).toEqual([]);
  });

  it("refuses a token issuer that is not an https URL, naming the argument", async () => {
    await expect(build({ issuer: "idp", jwksUri: "https://idp.example.com/keys" })).rejects.toThrow(
      /jwt.issuer: must be the https:\/\/ URL of the token issuer/,
    );
  });
});

describe("MlPlatform with serving.gateway.jwt", () => {
  it("hands the stack's token issuer to its gateway, in llm-gateway", async () => {
    const jwt = { issuer: "https://idp.example.com", jwksUri: "https://idp.example.com/keys" };
    const plan = await runComponent(
      () => new MlPlatform("ml", devPlatformSpec({ serving: { gateway: { replicas: 1, jwt }, models: [] } })),
    );
    const [ra] = plan.ofType("kubernetes:security.istio.io/v1:RequestAuthentication");
    expect(plan.ofType("kubernetes:security.istio.io/v1:AuthorizationPolicy")).toHaveLength(1);
    expect((ra.inputs as any).metadata.namespace).toBe("llm-gateway");
    expect((ra.inputs as any).spec.jwtRules[0]).toMatchObject({ issuer: jwt.issuer, jwksUri: jwt.jwksUri });
  });
});
