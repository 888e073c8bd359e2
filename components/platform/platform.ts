import * as pulumi from "@pulumi/pulumi";
import { AcceleratorNodeGroup } from "../capacity/accelerator-node-group";
import { NeuronSupport, NvidiaGpuSupport } from "../capacity/accelerator-support";
import { ClusterAutoscaler } from "../capacity/cluster-autoscaler";
import { Karpenter } from "../capacity/karpenter";
import { spotServiceLinkedRole } from "../capacity/spot-service-linked-role";
import { LoadBalancerController } from "../cluster/load-balancer-controller";
import { EksCluster } from "../cluster/eks-cluster";
import { throwIfProblems } from "../common/problems";
import { standardTags } from "../common/tags";
import { MonitoringStack } from "../monitoring/monitoring-stack";
import { ModelRegistry } from "../registry/model-registry";
import { KServeModel, TritonServer } from "../serving/model-servers";
import { RUNTIME_IDS } from "../serving/runtimes";
import { ServingPlatform } from "../serving/serving-platform";
import { KEDA_NAMESPACE } from "../serving/kserve-builders";
import { Network } from "../network/network";
import { modelsIngressGroup, platformSpecProblems } from "./rules";
import { PlatformSpec } from "./spec";

/**
 * The whole ML serving platform for one environment: network, cluster and the controllers
 * on it, wired in order with typed handles.
 */
export class MlPlatform extends pulumi.ComponentResource {
  readonly network: Network;
  readonly cluster: EksCluster;
  readonly loadBalancerController: LoadBalancerController;
  readonly monitoring: MonitoringStack;
  readonly registry: ModelRegistry;
  readonly serving: ServingPlatform;
  readonly karpenter?: Karpenter;
  readonly clusterAutoscaler?: ClusterAutoscaler;
  readonly acceleratorNodeGroups: AcceleratorNodeGroup[] = [];

