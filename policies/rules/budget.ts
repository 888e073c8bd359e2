import type { PolicyConfigSchema, StackValidationPolicy } from "@pulumi/policy";

/**
 * Config of `monthly-cost-within-budget`. The estimate is the offline plan's: the plan computes the
 * stack's monthly cost ceiling (cost.json, `ceiling.totalUsd`) and passes it with the stack's
 * budget (`mlserving:budget.monthlyCeilingUsd`). Under `pulumi preview`, pass both through
 * `--policy-pack-config` (README, "Cost and capacity"). The rule is self-contained: it prices
 * nothing itself.
 */
export interface BudgetPolicyConfig {
  /** The environment's monthly budget, USD. */
  monthlyBudgetUsd?: number;
  /** The plan's monthly cost ceiling for the stack, USD. */
  estimatedMonthlyCeilingUsd?: number;
}

const budgetConfigSchema: PolicyConfigSchema = {
  properties: {
    environment: { type: "string", enum: ["dev", "staging", "prod"] },
    monthlyBudgetUsd: { type: "number", minimum: 0 },
    estimatedMonthlyCeilingUsd: { type: "number", minimum: 0 },
  },
};

const usd = (n: number) => `$${n.toLocaleString("en-US", { maximumFractionDigits: 0 })}`;

/** Problems of a ceiling against a budget: empty when within it, or when either is unknown. */
export function budgetViolation(cfg: BudgetPolicyConfig): string | undefined {
  const { monthlyBudgetUsd: budget, estimatedMonthlyCeilingUsd: ceiling } = cfg;
  if (budget === undefined || ceiling === undefined) return undefined;
  if (ceiling <= budget) return undefined;
  return (
    `the stack may cost up to ${usd(ceiling)} a month with every autoscaler at its maximum, over ` +
    `its budget of ${usd(budget)} (by ${usd(ceiling - budget)}). Lower pool limits (capacity.pools[].maxDevices ` +
    `/ maxNodes) or system node maxSize, or raise mlserving:budget.monthlyCeilingUsd.`
  );
}

export const monthlyCostWithinBudget: StackValidationPolicy = {
  name: "monthly-cost-within-budget",
  description:
    "The stack's monthly cost ceiling (every autoscaler at its maximum, on-demand prices) stays within the environment's budget.",
  enforcementLevel: "mandatory",
  configSchema: budgetConfigSchema,
  validateStack: (args, report) => {
    const message = budgetViolation(args.getConfig<BudgetPolicyConfig>());
    if (message) report(message);
  },
};
