import { MODEL_POD_LABEL } from "../../common/names";
import { namespacePeer, networkPolicyMeta, prometheusPeer, tcp } from "../../common/network-policy";
import { KSERVE_HTTP_PORT } from "../ports";
import {
  ENDPOINT_PICKER_COMPONENT,
  ENDPOINT_PICKER_PORTS,
  GATEWAY_POD_LABELS,
  LLM_GATEWAY_NAMESPACE,
} from "./gateway-builders";

const PICKERS = { matchLabels: { ...ENDPOINT_PICKER_COMPONENT } };
const MODEL_PODS = { matchExpressions: [{ key: MODEL_POD_LABEL, operator: "Exists" }] };

/**
 * What a model namespace adds to its default deny for the LLM gateway ({@link modelNamespacePolicies}
 * stays as it is): the gateway's proxies to the endpoint pickers' ext_proc port and to the model
 * pods' HTTP port; Prometheus to the pickers' metrics; the pickers out to the model pods' /metrics
 * (their scoring signals) and to the API server's private endpoint (they watch pods and their
 * InferencePool), whose interfaces sit in `apiServerCidrs` and no selector names.
 */
export function pickerNamespacePolicies<C = string>(namespace: string, facts: { apiServerCidrs: C[] }) {
  if (facts.apiServerCidrs.length === 0)
    throw new Error(`endpoint picker NetworkPolicies of ${namespace}: apiServerCidrs must name a subnet`);
  const gateway = namespacePeer(LLM_GATEWAY_NAMESPACE, GATEWAY_POD_LABELS);
  const meta = (name: string) => networkPolicyMeta(name, namespace);
  return [
    {
      metadata: meta("allow-gateway-to-pickers"),
      spec: {
        podSelector: PICKERS,
        policyTypes: ["Ingress"],
        ingress: [{ from: [gateway], ports: [tcp(ENDPOINT_PICKER_PORTS.extProc)] }],
      },
    },
    {
      metadata: meta("allow-prometheus-to-pickers"),
      spec: {
        podSelector: PICKERS,
        policyTypes: ["Ingress"],
        ingress: [{ from: [prometheusPeer()], ports: [tcp(ENDPOINT_PICKER_PORTS.metrics)] }],
      },
    },
    {
      metadata: meta("allow-gateway-and-pickers-to-models"),
      spec: {
        podSelector: MODEL_PODS,
        policyTypes: ["Ingress"],
        ingress: [{ from: [gateway, { podSelector: PICKERS }], ports: [tcp(KSERVE_HTTP_PORT)] }],
      },
    },
    {
      metadata: meta("allow-pickers-to-models"),
      spec: {
        podSelector: PICKERS,
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: MODEL_PODS }], ports: [tcp(KSERVE_HTTP_PORT)] }],
      },
    },
    {
      metadata: meta("allow-pickers-to-api-server"),
      spec: {
        podSelector: PICKERS,
        policyTypes: ["Egress"],
        egress: [{ to: facts.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(443)] }],
      },
    },
  ];
}
