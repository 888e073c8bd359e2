import { MONITORING_NAMESPACE, PROMETHEUS_STACK_RELEASE } from "../common/names";
import { namespacePeer, PROMETHEUS_POD_LABELS } from "../common/network-policy";

export { PROMETHEUS_POD_LABELS };

/** Port of Prometheus's HTTP API (the chart's Service and the pods' `http-web` port). */
export const PROMETHEUS_PORT = 9090;
/**
 * Port of the Prometheus operator's admission webhook (kube-prometheus-stack
 * `prometheusOperator.tls.internalPort`, default 10250), called by the EKS control plane.
 */
export const OPERATOR_WEBHOOK_PORT = 10250;
/**
 * Label of the Prometheus operator's pods (kube-prometheus-stack 88.5.3,
 * templates/prometheus-operator/_prometheus-operator.tpl: `app: <chart name>-operator`).
 */
export const OPERATOR_POD_LABELS = { app: `${PROMETHEUS_STACK_RELEASE}-operator` } as const;

/** `C` is the CIDR's type: a string, or a Pulumi input the provider resolves. */
export interface MonitoringNetworkPolicyInput<C = string> {
  /**
   * CIDRs of the cluster's subnets (the private subnets): the EKS control plane calls the operator's
   * webhook from the network interfaces it places there, which no selector can name.
   */
  controlPlaneSubnetCidrs: C[];
  /** Namespaces whose pods query Prometheus's API (KEDA's operator evaluates the ScaledObjects' queries). */
  prometheusClientNamespaces: string[];
}

const namespaceSelector = (name: string) => namespacePeer(name);
const tcp = (port: number) => ({ port, protocol: "TCP" });

/**
 * Ingress of the monitoring namespace, default deny: Prometheus, Alertmanager, Grafana and the
 * exporters answer only to each other (Prometheus scrapes, Grafana queries, Prometheus alerts), the
 * named Prometheus clients reach only Prometheus's API, and the control plane reaches only the
 * operator's pods on the webhook port. Model pods and every other namespace get nothing (model
 * namespaces also deny their own egress, see serving/network-policies.ts); kubelet probes and
 * `kubectl port-forward` are not subject to NetworkPolicy. The webhook rule admits the cluster's
 * subnets, where pods take their addresses too (VPC CNI), but only to the operator's pods on that
 * one port. Egress is left open: Prometheus scrapes pods of every namespace and the nodes'
 * kubelets and exporters, Alertmanager calls receivers outside the cluster, and the operator,
 * Grafana's sidecar and kube-state-metrics call the API server.
 */
export function monitoringNetworkPolicies<C = string>(input: MonitoringNetworkPolicyInput<C>) {
  // An ingress rule with no peers admits everyone: refuse rather than open the webhook port.
  if (input.controlPlaneSubnetCidrs.length === 0)
    throw new Error("monitoring NetworkPolicies: controlPlaneSubnetCidrs must name at least one subnet");
  const meta = (name: string) => ({
    name,
    namespace: MONITORING_NAMESPACE,
    labels: { "app.kubernetes.io/part-of": "mlserving" },
  });
  return [
    {
      metadata: meta("default-deny-ingress"),
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    },
    {
      metadata: meta("allow-from-monitoring"),
      spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] },
    },
    {
      metadata: meta("allow-prometheus-clients"),
      spec: {
        podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } },
        policyTypes: ["Ingress"],
        ingress: [{ from: input.prometheusClientNamespaces.map(namespaceSelector), ports: [tcp(PROMETHEUS_PORT)] }],
      },
    },
    {
      metadata: meta("allow-operator-webhook"),
      spec: {
        podSelector: { matchLabels: { ...OPERATOR_POD_LABELS } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: input.controlPlaneSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
            ports: [tcp(OPERATOR_WEBHOOK_PORT)],
          },
        ],
      },
    },
  ];
}
