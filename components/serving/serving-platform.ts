import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, MonitoringHandle, RegistryHandle } from "../common/handles";
import { installChart } from "../common/chart-addon";
import { MODEL_RUNTIMES, RUNTIME_IDS, RuntimeId } from "./runtimes";
import { CERT_MANAGER_ADDON, KEDA_ADDON, KSERVE_ADDON, KSERVE_CRD_ADDON } from "./addons";
import { mlflowStorageContainer, runtimePodMonitor } from "./kserve-builders";
import { REGISTRY_CREDENTIALS_SECRET, SERVING_NAMESPACE } from "../common/names";
import {
  LOAD_BALANCER_CONTROLLER_NAMESPACE,
  LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
  POD_READINESS_GATE_NAMESPACE_LABEL,
} from "../cluster/load-balancer-controller-values";
import { endpointOidcProblems, OIDC_CLIENT_SECRET, type EndpointOidc } from "./callers";
import { throwIfProblems } from "../common/problems";
import { kitNamespaceMetadata, kitNamespacePodSecurityLabels } from "../common/pod-security";
import { CERT_MANAGER_NAMESPACE, KEDA_NAMESPACE, KSERVE_NAMESPACE } from "../common/names";
import { modelNamespacePolicies } from "./network-policies";
import { registerControllerNamespacePolicies, registerNetworkPolicies } from "../common/network-policy-resources";

/** Network facts the NetworkPolicies of a model namespace need (see {@link modelNamespacePolicies}). */
export interface ModelNamespaceIsolation {
  /** CIDRs of the subnets the models' internal ALB lives in (the private subnets). */
  albSubnetCidrs: pulumi.Input<string[]>;
  /** The VPC's CIDR (HTTPS egress goes anywhere outside it). */
  vpcCidr: pulumi.Input<string>;
  /**
   * CIDRs of the cluster's subnets, where the control plane's interfaces call the KEDA, cert-manager
   * and KServe webhooks. Default: `albSubnetCidrs` (the kit puts both in the private subnets).
   */
  controlPlaneSubnetCidrs?: pulumi.Input<string[]>;
}

/**
 * Registers the NetworkPolicies of one model namespace ({@link modelNamespacePolicies}): the
 * shared `serving` namespace, or a team's. Returns them, so objects in the namespace can wait.
 */
