import { SYSTEM_NODE_SELECTOR } from "../../common/labels";
import { ISTIO_NAMESPACE, LLM_GATEWAY_NAMESPACE, SERVING_NAMESPACE } from "../../common/names";
import {
  defaultDenyPolicy,
  dnsEgressRule,
  namespacePeer,
  NAMESPACE_NAME_LABEL,
  networkPolicyMeta,
  prometheusPeer,
  tcp,
} from "../../common/network-policy";
import { RUNTIME_DEFAULT_SECCOMP } from "../../common/pod-security";
import { KSERVE_HTTP_PORT } from "../ports";
import { IMAGES } from "../../versions";
import { WAKE_TIMEOUT_SECONDS } from "./scale-from-zero";

export { ISTIO_NAMESPACE, LLM_GATEWAY_NAMESPACE };

/** The one Gateway LLM traffic enters by; Istio names its Deployment and Service `<name>-<class>`. */
export const LLM_GATEWAY_NAME = "llm";
/** The Gateway's one listener (HTTP), which routes name in `parentRefs[].sectionName`. */
export const LLM_GATEWAY_LISTENER = "http";
/** GatewayClass istiod 1.30.3 creates and reconciles (controller `istio.io/gateway-controller`). */
export const LLM_GATEWAY_CLASS = "istio";
/** Listener port of the Gateway: the NLB's listener and the proxy's port (Istio maps them 1:1). */
export const LLM_GATEWAY_PORT = 80;
/**
 * Ports of the gateway proxy pods Istio 1.30.3 runs (istiod files/kube-gateway.yaml): 15021
 * `status-port` (`/healthz/ready`, the NLB's health check) and 15020 `metrics` (`/stats/prometheus`).
 */
export const GATEWAY_PROXY_PORTS = { status: 15021, metrics: 15020 } as const;
/** Label Istio puts on every pod of a Gateway (kube-gateway.yaml), and the Service selects on. */
export const GATEWAY_POD_LABELS = { "gateway.networking.k8s.io/gateway-name": LLM_GATEWAY_NAME } as const;
/** istiod's pods (istio-discovery templates/deployment.yaml) and the port proxies fetch their config from (xDS over TLS). */
export const ISTIOD = { podLabels: { app: "istiod" }, xdsPort: 15012, monitoringPort: 15014 } as const;
/** istiod's metrics Service (istio-discovery templates/service.yaml): `istiod`, labelled `app: istiod`, port `http-monitoring`. */
export const ISTIOD_METRICS = { serviceLabels: { app: "istiod" }, port: "http-monitoring" };

/**
 * How long the gateway waits for a whole answer, seconds (HTTPRoute `timeouts.request`): the upstream
 * `inferencepool` chart's route default at v1.5.0 (`experimentalHttpRoute.requestTimeout: 300s`),
 * long enough for a long generation. A model woken from zero adds its hold (routes.ts `llmRouteTimeout`).
 */
export const LLM_ROUTE_TIMEOUT_SECONDS = 300;

/**
 * Idle timeout of the NLB's TCP listener, seconds: longer than the longest route (a generation after
 * the longest hold, plus a minute). A non-streamed answer sends no byte until it is done, and the
 * NLB's default of 350 s would reset the connection of a request held while its model wakes (AWS Load
 * Balancer Controller v3.5.0 docs/guide/service/annotations.md, `listener-attributes`; NLB accepts 60-6000 s).
 */
export const GATEWAY_IDLE_TIMEOUT_SECONDS = LLM_ROUTE_TIMEOUT_SECONDS + WAKE_TIMEOUT_SECONDS.max + 60;

/** How many gateway proxies the kit runs (a fixed count; each takes a share of a system node). */
export const GATEWAY_REPLICAS = { min: 1, max: 6 } as const;
/** Gateway proxies when the stack names no count: two, so a node drain leaves one serving. */
export const GATEWAY_DEFAULT_REPLICAS = 2;

