import { stringify } from "yaml";
import type { RecordedResource } from "./mock-runtime";

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup";

/** Kubernetes objects the kit authors: every `kubernetes:*` custom resource except providers and Helm releases. */
export function authoredKubernetesObjects(resources: RecordedResource[]): Record<string, unknown>[] {
  return resources
    .filter((r) => r.type.startsWith("kubernetes:") && r.type !== HELM_RELEASE && r.custom)
    .map((r) => {
      const { apiVersion, kind, metadata, ...rest } = r.inputs as Record<string, unknown>;
      return { apiVersion, kind, metadata, ...rest };
    });
}

export interface HelmReleaseSummary {
  name: string;
  namespace: string;
  chart: string;
  repository: string;
  version: string;
  /** Present when the release leaves its chart's `crds/` to another release or to pinned manifests. */
  skipCrds?: true;
  values: unknown;
}

export function helmReleases(resources: RecordedResource[]): HelmReleaseSummary[] {
  return resources
    .filter((r) => r.type === HELM_RELEASE)
    .map((r) => {
      const i = r.inputs as Record<string, unknown>;
      const chartRef = String(i.chart);
      const oci = chartRef.startsWith("oci://");
      return {
        name: String(i.name ?? r.name),
        namespace: String(i.namespace ?? "default"),
        chart: oci ? chartRef.slice(chartRef.lastIndexOf("/") + 1) : chartRef,
        repository: oci
          ? chartRef.slice(0, chartRef.lastIndexOf("/"))
          : String((i.repositoryOpts as Record<string, unknown> | undefined)?.repo ?? ""),
        version: String(i.version),
        ...(i.skipCrds === true ? { skipCrds: true as const } : {}),
        values: i.values ?? {},
      };
    });
}

/** Manifests applied from pinned URLs (CRDs a chart publishes only in its `crds/`): `manifests/crd-manifests.yaml`. */
export function manifestSources(resources: RecordedResource[]): { name: string; files: string[] }[] {
  return resources
    .filter((r) => r.type === CONFIG_GROUP)
    .map((r) => ({ name: r.name, files: ((r.inputs as { files?: string[] }).files ?? []).map(String) }));
}

/** File name for one object: `<kind>-<namespace>-<name>.yaml`, lowercased. */
export function manifestFileName(obj: Record<string, unknown>): string {
  const md = (obj.metadata ?? {}) as Record<string, unknown>;
  const parts = [obj.kind, md.namespace, md.name].filter((p) => typeof p === "string" && p.length > 0) as string[];
  return `${parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")}.yaml`;
}

export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}
