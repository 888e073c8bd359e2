import type { PolicyConfigSchema } from "@pulumi/policy";

/** Configuration every rule of the pack accepts (`--policy-pack-config`); the plan passes the stack's values. */
export interface KitPolicyConfig {
  /** Environment of the stack under review; rules that are stricter in prod read it. Default: prod (strictest). */
  environment: "dev" | "staging" | "prod";
  /** Tag keys every taggable AWS resource must carry. */
  requiredTags: string[];
}

export const DEFAULT_POLICY_CONFIG: KitPolicyConfig = {
  environment: "prod",
  requiredTags: ["environment", "team", "managed-by"],
};

export const kitConfigSchema: PolicyConfigSchema = {
  properties: {
    environment: { type: "string", enum: ["dev", "staging", "prod"], default: DEFAULT_POLICY_CONFIG.environment },
    requiredTags: { type: "array", items: { type: "string" }, default: DEFAULT_POLICY_CONFIG.requiredTags },
  },
};

/**
 * The `--policy-pack-config` file for one environment: Pulumi takes config per policy name,
 * so every rule with a schema gets the environment.
 */
export function policyPackConfig(policies: { name: string; configSchema?: PolicyConfigSchema }[], environment: KitPolicyConfig["environment"]) {
  return Object.fromEntries(policies.filter((p) => p.configSchema).map((p) => [p.name, { environment }]));
}
