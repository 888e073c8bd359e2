// The pack config a platform plan writes for `pulumi preview --policy-pack-config`: under preview
// the pack cannot price the stack, so the budget policy must be handed the plan's ceiling.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runPlan, type PlanOutcome } from "../../cli/planner";
import { allPolicies, monthlyCostWithinBudget } from "../../policies/rules";
import { budgetViolation } from "../../policies/rules/budget";

const root = join(__dirname, "..", "..");

describe("policy-pack-config.json of the prod plan", () => {
  let files: Record<string, string>;
  beforeAll(async () => {
    const outcome: PlanOutcome = await runPlan({ stack: "prod", configPath: join(root, "stacks", "Pulumi.prod.yaml") });
    if (outcome.kind !== "planned") throw new Error(JSON.stringify(outcome));
    files = outcome.files;
  });

  it("hands the budget policy prod's budget, this plan's ceiling and its level", () => {
    const config = JSON.parse(files["policy-pack-config.json"]);
    const cost = JSON.parse(files["cost.json"]);
    expect(config[monthlyCostWithinBudget.name]).toEqual({
      environment: "prod",
      monthlyBudgetUsd: 60000,
      estimatedMonthlyCeilingUsd: cost.ceiling.totalUsd,
      enforcementLevel: "mandatory",
    });
    // What the policy decides with it: within budget now, over it if the ceiling were higher.
    expect(budgetViolation(config[monthlyCostWithinBudget.name])).toBeUndefined();
    expect(budgetViolation({ ...config[monthlyCostWithinBudget.name], estimatedMonthlyCeilingUsd: 60001 })).toMatch(
      /over its budget/,
    );
  });

  it("sets prod as the environment of every policy that takes config", () => {
    const config = JSON.parse(files["policy-pack-config.json"]);
    const configurable = allPolicies.filter((p) => p.configSchema).map((p) => p.name);
    expect(Object.keys(config).sort()).toEqual([...configurable].sort());
    for (const name of configurable) expect(config[name].environment, name).toBe("prod");
  });
});
