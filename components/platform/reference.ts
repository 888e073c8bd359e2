import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringHandle, WeightsStore, WorkloadClusterHandle } from "../common/handles";
import { standardTags } from "../common/tags";
import type { LlmGatewayHandle } from "../serving/gateway/llm-gateway";
import type { ModelServerArgs } from "../serving/model-servers";
import { routedByGateway } from "../serving/runtimes";
import type { ModelSpec } from "../serving/model-spec";
import type { ServingTarget } from "../serving/serving-target";
import type { ImageMirrorHandle } from "../cluster/image-mirror";
import {
  parsePlatformOutputs,
  PLATFORM_OUTPUT_KEYS,
  type PlatformClusterOutputs,
  type PlatformOutputs,
  type PlatformOutputsError,
  schedulerNamesOf,
} from "./outputs";

export type { PlatformOutputsError };

/** The referenced cluster: what model servers need, and every fact the platform exports about it. */
export type ReferencedCluster = WorkloadClusterHandle & Omit<PlatformClusterOutputs, "partition" | "accountId">;

/** The platform's registry as a model team sees it: where it is; its credentials stay in the platform's Secret. */
export interface ReferencedRegistry {
  /** In-cluster MLflow tracking URI. */
  readonly trackingUri: string;
  /** Host name of the MLflow UI, when the platform sets one. */
  readonly hostname?: string;
  /** S3 bucket of the registry's artifacts. */
  readonly artifactBucket: string;
  /** KMS key of the artifact bucket; absent in outputs recorded before it was exported. */
  readonly artifactKeyArn?: string;
  /** Name of the Secret with read credentials, in the serving namespace and every team namespace. */
  readonly credentialsSecret: string;
}

export interface PlatformReferenceOptions {
  /** Team whose tag the model team's AWS resources carry. Default: the namespace's team, or `models`. */
  team?: string;
  /** Extra tags on the model team's AWS resources (model-reader roles). Default: none. */
  tags?: Record<string, string>;
  /** Parent of the Kubernetes provider (and of the StackReference). Default: the stack. */
  parent?: pulumi.Resource;
}

/**
 * A platform stack seen from a model team's stack: turns the platform's outputs
 * ({@link PlatformOutputs}) into the handles `TritonServer`, `KServeModel` and the runtime
 * registry's runtimes need, with a Kubernetes provider on the platform's kubeconfig. It
 * registers nothing the platform owns: no namespace, KEDA, registry Secret or ServingRuntime,
 * only a read of the platform stack and a provider.
 *
 *   const platform = await PlatformReference.fromStack("platform", "acme/mlserving/prod");
 *   new TritonServer("fraud", platform.modelServerArgs(model, { team: "fraud" }));
 */
export class PlatformReference {
  readonly outputs: PlatformOutputs;
  readonly environment: PlatformOutputs["environment"];
  readonly provider: k8s.Provider;
  readonly cluster: ReferencedCluster;
  readonly registry: ReferencedRegistry;
  readonly monitoring: MonitoringHandle;

  /**
   * Reads a platform stack's outputs through a `pulumi.StackReference` (`<org>/<project>/<stack>`)
   * and validates them; a missing or ill-typed output is an error naming the output key.
   */
  static async fromStack(
    name: string,
    stackName: string,
    opts: PlatformReferenceOptions = {},
  ): Promise<PlatformReference> {
    const ref = new pulumi.StackReference(`${name}-stack`, { name: stackName }, { parent: opts.parent });
    const raw: Record<string, unknown> = {};
    for (const key of PLATFORM_OUTPUT_KEYS) {
      const details = await ref.getOutputDetails(key);
      const value = details.value ?? details.secretValue;
      if (value !== undefined) raw[key] = value;
    }
    return new PlatformReference(name, parsePlatformOutputs(raw, stackName), opts);
  }

  /** A reference from outputs already read (a recorded copy, for tests and offline planning), validated. */
  static fromOutputs(
    name: string,
    outputs: unknown,
    opts: PlatformReferenceOptions & { source?: string } = {},
  ): PlatformReference {
    return new PlatformReference(name, parsePlatformOutputs(outputs, opts.source ?? "(recorded outputs)"), opts);
  }

