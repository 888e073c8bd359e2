import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AcceleratorSchedulerNames } from "../common/accelerators";
import { MonitoringHandle, WorkloadClusterHandle } from "../common/handles";
import { InvalidArgsError } from "../common/errors";
import { modelHost } from "../common/dns";
import { PodIdentityRole } from "../common/pod-identity";
import { copyPodLabel, serviceMonitor } from "../common/monitors";
import { MODEL_LABEL, scaledObject } from "./autoscaling";
import { healthPathFor, inferenceService, modelIngress, predictorArgs } from "./kserve-builders";
import {
  compileCacheJob,
  compileCacheReadStatements,
  compileCacheRestore,
  compileCacheServiceAccount,
  compileCacheTrack,
  compileCacheWriterPolicy,
  COMPILE_CACHE_WRITER_PURPOSE,
  COMPILE_JOB_DEADLINE_SECONDS,
  type CompileCacheTrack,
} from "./compile-cache";
import { parseModelSource, servedSource } from "./model-source";
import { ModelSpec, modelSpecProblems } from "./model-spec";
import { MODEL_POD_LABEL } from "../common/names";
import type { ServingTarget } from "./serving-target";
import {
  modelReaderPolicy,
  podDisruptionBudget,
  tritonDeployment,
  tritonLabels,
  tritonService,
} from "./triton-builders";
import type { Environment } from "../common/tags";
import { allowedCidrsProblems, ingressGroupProblem, modelIngressGroup } from "./callers";
import { subnetCidrBlocks } from "../common/subnet-cidrs";
import { combinedPolicy } from "../common/iam";
import {
  stagedWeightsKeyStatement,
  weightsLocation,
  weightsObjectNames,
  weightsStagerServiceAccount,
  WEIGHTS_STAGER_PURPOSE,
  type WeightsLocation,
  weightsStagerPolicy,
  weightsStagingJob,
  weightsVolume,
} from "./mounted-weights";
import { routedByGateway, runtimeOf } from "./runtimes";
import { trackSelector } from "./drain";
import { modelTracks } from "./tracks";
import { ADAPTER_OBJECT_INFIX } from "./adapters";
import type { LlmGatewayHandle } from "./gateway/llm-gateway";
import { LlmModelRoute } from "./gateway/llm-route";
import { modelWake } from "./gateway/scale-from-zero";
import { VLLM_MAX_NUM_SEQS } from "./runtimes/vllm-neuron";
import { withImageMirror } from "../cluster/image-mirror";

/**
 * The model's Ingress, once its callers are known: `inbound-cidrs` from the model's own list, the
 * component's, or the cluster's private subnets; OIDC when the platform authenticates endpoints.
 */
function callersIngress(
  parent: pulumi.ComponentResource,
  args: ModelServerArgs,
  input: Omit<Parameters<typeof modelIngress>[0], "allowedCidrs" | "oidc" | "groupName">,
) {
  const { model, cluster } = args;
  const cidrs: pulumi.Input<string[]> =
    model.allowedCidrs ?? args.allowedCidrs ?? subnetCidrBlocks(cluster.privateSubnetIds, { parent });
  const groupName = modelIngressGroup(args.ingressGroup, model);
  const oidc = args.platform.endpointOidc;
  const shape = modelIngress({ ...input, groupName, allowedCidrs: ["0.0.0.0/32"], oidc });
  // The ALB sits in the cluster's private subnets, named: the NetworkPolicies admit their CIDRs.
  return {
    metadata: pulumi
      .all([cidrs, cluster.privateSubnetIds])
      .apply(
        ([allowedCidrs, albSubnetIds]) =>
          modelIngress({ ...input, groupName, allowedCidrs, oidc, albSubnetIds }).metadata,
      ),
    spec: shape.spec,
  };
}

