import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allPolicies, policyPackConfig } from "../../policies/rules";

describe("policy pack config files for CI", () => {
  it.each(["dev", "staging", "prod"] as const)("policies/config.%s.json sets the environment for every rule", (env) => {
    const file = JSON.parse(readFileSync(join(__dirname, "..", "..", "policies", `config.${env}.json`), "utf8"));
    expect(file).toEqual(policyPackConfig(allPolicies, env));
    expect(Object.keys(file)).toHaveLength(allPolicies.length);
  });
});
