// The release workflow: a tag publishes with provenance; by hand it is a dry run that needs no
// secret, and this test runs that dry run's own steps (check, pack, publish --dry-run) for real.
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { releaseProblems } from "../../cli/release-check";

const root = join(__dirname, "..", "..");
const run = promisify(execFile);
const workflow = parse(readFileSync(join(root, ".github", "workflows", "release.yml"), "utf8"));
const scripts = Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts);

interface Step {
  if?: string;
  run?: string;
  env?: Record<string, string>;
}
const job = workflow.jobs.release as {
  permissions: Record<string, string>;
  env: Record<string, string>;
  steps: Step[];
};
const runs = (publish: boolean) =>
  job.steps.filter((s) => s.run && (s.if === undefined || s.if === `env.PUBLISH ${publish ? "==" : "!="} 'true'`));
/** The steps before them: what CI itself has done already (install, the suite). */
const setup = (cmd: string) => /^(sudo apt-get|npm ci|npm test$)/.test(cmd);

describe(".github/workflows/release.yml", () => {
  it("publishes on a v tag only, and can be run by hand", () => {
    expect(workflow.on.push.tags).toEqual(["v*"]);
    expect(Object.keys(workflow.on)).toEqual(["push", "workflow_dispatch"]);
    expect(job.env.PUBLISH).toContain("startsWith(github.ref, 'refs/tags/v')");
  });

  it("tests before it packs, and publishes the packed tarball with provenance", () => {
    const cmds = runs(true).map((s) => s.run!);
    expect(cmds.indexOf("npm test")).toBeGreaterThan(cmds.indexOf("npm ci --no-audit --no-fund"));
    expect(cmds.indexOf("mkdir -p .release && npm pack --pack-destination .release")).toBeGreaterThan(
      cmds.indexOf("npm test"),
    );
    expect(cmds.at(-1)).toBe("npm publish .release/*.tgz --provenance --access public");
    expect(cmds).toContain("npm run release:check -- --tag ${{ github.ref_name }}");
    expect(job.permissions["id-token"]).toBe("write");
  });

  it("the dry run reads no secret and uploads nothing to npm", () => {
    const dry = runs(false);
    expect(JSON.stringify(dry)).not.toMatch(/secrets\./);
    expect(dry.filter((s) => s.run!.startsWith("npm publish")).map((s) => s.run)).toEqual([
      "npm publish .release/*.tgz --dry-run --access public",
    ]);
    for (const s of dry) {
      const script = /^npm run ([\w:-]+)/.exec(s.run!)?.[1];
      if (script) expect(scripts, s.run).toContain(script);
    }
  });

  describe("its dry run, step by step", () => {
    const made = !existsSync(join(root, ".release"));
    afterAll(() => made && rmSync(join(root, ".release"), { recursive: true, force: true }));

    it("checks, packs and publishes --dry-run with exit 0", async () => {
      for (const { run: cmd } of runs(false).filter((s) => !setup(s.run!))) {
        const { stdout, stderr } = await run("sh", ["-c", cmd!], { cwd: root, env: { ...process.env, CI: "true" } });
        expect(`${stdout}${stderr}`, cmd).not.toMatch(/npm error/);
      }
      expect(readdirSync(join(root, ".release")).filter((f) => f.endsWith(".tgz"))).toHaveLength(1);
    }, 600_000);
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
