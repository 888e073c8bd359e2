import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, MonitoringHandle, RegistryHandle, type WeightsStore } from "../common/handles";
import { installChart } from "../common/chart-addon";
import { RUNTIME_IDS, RuntimeId } from "./runtimes";
import { CERT_MANAGER_ADDON, KEDA_ADDON, KSERVE_ADDON } from "./addons";
import { mlflowStorageContainer, s3StorageContainer } from "./kserve-builders";
import { CERT_MANAGER_NAMESPACE, KEDA_NAMESPACE, KSERVE_NAMESPACE, SERVING_NAMESPACE } from "../common/names";
import { createModelNamespaceObjects, type ModelNamespaceIsolation } from "./namespace-objects";
import { endpointOidcProblems, type EndpointOidc } from "./callers";
import { throwIfProblems } from "../common/problems";
import { subnetCidrBlocks } from "../common/subnet-cidrs";
import { kitNamespaceMetadata, kitNamespacePodSecurityLabels } from "../common/pod-security";
import { registerControllerNamespacePolicies } from "../common/network-policy-resources";
import type { ServingTarget } from "./serving-target";
import { type ImageMirrorHandle, withImageMirror } from "../cluster/image-mirror";

export {
  createEndpointOidcSecret,
  createModelNamespacePolicies,
  type ModelNamespaceIsolation,
} from "./namespace-objects";

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
   * and of the KEDA, cert-manager and KServe namespaces (ingress). Default: on, with the CIDRs of
   * the cluster's private subnets and VPC read from EC2 (`aws.ec2.getSubnet`, `aws.ec2.getVpc`);
   * `false` leaves every namespace open (the kit's policy pack refuses that).
   */
  isolation?: ModelNamespaceIsolation | false;
  /**
   * ALB OpenID Connect authentication of every model endpoint (HTTPS only: the models need a
   * certificate). The client's id and secret go into a Secret only the load balancer controller
   * may read. Default: none (callers are named by network only).
   */
  endpointAuth?: { oidc: EndpointOidc; clientId: pulumi.Input<string>; clientSecret: pulumi.Input<string> };
  /**
   * An ECR pull-through cache (`ImageMirror`): the runtimes', fetchers' and models' images are pulled
   * through it (cluster/pull-through-cache.ts `pulledImageRef`). Default: none (each image from its own registry).
   */
  imageMirror?: ImageMirrorHandle;
}

/**
 * What every model server needs once: the `serving` namespace, KEDA, the registry's
 * credentials, and (when asked) KServe in Standard mode with cert-manager, the kit's Triton and
 * vLLM-Neuron runtimes, the `models:/` storage container and the runtimes' PodMonitors.
 */
export class ServingPlatform extends pulumi.ComponentResource implements ServingTarget {
  readonly namespace: string = SERVING_NAMESPACE;
  /** Models wait on these (namespace, KEDA, KServe and its runtimes). */
  readonly ready: pulumi.Resource[];
  readonly trackingUri?: string;
  readonly weightsStore?: WeightsStore;
  /** Models' Ingresses wait on these. */
  readonly ingressReady: pulumi.Resource[];
  /** KServe runtimes installed (keys of `MODEL_RUNTIMES`); empty without KServe. */
  readonly kserveRuntimes: RuntimeId[];
  /** The KServe controller's release, when KServe is installed: ServingRuntimes in other namespaces wait for it. */
  readonly kserveController?: k8s.helm.v3.Release;
  /** OIDC authentication every model endpoint gets, when configured. */
  readonly endpointOidc?: EndpointOidc;
  readonly imageMirror?: ImageMirrorHandle;

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
    this.imageMirror = args.imageMirror;
    const { cluster } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };
    const base = { ...k8sOpts, dependsOn: cluster.workloadReady };

    // The charts' namespaces are the kit's Namespace objects (with Pod Security labels), not Helm's.
    const isolation = args.isolation === false ? undefined : (args.isolation ?? clusterIsolation(cluster, this));
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
      monitoring: args.monitoring,
      monitorName: `${name}-keda-metrics`,
    }).release;
    this.ingressReady = args.ingressReady ?? [];
    this.kserveRuntimes = args.kserve ? (args.runtimes ?? RUNTIME_IDS) : [];
    this.trackingUri = args.registry?.trackingUri;
    this.weightsStore = args.registry?.weightsStore;

    if (args.kserve) {
      const certManager = installChart(`${name}-cert-manager`, CERT_MANAGER_ADDON, undefined, {
        ...charts,
        dependsOn: [chartNamespace(CERT_MANAGER_NAMESPACE)],
      }).release;
      // The controller's contract installs kserve-crd first, as `${name}-kserve-crd`.
      this.kserveController = installChart(
        `${name}-kserve`,
        KSERVE_ADDON,
        { region: cluster.region },
        {
          ...charts,
          dependsOn: [certManager, chartNamespace(KSERVE_NAMESPACE)],
          monitoring: args.monitoring,
          monitorName: `${name}-kserve-metrics`,
        },
      ).release;
    }
    // The serving namespace gets what every namespace serving models gets (see ModelNamespace for teams').
    const objects = createModelNamespaceObjects(
      name,
      {
        namespace: SERVING_NAMESPACE,
        podSecurityLabels: kitNamespacePodSecurityLabels(SERVING_NAMESPACE),
        registry: args.registry,
        runtimes: this.kserveRuntimes,
        runtimesReady: this.kserveController ? [this.kserveController] : undefined,
        monitoring: args.monitoring,
        dependsOn: cluster.workloadReady,
        isolation,
        endpointAuth: args.endpointAuth,
        imageMirror: args.imageMirror,
      },
      k8sOpts,
    );
    const ready: pulumi.Resource[] = [...objects.ready, keda];
    if (this.kserveController) {
      ready.push(this.kserveController);
      ready.push(
        new k8s.apiextensions.CustomResource(
          `${name}-s3-storage`,
          {
            ...s3StorageContainer(cluster.region),
            spec: withImageMirror(args.imageMirror, (m) => s3StorageContainer(cluster.region, m).spec),
          },
          { ...k8sOpts, dependsOn: [this.kserveController, objects.namespace, ...(args.imageMirror?.ready ?? [])] },
        ),
      );
      const registry = args.registry;
      if (registry) {
        ready.push(
          new k8s.apiextensions.CustomResource(
            `${name}-mlflow-storage`,
            {
              ...mlflowStorageContainer(registry.trackingUri, cluster.region),
              spec: withImageMirror(
                args.imageMirror,
                (m) => mlflowStorageContainer(registry.trackingUri, cluster.region, m).spec,
              ),
            },
            { ...k8sOpts, dependsOn: [this.kserveController, objects.namespace, ...(args.imageMirror?.ready ?? [])] },
          ),
        );
      }
    }
    this.ready = ready;
    this.registerOutputs({});
  }
}

/** The isolation facts of the cluster's own network: its private subnets' CIDRs and its VPC's. */
function clusterIsolation(cluster: ClusterHandle, parent: pulumi.Resource): ModelNamespaceIsolation {
  return {
    albSubnetCidrs: subnetCidrBlocks(cluster.privateSubnetIds, { parent }),
    vpcCidr: aws.ec2.getVpcOutput({ id: cluster.vpcId }, { parent }).cidrBlock,
  };
}