/** What the gateway's load balancer admits, and how many proxies serve it. */
export interface LlmGatewaySettings {
  /** Networks allowed to call the gateway's NLB (its security group's inbound rules). Required, at least one. */
  allowedCidrs: readonly string[];
  /** Gateway proxy replicas. */
  replicas: number;
  /** Namespaces whose HTTPRoutes may attach to the Gateway. Default: `serving`. */
  routeNamespaces?: readonly string[];
}

/**
 * Annotations the gateway's Service gets (Gateway `spec.infrastructure.annotations`, which Istio
 * copies to the Service it creates): an internal NLB with IP targets from the AWS Load Balancer
 * Controller, its security group admitting only `allowedCidrs` (LBC service annotations:
 * `load-balancer-source-ranges`), health-checked on Istio's readiness endpoint, its TCP idle
 * timeout raised to {@link GATEWAY_IDLE_TIMEOUT_SECONDS}. Gateway API v1.5.1 admits at most 8
 * infrastructure annotations (`maxProperties: 8`): these are 8.
 */
export function gatewayServiceAnnotations(allowedCidrs: readonly string[]): Record<string, string> {
  if (allowedCidrs.length === 0) throw new Error("LLM gateway: allowedCidrs must name at least one network");
  return {
    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "service.beta.kubernetes.io/load-balancer-source-ranges": allowedCidrs.join(","),
    "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "http",
    "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": String(GATEWAY_PROXY_PORTS.status),
    "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": "/healthz/ready",
    [`service.beta.kubernetes.io/aws-load-balancer-listener-attributes.TCP-${LLM_GATEWAY_PORT}`]: `tcp.idle_timeout.seconds=${GATEWAY_IDLE_TIMEOUT_SECONDS}`,
  };
}

/** The Gateway (gateway.networking.k8s.io/v1): one HTTP listener admitting routes from the model namespaces. */
export function llmGateway(s: LlmGatewaySettings) {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: { name: LLM_GATEWAY_NAME, namespace: LLM_GATEWAY_NAMESPACE },
    spec: {
      gatewayClassName: LLM_GATEWAY_CLASS,
      infrastructure: { annotations: gatewayServiceAnnotations(s.allowedCidrs) },
      listeners: [
        {
          name: LLM_GATEWAY_LISTENER,
          protocol: "HTTP",
          port: LLM_GATEWAY_PORT,
          allowedRoutes: {
            kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
            namespaces: {
              from: "Selector",
              selector: {
                matchExpressions: [
                  {
                    key: NAMESPACE_NAME_LABEL,
                    operator: "In",
                    values: [...(s.routeNamespaces ?? [SERVING_NAMESPACE])],
                  },
                ],
              },
            },
          },
        },
      ],
    },
  };
}

/** Istio's `base` chart: its CRDs as templates (the chart default), nothing else the gateway needs. */
export function istioBaseValues() {
  return { base: { enableCRDTemplates: true }, global: { istioNamespace: ISTIO_NAMESPACE } };
}

/**
 * istiod 1.30.3 as the Gateway API controller only: InferencePool support on
 * (`ENABLE_GATEWAY_API_INFERENCE_EXTENSION`, pilot/pkg/features/experimental.go), on the system
 * nodes, seccomp RuntimeDefault for istiod and the gateway pods it runs (`seccompProfile`,
 * `gateways.seccompProfile`), and the gateway Deployment's replicas and placement through
 * `gatewayClasses.istio`: per-class overlays of the objects istiod generates, of which an HPA and a
 * PDB exist only when overlaid (pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go
 * `requiredOverlays`). With two or more proxies, a PDB keeps one serving through node drains.
 */
export function istiodValues(replicas: number) {
  return {
    // The images, pinned: pilot and the gateway pods' proxyv2 at `<hub>/<name>:<tag>`.
    global: { istioNamespace: ISTIO_NAMESPACE, hub: IMAGES.istio.repository, tag: IMAGES.istio.tag },
    autoscaleEnabled: false,
    // Two istiods once the gateway has two proxies: config keeps flowing through a node drain.
    replicaCount: replicas >= 2 ? 2 : 1,
    // The chart's 500m / 2 GiB is sized for a mesh; one Gateway and a few routes need far less.
    resources: { requests: { cpu: "250m", memory: "512Mi" } },
    nodeSelector: SYSTEM_NODE_SELECTOR,
    seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP },
    env: { ENABLE_GATEWAY_API_INFERENCE_EXTENSION: "true" },
    gateways: { seccompProfile: { ...RUNTIME_DEFAULT_SECCOMP } },
    gatewayClasses: {
      [LLM_GATEWAY_CLASS]: {
        deployment: { spec: { replicas, template: { spec: { nodeSelector: SYSTEM_NODE_SELECTOR } } } },
        ...(replicas >= 2 ? { podDisruptionBudget: { spec: { minAvailable: 1 } } } : {}),
      },
    },
  };
}

