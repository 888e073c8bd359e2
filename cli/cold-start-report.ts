import { coldStartEstimates, ColdStartEstimate } from "../components/platform/cold-start";
import type { PlatformSpec } from "../components/platform/spec";
import { CONFIG_NAMESPACE } from "../stacks/config";

/** What the plan writes to cold-start.json and prints: the cold-start floor of every model. */
export interface ColdStartReport {
  estimates: ColdStartEstimate[];
  /** cold-start.json */
  json: string;
}

export function coldStartReport(stack: string, spec: PlatformSpec): ColdStartReport {
  const estimates = coldStartEstimates(spec);
  const json = {
    project: CONFIG_NAMESPACE,
    stack,
    environment: spec.environment,
    models: estimates.map((e) => ({
      ...e,
      warnings: e.warnings.map((w) => ({ ...w, path: `${CONFIG_NAMESPACE}:${w.path}` })),
    })),
  };
  return { estimates, json: JSON.stringify(json, null, 2) + "\n" };
}
