import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringHandle, RegistryHandle } from "../common/handles";
import { REGISTRY_CREDENTIALS_SECRET } from "../common/names";
import {
  LOAD_BALANCER_CONTROLLER_NAMESPACE,
  LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
  POD_READINESS_GATE_NAMESPACE_LABEL,
} from "../cluster/load-balancer-controller-values";
import { registerNetworkPolicies } from "../common/network-policy-resources";
import { OIDC_CLIENT_SECRET } from "./callers";
import { modelNamespacePolicies } from "./network-policies";
import { runtimePodMonitor } from "./kserve-builders";
import { MODEL_RUNTIMES, RuntimeId } from "./runtimes";
import { type ImageMirrorHandle, withImageMirror } from "../cluster/image-mirror";

/** What one namespace that serves models gets, whoever's models they are. */
export interface ModelNamespaceObjectsInput {
  /** The namespace's name. */
  namespace: string;
  /** Pod Security admission labels of the namespace (`kitNamespacePodSecurityLabels`, `modelTeamPodSecurityLabels`). */
  podSecurityLabels: Record<string, string>;
  /** Extra labels on the Namespace object. Default: none. */
  labels?: Record<string, string>;
  /** The registry: its credentials are copied into the namespace for `models:/` sources. Default: none. */
  registry?: RegistryHandle;
  /** KServe ServingRuntimes to create in the namespace (with a PodMonitor each). Default: none. */
  runtimes?: readonly RuntimeId[];
  /** What ServingRuntimes wait for (the KServe controller, whose webhook admits them). Required with runtimes. */
  runtimesReady?: pulumi.Resource[];
  /** Monitoring: the runtimes' PodMonitors wait for the operator's CRDs. */
  monitoring: MonitoringHandle;
  /** What the Namespace waits for (system nodes, CoreDNS, storage). */
  dependsOn: pulumi.Resource[];
  /** Network facts for the namespace's NetworkPolicies ({@link createModelNamespacePolicies}). Default: none. */
  isolation?: ModelNamespaceIsolation;
  /** The ALB OIDC client, copied into the namespace for the load balancer controller. Default: none. */
  endpointAuth?: { clientId: pulumi.Input<string>; clientSecret: pulumi.Input<string> };
  /** The ECR pull-through cache the ServingRuntimes' images are pulled through. Default: none. */
  imageMirror?: ImageMirrorHandle;
}

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

/** The objects created, for what models wait on. */
export interface ModelNamespaceObjects {
  namespace: k8s.core.v1.Namespace;
  /** Models in the namespace wait on these: the namespace, the registry Secret and the ServingRuntimes. */
  ready: pulumi.Resource[];
}

/** The Namespace object of a namespace that serves models: kit labels, the ALB readiness gate and Pod Security. */
export function modelNamespaceManifest(
  input: Pick<ModelNamespaceObjectsInput, "namespace" | "podSecurityLabels" | "labels">,
) {
  return {
    metadata: {
      name: input.namespace,
      // Model Ingresses target pod IPs: rollouts wait for new pods to be healthy in the ALB.
      labels: {
        "app.kubernetes.io/part-of": "mlserving",
        ...(input.labels ?? {}),
        ...POD_READINESS_GATE_NAMESPACE_LABEL,
        ...input.podSecurityLabels,
      },
    },
  };
}

/**
 * The per-namespace objects every namespace that serves models gets, in one place: the
 * Namespace (Pod Security, readiness gate), the registry credentials Secret that model fetchers
 * and KServe's storage initializer read, and the KServe ServingRuntimes offered there with their
 * PodMonitors. `ServingPlatform` calls it for `serving`, `ModelNamespace` for each team's namespace;
 * the namespace's NetworkPolicies and the ALB OIDC client Secret are made here too, so every model
 * namespace gets them.
 * Logical names are `<prefix>-ns`, `<prefix>-registry-credentials`, `<prefix>-<runtime>-runtime`
 * and `<prefix>-<ServingRuntime>-pods`.
 */
export function createModelNamespaceObjects(
  prefix: string,
  input: ModelNamespaceObjectsInput,
  opts: { parent: pulumi.Resource; provider: k8s.Provider },
): ModelNamespaceObjects {
  const { namespace } = input;
  const ns = new k8s.core.v1.Namespace(`${prefix}-ns`, modelNamespaceManifest(input), {
    ...opts,
    dependsOn: input.dependsOn,
  });
  const ready: pulumi.Resource[] = [ns];
  if (input.isolation)
    ready.push(
      ...createModelNamespacePolicies(`${prefix}-${namespace}`, namespace, input.isolation, input.registry, {
        ...opts,
        dependsOn: [ns],
      }),
    );
  if (input.endpointAuth)
    ready.push(...createEndpointOidcSecret(prefix, namespace, input.endpointAuth, { ...opts, dependsOn: [ns] }));
  if (input.registry) {
    ready.push(
      new k8s.core.v1.Secret(
        `${prefix}-registry-credentials`,
        {
          metadata: { name: REGISTRY_CREDENTIALS_SECRET, namespace },
          type: "Opaque",
          stringData: { username: input.registry.credentials.username, password: input.registry.credentials.password },
        },
        { ...opts, dependsOn: [ns] },
      ),
    );
  }
  const runtimes = input.runtimes ?? [];
  if (runtimes.length > 0 && !input.runtimesReady)
    throw new Error(
      `${prefix}: ServingRuntimes in namespace "${namespace}" need runtimesReady (the KServe controller)`,
    );
  for (const id of runtimes) {
    const runtime = MODEL_RUNTIMES[id];
    if (!runtime) throw new Error(`${prefix}: no model runtime "${id}" is registered`);
    const shape = runtime.servingRuntime(namespace);
    ready.push(
      new k8s.apiextensions.CustomResource(
        `${prefix}-${id}-runtime`,
        {
          ...shape,
          spec: withImageMirror(input.imageMirror, (mirror) => runtime.servingRuntime(namespace, mirror).spec),
        },
        { ...opts, dependsOn: [...(input.runtimesReady ?? []), ...(input.imageMirror?.ready ?? []), ns] },
      ),
    );
    new k8s.apiextensions.CustomResource(
      `${prefix}-${runtime.servingRuntimeName}-pods`,
      runtimePodMonitor(runtime, namespace),
      { ...opts, dependsOn: [ns, ...input.monitoring.ready] },
    );
  }
  return { namespace: ns, ready };
}
