import type { ModelSpec, ScalingMetric } from "./model-spec";

/**
 * The largest autoscaling target that still scales: a queue-time target beyond a minute per
 * request, or more than 1000 requests in flight per replica, is never reached, so the model
 * would never scale out. Percentages (GPU utilisation, KV-cache use) are checked in modelSpecProblems.
 */
export const MAX_SCALING_TARGET: Readonly<Record<Exclude<ScalingMetric, "gpu-utilization" | "kv-cache">, number>> = {
  "queue-time": 60_000,
  "in-flight": 1_000,
};

const UNITS: Record<Exclude<ScalingMetric, "gpu-utilization" | "kv-cache">, string> = {
  "queue-time": "ms of queue time per request (one minute)",
  "in-flight": "requests in flight per replica",
};

/**
 * Values that would disable what they set: a zero CPU or memory request (the pod is scheduled
 * anywhere and evicted first) and targets no model ever reaches.
 */
export function modelBoundsProblems(
  m: Pick<ModelSpec, "autoscaling" | "resources">,
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  // A quantity (`4`, `500m`, `16Gi`) is more than 0 exactly when its number is; malformed ones
  // are reported by the quantity syntax rule.
  const positive = (field: string, quantity: string, what: string) => {
    if (/^\d/.test(quantity) && !(Number.parseFloat(quantity) > 0))
      problems.push({ field, message: `must request more than 0 ${what}` });
  };
  positive("resources.cpu", m.resources.cpu, "CPU");
  positive("resources.memory", m.resources.memory, "memory");
  const { metric, target } = m.autoscaling;
  if (metric !== "gpu-utilization" && metric !== "kv-cache" && target > MAX_SCALING_TARGET[metric])
    problems.push({
      field: "autoscaling.target",
      message: `must be at most ${MAX_SCALING_TARGET[metric]} ${UNITS[metric]}: a larger target is never reached, so the model never scales out`,
    });
  return problems;
}
