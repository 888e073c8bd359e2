import * as pulumi from "@pulumi/pulumi";
import { kubeconfig } from "../cluster/builders";
import { REGISTRY_CREDENTIALS_SECRET } from "../common/names";
import { MODEL_RUNTIMES } from "../serving/runtimes";
import { LLM_GATEWAY_LISTENER, LLM_GATEWAY_NAME, LLM_GATEWAY_NAMESPACE } from "../serving/gateway/gateway-builders";
import {
  PLATFORM_OUTPUTS_VERSION,
  type PlatformOutputs,
  type PlatformServingOutputs,
  type PlatformTeamOutputs,
  schedulerNameOutputs,
} from "./outputs";
import type { MlPlatform } from "./platform";
import type { PlatformSpec } from "./spec";
import type { ImageMirrorHandle } from "../cluster/image-mirror";

/** The platform outputs as the program returns them: each key a value or an output of its type. */
export type PlatformOutputValues = { [K in keyof PlatformOutputs]: pulumi.Input<PlatformOutputs[K]> };

/** IngressClass of every model Ingress (the AWS Load Balancer Controller's). */
export const MODEL_INGRESS_CLASS = "alb";

/**
 * The typed outputs of a platform stack ({@link PlatformOutputs}): what model teams' stacks read
 * through `PlatformReference`. The kubeconfig is a secret.
 */
export function platformOutputs(platform: MlPlatform, spec: PlatformSpec): PlatformOutputValues {
  const cluster = platform.cluster.handle;
  const teams: Record<string, PlatformTeamOutputs> = Object.fromEntries(
    (spec.teams ?? []).map((t) => [
      t.name,
      { namespace: t.name, kserveRuntimes: [...t.runtimes], ...(t.models ? { models: [...t.models] } : {}) },
    ]),
  );
  return {
    platformOutputsVersion: PLATFORM_OUTPUTS_VERSION,
    environment: spec.environment,
    kubeconfig: pulumi.secret(
      pulumi
        .all([cluster.endpoint, cluster.certificateAuthority])
        .apply(([endpoint, ca]) =>
          kubeconfig({ clusterName: cluster.name, endpoint, certificateAuthority: ca, region: cluster.region }),
        ),
    ),
    cluster: pulumi
      .output({
        arn: cluster.arn,
        endpoint: cluster.endpoint,
        certificateAuthority: cluster.certificateAuthority,
        partition: cluster.partition,
        accountId: cluster.accountId,
        clusterSecurityGroupId: cluster.clusterSecurityGroupId,
        nodeRoleArn: cluster.nodeRole.arn,
        vpcId: cluster.vpcId,
        privateSubnetIds: cluster.privateSubnetIds,
      })
      .apply((facts) => ({
        name: cluster.name,
        region: cluster.region,
        kubernetesVersion: cluster.kubernetesVersion,
        workloadIdentity: "eks-pod-identity" as const,
        ...facts,
      })),
    serving: withMirrorOutputs(platform.imageMirror?.handle, {
      namespace: platform.serving.namespace,
      kserveRuntimes: [...platform.serving.kserveRuntimes],
      servingRuntimeNames: Object.fromEntries(
        Object.entries(MODEL_RUNTIMES)
          .filter(([, r]) => r.servers.includes("kserve"))
          .map(([id, r]) => [id, r.servingRuntimeName]),
      ),
      registryCredentialsSecret: REGISTRY_CREDENTIALS_SECRET,
      ingressGroup: platform.ingressGroup,
      ingressClass: MODEL_INGRESS_CLASS,
      ingressDomain: spec.serving.ingressDomain,
      ...(spec.serving.certificateArn ? { certificateArn: spec.serving.certificateArn } : {}),
      // `neuronSchedulerName` when the Neuron scheduler extension is on: one output per kind with a scheduler.
      ...schedulerNameOutputs(platform.schedulerNames),
      // The endpoints' OIDC settings, field by field: the spec's object also holds the client secret.
      ...(spec.serving.oidc
        ? {
            endpointOidc: {
              issuer: spec.serving.oidc.issuer,
              authorizationEndpoint: spec.serving.oidc.authorizationEndpoint,
              tokenEndpoint: spec.serving.oidc.tokenEndpoint,
              userInfoEndpoint: spec.serving.oidc.userInfoEndpoint,
              onUnauthenticatedRequest: spec.serving.oidc.onUnauthenticatedRequest,
            },
          }
        : {}),
      teams,
      ...(spec.serving.gateway
        ? { llmGateway: { name: LLM_GATEWAY_NAME, namespace: LLM_GATEWAY_NAMESPACE, listener: LLM_GATEWAY_LISTENER } }
        : {}),
    }),
    registry: pulumi.all([platform.registry.bucket.bucket, platform.registry.key.arn]).apply(([bucket, keyArn]) => ({
      trackingUri: platform.registry.handle.trackingUri,
      ...(spec.registry.hostname ? { hostname: spec.registry.hostname } : {}),
      artifactBucket: bucket,
      artifactKeyArn: keyArn,
    })),
    monitoring: {
      namespace: platform.monitoring.handle.namespace,
      prometheusUrl: platform.monitoring.handle.prometheusUrl,
      // kube-prometheus-stack selects every monitor and rule (prometheus-stack-values: *SelectorNilUsesHelmValues false).
      monitorSelectorLabels: {},
    },
  };
}

/** The serving outputs, with the platform's pull-through cache when it has one (its registry host is known at deploy time). */
function withMirrorOutputs(
  mirror: ImageMirrorHandle | undefined,
  serving: PlatformServingOutputs,
): pulumi.Input<PlatformServingOutputs> {
  if (!mirror) return serving;
  return mirror.registry.apply((registry) => ({
    ...serving,
    imageMirror: { registry, repositoryPrefix: mirror.repositoryPrefix, upstreams: [...mirror.upstreams] },
  }));
}
