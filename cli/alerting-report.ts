import type { CapacityFinding } from "../components/platform/capacity-checks";
import { alertingFindings } from "../components/platform/rules";
import type { PlatformSpec } from "../components/platform/spec";
import { CONFIG_NAMESPACE } from "../stacks/config";

/** The alerting part of the plan's summary, as lines: none when every alert reaches someone. */
export function alertingSummaryLines(spec: PlatformSpec): string[] {
  const findings = alertingFindings(spec);
  if (findings.length === 0) return [];
  const count = (level: CapacityFinding["level"]) => findings.filter((f) => f.level === level).length;
  return [
    `Alerting: ${count("warning")} warning(s), ${count("advisory")} advisory`,
    ...findings.map((f) => `  [${f.level}] ${CONFIG_NAMESPACE}:${f.path}\n      ${f.message}`),
  ];
}
