import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installChart } from "../../common/chart-addon";
import { InvalidArgsError } from "../../common/errors";
import type { ClusterHandle, MonitoringHandle } from "../../common/handles";
import { podMonitor } from "../../common/monitors";
import { SERVING_NAMESPACE } from "../../common/names";
import { registerControllerNamespacePolicies, registerNetworkPolicies } from "../../common/network-policy-resources";
import { kitNamespaceMetadata } from "../../common/pod-security";
import { CRD_RELEASES, type CrdReleasePin } from "../../versions";
import { allowedCidrsProblems } from "../callers";
import { ISTIOD_ADDON } from "./addons";
import { gatewayPrometheusRule } from "./gateway-alerts";
import {
  GATEWAY_DEFAULT_REPLICAS,
  GATEWAY_POD_LABELS,
  GATEWAY_REPLICAS,
  gatewayNamespacePolicies,
  ISTIO_NAMESPACE,
  istiodGatewayIngressPolicy,
  LLM_GATEWAY_NAMESPACE,
  llmGateway,
} from "./gateway-builders";
import { pickerNamespacePolicies } from "./picker-policies";
import type { GatewayParent } from "./routes";
import { type GatewayJwt, gatewayJwtPolicies, gatewayJwtProblems } from "./jwt";

/** What a model's route needs from the gateway: what to wait for. */
export interface LlmGatewayHandle {
  /** The Gateway, istiod and the CRDs: HTTPRoutes and InferencePools wait on these. */
  readonly ready: pulumi.Resource[];
  /** The Gateway routes attach to. Default: the kit's (`llm` in `llm-gateway`, listener `http`). */
  readonly parent?: GatewayParent;
}

export interface LlmGatewayArgs {
  /** The cluster to install into. Required. */
  cluster: ClusterHandle;
  /**
   * Networks allowed to call the gateway's NLB. Default: the CIDRs of `nlbSubnetCidrs` (the
   * cluster's private subnets), as the models' ALB admits by default.
   */
  allowedCidrs?: pulumi.Input<string[]>;
  /** Subnets the NLB's interfaces sit in (the private subnets): they reach the proxies. Required. */
  nlbSubnetCidrs: pulumi.Input<string[]>;
  /** Subnets of the control plane's interfaces (istiod's webhooks, the pickers' API calls). Default: `nlbSubnetCidrs`. */
  controlPlaneSubnetCidrs?: pulumi.Input<string[]>;
  /** Gateway proxy replicas, 1 to 6. Default: {@link GATEWAY_DEFAULT_REPLICAS}. */
  replicas?: number;
  /** Resources the gateway's Service waits for (the AWS Load Balancer Controller, which makes its NLB). Default: none. */
  loadBalancerReady?: pulumi.Resource[];
  /** ServiceMonitors and PodMonitors wait for the monitoring CRDs. Required. */
  monitoring: MonitoringHandle;
  /**
   * Namespaces whose HTTPRoutes may attach to the Gateway and whose models and endpoint pickers it
   * reaches (each gets the pickers' NetworkPolicies): `serving` and the model teams' namespaces.
   * Default: `serving` only.
   */
  modelNamespaces?: string[];
  /** What the pickers' NetworkPolicies in `modelNamespaces` wait for (the team namespaces). Default: none. */
  modelNamespacesReady?: pulumi.Resource[];
  /** Callers must also present a valid JSON Web Token of this issuer (see `jwt.ts`). Default: none (networks only). */
  jwt?: GatewayJwt;
}

/** The raw URLs of a release's pinned CRD manifests (what the provider reads when it applies them). */
export function crdReleaseUrls(pin: CrdReleasePin): string[] {
  return pin.paths.map((path) => `https://raw.githubusercontent.com/${pin.repository}/${pin.commit}/${path}`);
}

/**
 * The LLM gateway: Gateway API (standard channel) and InferencePool CRDs from pinned release
 * commits, Istio's istiod from its pinned charts as the Gateway API controller, one Gateway whose
 * Service is an internal NLB admitting only the named callers, and the NetworkPolicies of its
 * namespaces and of the endpoint pickers in the serving namespace. Models attach HTTPRoutes to it.
 */
export class LlmGateway extends pulumi.ComponentResource {
  readonly handle: LlmGatewayHandle;
  readonly gateway: k8s.apiextensions.CustomResource;

  constructor(name: string, args: LlmGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    const replicas = args.replicas ?? GATEWAY_DEFAULT_REPLICAS;
    const problems: string[] = [];
    if (!Number.isInteger(replicas) || replicas < GATEWAY_REPLICAS.min || replicas > GATEWAY_REPLICAS.max)
      problems.push(`replicas: must be a whole number from ${GATEWAY_REPLICAS.min} to ${GATEWAY_REPLICAS.max}`);
    if (Array.isArray(args.allowedCidrs) && args.allowedCidrs.every((c) => typeof c === "string"))
      for (const p of allowedCidrsProblems(args.allowedCidrs as string[]))
        problems.push(`allowedCidrs${p.path}: ${p.message}`);
    if (args.jwt) for (const p of gatewayJwtProblems(args.jwt)) problems.push(`jwt.${p.path}: ${p.message}`);
    const modelNamespaces = args.modelNamespaces ?? [SERVING_NAMESPACE];
    if (!modelNamespaces.includes(SERVING_NAMESPACE) || new Set(modelNamespaces).size !== modelNamespaces.length)
      problems.push(`modelNamespaces: must hold ${SERVING_NAMESPACE} and each namespace once`);
    if (problems.length > 0) throw new InvalidArgsError(`LlmGateway "${name}"`, problems);
    super("mlserving:serving:LlmGateway", name, {}, opts);
    const { cluster } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };
    const after = { ...k8sOpts, dependsOn: cluster.workloadReady };
    const controlPlane = args.controlPlaneSubnetCidrs ?? args.nlbSubnetCidrs;

