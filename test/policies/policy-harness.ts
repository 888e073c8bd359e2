import type { Policy } from "@pulumi/policy";
import { RecordedResource } from "../../cli/mock-runtime";
import { runPolicies } from "../../cli/policy-runner";

/** A resource as the policy pack sees it, for rule tests. */
export function resource(
  type: string,
  inputs: Record<string, unknown>,
  extra: Partial<RecordedResource> = {},
): RecordedResource {
  const name = extra.name ?? "r";
  return {
    urn: `urn:pulumi:test::mlserving::${type}::${name}`,
    type,
    name,
    parent: null,
    custom: true,
    provider: null,
    dependsOn: [],
    protect: false,
    retainOnDelete: false,
    inputs,
    ...extra,
  };
}

/** Messages `policy` reports for these resources. */
export async function violations(
  policy: Policy,
  resources: RecordedResource[],
  config: Record<string, unknown> = {},
): Promise<string[]> {
  const report = await runPolicies([policy], resources, config);
  return report.violations.map((v) => v.message);
}
