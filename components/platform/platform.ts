import * as pulumi from "@pulumi/pulumi";
import { AcceleratorNodeGroup } from "../capacity/accelerator-node-group";
import { ClusterAutoscaler } from "../capacity/cluster-autoscaler";
import { Karpenter } from "../capacity/karpenter";
import { WarmHeadroom } from "../capacity/headroom";
import { headroomImages, headroomRequests } from "./headroom";
import { spotServiceLinkedRole } from "../capacity/spot-service-linked-role";
import { LoadBalancerController } from "../cluster/load-balancer-controller";
import { PrivateDns } from "../cluster/private-dns";
import { EksCluster } from "../cluster/eks-cluster";
import { ACCELERATOR_KINDS, ACCELERATORS, type AcceleratorSchedulerNames } from "../common/accelerators";
import { throwIfProblems } from "../common/problems";
import { secretValuesTransformation } from "../common/secret-values";
import { standardTags } from "../common/tags";
import { DEFAULT_ALERT_RULE_INPUT } from "../monitoring/alert-rules";
import { MonitoringStack } from "../monitoring/monitoring-stack";
import { ModelRegistry } from "../registry/model-registry";
import { KServeModel, TritonServer } from "../serving/model-servers";
import { routedByGateway } from "../serving/runtimes";
import { LlmGateway } from "../serving/gateway/llm-gateway";
import { ServingPlatform } from "../serving/serving-platform";
import { KEDA_NAMESPACE } from "../serving/kserve-builders";
import { LLM_GATEWAY_NAMESPACE, SERVING_NAMESPACE } from "../common/names";
import { Network } from "../network/network";
import { placements, replicaBounds } from "./capacity-checks";
import { deviceNamesOf } from "../serving/compile-cache";
import { createsPrivateZone } from "./defaults";
import { modelsIngressGroup, platformSpecProblems } from "./rules";
import { PlatformSpec } from "./spec";
import { ModelNamespace } from "./model-namespace";
import { acceleratorNodeImages, installsKServe, servingRuntimeIds } from "./images";
import { ImageMirror, withImageMirror } from "../cluster/image-mirror";
import { pulledImageRef } from "../cluster/pull-through-cache";
import { IMAGES } from "../versions";

/**
 * The whole ML serving platform for one environment: network, cluster and the controllers
 * on it, wired in order with typed handles.
 */
export class MlPlatform extends pulumi.ComponentResource {
  readonly network: Network;
  readonly cluster: EksCluster;
  readonly loadBalancerController: LoadBalancerController;
  /** The models' private hosted zone and ExternalDNS (unless `serving.privateZone` is false). */
  readonly privateDns?: PrivateDns;
  readonly monitoring: MonitoringStack;
  readonly registry: ModelRegistry;
  readonly serving: ServingPlatform;
  readonly karpenter?: Karpenter;
  readonly clusterAutoscaler?: ClusterAutoscaler;
  readonly acceleratorNodeGroups: AcceleratorNodeGroup[] = [];
  /** Each model team's namespace (`spec.teams`). */
  readonly teams: ModelNamespace[] = [];
  /**
   * The scheduler each kind's pods use, by kind, where the kind's support installs one (the Neuron
   * scheduler extension, `capacity.neuronScheduler`); exported to model teams as `serving.<kind>SchedulerName`.
   */
  readonly schedulerNames: AcceleratorSchedulerNames;
  /** ALB group every model Ingress joins. */
  readonly ingressGroup: string;
  /** The LLM gateway, when `serving.gateway` is set: LLMs are routed through it. */
  readonly llmGateway?: LlmGateway;
  /** The ECR pull-through cache the accelerator nodes' pods pull through (`images.pullThroughCache`). */
  readonly imageMirror?: ImageMirror;

