import { describe, expect, it } from "vitest";
import { runPolicies } from "../../cli/policy-runner";
import { budgetViolation } from "../../policies/rules/budget";
import { monthlyCostWithinBudget } from "../../policies/rules";
import { resource, violations } from "./policy-harness";

const stack = [resource("aws:eks/cluster:Cluster", {})];

describe("monthly-cost-within-budget", () => {
  it("reports a ceiling over the budget", async () => {
    const messages = await violations(monthlyCostWithinBudget, stack, {
      monthlyBudgetUsd: 5000,
      estimatedMonthlyCeilingUsd: 8048.84,
    });
    expect(messages).toEqual([expect.stringMatching(/up to \$8,049 a month .* budget of \$5,000 \(by \$3,049\)/)]);
  });

  it("passes a ceiling within the budget", async () => {
    expect(
      await violations(monthlyCostWithinBudget, stack, { monthlyBudgetUsd: 9000, estimatedMonthlyCeilingUsd: 8048.84 }),
    ).toEqual([]);
  });

  it("has nothing to say without a budget or an estimate", async () => {
    expect(await violations(monthlyCostWithinBudget, stack, { estimatedMonthlyCeilingUsd: 8048.84 })).toEqual([]);
    expect(await violations(monthlyCostWithinBudget, stack, { monthlyBudgetUsd: 1 })).toEqual([]);
    expect(budgetViolation({})).toBeUndefined();
  });

  it("refuses when mandatory (the default) and warns when the stack sets it advisory", async () => {
    const cfg = { monthlyBudgetUsd: 100, estimatedMonthlyCeilingUsd: 200 };
    const refused = await runPolicies([monthlyCostWithinBudget], stack, cfg);
    expect(refused.violations.map((v) => v.enforcementLevel)).toEqual(["mandatory"]);
    const warned = await runPolicies([monthlyCostWithinBudget], stack, cfg, {
      [monthlyCostWithinBudget.name]: "advisory",
    });
    expect(warned.violations.map((v) => v.enforcementLevel)).toEqual(["advisory"]);
  });
});