export interface ModelServerArgs {
  /** The cluster the model runs on (a `ClusterHandle`, or `PlatformReference.cluster`). Required. */
  cluster: WorkloadClusterHandle;
  /**
   * Namespace, KEDA, KServe runtimes and registry access the model relies on: a `ServingPlatform`
   * in the platform's stack, or `PlatformReference.serving(...)` in a model team's stack. Required.
   */
  platform: ServingTarget;
  /** The model: source, server, accelerator, replicas, scaling, resources, canary. Required. */
  model: ModelSpec;
  /** Environment whose rules apply (scale to zero only in dev, 2+ replicas in prod). Required. */
  environment: Environment;
  /** DNS suffix of the model's host on the shared internal ALB: `<model>.<domain>`. Required. */
  ingressDomain: string;
  /** ALB group the model's Ingress joins (one internal ALB per environment). Required. */
  ingressGroup: string;
  /** ACM certificate for HTTPS on the models' ALB. Default: HTTP inside the VPC. */
  certificateArn?: string;
  /**
   * The scheduler the model's pods use, by accelerator kind, where the kind's support installs one
   * (`MlPlatform.schedulerNames`, or `PlatformReference.modelServerArgs`). Default: the default scheduler.
   */
  schedulerNames?: AcceleratorSchedulerNames;
  /** Resources ServiceMonitors wait for. Required. */
  monitoring: MonitoringHandle;
  /**
   * Networks allowed to call the model's endpoint (the ALB's `inbound-cidrs`), unless the model
   * names its own (`model.allowedCidrs`, which also gives it an ALB of its own). Default: the CIDRs
   * of the cluster's private subnets, read from EC2 (not the whole VPC: public subnets are left out).
   */
  allowedCidrs?: pulumi.Input<string[]>;
  /**
   * Route an LLM (a runtime with `inferencePool`) through the LLM gateway: an InferencePool and endpoint
   * picker per track and an HTTPRoute at the same host, instead of an ALB Ingress. Default: the ALB.
   */
  llmGateway?: LlmGatewayHandle;
  /**
   * Device names of the instance types the model's replicas may land on, as Karpenter labels them
   * (`karpenter.k8s.aws/instance-gpu-name` for NVIDIA, e.g. `l4`, `a10g`; `instance-accelerator-name`
   * for Neuron, e.g. `inferentia2`): with `model.compileCache`, one compile Job per name and served
   * version, on a node of that device. The platform computes them from the model's pool. Required
   * with `model.compileCache`.
   */
  compileCacheDevices?: readonly string[];
}

/** The scheduler of a model's kind, if its support installs one; CPU models use the default scheduler. */
function schedulerNameFor(model: ModelSpec, names: AcceleratorSchedulerNames = {}): string | undefined {
  return model.accelerator === "cpu" ? undefined : names[model.accelerator];
}