  private constructor(
    name: string,
    outputs: PlatformOutputs,
    private readonly opts: PlatformReferenceOptions,
  ) {
    this.outputs = outputs;
    this.environment = outputs.environment;
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: pulumi.secret(outputs.kubeconfig), enableServerSideApply: true },
      { parent: opts.parent },
    );
    const c = outputs.cluster;
    this.cluster = {
      ...c,
      partition: pulumi.output(c.partition),
      accountId: pulumi.output(c.accountId),
      tags: standardTags(outputs.environment, opts.team ?? "models", opts.tags),
      provider: this.provider,
    };
    this.registry = {
      trackingUri: outputs.registry.trackingUri,
      ...(outputs.registry.hostname ? { hostname: outputs.registry.hostname } : {}),
      artifactBucket: outputs.registry.artifactBucket,
      ...(outputs.registry.artifactKeyArn ? { artifactKeyArn: outputs.registry.artifactKeyArn } : {}),
      credentialsSecret: outputs.serving.registryCredentialsSecret,
    };
    this.monitoring = {
      namespace: outputs.monitoring.namespace,
      prometheusUrl: outputs.monitoring.prometheusUrl,
      // The platform stack installed the operator and its CRDs: nothing to wait for here.
      ready: [],
    };
  }

  /** The teams the platform created a namespace for. */
  get teams(): string[] {
    return Object.keys(this.outputs.serving.teams);
  }

  /**
   * Where a model is served: the team's namespace (`mlserving:teams`), or without a team the
   * platform's own serving namespace. Throws for a team the platform does not know.
   */
  serving(team?: string): ServingTarget {
    const s = this.outputs.serving;
    if (team === undefined)
      return {
        namespace: s.namespace,
        ready: [],
        ingressReady: [],
        kserveRuntimes: s.kserveRuntimes,
        trackingUri: this.registry.trackingUri,
        ...(s.endpointOidc ? { endpointOidc: s.endpointOidc } : {}),
        ...this.weightsStore(),
        ...this.imageMirror(),
      };
    const t = s.teams[team];
    if (!t)
      throw new Error(
        `platform has no team "${team}" (it has: ${this.teams.join(", ") || "none"}); the platform team adds it to mlserving:teams`,
      );
    return {
      namespace: t.namespace,
      ready: [],
      ingressReady: [],
      kserveRuntimes: t.kserveRuntimes,
      trackingUri: this.registry.trackingUri,
      ...(t.models ? { allowedModels: t.models } : {}),
      ...(s.endpointOidc ? { endpointOidc: s.endpointOidc } : {}),
      ...this.weightsStore(),
      ...this.imageMirror(),
    };
  }

  /**
   * The platform's pull-through cache, when it has one: a team's pods pull through it like the
   * platform's own. Nothing to wait for: the platform stack made the rules and the nodes' permissions.
   */
  private imageMirror(): { imageMirror?: ImageMirrorHandle } {
    const m = this.outputs.serving.imageMirror;
    return m
      ? {
          imageMirror: {
            registry: pulumi.output(m.registry),
            repositoryPrefix: m.repositoryPrefix,
            upstreams: m.upstreams,
            ready: [],
          },
        }
      : {};
  }

  /** The registry's bucket and key, where the platform stages registry versions for models that mount their weights (outputs that carry the key). */
  private weightsStore(): { weightsStore?: WeightsStore } {
    const r = this.registry;
    return r.artifactKeyArn ? { weightsStore: { bucket: r.artifactBucket, keyArn: r.artifactKeyArn } } : {};
  }

  /**
   * The platform's LLM gateway, when it runs one: a team's LLM attaches its HTTPRoute to it from the
   * team's namespace (which the platform's Gateway admits; a route's parent in another namespace
   * needs no ReferenceGrant, and its pools and picker stay in the team's namespace). Nothing to wait
   * for: the platform stack installed the gateway and its CRDs.
   */
  get llmGateway(): LlmGatewayHandle | undefined {
    const g = this.outputs.serving.llmGateway;
    return g ? { ready: [], parent: { name: g.name, namespace: g.namespace, listener: g.listener } } : undefined;
  }

  /**
   * Everything `TritonServer` and `KServeModel` take for one model, in the team's namespace; an LLM
   * (vLLM on KServe) goes through the platform's gateway when it runs one, as the platform's own do.
   */
  modelServerArgs(model: ModelSpec, placement: { team?: string } = {}): ModelServerArgs {
    const s = this.outputs.serving;
    const schedulers = schedulerNamesOf(s);
    return {
      cluster:
        this.opts.team || !placement.team
          ? this.cluster
          : { ...this.cluster, tags: { ...this.cluster.tags, team: placement.team } },
      platform: this.serving(placement.team),
      model,
      environment: this.environment,
      ingressDomain: s.ingressDomain,
      ingressGroup: s.ingressGroup,
      ...(s.certificateArn ? { certificateArn: s.certificateArn } : {}),
      ...(Object.keys(schedulers).length > 0 ? { schedulerNames: schedulers } : {}),
      monitoring: this.monitoring,
      ...(this.llmGateway && routedByGateway(model) ? { llmGateway: this.llmGateway } : {}),
    };
  }
}
