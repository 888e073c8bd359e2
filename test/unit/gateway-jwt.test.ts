import { describe, expect, it } from "vitest";
import { gatewayJwtPolicies, gatewayJwtProblems } from "../../components/serving/gateway";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const jwt = { issuer: "https://idp.example.com/realms/ml", jwksUri: "https://idp.example.com/realms/ml/certs" };

describe("JWT callers at the LLM gateway (Istio 1.30.3 security.istio.io/v1)", () => {
  it("validates tokens of the issuer on the kit's Gateway and admits no request without one", () => {
    const { requestAuthentication: ra, authorizationPolicy: ap } = gatewayJwtPolicies({ ...jwt, audiences: ["llm"] });
    for (const o of [ra, ap]) {
      validateAgainstUpstreamSchema(o);
      expect(o.metadata.namespace).toBe("llm-gateway");
      expect(o.spec.targetRefs).toEqual([{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "llm" }]);
    }
    expect(ra.spec.jwtRules).toEqual([{ ...jwt, audiences: ["llm"] }]);
    expect(ap.spec).toMatchObject({
      action: "ALLOW",
      rules: [{ from: [{ source: { requestPrincipals: [`${jwt.issuer}/*`] } }] }],
    });
    // Neither sends the token on to the model nor widens what is admitted.
    expect(JSON.stringify([ra, ap])).not.toMatch(/forwardOriginalToken|notRequestPrincipals|"\*"/);
  });

  it("leaves audiences out unless named", () => {
    expect(gatewayJwtPolicies(jwt).requestAuthentication.spec.jwtRules[0]).not.toHaveProperty("audiences");
  });

  it("refuses an issuer or key URL that is not https, and empty audiences, naming the key", () => {
    expect(gatewayJwtProblems(jwt)).toEqual([]);
    expect(
      gatewayJwtProblems({
        issuer: "http://idp.example.com",
        jwksUri: "idp.example.com/certs",
        audiences: [" a", ""],
      }).map((p) => p.path),
    ).toEqual(["issuer", "jwksUri", "audiences[0]", "audiences[1]"]);
    expect(gatewayJwtProblems({ ...jwt, audiences: [] }).map((p) => p.path)).toEqual(["audiences"]);
  });
});
