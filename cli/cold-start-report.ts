import { coldStartEstimates, ColdStartEstimate } from "../components/platform/cold-start";
import type { PlatformSpec } from "../components/platform/spec";
import { wakeEstimates, type WakeEstimate } from "../components/platform/wake";
import { CONFIG_NAMESPACE } from "../stacks/config";

/** What the plan writes to cold-start.json and prints: the cold-start floor of every model. */
export interface ColdStartReport {
  estimates: ColdStartEstimate[];
  /** LLMs the gateway wakes from zero: how long their first request waits and is held. */
  wake: WakeEstimate[];
  /** cold-start.json */
  json: string;
}

export function coldStartReport(stack: string, spec: PlatformSpec): ColdStartReport {
  const estimates = coldStartEstimates(spec);
  const wake = wakeEstimates(spec, estimates);
  const prefixed = (w: { path: string; message: string }) => ({ ...w, path: `${CONFIG_NAMESPACE}:${w.path}` });
  const json = {
    project: CONFIG_NAMESPACE,
    stack,
    environment: spec.environment,
    models: estimates.map((e) => ({
      ...e,
      warnings: e.warnings.map(prefixed),
    })),
    ...(wake.length > 0 ? { wake: wake.map((e) => ({ ...e, warnings: e.warnings.map(prefixed) })) } : {}),
  };
  return { estimates, wake, json: JSON.stringify(json, null, 2) + "\n" };
}
