import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allPolicies, policyPackConfig } from "../../policies/rules";

const root = join(__dirname, "..", "..");

describe("policy pack config files for CI", () => {
  it.each(["dev", "staging", "prod"] as const)("policies/config.%s.json sets the environment for every rule", (env) => {
    const file = JSON.parse(readFileSync(join(root, "policies", `config.${env}.json`), "utf8"));
    expect(file).toEqual(policyPackConfig(allPolicies, env));
    expect(Object.keys(file)).toHaveLength(allPolicies.length);
  });
});

describe("docs/policies-in-ci.md", () => {
  it("its policy table lists every rule of the pack, once, in the pack's order", () => {
    const doc = readFileSync(join(root, "docs", "policies-in-ci.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `([a-z0-9-]+)`\s*\|/gm)].map((m) => m[1]);
    expect(rows).toEqual(allPolicies.map((p) => p.name));
  });
});