function validate(kind: string, name: string, args: ModelServerArgs): void {
  const { model, platform } = args;
  const problems = modelSpecProblems(model, args.environment).map((p) => `model.${p.field}: ${p.message}`);
  if (Array.isArray(args.allowedCidrs) && args.allowedCidrs.every((c) => typeof c === "string"))
    for (const p of allowedCidrsProblems(args.allowedCidrs as string[]))
      problems.push(`allowedCidrs${p.path}: ${p.message}`);
  const group = modelIngressGroup(args.ingressGroup, model);
  const groupProblem = ingressGroupProblem(group);
  if (groupProblem) problems.push(`ingressGroup: ${groupProblem}`);
  if (args.llmGateway && !routedByGateway(model))
    problems.push(`llmGateway: routes LLMs; ${runtimeOf(model).title} models are served through the ALB`);
  for (const key of ["abTest", "shadow"] as const)
    if (model[key] && !args.llmGateway)
      problems.push(
        `model.${key}: is a route of the LLM gateway; give the model llmGateway (mlserving:serving.gateway)`,
      );
  if (platform.endpointOidc && !args.certificateArn)
    problems.push("certificateArn: the ServingPlatform authenticates endpoints with OIDC, which needs HTTPS");
  for (const t of modelTracks(model)) {
    if (parseModelSource(t.source)?.kind === "mlflow" && !platform.trackingUri) {
      problems.push(
        `model.${t.field}source: models:/ sources need the model registry; give the ServingPlatform a registry`,
      );
    }
  }
  (model.adapters ?? []).forEach((a, i) => {
    if (parseModelSource(a.source)?.kind !== "mlflow") return;
    if (!platform.trackingUri)
      problems.push(
        `model.adapters[${i}].source: models:/ sources need the model registry; give the ServingPlatform a registry`,
      );
    else if (!platform.weightsStore)
      problems.push(
        `model.adapters[${i}].source: a models:/ adapter is staged in the registry's bucket, which ` +
          `this platform does not name (in a team's stack, record the platform's outputs again: they ` +
          `lack registry.artifactKeyArn)`,
      );
  });
  if (
    model.mountWeights &&
    !platform.weightsStore &&
    modelTracks(model).some((t) => parseModelSource(t.source)?.kind === "mlflow")
  )
    problems.push(
      "model.mountWeights: a models:/ version is staged in the registry's bucket, which this platform " +
        "does not name (give the ServingPlatform a registry; in a team's stack, record the platform's " +
        "outputs again: they lack registry.artifactKeyArn)",
    );
  const devices = args.compileCacheDevices ?? [];
  if (model.compileCache && devices.length === 0)
    problems.push(
      "compileCacheDevices: model.compileCache compiles once per device type the replicas may land on; name " +
        "them (Karpenter's karpenter.k8s.aws/instance-gpu-name values, e.g. l4, or instance-accelerator-name for Neuron)",
    );
  const perDevice = runtimeOf(model).compileCache?.perDevice;
  if (model.compileCache && perDevice === false && devices.length > 1)
    problems.push(
      `compileCacheDevices: ${runtimeOf(model).title} keeps one compiled model, not one per device; ` +
        `name one device type, not ${devices.join(", ")}`,
    );
  if (model.compileCache && !platform.weightsStore)
    problems.push(
      "model.compileCache: the compile cache is kept in the registry's bucket, which this platform does not " +
        "name (give the ServingPlatform a registry; in a team's stack, record the platform's outputs again)",
    );
  if (kind === "KServeModel" && !platform.kserveRuntimes.includes(model.runtime))
    problems.push(
      `model.runtime: namespace "${platform.namespace}" offers no KServe ${model.runtime} runtime ` +
        `(it offers: ${platform.kserveRuntimes.join(", ") || "none"}); create the ServingPlatform with ` +
        `kserve: true and that runtime, or ask the platform team to add it to the team's runtimes`,
    );
  if (platform.allowedModels && !platform.allowedModels.includes(model.name))
    problems.push(
      `model.name: "${model.name}" is not among the models namespace "${platform.namespace}" may ` +
        `serve (${platform.allowedModels.join(", ")}); ask the platform team to add it to the team's models`,
    );
  if (problems.length > 0) throw new InvalidArgsError(`${kind} "${name}"`, problems);
}

/**
 * A service account for the model and, for S3 sources and staged registry versions it mounts, a pod
 * identity that reads exactly those prefixes (Mountpoint mounts with the pod's own credentials).
 */
