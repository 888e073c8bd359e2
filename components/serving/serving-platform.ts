import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, MonitoringHandle, RegistryHandle } from "../common/handles";
import { installChart } from "../common/chart-addon";
import { RUNTIME_IDS, RuntimeId } from "./runtimes";
import { CERT_MANAGER_ADDON, KEDA_ADDON, KSERVE_ADDON } from "./addons";
import { mlflowStorageContainer } from "./kserve-builders";
import { SERVING_NAMESPACE } from "../common/names";
import { createModelNamespaceObjects } from "./namespace-objects";
import { kitNamespacePodSecurityLabels } from "../common/pod-security";
import type { ServingTarget } from "./serving-target";

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
  /** Models' Ingresses wait on these. */
  readonly ingressReady: pulumi.Resource[];
  /** KServe runtimes installed (keys of `MODEL_RUNTIMES`); empty without KServe. */
  readonly kserveRuntimes: RuntimeId[];
  /** The KServe controller's release, when KServe is installed: ServingRuntimes in other namespaces wait for it. */
  readonly kserveController?: k8s.helm.v3.Release;

  constructor(name: string, args: ServingPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlserving:serving:ServingPlatform", name, {}, opts);
    const { cluster } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };

    const charts = { parent: this, cluster };
    const keda = installChart(`${name}-keda`, KEDA_ADDON, undefined, charts).release;
    this.ingressReady = args.ingressReady ?? [];
    this.kserveRuntimes = args.kserve ? (args.runtimes ?? RUNTIME_IDS) : [];
    this.trackingUri = args.registry?.trackingUri;

    if (args.kserve) {
      const certManager = installChart(`${name}-cert-manager`, CERT_MANAGER_ADDON, undefined, charts).release;
      // The controller's contract installs kserve-crd first, as `${name}-kserve-crd`.
      this.kserveController = installChart(
        `${name}-kserve`,
        KSERVE_ADDON,
        { region: cluster.region },
        {
          ...charts,
          dependsOn: [certManager],
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
      },
      k8sOpts,
    );
    const ready: pulumi.Resource[] = [...objects.ready, keda];
    if (this.kserveController) {
      ready.push(this.kserveController);
      if (args.registry) {
        ready.push(
          new k8s.apiextensions.CustomResource(
            `${name}-mlflow-storage`,
            mlflowStorageContainer(args.registry.trackingUri, cluster.region),
            { ...k8sOpts, dependsOn: [this.kserveController, objects.namespace] },
          ),
        );
      }
    }
    this.ready = ready;
    this.registerOutputs({});
  }
}
