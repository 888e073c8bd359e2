import { positiveQuantityProblem } from "../common/quantity";
import type { ModelSpec, ScalingMetric } from "./model-types";

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
 * Values that would disable what they set: a CPU or memory request that is no Kubernetes quantity
 * or not above 0 (the pod is scheduled anywhere and evicted first) and targets no model ever reaches.
 */
export function modelBoundsProblems(
  m: Pick<ModelSpec, "autoscaling" | "resources">,
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  for (const [field, what, example] of [
    ["cpu", "CPU", "4 or 500m"],
    ["memory", "memory", "16Gi or 16G"],
  ] as const) {
    const problem = positiveQuantityProblem(m.resources[field], what, example);
    if (problem) problems.push({ field: `resources.${field}`, message: problem });
  }
  const { metric, target } = m.autoscaling;
  if (metric !== "gpu-utilization" && metric !== "kv-cache" && target > MAX_SCALING_TARGET[metric])
    problems.push({
      field: "autoscaling.target",
      message: `must be at most ${MAX_SCALING_TARGET[metric]} ${UNITS[metric]}: a larger target is never reached, so the model never scales out`,
    });
  return problems;
}
