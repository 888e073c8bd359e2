// What the README and docs/ say against what the kit does: every `npm run` script they name
// exists, every page they link exists, and the cost table is the shipped stacks' envelope.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../cli/stack-file";
import { costEnvelope } from "../../components/platform/cost";
import { CONFIG_NAMESPACE, resolvePlatformSpec } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";

const root = join(__dirname, "..", "..");
const pages = ["README.md", ...readdirSync(join(root, "docs")).map((f) => join("docs", f))].filter((f) =>
  f.endsWith(".md"),
);
const text = (page: string) => readFileSync(join(root, page), "utf8");
const scripts = Object.keys(JSON.parse(text("package.json")).scripts);

describe("the README and docs/", () => {
  it.each(pages)("%s names only npm scripts that exist", (page) => {
    for (const [, script] of text(page).matchAll(/npm run ([a-z][\w:-]*)/g))
      expect(scripts, `${page}: npm run ${script}`).toContain(script);
  });

  it.each(pages)("%s links only files that exist", (page) => {
    for (const [, target] of text(page).matchAll(/\]\(((?!https?:|#|mailto:)[^)#\s]+)(?:#[^)]*)?\)/g))
      expect(existsSync(resolve(dirname(join(root, page)), target)), `${page}: ${target}`).toBe(true);
  });

  it("docs/cost-and-capacity.md's table is the shipped stacks' envelope", () => {
    const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    const table = text(join("docs", "cost-and-capacity.md"));
    for (const stack of ["dev", "staging", "prod"]) {
      const { config, secretKeys } = loadStackFile(join(root, "stacks", `Pulumi.${stack}.yaml`), CONFIG_NAMESPACE);
      const { raw, region } = rawConfigFromPulumi(config);
      const e = costEnvelope(resolvePlatformSpec(raw, region, new Set(secretKeys)));
      const row = table.split("\n").find((l) => l.startsWith(`| \`${stack}\``));
      const cells = row?.split("|").map((c) => c.trim());
      expect(cells?.slice(2, 5), stack).toEqual([
        usd(e.floor.totalUsd),
        `${usd(e.floor.withSpotUsd.low)} - ${usd(e.floor.withSpotUsd.high)}`,
        usd(e.ceiling.totalUsd),
      ]);
    }
  });
});
