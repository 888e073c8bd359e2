import type * as pulumi from "@pulumi/pulumi";
import type { WeightsStore } from "../common/handles";
import type { ImageMirrorHandle } from "../cluster/image-mirror";
import type { EndpointOidc } from "./callers";
import type { RuntimeId } from "./runtimes";

/**
 * What a model server (`TritonServer`, `KServeModel`) needs from the platform it deploys into:
 * the namespace to put its objects in, what to wait for, and what the namespace offers. The
 * narrowest view of serving; `ServingPlatform` implements it in the platform's own stack, and
 * `PlatformReference` builds it from the platform stack's outputs in a model team's stack, where
 * nothing the platform owns (namespace, KEDA, registry Secret, ServingRuntimes) is registered again.
 */
export interface ServingTarget {
  /** Namespace of the model's Deployments, InferenceServices, Services, autoscalers and Ingresses. */
  readonly namespace: string;
  /** Models wait on these before they are created (none across stacks: the platform stack made them). */
  readonly ready: pulumi.Resource[];
  /** In-cluster MLflow tracking URI, for `models:/` sources; absent when the platform has no registry. */
  readonly trackingUri?: string;
  /** Models' Ingresses wait on these (the load balancer controller and its webhook). */
  readonly ingressReady: pulumi.Resource[];
  /** KServe ServingRuntimes offered in {@link namespace} (keys of `MODEL_RUNTIMES`); empty without KServe. */
  readonly kserveRuntimes: readonly RuntimeId[];
  /** Model names the namespace's owner may deploy. Default: any. */
  readonly allowedModels?: readonly string[];
  /** ALB OIDC authentication every model endpoint gets (its client Secret is in {@link namespace}). Default: none. */
  readonly endpointOidc?: EndpointOidc;
  /** Where registry versions are staged for models with `mountWeights` (the registry's bucket and key). Default: none. */
  readonly weightsStore?: WeightsStore;
  /** The platform's ECR pull-through cache: model pods pull their images through it. Default: none (each image from its own registry). */
  readonly imageMirror?: ImageMirrorHandle;
}
