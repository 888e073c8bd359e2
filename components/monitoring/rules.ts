import { nsToHours, parsePrometheusDuration } from "../common/durations";
import { Problem, ProblemList, wholeNumberProblem } from "../common/problems";
import { LONGEST_ALERT_WINDOW_HOURS } from "./alert-rules";
import type { PrometheusStackSizing } from "./prometheus-stack-values";

/** Sizing of a monitoring stack built without an environment's defaults (`MonitoringStack` used on its own). */
export const MONITORING_DEFAULTS: PrometheusStackSizing = {
  retention: "15d",
  storageGiB: 50,
  replicas: 1,
  grafanaStorageGiB: 10,
  alertmanagerStorageGiB: 10,
};

export const MONITORING_LIMITS = {
  storageGiB: { min: 10, max: 10000 },
  replicas: { min: 1, max: 5 },
  grafanaStorageGiB: { min: 1, max: 1000 },
  alertmanagerStorageGiB: { min: 1, max: 1000 },
} as const;

/** Problems with monitoring's sizing, by field. */
export function monitoringProblems(sizing: Partial<PrometheusStackSizing>): Problem[] {
  const s = { ...MONITORING_DEFAULTS, ...sizing };
  const problems = new ProblemList();
  // Prometheus parses --storage.tsdb.retention.time at start and refuses what it cannot read.
  const retention = parsePrometheusDuration(s.retention);
  if ("problem" in retention) problems.add("retention", retention.problem);
  else if (nsToHours(retention.ns) <= LONGEST_ALERT_WINDOW_HOURS)
    problems.add(
      "retention",
      `must be longer than the longest alert window (${LONGEST_ALERT_WINDOW_HOURS}h, the SLO ticket's ` +
        `3 days): with no margin, block-wise deletion and the size limit leave that window incomplete`,
    );
  for (const field of Object.keys(MONITORING_LIMITS) as (keyof typeof MONITORING_LIMITS)[]) {
    const p = wholeNumberProblem(s[field], MONITORING_LIMITS[field].min, MONITORING_LIMITS[field].max);
    if (p) problems.add(field, p);
  }
  return problems.list;
}