    const crds = new k8s.yaml.v2.ConfigGroup(
      `${name}-crds`,
      { files: [...crdReleaseUrls(CRD_RELEASES.gatewayApi), ...crdReleaseUrls(CRD_RELEASES.inferenceExtension)] },
      after,
    );
    const istioNs = new k8s.core.v1.Namespace(
      `${name}-istio-ns`,
      { metadata: kitNamespaceMetadata(ISTIO_NAMESPACE) },
      after,
    );
    const istioPolicies = [
      ...registerControllerNamespacePolicies(`${name}-istio`, ISTIO_NAMESPACE, controlPlane, {
        ...k8sOpts,
        dependsOn: [istioNs],
      }),
      new k8s.networking.v1.NetworkPolicy(`${name}-istio-netpol-allow-gateway-xds`, istiodGatewayIngressPolicy(), {
        ...k8sOpts,
        dependsOn: [istioNs],
      }),
    ];
    // istiod watches the Gateway API and InferencePool kinds it finds at start: the CRDs come first.
    const istiod = installChart(
      `${name}-istiod`,
      ISTIOD_ADDON,
      { gatewayReplicas: replicas },
      { parent: this, cluster, dependsOn: [crds, istioNs, ...istioPolicies], monitoring: args.monitoring },
    ).release;

    const gatewayNs = new k8s.core.v1.Namespace(
      `${name}-ns`,
      { metadata: kitNamespaceMetadata(LLM_GATEWAY_NAMESPACE) },
      after,
    );
    const gatewayPolicies = registerNetworkPolicies(
      `${name}-gateway`,
      args.nlbSubnetCidrs,
      ["0.0.0.0/32"],
      (nlbSubnetCidrs: string[]) => gatewayNamespacePolicies({ nlbSubnetCidrs, modelNamespaces }),
      { ...k8sOpts, dependsOn: [gatewayNs] },
    );
    for (const ns of modelNamespaces)
      registerNetworkPolicies(
        ns === SERVING_NAMESPACE ? `${name}-pickers` : `${name}-pickers-${ns}`,
        controlPlane,
        ["0.0.0.0/32"],
        (apiServerCidrs: string[]) => pickerNamespacePolicies(ns, { apiServerCidrs }),
        { ...k8sOpts, dependsOn: [...cluster.workloadReady, ...(args.modelNamespacesReady ?? [])] },
      );
    const callers: pulumi.Input<string[]> = args.allowedCidrs ?? args.nlbSubnetCidrs;
    const shape = llmGateway({ allowedCidrs: ["0.0.0.0/32"], replicas, routeNamespaces: modelNamespaces });
    this.gateway = new k8s.apiextensions.CustomResource(
      `${name}-gateway`,
      {
        apiVersion: shape.apiVersion,
        kind: shape.kind,
        metadata: shape.metadata,
        spec: pulumi
          .output(callers)
          .apply((allowedCidrs) => llmGateway({ allowedCidrs, replicas, routeNamespaces: modelNamespaces }).spec),
      },
      { ...k8sOpts, dependsOn: [istiod, gatewayNs, ...gatewayPolicies, ...(args.loadBalancerReady ?? [])] },
    );
    if (args.jwt) {
      // Istio's security CRDs come with istiod (its base chart); the policies name the Gateway.
      const jwtPolicies = gatewayJwtPolicies(args.jwt);
      const afterGateway = { ...k8sOpts, dependsOn: [istiod, gatewayNs] };
      new k8s.apiextensions.CustomResource(`${name}-jwt`, jwtPolicies.requestAuthentication, afterGateway);
      new k8s.apiextensions.CustomResource(`${name}-require-jwt`, jwtPolicies.authorizationPolicy, afterGateway);
    }
    new k8s.apiextensions.CustomResource(
      `${name}-proxy-metrics`,
      podMonitor({
        name: "llm-gateway",
        namespace: LLM_GATEWAY_NAMESPACE,
        podLabels: { ...GATEWAY_POD_LABELS },
        port: "metrics",
        path: "/stats/prometheus",
      }),
      { ...k8sOpts, dependsOn: [gatewayNs, ...args.monitoring.ready] },
    );
    new k8s.apiextensions.CustomResource(`${name}-alerts`, gatewayPrometheusRule(), {
      ...k8sOpts,
      dependsOn: [gatewayNs, ...args.monitoring.ready],
    });
    this.handle = { ready: [crds, istiod, this.gateway] };
    this.registerOutputs({});
  }
}