export function createModelNamespacePolicies(
  name: string,
  namespace: string,
  isolation: ModelNamespaceIsolation,
  registry: RegistryHandle | undefined,
  opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.NetworkPolicy[] {
  const registryPeer = registry?.server;
  return registerNetworkPolicies(
    name,
    pulumi.all([isolation.albSubnetCidrs, isolation.vpcCidr]),
    [["0.0.0.0/32"], "0.0.0.0/32"] as [string[], string],
    ([albSubnetCidrs, vpcCidr]) =>
      modelNamespacePolicies(namespace, { albSubnetCidrs, vpcCidr, registry: registryPeer }),
    opts,
  );
}

export interface ServingPlatformArgs {
  /** The cluster to install into. Required. */
  cluster: ClusterHandle;
  /** Install KServe (cert-manager, CRDs, controller, runtimes). Default: false. */
  kserve?: boolean;
  /** Runtimes to offer through KServe (keys of `MODEL_RUNTIMES`). Default: every registered runtime. */
  runtimes?: RuntimeId[];
  /** The MLflow registry, for `models:/` sources. Default: none (only s3:// sources work). */
  registry?: RegistryHandle;
  /** Resources that monitors wait for (the Prometheus operator's CRDs). Required. */
  monitoring: MonitoringHandle;
  /** Resources models' Ingresses wait for (the AWS Load Balancer Controller and its webhook). Default: none. */
  ingressReady?: pulumi.Resource[];
  /**
   * NetworkPolicies of the serving namespace ({@link modelNamespacePolicies}: default deny, the ALB
   * in, Prometheus scrapes, and out only DNS, Pod Identity, the registry and HTTPS outside the VPC)
   * and of the KEDA, cert-manager and KServe namespaces (ingress). Default: none (the platform always sets it).
   */
  isolation?: ModelNamespaceIsolation;
  /**
   * ALB OpenID Connect authentication of every model endpoint (HTTPS only: the models need a
   * certificate). The client's id and secret go into a Secret only the load balancer controller
   * may read. Default: none (callers are named by network only).
   */
  endpointAuth?: { oidc: EndpointOidc; clientId: pulumi.Input<string>; clientSecret: pulumi.Input<string> };
}

/**
 * The OIDC client Secret of a model namespace as LBC reads it (keys `clientID`, `clientSecret`),
 * and a Role letting only the load balancer controller read that one Secret (LBC 3.5.0 grants no
 * Secret access by default; its chart recommends a namespaced Role). The secret stays a Pulumi secret.
 */
export function createEndpointOidcSecret(
  name: string,
  namespace: string,
  client: { clientId: pulumi.Input<string>; clientSecret: pulumi.Input<string> },
  opts: pulumi.CustomResourceOptions,
): pulumi.Resource[] {
  const secret = new k8s.core.v1.Secret(
    `${name}-oidc-client`,
    {
      metadata: { name: OIDC_CLIENT_SECRET, namespace },
      type: "Opaque",
      stringData: { clientID: client.clientId, clientSecret: pulumi.secret(client.clientSecret) },
    },
    opts,
  );
  const role = new k8s.rbac.v1.Role(
    `${name}-oidc-reader`,
    {
      metadata: { name: "load-balancer-controller-oidc", namespace },
      rules: [
        {
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: [OIDC_CLIENT_SECRET],
          verbs: ["get", "list", "watch"],
        },
      ],
    },
    opts,
  );
  const binding = new k8s.rbac.v1.RoleBinding(
    `${name}-oidc-reader`,
    {
      metadata: { name: "load-balancer-controller-oidc", namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "load-balancer-controller-oidc" },
      subjects: [
        {
          kind: "ServiceAccount",
          name: LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
          namespace: LOAD_BALANCER_CONTROLLER_NAMESPACE,
        },
      ],
    },
    { ...opts, dependsOn: [role] },
  );
  return [secret, role, binding];
}

/**
 * What every model server needs once: the `serving` namespace, KEDA, the registry's
 * credentials, and (when asked) KServe in Standard mode with cert-manager, the kit's Triton and
 * vLLM-Neuron runtimes, the `models:/` storage container and the runtimes' PodMonitors.
 */
export class ServingPlatform extends pulumi.ComponentResource {
  readonly namespace: string = SERVING_NAMESPACE;
  /** Models wait on these (namespace, KEDA, KServe and its runtimes). */
  readonly ready: pulumi.Resource[];
  readonly trackingUri?: string;
  /** Models' Ingresses wait on these. */
  readonly ingressReady: pulumi.Resource[];
  /** KServe runtimes installed (keys of `MODEL_RUNTIMES`); empty without KServe. */
  readonly kserveRuntimes: RuntimeId[];
  /** OIDC authentication every model endpoint gets, when configured. */
  readonly endpointOidc?: EndpointOidc;

  constructor(name: string, args: ServingPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.endpointAuth)
      throwIfProblems(
        `ServingPlatform "${name}"`,
        endpointOidcProblems(args.endpointAuth.oidc).map((p) => ({
          path: `endpointAuth.oidc.${p.path}`,
          message: p.message,
        })),
      );
    super("mlserving:serving:ServingPlatform", name, {}, opts);
    this.endpointOidc = args.endpointAuth?.oidc;
    const { cluster } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };
    const base = { ...k8sOpts, dependsOn: cluster.workloadReady };

    const ready: pulumi.Resource[] = [];
    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: SERVING_NAMESPACE,
          // Model Ingresses target pod IPs: rollouts wait for new pods to be healthy in the ALB.
          labels: {
            "app.kubernetes.io/part-of": "mlserving",
            ...POD_READINESS_GATE_NAMESPACE_LABEL,
            ...kitNamespacePodSecurityLabels(SERVING_NAMESPACE),
          },
        },
      },
      base,
    );
    if (args.isolation)
      ready.push(
        ...createModelNamespacePolicies(`${name}-serving`, SERVING_NAMESPACE, args.isolation, args.registry, {
          ...k8sOpts,
          dependsOn: [ns],
        }),
      );
    // The charts' namespaces are the kit's Namespace objects (with Pod Security labels), not Helm's.
    const isolation = args.isolation;
    const chartNamespace = (ns: string) => {
      const created = new k8s.core.v1.Namespace(`${name}-${ns}-ns`, { metadata: kitNamespaceMetadata(ns) }, base);
      if (isolation)
        registerControllerNamespacePolicies(
          `${name}-${ns}`,
          ns,
          isolation.controlPlaneSubnetCidrs ?? isolation.albSubnetCidrs,
          { ...k8sOpts, dependsOn: [created] },
        );
      return created;
    };
    const charts = { parent: this, cluster };
    const keda = installChart(`${name}-keda`, KEDA_ADDON, undefined, {
      ...charts,
      dependsOn: [chartNamespace(KEDA_NAMESPACE)],
    }).release;
    ready.push(ns, keda);
    this.ingressReady = args.ingressReady ?? [];
    this.kserveRuntimes = args.kserve ? (args.runtimes ?? RUNTIME_IDS) : [];

    if (args.endpointAuth)
      ready.push(
        ...createEndpointOidcSecret(name, SERVING_NAMESPACE, args.endpointAuth, { ...k8sOpts, dependsOn: [ns] }),
      );

    if (args.registry) {
      this.trackingUri = args.registry.trackingUri;
      ready.push(
        new k8s.core.v1.Secret(
          `${name}-registry-credentials`,
          {
            metadata: { name: REGISTRY_CREDENTIALS_SECRET, namespace: SERVING_NAMESPACE },
            type: "Opaque",
            stringData: { username: args.registry.credentials.username, password: args.registry.credentials.password },
          },
          { ...k8sOpts, dependsOn: [ns] },
        ),
      );
    }

    if (args.kserve) {
      const certManager = installChart(`${name}-cert-manager`, CERT_MANAGER_ADDON, undefined, {
        ...charts,
        dependsOn: [chartNamespace(CERT_MANAGER_NAMESPACE)],
      }).release;
      const kserveNs = chartNamespace(KSERVE_NAMESPACE);
      const crds = installChart(`${name}-kserve-crd`, KSERVE_CRD_ADDON, undefined, {
        ...charts,
        dependsOn: [kserveNs],
      }).release;
      const controller = installChart(
        `${name}-kserve`,
        KSERVE_ADDON,
        { region: cluster.region },
        {
          ...charts,
          dependsOn: [certManager, crds, kserveNs],
          monitoring: args.monitoring,
          monitorName: `${name}-kserve-metrics`,
        },
      ).release;
      ready.push(controller);

      const runtimeOpts = { ...k8sOpts, dependsOn: [controller, ns] };
      for (const id of this.kserveRuntimes) {
        const runtime = MODEL_RUNTIMES[id];
        ready.push(
          new k8s.apiextensions.CustomResource(
            `${name}-${id}-runtime`,
            runtime.servingRuntime(SERVING_NAMESPACE),
            runtimeOpts,
          ),
        );
        new k8s.apiextensions.CustomResource(`${name}-${runtime.servingRuntimeName}-pods`, runtimePodMonitor(runtime), {
          ...k8sOpts,
          dependsOn: [ns, ...args.monitoring.ready],
        });
      }
      if (args.registry) {
        ready.push(
          new k8s.apiextensions.CustomResource(
            `${name}-mlflow-storage`,
            mlflowStorageContainer(args.registry.trackingUri, cluster.region),
            runtimeOpts,
          ),
        );
      }
    }
    this.ready = ready;
    this.registerOutputs({});
  }
}
