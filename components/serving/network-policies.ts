import {
  defaultDenyPolicy,
  dnsEgressRule,
  namespacePeer,
  networkPolicyMeta,
  podIdentityAgentEgressRule,
  prometheusPeer,
  tcp,
} from "../common/network-policy";
import { MONITORING_NAMESPACE } from "../common/names";
import { KSERVE_HTTP_PORT } from "./ports";
import { TRITON_PORTS } from "./triton-builders";

/**
 * Ports model pods serve on, by who may call them: the ALB reaches the HTTP ports (Triton's 8000
 * on the kit's Deployment, KServe's 8080 in predictor pods); Prometheus scrapes Triton's 8002 and
 * vLLM's /metrics on 8080. Triton's gRPC port (8001) has no caller outside the pod.
 */
export const MODEL_POD_PORTS = {
  serving: [TRITON_PORTS.http, KSERVE_HTTP_PORT],
  metrics: [TRITON_PORTS.metrics, KSERVE_HTTP_PORT],
} as const;

/** What the policies of a model namespace admit; `C` is a CIDR (a string, or a Pulumi input). */
export interface ModelNamespaceFacts<C = string> {
  /**
   * CIDRs of the subnets the models' internal ALB lives in (the private subnets): with target type
   * `ip` its network interfaces call pod IPs, and no selector can name them. Pods of those subnets
   * match too (the VPC CNI gives pods addresses there); the ALB's `inbound-cidrs` names the callers.
   */
  albSubnetCidrs: C[];
  /** The VPC CIDR: HTTPS egress goes anywhere but inside the VPC (S3 answers on public addresses through the gateway endpoint). */
  vpcCidr: C;
  /** The registry's namespace and pod labels, when models pull `models:/` sources through it. Default: no registry egress. */
  registry?: { namespace: string; podLabels: Readonly<Record<string, string>>; port: number };
  /** Namespace of the Prometheus that scrapes the models. Default: `monitoring`. */
  monitoringNamespace?: string;
}

/**
 * NetworkPolicies of a namespace holding model pods (the shared `serving` namespace or a team's):
 * default deny of ingress and egress, then only the ALB to the serving ports, Prometheus to the
 * metrics ports, and out: cluster DNS, the Pod Identity agent (S3 credentials), the registry's
 * server and HTTPS outside the VPC (S3). Model pods run code that came with the model, so they
 * reach neither Prometheus, Alertmanager, Grafana, the API server's private endpoint nor any
 * other pod. Pure: the lead applies it to every model namespace.
 */
export function modelNamespacePolicies<C = string>(namespace: string, facts: ModelNamespaceFacts<C>) {
  // An ingress rule with no peers admits everyone: refuse rather than open the serving ports.
  if (facts.albSubnetCidrs.length === 0)
    throw new Error(`model namespace ${namespace} NetworkPolicies: albSubnetCidrs must name at least one subnet`);
  const meta = (name: string) => networkPolicyMeta(name, namespace);
  const egress = (name: string, rule: object) => ({
    metadata: meta(name),
    spec: { podSelector: {}, policyTypes: ["Egress"], egress: [rule] },
  });
  const policies: { metadata: ReturnType<typeof meta>; spec: object }[] = [
    defaultDenyPolicy(namespace),
    {
      metadata: meta("allow-alb-to-models"),
      spec: {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: facts.albSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
            ports: MODEL_POD_PORTS.serving.map(tcp),
          },
        ],
      },
    },
    {
      metadata: meta("allow-prometheus-scrapes"),
      spec: {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [prometheusPeer(facts.monitoringNamespace ?? MONITORING_NAMESPACE)],
            ports: [...new Set(MODEL_POD_PORTS.metrics)].map(tcp),
          },
        ],
      },
    },
    egress("allow-dns", dnsEgressRule()),
    egress("allow-pod-identity-agent", podIdentityAgentEgressRule()),
    egress("allow-https-outside-vpc", {
      to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [facts.vpcCidr] } }],
      ports: [tcp(443)],
    }),
  ];
  if (facts.registry)
    policies.push(
      egress("allow-registry", {
        to: [namespacePeer(facts.registry.namespace, facts.registry.podLabels)],
        ports: [tcp(facts.registry.port)],
      }),
    );
  return policies;
}
