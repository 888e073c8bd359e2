import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ChartPin, CrdManifestsPin } from "../versions";
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
 * How a chart's CustomResourceDefinitions are installed and, above all, upgraded. Helm installs
 * the files of a chart's `crds/` folder once and never upgrades them, so a chart that keeps its
 * CRDs there must get them some other way; each variant is what that chart's upstream recommends.
 * `source` names where upstream says so, at the pinned version.
 */
export type ChartCrds =
  /** The chart installs no CRDs with the kit's values. */
  | { readonly kind: "none"; readonly source: string }
  /**
   * The chart's `crds/` hold only CRDs of a feature the kit leaves off (e.g. ExternalDNS's
   * DNSEndpoint source): the release skips them, so nothing is installed that no one upgrades.
   */
  | { readonly kind: "skipped"; readonly source: string }
  /** The chart renders its CRDs from `templates/`, so every `helm upgrade` applies them. */
  | { readonly kind: "templates"; readonly source: string }
  /**
   * The chart's own pre-upgrade hook applies its CRDs (e.g. gpu-operator `operator.upgradeCRD`);
   * the release skips OpenAPI validation, which would otherwise check new fields against old CRDs.
   */
  | { readonly kind: "upgradeHook"; readonly source: string }
  /**
   * Upstream publishes the CRDs as a chart of their own (`templates`): it is installed as its own
   * release, before the controller's, which skips its `crds/`.
   */
  | { readonly kind: "crdChart"; readonly chart: ChartAddOn<void>; readonly source: string }
  /**
   * Upstream publishes no CRD chart and documents applying the `crds/` manifests: the kit applies
   * them from a pinned commit before the controller's release, which skips its `crds/`.
   */
  | { readonly kind: "manifests"; readonly manifests: CrdManifestsPin; readonly source: string };

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
  /** How the chart's CRDs are installed and upgraded. Required: every chart says, even "none". */
  readonly crds: ChartCrds;
}

/** Raw URLs of pinned CRD manifests (what the provider reads when it applies them). */
export function crdManifestUrls(pin: CrdManifestsPin): string[] {
  return pin.paths.map((path) => `https://raw.githubusercontent.com/${pin.repository}/${pin.commit}/${path}`);
}

/**
 * Why a chart add-on's CRD declaration cannot keep its CRDs current (empty when it can): a CRD
 * chart must render its CRDs from templates and be cut for the controller's version; pinned
 * manifests must be from an immutable commit of the pinned chart version.
 */
export function chartCrdProblems<P>(addOn: ChartAddOn<P>): string[] {
  const problems: string[] = [];
  const at = `chart add-on ${addOn.release} (${addOn.chart.chart} ${addOn.chart.version})`;
  const crds = addOn.crds;
  if (!crds.source.trim()) problems.push(`${at}: crds.source must name where upstream documents the CRD handling`);
  if (crds.kind === "crdChart") {
    const crdPin = crds.chart.chart;
    if (crds.chart.crds.kind !== "templates")
      problems.push(
        `${at}: CRD chart ${crdPin.chart} must render its CRDs from templates, not "${crds.chart.crds.kind}"`,
      );
    if (crds.chart.release === addOn.release)
      problems.push(`${at}: CRD chart release must differ from the controller's release`);
    const sameController =
      crdPin.appVersion !== undefined && addOn.chart.appVersion !== undefined
        ? crdPin.appVersion === addOn.chart.appVersion
        : crdPin.version === addOn.chart.version;
    if (!sameController)
      problems.push(
        `${at}: CRD chart ${crdPin.chart} ${crdPin.version}${crdPin.appVersion ? ` (app ${crdPin.appVersion})` : ""} ` +
          `is not cut for this controller${addOn.chart.appVersion ? ` (app ${addOn.chart.appVersion})` : ""}; bump both pins together`,
      );
  }
  if (crds.kind === "manifests") {
    const m = crds.manifests;
    if (!/^[0-9a-f]{40}$/.test(m.commit))
      problems.push(`${at}: CRD manifests must be pinned to a full commit, not "${m.commit}"`);
    if (m.paths.length === 0) problems.push(`${at}: CRD manifests list no files`);
    if (m.chartVersion !== addOn.chart.version)
      problems.push(
        `${at}: CRD manifests are those of chart ${m.chartVersion}; pin the commit that publishes ${addOn.chart.version}`,
      );
  }
  return problems;
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
  /** What installs and upgrades the CRDs before `release`: a CRD chart's release or the pinned manifests. */
  crds?: k8s.helm.v3.Release | k8s.yaml.v2.ConfigGroup;
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
    ...(["crdChart", "manifests", "skipped"].includes(addOn.crds.kind) ? { skipCrds: true } : {}),
    ...(addOn.crds.kind === "upgradeHook" ? { disableOpenapiValidation: true } : {}),
  };
}

/**
 * The release arguments of a CRD chart. `takeOwnership` (Helm's `--take-ownership`) adopts CRDs an
 * earlier install created from the controller chart's `crds/`, which carry no Helm ownership; the
 * Karpenter v1.14 troubleshooting guide has users label and annotate them by hand for this.
 */
export function crdChartReleaseArgs(crdChart: ChartAddOn<void>): k8s.helm.v3.ReleaseArgs {
  return { ...chartReleaseArgs(crdChart, undefined), takeOwnership: true };
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
  const problems = chartCrdProblems(addOn);
  if (problems.length > 0) throw new Error(problems.join("\n"));
  let role: PodIdentityRole | undefined;
  if (addOn.podIdentity) {
    if (!addOn.serviceAccount) throw new Error(`chart add-on ${addOn.release}: podIdentity needs a serviceAccount`);
    role = new PodIdentityRole(
      ctx.podIdentityName ?? `${name}-pod-identity`,
      {
        cluster,
        namespace: addOn.namespace,
        serviceAccount: addOn.serviceAccount,
        ...addOn.podIdentity(params),
        tags: cluster.tags,
      },
      { parent },
    );
  }
  const after = [...cluster.workloadReady, ...(ctx.dependsOn ?? [])];
  // The CRDs share the release's protection: deleting them deletes every object of their kinds.
  const crds = installCrds(name, addOn.crds, {
    parent,
    provider: cluster.provider,
    dependsOn: after,
    ...(ctx.protect ? { protect: true } : {}),
  });
  const release = new k8s.helm.v3.Release(name, chartReleaseArgs(addOn, params), {
    parent,
    provider: cluster.provider,
    dependsOn: [...(role ? [role] : []), ...(crds ? [crds] : []), ...after],
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
  return { release, role, monitor, crds };
}

/** The one place CRD strategies become resources: a CRD chart's release or the pinned manifests. */
function installCrds(
  name: string,
  crds: ChartCrds,
  opts: { parent: pulumi.Resource; provider: k8s.Provider; dependsOn: pulumi.Resource[]; protect?: boolean },
): k8s.helm.v3.Release | k8s.yaml.v2.ConfigGroup | undefined {
  switch (crds.kind) {
    case "crdChart":
      return new k8s.helm.v3.Release(`${name}-crd`, crdChartReleaseArgs(crds.chart), opts);
    case "manifests":
      // The provider reads the pinned files when it applies them (as Helm fetches the charts);
      // the offline plan records the URLs. Objects created by an earlier `helm install` of the
      // chart are adopted once with the provider's upsert and patch-force settings (README).
      return new k8s.yaml.v2.ConfigGroup(`${name}-crds`, { files: crdManifestUrls(crds.manifests) }, opts);
    default:
      return undefined;
  }
}
