import { isHttpsUrl } from "../callers";
import { LLM_GATEWAY_NAME, LLM_GATEWAY_NAMESPACE } from "./gateway-builders";

/**
 * Callers named by a JSON Web Token at the LLM gateway, besides the NLB's networks: Istio 1.30.3's
 * RequestAuthentication validates a bearer token against the issuer's keys, and an
 * AuthorizationPolicy admits only requests that carry a valid one. Both attach to the kit's Gateway
 * (`targetRefs`, which istiod matches to the Gateway's proxies in its namespace:
 * pilot/pkg/model/policyattachment.go). istiod fetches the keys from `jwksUri` and hands them to the
 * proxies (`PILOT_JWT_ENABLE_REMOTE_JWKS` defaults to istiod: pilot/pkg/features/pilot.go), so the
 * gateway's namespace keeps its closed egress; istiod's namespace isolates ingress only.
 */
export interface GatewayJwt {
  /** The token's `iss`: an https:// URL of the identity provider. */
  issuer: string;
  /** Where the issuer publishes its signing keys (JWKS): an https:// URL. */
  jwksUri: string;
  /** Accepted `aud` values; a token for none of them is refused. Default: any audience. */
  audiences?: string[];
}

/** Most audiences one gateway accepts (Envoy checks each token against the list). */
export const GATEWAY_JWT_AUDIENCES_MAX = 16;

/** Every problem with the gateway's JWT settings, relative to the key (`issuer`, `jwksUri`, `audiences[0]`). */
export function gatewayJwtProblems(jwt: Partial<GatewayJwt>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (!isHttpsUrl(jwt.issuer))
    problems.push({ path: "issuer", message: "must be the https:// URL of the token issuer" });
  if (!isHttpsUrl(jwt.jwksUri))
    problems.push({ path: "jwksUri", message: "must be the https:// URL of the issuer's signing keys (JWKS)" });
  if (jwt.audiences !== undefined) {
    if (jwt.audiences.length === 0 || jwt.audiences.length > GATEWAY_JWT_AUDIENCES_MAX)
      problems.push({
        path: "audiences",
        message: `must list 1 to ${GATEWAY_JWT_AUDIENCES_MAX} audiences, or be left out to accept any`,
      });
    jwt.audiences.forEach((a, i) => {
      if (typeof a !== "string" || a.trim() === "" || a !== a.trim())
        problems.push({ path: `audiences[${i}]`, message: "must be a non-empty audience without surrounding spaces" });
    });
  }
  return problems;
}

const gatewayTarget = { group: "gateway.networking.k8s.io", kind: "Gateway", name: LLM_GATEWAY_NAME };

/**
 * The RequestAuthentication (security.istio.io/v1) and AuthorizationPolicy of the gateway. The
 * first rejects a request whose token is invalid (bad signature, expired, wrong issuer or audience,
 * 401); the second denies every request without a valid token (403): an ALLOW policy admits only
 * what its rules match, here any subject of the issuer (`requestPrincipals: <issuer>/*`). The token
 * is read from `Authorization: Bearer` (Istio's default) and not forwarded to the model
 * (`forwardOriginalToken` false, the default). The NLB's health checks go to the proxy's status port,
 * which these do not cover.
 */
export function gatewayJwtPolicies(jwt: GatewayJwt) {
  const meta = (name: string) => ({ name, namespace: LLM_GATEWAY_NAMESPACE });
  const requestAuthentication = {
    apiVersion: "security.istio.io/v1",
    kind: "RequestAuthentication",
    metadata: meta("llm-gateway-jwt"),
    spec: {
      targetRefs: [gatewayTarget],
      jwtRules: [
        {
          issuer: jwt.issuer,
          jwksUri: jwt.jwksUri,
          ...(jwt.audiences ? { audiences: [...jwt.audiences] } : {}),
        },
      ],
    },
  };
  const authorizationPolicy = {
    apiVersion: "security.istio.io/v1",
    kind: "AuthorizationPolicy",
    metadata: meta("llm-gateway-require-jwt"),
    spec: {
      targetRefs: [gatewayTarget],
      action: "ALLOW",
      rules: [{ from: [{ source: { requestPrincipals: [`${jwt.issuer}/*`] } }] }],
    },
  };
  return { requestAuthentication, authorizationPolicy };
}