/** Labels of the kit's endpoint picker pods (one Deployment per pool) in a model namespace. */
export const ENDPOINT_PICKER_COMPONENT = { "mlserving.io/component": "endpoint-picker" } as const;
/** The picker's ports (gateway-api-inference-extension v1.5.0 charts/epplib templates/_deployment.yaml). */
export const ENDPOINT_PICKER_PORTS = { extProc: 9002, health: 9003, metrics: 9090 } as const;

/**
 * NetworkPolicies of the gateway's namespace: nothing in or out by default; the NLB (its interfaces
 * sit in the private subnets) to the listener and the health port; Prometheus to the proxies'
 * metrics; out only DNS, istiod's xDS, the endpoint pickers' ext_proc and the model pods.
 */
export function gatewayNamespacePolicies<C = string>(facts: { nlbSubnetCidrs: C[]; modelNamespaces?: string[] }) {
  if (facts.nlbSubnetCidrs.length === 0)
    throw new Error("LLM gateway NetworkPolicies: nlbSubnetCidrs must name a subnet");
  const ns = LLM_GATEWAY_NAMESPACE;
  const models = facts.modelNamespaces ?? [SERVING_NAMESPACE];
  const rule = (name: string, type: "Ingress" | "Egress", r: object) => ({
    metadata: networkPolicyMeta(name, ns),
    spec: {
      podSelector: { matchLabels: { ...GATEWAY_POD_LABELS } },
      policyTypes: [type],
      [type === "Ingress" ? "ingress" : "egress"]: [r],
    },
  });
  return [
    defaultDenyPolicy(ns),
    rule("allow-nlb-to-gateway", "Ingress", {
      from: facts.nlbSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
      ports: [tcp(LLM_GATEWAY_PORT), tcp(GATEWAY_PROXY_PORTS.status)],
    }),
    rule("allow-prometheus-scrapes", "Ingress", {
      from: [prometheusPeer()],
      ports: [tcp(GATEWAY_PROXY_PORTS.metrics)],
    }),
    {
      metadata: networkPolicyMeta("allow-dns", ns),
      spec: { podSelector: {}, policyTypes: ["Egress"], egress: [dnsEgressRule()] },
    },
    rule("allow-istiod", "Egress", {
      to: [namespacePeer(ISTIO_NAMESPACE, ISTIOD.podLabels)],
      ports: [tcp(ISTIOD.xdsPort)],
    }),
    rule("allow-endpoint-pickers", "Egress", {
      to: models.map((m) => namespacePeer(m, ENDPOINT_PICKER_COMPONENT)),
      ports: [tcp(ENDPOINT_PICKER_PORTS.extProc)],
    }),
    rule("allow-model-pods", "Egress", {
      to: models.map((m) => ({
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: m } },
        podSelector: { matchExpressions: [{ key: "mlserving.io/model", operator: "Exists" }] },
      })),
      ports: [tcp(KSERVE_HTTP_PORT)],
    }),
  ];
}

/**
 * The one ingress rule istiod's namespace adds to the controller isolation: the gateway's proxies
 * fetch their configuration from istiod's xDS port.
 */
export function istiodGatewayIngressPolicy() {
  return {
    metadata: networkPolicyMeta("allow-gateway-xds", ISTIO_NAMESPACE),
    spec: {
      podSelector: { matchLabels: { ...ISTIOD.podLabels } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [namespacePeer(LLM_GATEWAY_NAMESPACE, GATEWAY_POD_LABELS)], ports: [tcp(ISTIOD.xdsPort)] }],
    },
  };
}
