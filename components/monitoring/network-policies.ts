import { MONITORING_NAMESPACE } from "../common/names";

/** Port of Prometheus's HTTP API (the chart's Service and the pods' `http-web` port). */
export const PROMETHEUS_PORT = 9090;
/**
 * Port of the Prometheus operator's admission webhook (kube-prometheus-stack
 * `prometheusOperator.tls.internalPort`, default 10250), called by the EKS control plane.
 */
export const OPERATOR_WEBHOOK_PORT = 10250;
/** Label the Prometheus operator puts on the Prometheus pods it runs. */
export const PROMETHEUS_POD_LABELS = { "app.kubernetes.io/name": "prometheus" } as const;

/** `C` is the CIDR's type: a string, or a Pulumi input the provider resolves. */
export interface MonitoringNetworkPolicyInput<C = string> {
  /** The VPC's CIDR: the EKS control plane's network interfaces call the operator's webhook from it. */
  vpcCidr: C;
  /** Namespaces whose pods query Prometheus's API (KEDA's operator evaluates the ScaledObjects' queries). */
  prometheusClientNamespaces: string[];
}

const namespaceSelector = (name: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});
const tcp = (port: number) => ({ port, protocol: "TCP" });

/**
 * Ingress of the monitoring namespace, default deny: Prometheus, Alertmanager, Grafana and the
 * exporters answer only to each other (Prometheus scrapes, Grafana queries, Prometheus alerts), the
 * named Prometheus clients reach only Prometheus's API, and the control plane reaches only the
 * operator's webhook port. Model pods and every other namespace get nothing; kubelet probes and
 * `kubectl port-forward` are not subject to NetworkPolicy. The webhook rule admits the whole VPC
 * CIDR (pod IPs included, with the VPC CNI) on that one port, where only the operator listens. Egress is left open: Prometheus scrapes
 * every namespace and Alertmanager calls receivers outside the cluster.
 */
export function monitoringNetworkPolicies<C = string>(input: MonitoringNetworkPolicyInput<C>) {
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
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ ipBlock: { cidr: input.vpcCidr } }], ports: [tcp(OPERATOR_WEBHOOK_PORT)] }],
      },
    },
  ];
}
