/**
 * `@mlserving/kit/testing`: what the kit's own tests and offline plan use, for a program of the
 * user's. Run a program on Pulumi's mock runtime (a fake cloud that answers the invokes the kit
 * makes with realistic ARNs, ids and endpoints) and check what it registered against the kit's
 * policy pack, as `pulumi preview --policy-pack` would, before any credentials exist:
 *
 *   const { resources } = await runOnMocks({ project: "ml", stack: "dev", region: "us-west-2" }, program);
 *   const { violations } = await checkPolicies(resources, "prod");
 */
import { allPolicies } from "../policies/rules";
import { runPolicies, type PolicyReport } from "./policy-runner";
import type { RecordedResource } from "./mock-runtime";

export { runOnMocks, SECRET_PLACEHOLDER } from "./mock-runtime";
export type { RecordedStackOutputs } from "./fake-cloud";
export type { MockRunOptions, MockRunResult, RecordedResource } from "./mock-runtime";
export { runPolicies } from "./policy-runner";
export type { PolicyReport, PolicyViolation } from "./policy-runner";

/**
 * Runs every policy of the kit's pack over `resources` at `environment`'s enforcement levels
 * (mandatory in prod). `config` adds policy configuration, as `--policy-pack-config` would.
 */
export function checkPolicies(
  resources: RecordedResource[],
  environment: "dev" | "staging" | "prod",
  config: Record<string, unknown> = {},
): Promise<PolicyReport> {
  return runPolicies(allPolicies, resources, { environment, ...config });
}
