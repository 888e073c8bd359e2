import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringHandle, WorkloadClusterHandle } from "../../common/handles";
import { modelTracks, type TrackedModel } from "../tracks";
import { endpointPickerObjects, inferencePool } from "./inference-pool";
import type { LlmGatewayHandle } from "./llm-gateway";
import { llmRoute } from "./routes";
import type { WakeSettings } from "./scale-from-zero";

export interface LlmModelRouteArgs {
  cluster: WorkloadClusterHandle;
  /** The model and its tracks. Required. */
  model: TrackedModel;
  /** Namespace of the model's InferenceServices. Required. */
  namespace: string;
  /** The host the model answers at (`<model>.<ingressDomain>`). Required. */
  host: string;
  /** The gateway the route attaches to. Required. */
  gateway: LlmGatewayHandle;
  monitoring: MonitoringHandle;
  /** The model scales from zero: its pickers hold requests while it has no replica. Default: none. */
  wake?: WakeSettings;
  /** The model's InferenceServices and whatever else the route waits for. Default: none. */
  dependsOn?: pulumi.Resource[];
}

/**
 * A model behind the LLM gateway: for each serving track (stable, canary, A/B variant) an
 * InferencePool over its predictor pods with its own endpoint picker, and the model's HTTPRoute
 * splitting among them (and mirroring to a shadow). See `routes.ts` and `inference-pool.ts`.
 */
export class LlmModelRoute extends pulumi.ComponentResource {
  readonly route: k8s.apiextensions.CustomResource;
  readonly pools: k8s.apiextensions.CustomResource[] = [];

  constructor(name: string, args: LlmModelRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mlserving:serving:LlmModelRoute", name, {}, opts);
    const { cluster, namespace, model } = args;
    const k8sOpts = { parent: this, provider: cluster.provider };
    const waits = [...args.gateway.ready, ...(args.dependsOn ?? [])];
    for (const t of modelTracks(model).filter((x) => x.track !== "shadow")) {
      const pool = {
        model: model.name,
        track: t.track,
        isvc: t.isvc,
        namespace,
        ...(args.wake ? { wake: args.wake } : {}),
      };
      const o = endpointPickerObjects(pool);
      const n = `${name}-${t.track}`;
      const sa = new k8s.core.v1.ServiceAccount(`${n}-epp`, o.serviceAccount, k8sOpts);
      const role = new k8s.rbac.v1.Role(`${n}-epp`, o.role, k8sOpts);
      const binding = new k8s.rbac.v1.RoleBinding(`${n}-epp`, o.roleBinding, { ...k8sOpts, dependsOn: [sa, role] });
      const config = new k8s.core.v1.ConfigMap(`${n}-epp`, o.configMap, k8sOpts);
      const service = new k8s.core.v1.Service(`${n}-epp`, o.service, k8sOpts);
      new k8s.apps.v1.Deployment(`${n}-epp`, o.deployment, { ...k8sOpts, dependsOn: [binding, config] });
      new k8s.apiextensions.CustomResource(`${n}-epp-tls`, o.destinationRule, {
        ...k8sOpts,
        dependsOn: [service, ...args.gateway.ready],
      });
      new k8s.apiextensions.CustomResource(`${n}-epp-metrics`, o.monitor, {
        ...k8sOpts,
        dependsOn: [service, ...args.monitoring.ready],
      });
      this.pools.push(
        new k8s.apiextensions.CustomResource(`${n}-pool`, inferencePool(pool), {
          ...k8sOpts,
          dependsOn: [service, ...waits],
        }),
      );
    }
    this.route = new k8s.apiextensions.CustomResource(
      `${name}-route`,
      llmRoute({
        model,
        namespace,
        host: args.host,
        ...(args.wake ? { wake: args.wake } : {}),
        ...(args.gateway.parent ? { parent: args.gateway.parent } : {}),
      }),
      { ...k8sOpts, dependsOn: [...this.pools, ...waits] },
    );
    this.registerOutputs({});
  }
}
