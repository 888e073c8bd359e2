import {
  CERT_MANAGER_NAMESPACE,
  EXTERNAL_DNS_NAMESPACE,
  ISTIO_NAMESPACE,
  KEDA_NAMESPACE,
  KSERVE_NAMESPACE,
  LLM_GATEWAY_NAMESPACE,
  MONITORING_NAMESPACE,
  REGISTRY_NAMESPACE,
  SERVING_NAMESPACE,
  SUPPORT_NAMESPACES,
  CALLS_API_SERVER,
} from "./names";

/**
 * Pieces every NetworkPolicy of the kit is made of (networking.k8s.io/v1). Peers inside the
 * cluster are named by namespace and pod selectors, never by the VPC CIDR: with the VPC CNI,
 * pods take their addresses from the VPC's subnets, so an `ipBlock` of the VPC admits every pod.
 */

/** Label every namespace carries with its own name (Kubernetes sets it, immutable). */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Labels of the cluster DNS pods (CoreDNS add-on in kube-system keeps the `kube-dns` label). */
export const KUBE_DNS_POD_LABELS = { "k8s-app": "kube-dns" } as const;

/**
 * Address of the EKS Pod Identity agent on every node (link-local, port 80): the AWS SDKs fetch
 * the pod's credentials from it (EKS user guide, "Understand how EKS Pod Identity works").
 */
export const POD_IDENTITY_AGENT = { cidr: "169.254.170.23/32", port: 80 } as const;

/** Label the Prometheus operator puts on the Prometheus pods it runs. */
export const PROMETHEUS_POD_LABELS = { "app.kubernetes.io/name": "prometheus" } as const;

/** Labels common to the kit's own NetworkPolicies. */
export const NETWORK_POLICY_LABELS = { "app.kubernetes.io/part-of": "mlserving" } as const;

/** Name of the policy that denies all ingress and egress of a namespace; the `kit-namespaces-network-isolated` policy looks for it. */
export const DEFAULT_DENY_POLICY = "default-deny";

export type PolicyPort = { port: number; protocol: "TCP" | "UDP" };
export const tcp = (port: number): PolicyPort => ({ port, protocol: "TCP" });

/** A peer: every pod of a namespace, or the pods of it matching labels. */
export function namespacePeer(namespace: string, podLabels?: Readonly<Record<string, string>>) {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
    ...(podLabels ? { podSelector: { matchLabels: { ...podLabels } } } : {}),
  };
}

/** The Prometheus pods of kube-prometheus-stack, the only scrapers. */
export function prometheusPeer(monitoringNamespace: string = MONITORING_NAMESPACE) {
  return namespacePeer(monitoringNamespace, PROMETHEUS_POD_LABELS);
}

/** The cluster DNS on 53, UDP and TCP (large answers fall back to TCP). */
export function dnsEgressRule() {
  return {
    to: [namespacePeer("kube-system", KUBE_DNS_POD_LABELS)],
    ports: [
      { port: 53, protocol: "UDP" as const },
      { port: 53, protocol: "TCP" as const },
    ],
  };
}

/** The EKS Pod Identity agent, for pods whose service account has a pod identity. */
export function podIdentityAgentEgressRule() {
  return { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }], ports: [tcp(POD_IDENTITY_AGENT.port)] };
}

/** Metadata of a kit NetworkPolicy. */
export function networkPolicyMeta(name: string, namespace: string) {
  return { name, namespace, labels: { ...NETWORK_POLICY_LABELS } };
}

