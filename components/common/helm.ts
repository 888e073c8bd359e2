import type { ChartPin } from "../versions";

/**
 * The chart, version and repository arguments of a `k8s.helm.v3.Release` for a pinned chart;
 * OCI registries are addressed in the chart reference, HTTP repositories through `repositoryOpts`.
 */
export function helmChartArgs(pin: ChartPin): { chart: string; version: string; repositoryOpts?: { repo: string } } {
  if (pin.repository.startsWith("oci://")) return { chart: `${pin.repository}/${pin.chart}`, version: pin.version };
  return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repository } };
}