  constructor(name: string, spec: PlatformSpec, opts?: pulumi.ComponentResourceOptions) {
    throwIfProblems(`MlPlatform "${name}"`, platformSpecProblems(spec));
    super("mlserving:platform:MlPlatform", name, {}, opts);
    const tags = standardTags(spec.environment, spec.team, spec.tags);
    const parent = { parent: this };

    this.network = new Network(
      `${name}-network`,
      {
        clusterName: spec.clusterName,
        region: spec.region,
        cidrBlock: spec.network.cidrBlock,
        availabilityZoneCount: spec.network.availabilityZoneCount,
        natGateways: spec.network.natGateways,
        existing: spec.network.existing,
        tags,
      },
      parent,
    );

    this.cluster = new EksCluster(
      `${name}-eks`,
      {
        clusterName: spec.clusterName,
        region: spec.region,
        vpcId: this.network.vpcId,
        privateSubnetIds: this.network.privateSubnetIds,
        kubernetesVersion: spec.cluster.kubernetesVersion,
        publicAccessCidrs: spec.cluster.publicAccessCidrs,
        privateAccessCidrs: [this.network.cidrBlock, ...spec.cluster.privateAccessCidrs],
        adminPrincipalArns: spec.cluster.adminPrincipalArns,
        logRetentionDays: spec.cluster.logRetentionDays,
        systemNodes: spec.cluster.systemNodes,
        storageReclaimPolicy: spec.cluster.storageReclaimPolicy,
        protect: spec.environment === "prod",
        tags,
      },
      parent,
    );

    this.loadBalancerController = new LoadBalancerController(
      `${name}-lbc`,
      {
        cluster: this.cluster.handle,
        replicas: spec.loadBalancerController.replicas,
      },
      parent,
    );

    const cluster = this.cluster.handle;
    this.monitoring = new MonitoringStack(
      `${name}-monitoring`,
      {
        cluster,
        sizing: spec.monitoring,
        protect: spec.environment === "prod",
        receivers: spec.alerting,
        // KEDA's operator evaluates the models' scaling queries against Prometheus.
        isolation: {
          controlPlaneSubnetCidrs: this.network.privateSubnetCidrs,
          prometheusClientNamespaces: [KEDA_NAMESPACE],
        },
      },
      parent,
    );

    // Accelerator capacity: node groups scaled by Cluster Autoscaler, or Karpenter NodePools.
    const { capacity } = spec;
    const spotRole = capacity.createSpotServiceLinkedRole
      ? spotServiceLinkedRole(`${name}-spot`, tags, parent)
      : undefined;
    if (capacity.autoscaler === "karpenter") {
      this.karpenter = new Karpenter(
        `${name}-karpenter`,
        {
          cluster,
          launchReady: spotRole ? [spotRole] : [],
          pools: capacity.pools.map((p) => ({
            name: p.name,
            kind: p.kind,
            instanceTypes: p.instanceTypes,
            maxDevices: p.maxDevices,
            onDemandFallback: p.onDemandFallback,
            spot: p.spot,
            diskSizeGiB: p.diskSizeGiB,
            imageCacheSnapshotId: p.imageCacheSnapshotId,
          })),
          monitoring: this.monitoring.handle,
        },
        parent,
      );
      // Karpenter launches accelerator nodes only; Cluster Autoscaler, limited by its discovery
      // tags to the system group's ASG, grows and shrinks the nodes the controllers run on.
      this.clusterAutoscaler = new ClusterAutoscaler(
        `${name}-cluster-autoscaler`,
        {
          cluster,
          scaleDownUnneededTime: capacity.scaleDownUnneededTime,
          discoverNodeGroups: [this.cluster.systemNodeGroup],
          monitoring: this.monitoring.handle,
        },
        parent,
      );
    } else {
      for (const p of capacity.pools) {
        this.acceleratorNodeGroups.push(
          new AcceleratorNodeGroup(
            `${name}-${p.name}`,
            {
              cluster,
              kind: p.kind,
              instanceTypes: p.instanceTypes,
              minSize: p.minNodes,
              maxSize: p.maxNodes,
              capacityType: p.spot ? "spot" : "on-demand",
              onDemandFallbackMaxSize: p.spot && p.onDemandFallback ? p.maxNodes : undefined,
              os: p.os,
              diskSizeGiB: p.diskSizeGiB,
            },
            parent,
          ),
        );
      }
      this.clusterAutoscaler = new ClusterAutoscaler(
        `${name}-cluster-autoscaler`,
        {
          cluster,
          scaleDownUnneededTime: capacity.scaleDownUnneededTime,
          dependsOn: [...this.acceleratorNodeGroups, ...(spotRole ? [spotRole] : [])],
          discoverNodeGroups: [this.cluster.systemNodeGroup],
          monitoring: this.monitoring.handle,
        },
        parent,
      );
    }
    const kinds = new Set(capacity.pools.map((p) => p.kind));
    if (kinds.has("nvidia")) {
      new NvidiaGpuSupport(
        `${name}-nvidia`,
        {
          cluster,
          devicePlugin: capacity.gpuDevicePlugin,
          timeSlicingReplicas: capacity.gpuTimeSlicingReplicas,
          monitoring: this.monitoring.handle,
          controlPlaneSubnetCidrs: this.network.privateSubnetCidrs,
        },
        parent,
      );
    }
    const neuron = kinds.has("neuron")
      ? new NeuronSupport(
          `${name}-neuron`,
          { cluster, scheduler: capacity.neuronScheduler, monitoring: this.monitoring.handle },
          parent,
        )
      : undefined;

    this.registry = new ModelRegistry(
      `${name}-registry`,
      {
        cluster,
        vpcCidr: this.network.cidrBlock,
        albSubnetCidrs: this.network.privateSubnetCidrs,
        ...spec.registry,
        // Kept resources inside a VPC the stack created would stop its deletion.
        retainDatabase: spec.registry.protectState && spec.network.existing !== undefined,
        monitoring: this.monitoring.handle,
        ingressReady: [this.loadBalancerController.release],
      },
      parent,
    );

    // Serving: Triton Deployments and KServe InferenceServices, pulling models from S3 or the registry.
    const models = spec.serving.models;
    const kserveModels = models.filter((m) => m.server === "kserve");
    this.serving = new ServingPlatform(
      `${name}-serving`,
      {
        cluster,
        kserve: kserveModels.length > 0,
        runtimes: RUNTIME_IDS.filter((id) => kserveModels.some((m) => m.runtime === id)),
        registry: this.registry.handle,
        monitoring: this.monitoring.handle,
        ingressReady: [this.loadBalancerController.release],
        isolation: { albSubnetCidrs: this.network.privateSubnetCidrs, vpcCidr: this.network.cidrBlock },
        ...(spec.serving.oidc
          ? {
              endpointAuth: {
                oidc: spec.serving.oidc,
                clientId: spec.serving.oidc.clientId,
                clientSecret: spec.serving.oidc.clientSecret,
              },
            }
          : {}),
      },
      parent,
    );
    for (const model of models) {
      const Server = model.server === "triton" ? TritonServer : KServeModel;
      new Server(
        `${name}-model-${model.name}`,
        {
          cluster,
          platform: this.serving,
          model,
          environment: spec.environment,
          ingressDomain: spec.serving.ingressDomain,
          ingressGroup: modelsIngressGroup(spec.clusterName),
          // Named callers: the stack's list, else the private subnets (public subnets left out).
          allowedCidrs: spec.serving.allowedCidrs ?? this.network.privateSubnetCidrs,
          certificateArn: spec.serving.certificateArn,
          neuronSchedulerName: neuron?.schedulerName,
          monitoring: this.monitoring.handle,
        },
        parent,
      );
    }

    this.registerOutputs({ clusterName: this.cluster.cluster.name });
  }
}