/** Every pod of the namespace: nothing in, nothing out, until another policy allows it. */
export function defaultDenyPolicy(namespace: string) {
  return {
    metadata: networkPolicyMeta(DEFAULT_DENY_POLICY, namespace),
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
}

/** Directions a namespace's default-deny policy closes. */
export type PolicyType = "Ingress" | "Egress";

/** How a kit namespace is isolated: the directions denied by default, and why one is left open. */
export interface NamespaceIsolation {
  readonly deny: readonly PolicyType[];
  /** Why egress stays open. Required when `deny` lacks `Egress`. */
  readonly reason?: string;
}

const BOTH: NamespaceIsolation = { deny: ["Ingress", "Egress"] };

/**
 * The isolation every namespace the kit creates must have: one table, used by the components
 * and by the `kit-namespaces-network-isolated` policy. Namespaces holding model pods (the shared
 * `serving` one or a team's) always deny both directions ({@link MODEL_NAMESPACE_ISOLATION}).
 */
export const KIT_NAMESPACE_ISOLATION: Readonly<Record<string, NamespaceIsolation>> = {
  [SERVING_NAMESPACE]: BOTH,
  [REGISTRY_NAMESPACE]: BOTH,
  [MONITORING_NAMESPACE]: {
    deny: ["Ingress"],
    reason:
      "Prometheus scrapes pods of every namespace and the nodes' kubelets and exporters, Alertmanager " +
      "calls receivers outside the cluster, and the operator calls the API server",
  },
  [KEDA_NAMESPACE]: { deny: ["Ingress"], reason: CALLS_API_SERVER },
  [CERT_MANAGER_NAMESPACE]: { deny: ["Ingress"], reason: CALLS_API_SERVER },
  [KSERVE_NAMESPACE]: { deny: ["Ingress"], reason: CALLS_API_SERVER },
  [EXTERNAL_DNS_NAMESPACE]: {
    deny: ["Ingress"],
    reason: `ExternalDNS calls Route 53's public API endpoint; ${CALLS_API_SERVER}`,
  },
  [ISTIO_NAMESPACE]: { deny: ["Ingress"], reason: CALLS_API_SERVER },
  // The gateway's proxies reach only DNS, istiod, the endpoint pickers and the model pods.
  [LLM_GATEWAY_NAMESPACE]: BOTH,
  // Each accelerator kind's support namespaces (common/accelerators/namespaces.ts).
  ...Object.fromEntries(SUPPORT_NAMESPACES.map((n) => [n.name, n.isolation])),
};

/** Isolation of a namespace holding model pods: nothing in or out by default. */
export const MODEL_NAMESPACE_ISOLATION: NamespaceIsolation = BOTH;

/** Ports the control plane calls in a controller's namespace (webhooks, aggregated APIs). */
export const CONTROL_PLANE_PORTS: Readonly<Record<string, readonly number[]>> = {
  // KEDA 2.20.2 chart: metrics API server on 6443 (APIService), admission webhooks on 9443.
  [KEDA_NAMESPACE]: [6443, 9443],
  // cert-manager v1.21.1 chart: webhook.securePort 10250.
  [CERT_MANAGER_NAMESPACE]: [10250],
  // kserve-resources v0.20.0: the webhook server's container port 9443.
  [KSERVE_NAMESPACE]: [9443],
  // external-dns chart 1.21.1 serves no webhook: only metrics and health on 7979.
  [EXTERNAL_DNS_NAMESPACE]: [],
  // istiod 1.30.3 chart: the webhook server's container port 15017 (validation and injection).
  [ISTIO_NAMESPACE]: [15017],
  ...Object.fromEntries(
    SUPPORT_NAMESPACES.flatMap((n) => (n.controlPlanePorts ? [[n.name, n.controlPlanePorts]] : [])),
  ),
};

/**
 * Ingress isolation of a third-party controller's namespace: default deny, then the namespace's
 * own pods (a controller and its webhook or metrics server talk to each other), Prometheus on any
 * port (the charts' metrics ports differ), and the control plane's subnets on the webhook ports
 * of {@link CONTROL_PLANE_PORTS} only. Egress stays open ({@link KIT_NAMESPACE_ISOLATION} says why).
 */
export function controllerNamespacePolicies<C = string>(
  namespace: string,
  controlPlaneSubnetCidrs: C[],
  monitoringNamespace: string = MONITORING_NAMESPACE,
) {
  const ports = CONTROL_PLANE_PORTS[namespace];
  if (!ports) throw new Error(`controller namespace ${namespace} is not in CONTROL_PLANE_PORTS`);
  const meta = (name: string) => networkPolicyMeta(name, namespace);
  const ingress = (name: string, rule: object) => ({
    metadata: meta(name),
    spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [rule] },
  });
  const policies = [
    { metadata: meta("default-deny-ingress"), spec: { podSelector: {}, policyTypes: ["Ingress"] } },
    ingress("allow-same-namespace", { from: [{ podSelector: {} }] }),
    ingress("allow-prometheus-scrapes", { from: [prometheusPeer(monitoringNamespace)] }),
  ];
  if (ports.length > 0) {
    if (controlPlaneSubnetCidrs.length === 0)
      throw new Error(`controller namespace ${namespace}: controlPlaneSubnetCidrs must name at least one subnet`);
    policies.push(
      ingress("allow-control-plane-webhooks", {
        from: controlPlaneSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
        ports: ports.map(tcp),
      }),
    );
  }
  return policies;
}

/** The fields of a NetworkPolicy {@link isolationProblems} reads. */
export interface NetworkPolicyLike {
  spec?: {
    podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    policyTypes?: string[];
    ingress?: unknown[];
    egress?: unknown[];
  };
}

/**
 * Which directions of `expected` no policy of the namespace denies by default: a policy selecting
 * every pod (empty podSelector) whose policyTypes hold the direction and which has no rule for it.
 */
export function missingDefaultDeny(expected: NamespaceIsolation, policies: readonly NetworkPolicyLike[]): PolicyType[] {
  const selectsAll = (p: NetworkPolicyLike) =>
    Object.keys(p.spec?.podSelector?.matchLabels ?? {}).length === 0 &&
    (p.spec?.podSelector?.matchExpressions ?? []).length === 0;
  const denies = (p: NetworkPolicyLike, t: PolicyType) =>
    selectsAll(p) &&
    (p.spec?.policyTypes ?? []).includes(t) &&
    ((t === "Ingress" ? p.spec?.ingress : p.spec?.egress) ?? []).length === 0;
  return expected.deny.filter((t) => !policies.some((p) => denies(p, t)));
}
