import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { isOpenToWorld, opensPublicSpaceWiderThanSlash8, validateCidr } from "./vendor/cidr";
import { kitConfig, kitConfigSchema } from "./config";
import { modelNamespaces } from "./lockdown";

const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const INFERENCE_POOL = "kubernetes:inference.networking.k8s.io/v1:InferencePool";
const INFERENCE_SERVICE = "kubernetes:serving.kserve.io/v1beta1:InferenceService";
/** The AWS Load Balancer Controller's Service annotations the Gateway passes to its Service. */
const SCHEME = "service.beta.kubernetes.io/aws-load-balancer-scheme";
const SOURCE_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges";

const namespaceOf = (r: PolicyResource) => String(r.props.metadata?.namespace ?? "default");
const nameOf = (r: PolicyResource) => String(r.props.metadata?.name ?? r.name);
const key = (r: PolicyResource) => `${namespaceOf(r)}/${nameOf(r)}`;

interface BackendRef {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/**
 * The LLM gateway stays internal and routes only to the kit's pools: every Gateway asks the load
 * balancer controller for an internal NLB whose source ranges name its callers (no 0.0.0.0/0, at
 * most a /8 of public space), and every HTTPRoute in a model namespace attaches only to Gateways of
 * the stack, sends requests only to InferencePools of the stack in its own namespace, and mirrors
 * only to the predictor Service of an InferenceService of the stack.
 */
export const llmGatewayInternalRoutesToPools: StackValidationPolicy = {
  name: "llm-gateway-internal-routes-to-pools",
  description:
    "Gateways are internal NLBs naming their callers (service.beta.kubernetes.io/aws-load-balancer-scheme: " +
    "internal, load-balancer-source-ranges without 0.0.0.0/0); " +
    ("HTTPRoutes in model namespaces attach only to the stack's Gateways (or its platform's, platformGateways), " +
      "route only to the stack's InferencePools in their namespace and mirror only to its InferenceServices' predictors."),
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    for (const g of args.resources.filter((r) => r.type === GATEWAY)) {
      const at = `Gateway ${key(g)}`;
      const annotations = (g.props.spec?.infrastructure?.annotations ?? {}) as Record<string, string>;
      if (annotations[SCHEME] !== "internal")
        report(
          `${at}: its load balancer must be internal (spec.infrastructure.annotations ${SCHEME}: internal).`,
          g.urn,
        );
      const raw = annotations[SOURCE_RANGES];
      const cidrs = (raw ?? "")
        .split(",")
        .map((c) => c.trim())
        .filter((c) => c.length > 0);
      if (cidrs.length === 0)
        report(`${at}: name its callers with ${SOURCE_RANGES}; without it the NLB admits 0.0.0.0/0.`, g.urn);
      else if (cidrs.some((c) => !validateCidr(c)))
        report(`${at}: ${SOURCE_RANGES} holds ${raw}, not IPv4 CIDRs.`, g.urn);
      else if (cidrs.some(isOpenToWorld) || opensPublicSpaceWiderThanSlash8(cidrs))
        report(`${at}: ${SOURCE_RANGES} admits the internet (${raw}); name the networks that call it.`, g.urn);
    }
    const models = modelNamespaces(args.resources);
    // The stack's Gateways, and in a model team's stack those of the platform it deploys into.
    const gateways = new Set([
      ...args.resources.filter((r) => r.type === GATEWAY).map(key),
      ...kitConfig(args).platformGateways,
    ]);
    const pools = new Set(args.resources.filter((r) => r.type === INFERENCE_POOL).map(key));
    const predictors = new Set(
      args.resources.filter((r) => r.type === INFERENCE_SERVICE).map((r) => `${namespaceOf(r)}/${nameOf(r)}-predictor`),
    );
    for (const route of args.resources.filter((r) => r.type === HTTP_ROUTE)) {
      const ns = namespaceOf(route);
      if (!models.has(ns)) continue;
      const at = `HTTPRoute ${key(route)}`;
      for (const p of (route.props.spec?.parentRefs ?? []) as BackendRef[])
        if ((p.kind ?? "Gateway") !== "Gateway" || !gateways.has(`${p.namespace ?? ns}/${p.name}`))
          report(
            `${at}: attaches to ${p.namespace ?? ns}/${p.name}, which is not a Gateway of this stack (nor of its platform: platformGateways).`,
            route.urn,
          );
      for (const rule of (route.props.spec?.rules ?? []) as {
        backendRefs?: BackendRef[];
        filters?: { requestMirror?: { backendRef?: BackendRef } }[];
      }[]) {
        for (const b of rule.backendRefs ?? []) {
          const isPool = b.group === "inference.networking.k8s.io" && b.kind === "InferencePool";
          if (!isPool || (b.namespace ?? ns) !== ns || !pools.has(`${ns}/${b.name}`))
            report(
              `${at}: routes to ${b.kind ?? "Service"} ${b.namespace ?? ns}/${b.name}; a model route sends ` +
                `requests only to an InferencePool of this stack in its namespace (its endpoint picker schedules them).`,
              route.urn,
            );
        }
        for (const f of rule.filters ?? []) {
          const m = f.requestMirror?.backendRef;
          if (
            m &&
            ((m.kind ?? "Service") !== "Service" || (m.namespace ?? ns) !== ns || !predictors.has(`${ns}/${m.name}`))
          )
            report(
              `${at}: mirrors to ${m.namespace ?? ns}/${m.name}, which is not the predictor of an InferenceService of this stack.`,
              route.urn,
            );
        }
      }
    }
  },
};
