import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterHandle, MonitoringHandle, RegistryHandle } from "../common/handles";
import { installChart } from "../common/chart-addon";
import { MODEL_RUNTIMES, RUNTIME_IDS, RuntimeId } from "./runtimes";
import { CERT_MANAGER_ADDON, KEDA_ADDON, KSERVE_ADDON } from "./addons";
import { mlflowStorageContainer, runtimePodMonitor } from "./kserve-builders";
import { REGISTRY_CREDENTIALS_SECRET, SERVING_NAMESPACE } from "../common/names";
import { POD_READINESS_GATE_NAMESPACE_LABEL } from "../cluster/load-balancer-controller-values";
import { kitNamespacePodSecurityLabels } from "../common/pod-security";

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
export class ServingPlatform extends pulumi.ComponentResource {
  readonly namespace: string = SERVING_NAMESPACE;
  /** Models wait on these (namespace, KEDA, KServe and its runtimes). */
  readonly ready: pulumi.Resource[];
  readonly trackingUri?: string;
  /** Models' Ingresses wait on these. */
  readonly ingressReady: pulumi.Resource[];
  /** KServe runtimes installed (keys of `MODEL_RUNTIMES`); empty without KServe. */
  readonly kserveRuntimes: RuntimeId[];

  constructor(name: string, args: ServingPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlserving:serving:ServingPlatform", name, {}, opts);
    const { cluster } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };
    const base = { ...k8sOpts, dependsOn: cluster.workloadReady };

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
    const charts = { parent: this, cluster };
    const keda = installChart(`${name}-keda`, KEDA_ADDON, undefined, charts).release;
    const ready: pulumi.Resource[] = [ns, keda];
    this.ingressReady = args.ingressReady ?? [];
    this.kserveRuntimes = args.kserve ? (args.runtimes ?? RUNTIME_IDS) : [];

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
      const certManager = installChart(`${name}-cert-manager`, CERT_MANAGER_ADDON, undefined, charts).release;
      // The controller's contract installs kserve-crd first, as `${name}-kserve-crd`.
      const controller = installChart(
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
