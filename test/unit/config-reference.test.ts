import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configKeys, configReference, undocumentedKeys, withReference } from "../../cli/config-reference";

const readme = readFileSync(join(__dirname, "..", "..", "docs", "configuration.md"), "utf8");

describe("the configuration reference in docs/configuration.md", () => {
  it("documents every key of the schema, and no key the schema lacks", () => {
    expect(undocumentedKeys()).toEqual({ missing: [], unknown: [] });
    expect(configKeys().length).toBeGreaterThan(70);
  });

  it("is what npm run docs generates (run it after changing the schema, a description or a default)", () => {
    expect(withReference(readme, configReference())).toBe(readme);
  });

  it("shows each environment's defaults and what a key accepts", () => {
    const row = (key: string) =>
      configReference()
        .split("\n")
        .find((l) => l.startsWith(`| \`${key}\` |`));
    expect(row("cluster.logRetentionDays")).toContain("| `30` | `90` | `365` |");
    expect(row("network.natGateways")).toContain("`single`, `onePerAz`");
    expect(row("capacity.pools[].maxNodes")).toContain("gpu: `2`; inferentia: `1`");
    expect(() => withReference("# no markers", configReference())).toThrow(/no .* section/);
  });
});