  constructor(name: string, spec: PlatformSpec, opts?: pulumi.ComponentResourceOptions) {
    throwIfProblems(`MlPlatform "${name}"`, platformSpecProblems(spec, name));
    // Values stored as secrets stay secrets in whatever is built from them.
    const secrets = spec.secretValues ?? [];
    const hiding = secrets.length > 0 ? [secretValuesTransformation(secrets)] : [];
    super(
      "mlserving:platform:MlPlatform",
      name,
      {},
      {
        ...opts,
        transformations: [...hiding, ...(opts?.transformations ?? [])],
      },
    );
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
        networkPolicyEnforcingMode: spec.cluster.networkPolicyEnforcingMode,
        kubeconfigCredentials: spec.cluster.kubeconfigCredentials,
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
        // Claims outlive the release where the StorageClass keeps volumes anyway (prod); elsewhere they go with it.
        keepVolumes: spec.cluster.storageReclaimPolicy === "Retain",
        // Receivers' URLs and keys are secrets, however the spec was built.
        receivers: {
          ...spec.alerting,
          ...Object.fromEntries(
            (["slackWebhookUrl", "pagerdutyRoutingKey", "webhookUrl", "heartbeatUrl"] as const).flatMap((k) =>
              spec.alerting[k] === undefined ? [] : [[k, pulumi.secret(spec.alerting[k])]],
            ),
          ),
        },
        // Idle instances of a kind up to its models' replica floors are not waste (its record's idle alert).
        alertRules: {
          ...DEFAULT_ALERT_RULE_INPUT,
          idleDeviceReplicaFloors: Object.fromEntries(
            ACCELERATOR_KINDS.map((k) => [
              k,
              spec.serving.models.filter((m) => m.accelerator === k).reduce((n, m) => n + replicaBounds(m).min, 0),
            ]),
          ),
        },
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
            reservations: p.reservations,
            volumeThroughputMiBps: p.volumeThroughputMiBps,
            instanceStore: p.instanceStore,
            fastImagePull: p.fastImagePull,
          })),
          monitoring: this.monitoring.handle,
          gpuTimeSlicingReplicas: capacity.gpuTimeSlicingReplicas,
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
              volumeThroughputMiBps: p.volumeThroughputMiBps,
              gpuTimeSlicingReplicas: ACCELERATORS[p.kind].timeSlicing ? capacity.gpuTimeSlicingReplicas : undefined,
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
    // Images of model pods from the account's registry, through ECR pull-through cache rules.
    if (spec.images?.pullThroughCache)
      this.imageMirror = new ImageMirror(
        `${name}-images`,
        {
          cluster,
          cache: spec.images.pullThroughCache,
          images: acceleratorNodeImages(spec),
          nodeRoles: [cluster.nodeRole, ...(this.karpenter ? [this.karpenter.nodeRole] : [])],
        },
        parent,
      );
    const mirror = this.imageMirror?.handle;
    const warm = capacity.pools.filter((p) => (p.warmNodes ?? 0) > 0);
    if (warm.length > 0)
      new WarmHeadroom(
        `${name}-headroom`,
        {
          cluster,
          pools: warm.map((p) => ({
            name: p.name,
            kind: p.kind,
            nodes: p.warmNodes ?? 0,
            requests: headroomRequests(spec, p),
            images: withImageMirror(mirror, (m) => headroomImages(spec, p).map((i) => pulledImageRef(i, m))),
          })),
          pauseImage: withImageMirror(mirror, (m) => pulledImageRef(IMAGES.pause, m)),
          dependsOn: [
            ...(this.karpenter ? this.karpenter.nodePools : this.acceleratorNodeGroups),
            ...(mirror?.ready ?? []),
          ],
        },
        parent,
      );
    // Each kind the pools use gets its record's support (device plugin, exporter), as `<name>-<kind>`.
    const kinds = new Set(capacity.pools.map((p) => p.kind));
    const support = ACCELERATOR_KINDS.filter((k) => kinds.has(k)).map((k) => ({
      kind: k,
      support: ACCELERATORS[k].support(
        `${name}-${k}`,
        {
          cluster,
          monitoring: this.monitoring.handle,
          controlPlaneSubnetCidrs: this.network.privateSubnetCidrs,
          options: capacity,
        },
        parent,
      ),
    }));
    // A kind's pods use the scheduler its support installs, if it installs one (the Neuron scheduler extension).
    const schedulerNames: AcceleratorSchedulerNames = Object.fromEntries(
      support.flatMap(({ kind, support: s }) => (s.schedulerName === undefined ? [] : [[kind, s.schedulerName]])),
    );

    const teams = spec.teams ?? [];
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
        // Model teams pull from the registry in their own namespaces.
        ...(teams.length > 0 ? { clientNamespaces: [SERVING_NAMESPACE, ...teams.map((t) => t.name)] } : {}),
      },
      parent,
    );

    // Serving: Triton Deployments and KServe InferenceServices, pulling models from S3 or the registry.
    const models = spec.serving.models;
    // Every namespace serving models (`serving`, each team's) gets the same NetworkPolicies and OIDC client.
    const modelIsolation = { albSubnetCidrs: this.network.privateSubnetCidrs, vpcCidr: this.network.cidrBlock };
    const endpointAuth = spec.serving.oidc && {
      oidc: spec.serving.oidc,
      clientId: spec.serving.oidc.clientId,
      clientSecret: pulumi.secret(spec.serving.oidc.clientSecret),
    };
    this.serving = new ServingPlatform(
      `${name}-serving`,
      {
        cluster,
        // Team namespaces' ServingRuntimes need the KServe controller too.
        kserve: installsKServe(spec),
        runtimes: servingRuntimeIds(spec),
        registry: this.registry.handle,
        monitoring: this.monitoring.handle,
        ingressReady: [this.loadBalancerController.release],
        isolation: modelIsolation,
        ...(endpointAuth ? { endpointAuth } : {}),
        ...(mirror ? { imageMirror: mirror } : {}),
      },
      parent,
    );
    this.schedulerNames = schedulerNames;
    this.ingressGroup = modelsIngressGroup(spec.clusterName);
    for (const team of teams) {
      this.teams.push(
        new ModelNamespace(
          `${name}-team-${team.name}`,
          {
            cluster,
            team,
            registry: this.registry.handle,
            kserveController: this.serving.kserveController,
            monitoring: this.monitoring.handle,
            isolation: modelIsolation,
            ...(endpointAuth ? { endpointAuth } : {}),
            ...(mirror ? { imageMirror: mirror } : {}),
          },
          parent,
        ),
      );
    }
    if (spec.serving.gateway)
      this.llmGateway = new LlmGateway(
        `${name}-llm-gateway`,
        {
          cluster,
          // The same callers as the models' ALB: the stack's list, else the private subnets.
          allowedCidrs: spec.serving.allowedCidrs ?? this.network.privateSubnetCidrs,
          nlbSubnetCidrs: this.network.privateSubnetCidrs,
          replicas: spec.serving.gateway.replicas,
          ...(spec.serving.gateway.jwt ? { jwt: spec.serving.gateway.jwt } : {}),
          // Model teams' LLMs attach their routes from their own namespaces (through PlatformReference).
          modelNamespaces: [SERVING_NAMESPACE, ...this.teams.map((t) => t.name)],
          modelNamespacesReady: this.teams.map((t) => t.namespace),
          loadBalancerReady: [this.loadBalancerController.release],
          monitoring: this.monitoring.handle,
        },
        parent,
      );
    // Model hosts resolve inside the VPC: a private zone for the models' domain, ExternalDNS writing
    // the Ingresses' hosts and the LLM gateway's HTTPRoutes' hosts (after the Gateway API CRDs it watches).
    if (createsPrivateZone(spec)) {
      this.privateDns = new PrivateDns(
        `${name}-dns`,
        {
          cluster,
          domain: spec.serving.ingressDomain,
          monitoring: this.monitoring.handle,
          controlPlaneSubnetCidrs: this.network.privateSubnetCidrs,
          protect: spec.environment === "prod",
          ...(this.llmGateway
            ? { gatewayNamespace: LLM_GATEWAY_NAMESPACE, gatewayApiReady: this.llmGateway.handle.ready }
            : {}),
        },
        parent,
      );
    }
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
          ingressGroup: this.ingressGroup,
          // Named callers: the stack's list, else the private subnets (public subnets left out).
          allowedCidrs: spec.serving.allowedCidrs ?? this.network.privateSubnetCidrs,
          certificateArn: spec.serving.certificateArn,
          schedulerNames,
          monitoring: this.monitoring.handle,
          ...(this.llmGateway && routedByGateway(model) ? { llmGateway: this.llmGateway.handle } : {}),
          // One compile Job per device type the model's replicas fit on (compileCache).
          ...(model.compileCache
            ? {
                compileCacheDevices: deviceNamesOf(
                  placements(spec, model).map((p) => p.type),
                  model.accelerator,
                ),
              }
            : {}),
        },
        parent,
      );
    }

    this.registerOutputs({ clusterName: this.cluster.cluster.name });
  }
}
