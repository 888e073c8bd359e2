// The release workflow: a tag publishes with provenance; by hand it is a dry run that needs no
// secret. The packaging test (test/package/tarball.test.ts) runs that dry run's steps for real.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { releaseProblems } from "../../cli/release-check";
import { releaseJob, releaseRuns, releaseWorkflow } from "../release-workflow";

const root = join(__dirname, "..", "..");
const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts);

describe(".github/workflows/release.yml", () => {
  it("publishes on a v tag only, and can be run by hand", () => {
    expect(releaseWorkflow.on.push.tags).toEqual(["v*"]);
    expect(Object.keys(releaseWorkflow.on)).toEqual(["push", "workflow_dispatch"]);
    expect(releaseJob.env.PUBLISH).toContain("startsWith(github.ref, 'refs/tags/v')");
  });

  it("tests before it packs, and publishes the packed tarball with provenance", () => {
    const cmds = releaseRuns(true).map((s) => s.run!);
    const pack = cmds.findIndex((c) => c.includes("npm pack --pack-destination .release"));
    expect(cmds.indexOf("npm test")).toBeGreaterThan(cmds.indexOf("npm ci --no-audit --no-fund"));
    expect(pack).toBeGreaterThan(cmds.indexOf("npm test"));
    expect(cmds.at(-1)).toBe("npm publish .release/*.tgz --provenance --access public");
    expect(cmds).toContain("npm run release:check -- --tag ${{ github.ref_name }}");
    expect(releaseJob.permissions["id-token"]).toBe("write");
  });

  it("the dry run reads no secret and uploads nothing to npm", () => {
    const dry = releaseRuns(false);
    expect(JSON.stringify(dry)).not.toMatch(/secrets\./);
    expect(dry.filter((s) => s.run!.startsWith("npm publish")).map((s) => s.run)).toEqual([
      "npm publish .release/*.tgz --dry-run --access public",
    ]);
    for (const s of dry) {
      const script = /^npm run ([\w:-]+)/.exec(s.run!)?.[1];
      if (script) expect(scripts, s.run).toContain(script);
    }
  });
});

describe("releaseProblems", () => {
  const changelog =
    "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2026-12-01\n\n### Added\n\n- a thing\n\n## [1.1.0] - 2026-11-01\n\n- old\n";
  it("lets a tagged, semantic, dated and described version through", () => {
    expect(releaseProblems({ version: "1.2.0", changelog, tag: "v1.2.0" })).toEqual([]);
    expect(releaseProblems({ version: "1.2.0", changelog })).toEqual([]);
  });
  it.each([
    ["a tag for another version", { version: "1.2.0", changelog, tag: "v1.3.0" }, /tag v1\.3\.0 does not name/],
    ["a version that is not semantic", { version: "1.2", changelog }, /not a semantic version/],
    ["no section for the version", { version: "1.3.0", changelog }, /no "## \[1\.3\.0\] - YYYY-MM-DD" section/],
    ["an undated section", { version: "2.0.0", changelog: "## [2.0.0]\n\n- x\n" }, /no "## \[2\.0\.0\]/],
    [
      "a section with no change",
      { version: "1.4.0", changelog: "## [1.4.0] - 2026-12-01\n\n## [1.3.0] - 2026-11-01\n\n- x\n" },
      /lists no change/,
    ],
  ])("refuses %s", (_, input, message) => {
    expect(releaseProblems(input).join("\n")).toMatch(message);
  });
});
