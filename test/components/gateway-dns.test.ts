import { describe, expect, it } from "vitest";
import { MlPlatform } from "../../components/platform";
import { runComponent } from "../harness";
import { devPlatformSpec } from "../fixtures/stack";

/** Issue 27: the LLM gateway's hosts resolve like the ALB's, from ExternalDNS's gateway-httproute source. */
describe("MlPlatform with the LLM gateway and its private zone", () => {
  it("has ExternalDNS write the hosts of HTTPRoutes on the kit's Gateway, once the Gateway API CRDs exist", async () => {
    const plan = await runComponent(
      () => new MlPlatform("ml", devPlatformSpec({ serving: { gateway: { replicas: 1 }, models: [] } })),
    );
    const release = plan.one("kubernetes:helm.sh/v3:Release", "external-dns");
    expect((release.inputs as any).values).toMatchObject({
      sources: ["ingress", "gateway-httproute"],
      gatewayNamespace: "llm-gateway",
    });
    // ExternalDNS v0.21.0 stops when the kinds its gateway source watches do not exist yet.
    expect(plan.dependsOn(release, "kubernetes:yaml/v2:ConfigGroup", "llm-gateway-crds")).toBe(true);
  });
});