function modelIdentity(
  parent: pulumi.ComponentResource,
  name: string,
  args: ModelServerArgs,
  sources: string[],
  staged: WeightsLocation[] = [],
  compilePrefixes: string[] = [],
) {
  const { cluster, model } = args;
  const sa = new k8s.core.v1.ServiceAccount(
    `${name}-sa`,
    {
      metadata: { name: model.name, namespace: args.platform.namespace, labels: { [MODEL_POD_LABEL]: model.name } },
    },
    { parent, provider: cluster.provider, dependsOn: args.platform.ready },
  );
  const s3 = sources.map(parseModelSource).flatMap((s) => (s?.kind === "s3" ? [s] : []));
  const dependsOn: pulumi.Resource[] = [sa];
  const store = args.platform.weightsStore;
  // Registry-bucket prefixes it reads: the staged weights, the compile caches (both decrypt with the registry's key).
  const inRegistry = staged.length > 0 || compilePrefixes.length > 0;
  if (s3.length > 0 || (inRegistry && store)) {
    dependsOn.push(
      new PodIdentityRole(
        `${name}-model-reader`,
        {
          cluster,
          namespace: args.platform.namespace,
          serviceAccount: model.name,
          policy: pulumi.all([cluster.partition, store?.bucket, store?.keyArn]).apply(([p, bucket, keyArn]) =>
            combinedPolicy([
              ...s3.flatMap((src) => modelReaderPolicy(p, src).Statement),
              ...(bucket && keyArn && inRegistry
                ? [
                    ...compilePrefixes.flatMap((prefix) => compileCacheReadStatements(p, bucket, prefix)),
                    ...staged.flatMap(
                      (at) =>
                        modelReaderPolicy(p, {
                          kind: "s3",
                          uri: `s3://${bucket}/${at.prefix}`,
                          bucket,
                          prefix: at.prefix,
                        }).Statement,
                    ),
                    stagedWeightsKeyStatement(keyArn),
                  ]
                : []),
            ]),
          ),
          tags: { ...cluster.tags, "mlserving.io/purpose": "model-reader" },
        },
        { parent },
      ),
    );
  }
  return dependsOn;
}

/** The staging Jobs' service account, `<model>-weights`, and a pod identity that writes only the model's staged prefixes. */
function weightsStagerIdentity(
  parent: pulumi.ComponentResource,
  name: string,
  args: ModelServerArgs,
  staged: WeightsLocation[],
): pulumi.Resource[] {
  const { cluster, model } = args;
  const store = args.platform.weightsStore!;
  const serviceAccount = weightsStagerServiceAccount(model.name);
  const sa = new k8s.core.v1.ServiceAccount(
    `${name}-weights-sa`,
    {
      metadata: { name: serviceAccount, namespace: args.platform.namespace, labels: { [MODEL_POD_LABEL]: model.name } },
    },
    { parent, provider: cluster.provider, dependsOn: args.platform.ready },
  );
  const role = new PodIdentityRole(
    `${name}-weights-stager`,
    {
      cluster,
      namespace: args.platform.namespace,
      serviceAccount,
      policy: pulumi
        .all([cluster.partition, store.bucket, store.keyArn])
        .apply(([p, bucket, keyArn]) =>
          combinedPolicy(
            staged.flatMap((at) => weightsStagerPolicy(p, { bucket, prefix: at.prefix, keyArn }).Statement),
          ),
        ),
      tags: { ...cluster.tags, "mlserving.io/purpose": WEIGHTS_STAGER_PURPOSE },
    },
    { parent },
  );
  return [sa, role];
}

/** The compile Jobs' service account, `<model>-compile`, and a pod identity that writes only the model's compile-cache prefixes. */
function compileCacheWriterIdentity(
  parent: pulumi.ComponentResource,
  name: string,
  args: ModelServerArgs,
  tracks: { track: CompileCacheTrack; weights: WeightsLocation }[],
  adapters: WeightsLocation[],
): pulumi.Resource[] {
  const { cluster, model } = args;
  const store = args.platform.weightsStore!;
  const serviceAccount = compileCacheServiceAccount(model.name);
  const sa = new k8s.core.v1.ServiceAccount(
    `${name}-compile-sa`,
    {
      metadata: { name: serviceAccount, namespace: args.platform.namespace, labels: { [MODEL_POD_LABEL]: model.name } },
    },
    { parent, provider: cluster.provider, dependsOn: args.platform.ready },
  );
  const role = new PodIdentityRole(
    `${name}-compile-cache-writer`,
    {
      cluster,
      namespace: args.platform.namespace,
      serviceAccount,
      policy: pulumi.all([cluster.partition, store.bucket, store.keyArn]).apply(([p, registryBucket, keyArn]) =>
        combinedPolicy(
          tracks.flatMap(
            ({ track, weights }) =>
              compileCacheWriterPolicy(p, {
                bucket: registryBucket,
                prefix: track.prefix,
                keyArn,
                reads: [weights, ...adapters].map((at) => ({ bucket: at.bucket ?? registryBucket, prefix: at.prefix })),
              }).Statement,
          ),
        ),
      ),
      tags: { ...cluster.tags, "mlserving.io/purpose": COMPILE_CACHE_WRITER_PURPOSE },
    },
    { parent },
  );
  return [sa, role];
}

