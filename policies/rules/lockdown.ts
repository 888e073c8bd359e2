import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { isOpenToWorld, opensPublicSpaceWiderThanSlash8, validateCidr } from "./vendor/cidr";
import {
  KIT_NAMESPACE_ISOLATION,
  MODEL_NAMESPACE_ISOLATION,
  missingDefaultDeny,
  type NetworkPolicyLike,
} from "./vendor/network-policy";
import {
  type HardeningFinding,
  hardenedPodFindings,
  hardeningExceptionFor,
  type PodSpecLike,
  RUNTIME_DEFAULT_SECCOMP,
  unwaivedFindings,
} from "./vendor/pod-security";
import { INBOUND_CIDRS_ANNOTATION, MODEL_POD_LABEL, SERVING_NAMESPACE } from "./kit-facts";
import { kitConfigSchema } from "./config";
import { inferenceServiceComponents, modelSpecOf, podTemplateOf } from "./pods";
import type { Props } from "./props";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const INFERENCE_SERVICE = "kubernetes:serving.kserve.io/v1beta1:InferenceService";
const SERVING_RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime";

const namespaceOf = (r: PolicyResource) => String(r.props.metadata?.namespace ?? "default");
const nameOf = (r: PolicyResource) => String(r.props.metadata?.name ?? r.name);
const hasModelLabel = (labels: unknown) =>
  typeof labels === "object" && labels !== null && MODEL_POD_LABEL in (labels as Record<string, string>);

/**
 * Namespaces holding model pods: the shared serving namespace when the stack creates it, and every
 * namespace with an InferenceService, a ServingRuntime (the kit offers its runtimes in each team's
 * model namespace), or a workload (any pod-bearing kind) or Ingress carrying the model label.
 */
export function modelNamespaces(resources: readonly PolicyResource[]): Set<string> {
  const out = new Set<string>();
  for (const r of resources) {
    if (r.type === NAMESPACE && r.props.metadata?.name === SERVING_NAMESPACE) out.add(SERVING_NAMESPACE);
    else if (r.type === INFERENCE_SERVICE || r.type === SERVING_RUNTIME) out.add(namespaceOf(r));
    else if (r.type === INGRESS && hasModelLabel(r.props.metadata?.labels)) out.add(namespaceOf(r));
    else if (hasModelLabel(podTemplateOf(r.type, r.props)?.labels)) out.add(namespaceOf(r));
  }
  return out;
}

/**
 * Every namespace the kit creates, and every namespace holding model pods, is isolated by a
 * default-deny NetworkPolicy in the directions KIT_NAMESPACE_ISOLATION names (both for model
 * namespaces: model pods run code that came with the model).
 */
export const kitNamespacesNetworkIsolated: StackValidationPolicy = {
  name: "kit-namespaces-network-isolated",
  description:
    "Namespaces the kit creates and namespaces a stack creates for model pods have a default-deny " +
    "NetworkPolicy (ingress and egress for model namespaces, as KIT_NAMESPACE_ISOLATION says for the others).",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const policies = new Map<string, NetworkPolicyLike[]>();
    for (const r of args.resources.filter((x) => x.type === NETWORK_POLICY)) {
      const list = policies.get(namespaceOf(r)) ?? [];
      list.push(r.props as NetworkPolicyLike);
      policies.set(namespaceOf(r), list);
    }
    const expected = new Map<string, { deny: readonly ("Ingress" | "Egress")[] }>();
    const created = new Set<string>();
    for (const r of args.resources.filter((x) => x.type === NAMESPACE)) {
      const name = String(r.props.metadata?.name ?? "");
      created.add(name);
      if (KIT_NAMESPACE_ISOLATION[name]) expected.set(name, KIT_NAMESPACE_ISOLATION[name]);
    }
    // A namespace is judged in the stack that creates it, with its policies: a model team's stack
    // deploys into a namespace (and NetworkPolicies) the platform stack owns.
    for (const ns of modelNamespaces(args.resources)) if (created.has(ns)) expected.set(ns, MODEL_NAMESPACE_ISOLATION);
    for (const [ns, isolation] of [...expected].sort(([a], [b]) => a.localeCompare(b))) {
      const missing = missingDefaultDeny(isolation, policies.get(ns) ?? []);
      if (missing.length > 0)
        report(
          `namespace "${ns}" has no default-deny NetworkPolicy for ${missing.join(" and ")}: add one selecting every pod ` +
            `(podSelector: {}) with policyTypes ${JSON.stringify(missing)} and no rules, then allow each caller explicitly.`,
        );
    }
  },
};

/**
 * Pod-level findings of an InferenceService component in the model form, and of its model
 * container, which KServe merges over the ServingRuntime's container and so must itself be
 * hardened (no escalation, every capability dropped, non-root, read-only root).
 */
function componentPodFindings(component: string, spec: Props): HardeningFinding[] {
  const model = modelSpecOf(spec);
  const out: HardeningFinding[] = model
    ? hardenedPodFindings({
        securityContext: spec.securityContext,
        containers: [{ ...model.spec, name: model.field }],
      })
    : [];
  const sc = spec.securityContext ?? {};
  if (sc.seccompProfile?.type !== RUNTIME_DEFAULT_SECCOMP.type && sc.seccompProfile?.type !== "Localhost")
    out.push({
      field: "seccompProfile",
      message: `spec.${component}.securityContext.seccompProfile.type must be RuntimeDefault`,
    });
  if (sc.runAsNonRoot !== true)
    out.push({ field: "runAsNonRoot", message: `spec.${component}.securityContext.runAsNonRoot must be true` });
  if (sc.runAsUser === 0)
    out.push({ field: "runAsUser", message: `spec.${component}.securityContext.runAsUser must not be 0` });
  return out;
}

