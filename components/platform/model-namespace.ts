import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterHandle, MonitoringHandle, RegistryHandle } from "../common/handles";
import { throwIfProblems } from "../common/problems";
import type { ImageMirrorHandle } from "../cluster/image-mirror";
import { createModelNamespaceObjects, type ModelNamespaceIsolation } from "../serving/namespace-objects";
import {
  MODEL_TEAM_LABEL,
  modelTeamLimitRange,
  modelTeamPodSecurityLabels,
  modelTeamProblems,
  modelTeamResourceQuota,
  type ModelTeamSpec,
} from "./teams";

export interface ModelNamespaceArgs {
  /** The cluster. Required. */
  cluster: Pick<ClusterHandle, "provider" | "workloadReady">;
  /** The team: namespace name, quota, KServe runtimes, models it may own. Required. */
  team: ModelTeamSpec;
  /** The registry whose read credentials the namespace gets for `models:/` sources. Default: none. */
  registry?: RegistryHandle;
  /** The KServe controller; required when the team has runtimes (its webhook admits ServingRuntimes). */
  kserveController?: pulumi.Resource;
  /** Monitoring: the runtimes' PodMonitors wait for the operator's CRDs. Required. */
  monitoring: MonitoringHandle;
  /** Network facts for the namespace's NetworkPolicies, as the `serving` namespace gets them. Default: none. */
  isolation?: ModelNamespaceIsolation;
  /** The ALB OIDC client the team's model endpoints authenticate with. Default: none. */
  endpointAuth?: { clientId: pulumi.Input<string>; clientSecret: pulumi.Input<string> };
  /** The ECR pull-through cache the team's ServingRuntimes pull their images through. Default: none. */
  imageMirror?: ImageMirrorHandle;
}

/**
 * A model team's namespace, owned by the platform stack: what every namespace serving models
 * gets (Pod Security at the `serving` level, the registry credentials Secret, the team's KServe
 * ServingRuntimes and their PodMonitors; see `createModelNamespaceObjects`), plus a
 * ResourceQuota and a LimitRange. The team's own stack deploys models into it through
 * `PlatformReference` and registers none of these.
 */
export class ModelNamespace extends pulumi.ComponentResource {
  /** The namespace's name (the team's name). */
  readonly name: string;
  readonly namespace: k8s.core.v1.Namespace;

  constructor(name: string, args: ModelNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = modelTeamProblems(args.team).map((p) => ({ path: `team.${p.path}`, message: p.message }));
    if (args.team.runtimes.length > 0 && !args.kserveController)
      problems.push({ path: "kserveController", message: "is required when the team has KServe runtimes" });
    throwIfProblems(`ModelNamespace "${name}"`, problems);
    super("mlserving:platform:ModelNamespace", name, {}, opts);
    const { team } = args;
    this.name = team.name;
    const k8sOpts = { parent: this, provider: args.cluster.provider };
    const objects = createModelNamespaceObjects(
      name,
      {
        namespace: team.name,
        podSecurityLabels: modelTeamPodSecurityLabels(),
        labels: { [MODEL_TEAM_LABEL]: team.name },
        registry: args.registry,
        runtimes: team.runtimes,
        runtimesReady: args.kserveController ? [args.kserveController] : undefined,
        monitoring: args.monitoring,
        dependsOn: args.cluster.workloadReady,
        isolation: args.isolation,
        endpointAuth: args.endpointAuth,
        imageMirror: args.imageMirror,
      },
      k8sOpts,
    );
    this.namespace = objects.namespace;
    const inNamespace = { ...k8sOpts, dependsOn: [objects.namespace] };
    new k8s.core.v1.ResourceQuota(`${name}-quota`, modelTeamResourceQuota(team), inNamespace);
    new k8s.core.v1.LimitRange(`${name}-defaults`, modelTeamLimitRange(team), inNamespace);
    this.registerOutputs({ namespace: team.name });
  }
}
