import { cidrProblem, isOpenToWorld, opensPublicSpaceWiderThanSlash8 } from "../common/cidr";
import { INBOUND_CIDRS_ANNOTATION } from "../cluster/load-balancer-controller-values";

/**
 * Who may call a model endpoint. Models are served by internal ALBs that admit only the
 * networks in {@link INBOUND_CIDRS_ANNOTATION}, which the kit always writes.
 */
export { INBOUND_CIDRS_ANNOTATION };

/** Most CIDRs one endpoint's list may hold (each is a rule of the ALB's security group, 60 by default per group). */
export const MAX_ALLOWED_CIDRS = 50;

/** An ALB group name: lowercase letters, digits, `-` and `.`, alphanumeric at both ends, at most 63 characters (LBC 3.5.0). */
const GROUP_NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

/**
 * Problems of a list of callers' CIDRs, each naming the item (`[1]`) or the list (``): strict
 * IPv4 CIDR syntax, no host bits, no duplicates, at most {@link MAX_ALLOWED_CIDRS}, and never the
 * internet: `0.0.0.0/0`, or public space wider than a /8 opened in pieces, is refused (the ALB is
 * internal; such a list would admit whatever reaches the VPC through peering, VPN or Transit Gateway).
 */
export function allowedCidrsProblems(cidrs: readonly string[]): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (cidrs.length === 0)
    problems.push({ path: "", message: "must list at least one network (omit the key for the default)" });
  if (cidrs.length > MAX_ALLOWED_CIDRS)
    problems.push({ path: "", message: `lists ${cidrs.length} networks; at most ${MAX_ALLOWED_CIDRS}` });
  const seen = new Set<string>();
  cidrs.forEach((cidr, i) => {
    const bad = cidrProblem(cidr, "10.40.0.0/16");
    if (bad) problems.push({ path: `[${i}]`, message: bad });
    else if (isOpenToWorld(cidr))
      problems.push({
        path: `[${i}]`,
        message: "0.0.0.0/0 admits every caller that reaches the VPC; name the networks that call the models",
      });
    else if (seen.has(cidr)) problems.push({ path: `[${i}]`, message: `${cidr} is listed twice` });
    seen.add(cidr);
  });
  if (problems.length === 0 && opensPublicSpaceWiderThanSlash8(cidrs))
    problems.push({
      path: "",
      message: "together these networks open more public address space than a /8: name the callers' own networks",
    });
  return problems;
}

/**
 * The ALB group of a model's Ingress. Every Ingress of one group shares the listener, and LBC
 * refuses different `inbound-cidrs` on one listener for the whole group, so a model with callers
 * of its own gets an ALB of its own: `<shared group>-<model>`.
 */
export function modelIngressGroup(sharedGroup: string, model: { name: string; allowedCidrs?: readonly string[] }) {
  return model.allowedCidrs ? `${sharedGroup}-${model.name}` : sharedGroup;
}

/** Why an ALB group name is not one LBC accepts, or undefined. */
export function ingressGroupProblem(group: string): string | undefined {
  return GROUP_NAME.test(group)
    ? undefined
    : `makes ALB group ${group} (${group.length} characters); a group name holds at most 63 lowercase ` +
        `letters, digits, '-' or '.': shorten the model or cluster name`;
}

/** OpenID Connect authentication of an HTTPS model endpoint by the ALB (LBC `auth-type: oidc`). */
export interface EndpointOidc {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string;
  /** What the ALB does with a request without a session: `authenticate` (redirect to the IdP) or `deny` (401). */
  onUnauthenticatedRequest: "authenticate" | "deny";
}

/** Name of the Secret (in each model namespace) holding the OIDC client's `clientID` and `clientSecret`, as LBC reads it. */
export const OIDC_CLIENT_SECRET = "model-endpoints-oidc";

/** Whether `v` is an absolute https:// URL. */
export function isHttpsUrl(v: unknown): boolean {
  if (typeof v !== "string") return false;
  try {
    return new URL(v).protocol === "https:";
  } catch {
    return false;
  }
}

/** Problems of an OIDC configuration, by field: every endpoint an https:// URL. */
export function endpointOidcProblems(oidc: Partial<EndpointOidc>): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  for (const f of ["issuer", "authorizationEndpoint", "tokenEndpoint", "userInfoEndpoint"] as const)
    if (!isHttpsUrl(oidc[f])) problems.push({ path: f, message: "must be an https:// URL of the identity provider" });
  return problems;
}

/**
 * The Ingress annotations that name a model endpoint's callers: `inbound-cidrs` always, and with
 * OIDC the ALB authenticates every request first (HTTPS listeners only: LBC 3.5.0 docs, Authentication).
 */
export function callerAnnotations(cidrs: readonly string[], oidc?: EndpointOidc): Record<string, string> {
  const out: Record<string, string> = { [INBOUND_CIDRS_ANNOTATION]: cidrs.join(",") };
  if (oidc) {
    out["alb.ingress.kubernetes.io/auth-type"] = "oidc";
    out["alb.ingress.kubernetes.io/auth-idp-oidc"] = JSON.stringify({
      issuer: oidc.issuer,
      authorizationEndpoint: oidc.authorizationEndpoint,
      tokenEndpoint: oidc.tokenEndpoint,
      userInfoEndpoint: oidc.userInfoEndpoint,
      secretName: OIDC_CLIENT_SECRET,
    });
    out["alb.ingress.kubernetes.io/auth-on-unauthenticated-request"] = oidc.onUnauthenticatedRequest;
  }
  return out;
}
