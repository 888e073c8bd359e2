import { describe, expect, it } from "vitest";
import {
  monitoringNetworkPolicies,
  OPERATOR_POD_LABELS,
  OPERATOR_WEBHOOK_PORT,
  PROMETHEUS_PORT,
} from "../../components/monitoring/network-policies";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const policies = monitoringNetworkPolicies({
  controlPlaneSubnetCidrs: ["10.0.0.0/19", "10.0.32.0/19"],
  prometheusClientNamespaces: ["keda"],
});

describe("monitoring namespace NetworkPolicies", () => {
  it("are valid networking.k8s.io/v1 NetworkPolicies in the monitoring namespace, ingress only", () => {
    for (const p of policies) {
      validateAgainstUpstreamSchema({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...p });
      expect(p.metadata.namespace).toBe("monitoring");
      expect(p.spec.policyTypes).toEqual(["Ingress"]);
    }
  });

  it("deny all ingress by default", () => {
    const deny = policies.find((p) => p.metadata.name === "default-deny-ingress")!;
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
  });

  it("admit from outside the namespace only the named Prometheus clients on 9090 and the control plane's subnets to the operator's webhook port", () => {
    const external = policies.flatMap((p) =>
      (p.spec.ingress ?? []).flatMap((rule) =>
        rule.from
          .filter((peer) => !("podSelector" in peer && Object.keys(peer).length === 1))
          .map((peer) => ({ to: p.spec.podSelector, peer, ports: "ports" in rule ? rule.ports : "all" })),
      ),
    );
    expect(external).toEqual([
      {
        to: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        peer: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "keda" } } },
        ports: [{ port: PROMETHEUS_PORT, protocol: "TCP" }],
      },
      ...["10.0.0.0/19", "10.0.32.0/19"].map((cidr) => ({
        to: { matchLabels: { ...OPERATOR_POD_LABELS } },
        peer: { ipBlock: { cidr } },
        ports: [{ port: OPERATOR_WEBHOOK_PORT, protocol: "TCP" }],
      })),
    ]);
    expect(OPERATOR_POD_LABELS).toEqual({ app: "kube-prometheus-stack-operator" });
    // The serving namespace (model pods) is not among the peers: it reaches no monitoring pod.
    expect(JSON.stringify(external)).not.toContain('"serving"');
  });

  it("refuse to build a webhook rule without a subnet (no peers would admit everyone)", () => {
    expect(() => monitoringNetworkPolicies({ controlPlaneSubnetCidrs: [], prometheusClientNamespaces: [] })).toThrow(
      /controlPlaneSubnetCidrs/,
    );
  });

  it("let monitoring pods reach each other (scrapes, Grafana's queries, alerts to Alertmanager)", () => {
    const same = policies.find((p) => p.metadata.name === "allow-from-monitoring")!;
    expect(same.spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
  });
});
