// What the README and docs/ say against what the kit does: every `npm run` script they name
// exists, every page they link exists, the cost table is the shipped stacks' envelope, and the
// side-by-side table of spot replacement options is what the plan computes for each option.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../cli/stack-file";
import { costEnvelope } from "../../components/platform/cost";
import { coldStartEstimate } from "../../components/platform/cold-start";
import type { AcceleratorPoolSpec, PlatformSpec } from "../../components/platform/spec";
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

  it("docs/cost-and-capacity.md's spot replacement options are the plan's figures for each option", () => {
    const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    const specOf = (stack: string): PlatformSpec => {
      const { config, secretKeys } = loadStackFile(join(root, "stacks", `Pulumi.${stack}.yaml`), CONFIG_NAMESPACE);
      const { raw, region } = rawConfigFromPulumi(config);
      return resolvePlatformSpec(raw, region, new Set(secretKeys));
    };
    const prod = specOf("prod");
    const snap = "snap-0123456789abcdef0";
    // Each row: the option applied alone to prod's GPU pool without its warm node (the first row is prod as shipped).
    const rows: [string, Partial<AcceleratorPoolSpec>, string | undefined][] = [
      ["`warmNodes: 1` (as shipped)", {}, "warm headroom"],
      ["nothing", { warmNodes: undefined }, undefined],
      ["`volumeThroughputMiBps: 1000`", { warmNodes: undefined, volumeThroughputMiBps: 1000 }, undefined],
      ["`instanceStore: true`", { warmNodes: undefined, instanceStore: true }, undefined],
      ["`imageCacheSnapshotId`", { warmNodes: undefined, imageCacheSnapshotId: snap }, undefined],
      [
        "`imageCacheSnapshotId` + `imageCacheFastRestore: true`",
        { warmNodes: undefined, imageCacheSnapshotId: snap, imageCacheFastRestore: true },
        "image-cache fast snapshot restore",
      ],
    ];
    const lines = text(join("docs", "cost-and-capacity.md")).split("\n");
    for (const [label, over, costItem] of rows) {
      const spec = {
        ...prod,
        capacity: {
          ...prod.capacity,
          pools: prod.capacity.pools.map((p) => (p.name === "gpu" ? { ...p, ...over } : p)),
        },
      };
      const i = spec.serving.models.findIndex((m) => m.name === "support-llm");
      const e = coldStartEstimate(spec, spec.serving.models[i], i);
      const row = lines.find((l) => l.split("|")[1]?.trim() === label);
      const [, , cost, replacement, verdict] = row?.split("|").map((c) => c.trim()) ?? [];
      expect(row, label).toBeDefined();
      const gpu = costEnvelope(spec).components.find((c) => c.name === "capacity:gpu")!;
      if (costItem) expect(cost, label).toContain(usd(gpu.lines.find((l) => l.item === costItem)!.floorUsd));
      else expect(cost, label).not.toMatch(/\$\d/);
      const r = e.replacement;
      expect(replacement, label).toMatch(
        new RegExp(`^${r.lands === "warm-node" ? "warm" : "new"} node, >= ${r.seconds} s[ (]`),
      );
      for (const [, name, seconds] of replacement.matchAll(/\b(node|images|weights|server) (\d+)\b/g))
        expect(e.phases.find((p) => p.phase === name)!.seconds, `${label}: ${name}`).toBe(Number(seconds));
      expect(verdict, label).toBe(r.withinNotice === undefined ? "unknown" : r.withinNotice ? "within" : "NOT within");
    }
    const staging = costEnvelope(specOf("staging")).pools.find((p) => p.name === "gpu")!;
    expect(lines.find((l) => l.split("|")[1]?.trim() === "ODCR of 1 × g6.2xlarge (staging)")).toContain(
      usd(staging.reserved!.usd),
    );
  });
});