/**
 * Findings of an InferenceService's components (predictor, transformer, explainer), each a pod
 * spec in KServe v0.20.0: host namespaces, host paths and custom containers (`containers`, the
 * whole pod in the custom-container form) as a workload's; in the model form also the pod-level
 * settings (the model container comes from the ServingRuntime, judged there).
 */
function inferenceServiceFindings(props: Props): HardeningFinding[] {
  const out: HardeningFinding[] = [];
  for (const { name, spec } of inferenceServiceComponents(props)) {
    // Custom containers (the whole pod in the custom form, sidecars beside a model) are judged as a workload's.
    out.push(...hardenedPodFindings(spec as PodSpecLike).map((f) => ({ ...f, message: `spec.${name}: ${f.message}` })));
    if (modelSpecOf(spec)) out.push(...componentPodFindings(name, spec));
    if (spec.automountServiceAccountToken !== false)
      out.push({
        field: "automountServiceAccountToken",
        message: `spec.${name}.automountServiceAccountToken must be false (model servers never call the API)`,
      });
  }
  return out;
}

/**
 * Pods the kit's namespaces and model namespaces run: non-root, no privilege escalation, every
 * capability dropped, seccomp RuntimeDefault, read-only root filesystem, no service-account token
 * (every pod-bearing kind: Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs;
 * InferenceService components in the model and custom-container forms; ServingRuntime containers),
 * except what HARDENING_EXCEPTIONS excuses, each with its reason.
 */
export const workloadPodsHardened: StackValidationPolicy = {
  name: "workload-pods-hardened",
  description:
    "Workloads (every pod-bearing kind, bare Pods and CronJobs included; InferenceServices in the " +
    "model and custom-container forms; ServingRuntimes) in the kit's namespaces and in model namespaces " +
    "run non-root, without privilege escalation, with every capability dropped, seccomp RuntimeDefault, " +
    "a read-only root filesystem and no service-account token, except the documented HARDENING_EXCEPTIONS.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const scope = new Set([...Object.keys(KIT_NAMESPACE_ISOLATION), ...modelNamespaces(args.resources)]);
    for (const r of args.resources) {
      const ns = namespaceOf(r);
      if (!scope.has(ns)) continue;
      const name = nameOf(r);
      let kind: string;
      let exceptionName = name;
      let findings: HardeningFinding[];
      const workload = podTemplateOf(r.type, r.props);
      if (workload) {
        kind = workload.kind;
        findings = hardenedPodFindings(workload.spec as PodSpecLike);
        if (workload.spec.automountServiceAccountToken !== false)
          findings.push({
            field: "automountServiceAccountToken",
            message: "automountServiceAccountToken must be false unless the pod calls the Kubernetes API",
          });
      } else if (r.type === INFERENCE_SERVICE) {
        kind = "InferenceService";
        exceptionName = String(modelSpecOf(r.props.spec?.predictor)?.spec.runtime ?? "");
        findings = inferenceServiceFindings(r.props);
      } else if (r.type === SERVING_RUNTIME) {
        kind = "ServingRuntime";
        findings = hardenedPodFindings({ containers: r.props.spec?.containers, volumes: r.props.spec?.volumes });
      } else continue;
      const exception = hardeningExceptionFor(kind, exceptionName, ns);
      for (const f of unwaivedFindings(findings, exception))
        report(`${kind} ${name} in namespace "${ns}": ${f.message}.`, r.urn);
    }
  },
};

/**
 * Model endpoints admit only named callers: every model Ingress carries the ALB's `inbound-cidrs`
 * (without it the controller opens the ALB to 0.0.0.0/0), each a valid IPv4 CIDR, and an internal
 * ALB never admits the internet (0.0.0.0/0, or public space wider than a /8 in pieces).
 */
export const modelEndpointsNamedCallers: StackValidationPolicy = {
  name: "model-endpoints-named-callers",
  description:
    "Every model Ingress names its callers with alb.ingress.kubernetes.io/inbound-cidrs (valid IPv4 CIDRs), and an internal one never admits 0.0.0.0/0.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const models = modelNamespaces(args.resources);
    for (const r of args.resources.filter((x) => x.type === INGRESS)) {
      if (!hasModelLabel(r.props.metadata?.labels) && !models.has(namespaceOf(r))) continue;
      const at = `Ingress ${nameOf(r)} in namespace "${namespaceOf(r)}"`;
      const annotations = (r.props.metadata?.annotations ?? {}) as Record<string, string>;
      const raw = annotations[INBOUND_CIDRS_ANNOTATION];
      if (raw === undefined || raw.trim() === "") {
        report(
          `${at} has no ${INBOUND_CIDRS_ANNOTATION}: the load balancer controller then admits 0.0.0.0/0; list the callers (mlserving:serving.allowedCidrs).`,
          r.urn,
        );
        continue;
      }
      const cidrs = raw.split(",").map((c) => c.trim());
      const invalid = cidrs.filter((c) => !validateCidr(c));
      if (invalid.length > 0)
        report(`${at}: ${INBOUND_CIDRS_ANNOTATION} holds ${invalid.join(", ")}, not IPv4 CIDRs.`, r.urn);
      const internetFacing = annotations["alb.ingress.kubernetes.io/scheme"] === "internet-facing";
      if (!internetFacing && (cidrs.some(isOpenToWorld) || opensPublicSpaceWiderThanSlash8(cidrs)))
        report(
          `${at}: ${INBOUND_CIDRS_ANNOTATION} admits the internet (${raw}); an internal model endpoint names the networks that call it.`,
          r.urn,
        );
    }
  },
};