/**
 * The compile Jobs of one track, one per device name, each after the one before (one device at a time beyond
 * the replicas'): each waits for the track's weights (claim, staging) and the writer's identity.
 */
function compileCacheJobs(
  parent: pulumi.ComponentResource,
  name: string,
  args: ModelServerArgs,
  track: CompileCacheTrack,
  weightsClaim: string,
  adapterClaims: Readonly<Record<string, string>>,
  after: pulumi.Resource[],
): pulumi.Resource[] {
  const { cluster, model } = args;
  const mirror = args.platform.imageMirror;
  const bucket = args.platform.weightsStore!.bucket;
  const jobs: pulumi.Resource[] = [];
  const schedulerName = schedulerNameFor(model, args.schedulerNames);
  const compileJobWait = `${COMPILE_JOB_DEADLINE_SECONDS / 60 + 5}m`;
  for (const device of args.compileCacheDevices ?? []) {
    const input = {
      track,
      model,
      device,
      weightsClaim,
      adapterClaims,
      region: cluster.region,
      ...(schedulerName ? { schedulerName } : {}),
    };
    const shape = compileCacheJob({ ...input, bucket: "" });
    jobs.push(
      new k8s.batch.v1.Job(
        `${name}-compile-${device}`,
        {
          metadata: shape.metadata,
          spec: pulumi
            .output(bucket)
            .apply((b) => withImageMirror(mirror, (m) => compileCacheJob({ ...input, bucket: b, mirror: m }).spec)),
        },
        {
          parent,
          provider: cluster.provider,
          dependsOn: [...after, ...jobs.slice(-1), ...args.platform.ready, ...(mirror?.ready ?? [])],
          // Pulumi waits for the Job, a little longer than the Job may run (COMPILE_JOB_DEADLINE_SECONDS).
          customTimeouts: { create: compileJobWait, update: compileJobWait },
        },
      ),
    );
  }
  return jobs;
}

/**
 * One track's mounted weights: the read-only volume on its prefix and the claim KServe mounts, and
 * for a registry version the Job that stages it first. The InferenceService waits for these.
 */
