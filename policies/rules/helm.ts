import type { Props } from "./props";

// How Helm installs are read: the chart a resource installs and the values it passes.

/** Resource types that install a Helm chart with values: the Release and the v4 Chart component. */
export const HELM_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"];

/** The chart's name without repository, OCI registry or path (`oci://ghcr.io/x/charts/grafana` -> `grafana`). */
export function chartName(props: Props): string {
  return String(props.chart ?? "")
    .replace(/\/+$/, "")
    .split("/")
    .pop()!
    .replace(/[@:].*$/, "");
}

/** Values of a Helm chart install, or undefined for any other resource. */
export function chartValues(type: string, props: Props): Props | undefined {
  if (!HELM_TYPES.includes(type)) return undefined;
  return (props.values ?? {}) as Props;
}

/**
 * Truthiness as Helm templates test it (`{{ if .Values.x.enabled }}`): false, 0, nil, "" and
 * empty lists and maps are false; everything else is true, the string "false" included.
 */
export function helmTruthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.keys(v).length > 0;
  return true;
}

export const isMap = (v: unknown): v is Props => v !== null && typeof v === "object" && !Array.isArray(v);

/** Values under a dotted path of maps (`prometheus.service`), or undefined. */
export function at(values: Props, path: string): Props | undefined {
  let v: unknown = values;
  for (const key of path.split(".").filter((k) => k.length > 0)) v = isMap(v) ? v[key] : undefined;
  return isMap(v) ? v : undefined;
}
