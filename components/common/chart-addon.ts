import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ChartPin } from "../versions";
import type { ClusterHandle, MonitoringHandle } from "./handles";
import { helmChartArgs } from "./helm";
import type { PolicyDocument } from "./iam";
import { ScrapeTarget, serviceMonitor } from "./monitors";
import { PodIdentityRole } from "./pod-identity";

/** What a chart's pod identity role may do: an inline policy on exact ARNs, or managed policies. */
export interface ChartPodIdentity {
  /** Inline policy scoped to the exact ARNs the controller needs. */
  policy?: pulumi.Input<PolicyDocument>;
  /** Customer- or AWS-managed policies to attach. */
  managedPolicyArns?: pulumi.Input<string>[];
}

/**
 * One third-party controller the kit installs from a pinned Helm chart: everything the install
 * needs, declared once. `P` is what the values (and the pod identity policy) are built from.
 */
export interface ChartAddOn<P> {
  /** Helm release name; the chart names its objects (Services, service accounts) after it. */
  readonly release: string;
  /** Chart, repository and version, from `components/versions.ts`. */
  readonly chart: ChartPin;
  readonly namespace: string;
  /** Helm creates the namespace. Default: false (the namespace exists or the chart makes it). */
  readonly createNamespace?: boolean;
  /** Service account the chart runs its controller as; with `podIdentity` it gets an EKS Pod Identity role. */
  readonly serviceAccount?: string;
  /** The IAM permissions of `serviceAccount`. Default: no AWS access. */
  readonly podIdentity?: (params: P) => ChartPodIdentity;
  /** Helm values, built by a pure, unit-tested function. */
  readonly values?: (params: P) => pulumi.Input<Record<string, unknown>>;
  /** The chart's metrics Service; a ServiceMonitor scrapes it once the monitoring CRDs exist. Default: none. */
  readonly metrics?: Omit<ScrapeTarget, "namespace">;
  /**
   * What `pulumi up` waits for: `{ timeoutSeconds }` installs atomically and waits until the
   * chart's workloads are ready; `"none"` does not wait (DaemonSets on nodes that may not exist yet).
   */
  readonly wait: { timeoutSeconds: number } | "none";
}

/** Where and after what a chart add-on is installed. */
export interface ChartInstallContext {
  /** The component the release, role and monitor are children of. */
  parent: pulumi.Resource;
  cluster: ClusterHandle;
  /** With a `metrics` target: where its ServiceMonitor goes and what it waits for. Default: no ServiceMonitor. */
  monitoring?: MonitoringHandle;
  /** Installed after these as well as after the cluster's workload nodes. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Pulumi `protect` on the release (its volumes hold state). Default: false. */
  protect?: boolean;
  /** Pulumi name of the ServiceMonitor. Default: `<name>-metrics`. */
  monitorName?: string;
  /** Pulumi name of the pod identity role. Default: `<name>-pod-identity`. */
  podIdentityName?: string;
}

/** What installing a chart add-on created. */
export interface InstalledChart {
  release: k8s.helm.v3.Release;
  role?: PodIdentityRole;
  monitor?: k8s.apiextensions.CustomResource;
}

/** The `k8s.helm.v3.Release` arguments of a chart add-on (pure: no resources). */
export function chartReleaseArgs<P>(addOn: ChartAddOn<P>, params: P): k8s.helm.v3.ReleaseArgs {
  return {
    ...helmChartArgs(addOn.chart),
    name: addOn.release,
    namespace: addOn.namespace,
    ...(addOn.createNamespace ? { createNamespace: true } : {}),
    ...(addOn.values ? { values: addOn.values(params) } : {}),
    ...(addOn.wait === "none" ? { skipAwait: true } : { atomic: true, timeout: addOn.wait.timeoutSeconds }),
  };
}

/**
 * Installs a chart add-on: its pod identity role (when it needs AWS), the pinned release after
 * the cluster's workload nodes, and a ServiceMonitor for its metrics once monitoring is ready.
 */
export function installChart<P>(
  name: string,
  addOn: ChartAddOn<P>,
  params: P,
  ctx: ChartInstallContext,
): InstalledChart {
  const { cluster, parent } = ctx;
  let role: PodIdentityRole | undefined;
  if (addOn.podIdentity) {
    if (!addOn.serviceAccount) throw new Error(`chart add-on ${addOn.release}: podIdentity needs a serviceAccount`);
    role = new PodIdentityRole(
      ctx.podIdentityName ?? `${name}-pod-identity`,
      {
        clusterName: cluster.name,
        namespace: addOn.namespace,
        serviceAccount: addOn.serviceAccount,
        ...addOn.podIdentity(params),
        tags: cluster.tags,
      },
      { parent },
    );
  }
  const release = new k8s.helm.v3.Release(name, chartReleaseArgs(addOn, params), {
    parent,
    provider: cluster.provider,
    dependsOn: [...(role ? [role] : []), ...cluster.workloadReady, ...(ctx.dependsOn ?? [])],
    ...(ctx.protect ? { protect: true } : {}),
  });
  let monitor: k8s.apiextensions.CustomResource | undefined;
  if (addOn.metrics && ctx.monitoring) {
    monitor = new k8s.apiextensions.CustomResource(
      ctx.monitorName ?? `${name}-metrics`,
      serviceMonitor({ ...addOn.metrics, namespace: addOn.namespace }),
      { parent, provider: cluster.provider, dependsOn: [release, ...ctx.monitoring.ready] },
    );
  }
  return { release, role, monitor };
}