function mountedWeightsObjects(
  parent: pulumi.ComponentResource,
  name: string,
  args: ModelServerArgs,
  isvc: string,
  at: WeightsLocation,
  stager: pulumi.Resource[],
  infix: "wt" | "lora" = "wt",
): pulumi.Resource[] {
  const { cluster, model } = args;
  const namespace = args.platform.namespace;
  const opts = { parent, provider: cluster.provider };
  const bucket: pulumi.Input<string> = at.bucket ?? args.platform.weightsStore!.bucket;
  const mirror = args.platform.imageMirror;
  const input = {
    isvc,
    namespace,
    model: model.name,
    at,
    region: cluster.region,
    uid: runtimeOf(model).runAsUser,
    infix,
  };
  // Names do not depend on the bucket (a staged prefix names the registry's); only the volume's attributes do.
  const shape = weightsVolume({ ...input, bucket: "" });
  const volume = new k8s.core.v1.PersistentVolume(
    `${name}-weights`,
    {
      metadata: shape.volume.metadata,
      spec: pulumi.output(bucket).apply((b) => weightsVolume({ ...input, bucket: b }).volume.spec),
    },
    { ...opts, dependsOn: args.platform.ready },
  );
  const claim = new k8s.core.v1.PersistentVolumeClaim(`${name}-weights`, shape.claim, {
    ...opts,
    dependsOn: [volume, ...args.platform.ready],
  });
  if (!at.staged) return [claim];
  const jobInput = {
    isvc,
    namespace,
    model: model.name,
    at,
    serviceAccountName: weightsStagerServiceAccount(model.name),
    trackingUri: args.platform.trackingUri!,
    region: cluster.region,
    infix,
    // The scratch space is capped by the model's weights; an adapter's size is not stated.
    ...(model.weightsGiB !== undefined && infix === "wt" ? { weightsGiB: model.weightsGiB } : {}),
  };
  const jobShape = weightsStagingJob({ ...jobInput, bucket: "" });
  const job = new k8s.batch.v1.Job(
    `${name}-weights-stage`,
    {
      metadata: jobShape.metadata,
      spec: pulumi
        .output(bucket)
        .apply((b) => withImageMirror(mirror, (m) => weightsStagingJob({ ...jobInput, bucket: b, mirror: m }).spec)),
    },
    {
      ...opts,
      dependsOn: [...stager, ...args.platform.ready, ...(mirror?.ready ?? [])],
      // Pulumi waits for the Job to complete; a large model takes longer than the 10-minute default.
      customTimeouts: { create: "60m", update: "60m" },
    },
  );
  return [claim, job];
}

/**
 * One model on the kit's own Triton Deployment: Service, ServiceMonitor, PodDisruptionBudget,
 * KEDA ScaledObject on its inference metric, internal Ingress, and a pod identity that reads
 * only its S3 prefix (registry models are pulled through MLflow and need none).
 */
export class TritonServer extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;

  constructor(name: string, args: ModelServerArgs, opts?: pulumi.ComponentResourceOptions) {
    validate("TritonServer", name, args);
    super("mlserving:serving:TritonServer", name, {}, opts);
    const { cluster, model } = args;
    const namespace = args.platform.namespace;
    const k8sOpts = { parent: this, provider: cluster.provider };
    const identity = modelIdentity(this, name, args, [model.source]);
    const mlflow = parseModelSource(model.source)?.kind === "mlflow";

    const deploymentInput = {
      model,
      serviceAccountName: model.name,
      region: cluster.region,
      trackingUri: mlflow ? args.platform.trackingUri : undefined,
      schedulerName: schedulerNameFor(model, args.schedulerNames),
      namespace,
    };
    const mirror = args.platform.imageMirror;
    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        ...tritonDeployment(deploymentInput),
        spec: withImageMirror(mirror, (m) => tritonDeployment({ ...deploymentInput, mirror: m }).spec),
      },
      {
        ...k8sOpts,
        dependsOn: [...identity, ...args.platform.ready, ...(mirror?.ready ?? [])],
        ignoreChanges: ["spec.replicas"],
      },
    );
    const service = new k8s.core.v1.Service(name, tritonService(model.name, namespace), {
      ...k8sOpts,
      dependsOn: args.platform.ready,
    });
    new k8s.policy.v1.PodDisruptionBudget(name, podDisruptionBudget(model.name, tritonLabels(model.name), namespace), {
      ...k8sOpts,
      dependsOn: args.platform.ready,
    });
    new k8s.apiextensions.CustomResource(
      `${name}-metrics`,
      serviceMonitor({
        name: model.name,
        namespace,
        serviceLabels: tritonLabels(model.name),
        port: "metrics",
        interval: "15s",
        relabelings: [copyPodLabel(MODEL_POD_LABEL, MODEL_LABEL)],
      }),
      { ...k8sOpts, dependsOn: [service, ...args.monitoring.ready] },
    );
    new k8s.apiextensions.CustomResource(`${name}-autoscaler`, scaledObject(model, model.name, { namespace }), {
      ...k8sOpts,
      dependsOn: [this.deployment],
    });
    const ingress = callersIngress(this, args, {
      model: model.name,
      host: modelHost(model.name, args.ingressDomain),
      healthPath: healthPathFor(model),
      certificateArn: args.certificateArn,
      service: { name: model.name, port: { name: "http" } },
      namespace,
    });
    new k8s.networking.v1.Ingress(name, ingress, { ...k8sOpts, dependsOn: [service, ...args.platform.ingressReady] });
    this.registerOutputs({});
  }
}

/**
 * One model as a KServe InferenceService (and a `-canary` InferenceService taking a weighted
 * share through the ALB when a canary is declared), with PodDisruptionBudgets, KEDA scaling
 * through KServe, an internal Ingress and a pod identity for S3 sources.
 */
export class KServeModel extends pulumi.ComponentResource {
  readonly inferenceServices: k8s.apiextensions.CustomResource[] = [];

  constructor(name: string, args: ModelServerArgs, opts?: pulumi.ComponentResourceOptions) {
    validate("KServeModel", name, args);
    super("mlserving:serving:KServeModel", name, {}, opts);
    const { cluster, model } = args;
    const namespace = args.platform.namespace;
    const k8sOpts = { parent: this, provider: cluster.provider };
    const schedulerName = schedulerNameFor(model, args.schedulerNames);

    const tracks = modelTracks(model);
    // Where each track's weights are mounted from, when they are (validated above: a version, a registry).
    const mounts = new Map(
      model.mountWeights
        ? tracks.map((t) => [t.track, weightsLocation(servedSource(t.source, t.pinnedVersion), namespace)] as const)
        : [],
    );
    // Each LoRA adapter's prefix, mounted read-only by every track (adapters.ts); a registry version staged first.
    const adapters = (model.adapters ?? []).map((a) => ({ adapter: a, at: weightsLocation(a.source, namespace) }));
    const staged = [...mounts.values(), ...adapters.map((a) => a.at)].filter((at) => at.staged);
    // A gateway track other than stable answers to the model's name (clients send it in the body).
    const extraArgsOf = (track: string) =>
      args.llmGateway && track !== "stable" ? ["--served-model-name", model.name] : [];
    // Each track's compile cache (compileCache, validated to mount its weights): where it lives and what it compiles.
    const compiling = new Map(
      model.compileCache
        ? tracks.map(
            (t) =>
              [
                t.track,
                compileCacheTrack(model, {
                  isvc: t.isvc,
                  namespace,
                  predictorArgs: predictorArgs(model, true, extraArgsOf(t.track)),
                  weights: mounts.get(t.track)!,
                }),
              ] as const,
          )
        : [],
    );
    const identity = modelIdentity(
      this,
      name,
      args,
      [...tracks.map((t) => t.source), ...adapters.map((a) => a.adapter.source)],
      staged,
      [...compiling.values()].map((c) => c.prefix),
    );
    const compileWriter =
      compiling.size > 0
        ? compileCacheWriterIdentity(
            this,
            name,
            args,
            tracks.map((t) => ({ track: compiling.get(t.track)!, weights: mounts.get(t.track)! })),
            adapters.map((a) => a.at),
          )
        : [];
    const stager = staged.length > 0 ? weightsStagerIdentity(this, name, args, staged) : [];
    const adapterWeights = adapters.flatMap(({ adapter, at }) =>
      mountedWeightsObjects(this, `${name}-lora-${adapter.name}`, args, model.name, at, stager, ADAPTER_OBJECT_INFIX),
    );
    const adapterClaims = Object.fromEntries(
      adapters.map(({ adapter, at }) => [
        adapter.name,
        weightsObjectNames(model.name, namespace, at, ADAPTER_OBJECT_INFIX).claim,
      ]),
    );

    // Behind the gateway a model at 0 replicas is woken by the requests its pickers hold.
    const wake = modelWake(model, args.llmGateway !== undefined);
    let lastCompile: pulumi.Resource[] = [];
    for (const t of tracks) {
      const at = mounts.get(t.track);
      const weights = at ? mountedWeightsObjects(this, `${name}-${t.track}`, args, t.isvc, at, stager) : [];
      const input = {
        model,
        track: t.track,
        name: t.isvc,
        source: servedSource(t.source, t.pinnedVersion),
        configuredSource: t.source,
        serviceAccountName: model.name,
        schedulerName,
        namespace,
        ...(at ? { weightsClaim: weightsObjectNames(t.isvc, namespace, at).claim } : {}),
        ...(adapters.length > 0 ? { adapterClaims } : {}),
        // Through the gateway every track answers to the model's name (clients send it in the body).
        ...(args.llmGateway && t.track !== "stable" ? { extraArgs: extraArgsOf(t.track) } : {}),
      };
      const compiled = compiling.get(t.track);
      const spec = compiled
        ? {
            ...inferenceService(input),
            // Replicas restore the cache the Jobs fill; they do not wait for the Jobs (without a mark they compile).
            spec: pulumi.output(args.platform.weightsStore!.bucket).apply((bucket) =>
              withImageMirror(
                args.platform.imageMirror,
                (mirror) =>
                  inferenceService({
                    ...input,
                    compileCache: compileCacheRestore({
                      track: compiled,
                      bucket,
                      region: cluster.region,
                      envName: runtimeOf(model).compileCache!.env,
                      mirror,
                    }),
                  }).spec,
              ),
            ),
          }
        : inferenceService(input);
      // One compile at a time across the model's tracks: each Job holds a GPU beyond the replicas'.
      if (compiled && at)
        lastCompile = compileCacheJobs(this, `${name}-${t.track}`, args, compiled, input.weightsClaim!, adapterClaims, [
          ...weights,
          ...adapterWeights,
          ...compileWriter,
          ...lastCompile.slice(-1),
        ]);
      const isvc = new k8s.apiextensions.CustomResource(`${name}-${t.track}`, spec, {
        ...k8sOpts,
        dependsOn: [
          ...identity,
          ...args.platform.ready,
          ...weights,
          ...adapterWeights,
          ...(compiled ? (args.platform.imageMirror?.ready ?? []) : []),
        ],
      });
      this.inferenceServices.push(isvc);
      new k8s.apiextensions.CustomResource(
        `${name}-${t.track}-autoscaler`,
        scaledObject(model, `${t.isvc}-predictor`, {
          name: t.isvc,
          track: t.track,
          namespace,
          ...(wake && t.track !== "shadow" ? { wake: { perReplica: model.llm?.maxNumSeqs ?? VLLM_MAX_NUM_SEQS } } : {}),
        }),
        { ...k8sOpts, dependsOn: [isvc] },
      );
      const selector = trackSelector(model.name, t.track);
      new k8s.policy.v1.PodDisruptionBudget(`${name}-${t.track}`, podDisruptionBudget(t.isvc, selector, namespace), {
        ...k8sOpts,
        dependsOn: args.platform.ready,
      });
    }
    if (args.llmGateway) {
      new LlmModelRoute(
        `${name}-llm`,
        {
          cluster,
          model,
          namespace,
          host: `${model.name}.${args.ingressDomain}`,
          gateway: args.llmGateway,
          monitoring: args.monitoring,
          ...(wake ? { wake } : {}),
          dependsOn: this.inferenceServices,
        },
        { parent: this },
      );
      this.registerOutputs({});
      return;
    }
    new k8s.networking.v1.Ingress(
      name,
      callersIngress(this, args, {
        model: model.name,
        host: modelHost(model.name, args.ingressDomain),
        healthPath: healthPathFor(model),
        canaryPercent: model.canary?.trafficPercent,
        certificateArn: args.certificateArn,
        namespace,
      }),
      { ...k8sOpts, dependsOn: [...this.inferenceServices, ...args.platform.ingressReady] },
    );
    this.registerOutputs({});
  }
}
