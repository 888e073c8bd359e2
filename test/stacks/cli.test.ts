import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { outDirProblem, PLAN_MARKER, writePlanOutput } from "../../cli/out-dir";
import { PLAN_FILES } from "../../cli/plan-files";
import type { CostReport } from "../../cli/cost-report";
import type { ColdStartReport } from "../../cli/cold-start-report";
import { exitCodeFor, PlanOutcome } from "../../cli/planner";
import { stackNameProblem } from "../../cli/stack-file";
import { planCommand } from "../plan-command";

const root = join(__dirname, "..", "..");

/** A folder holding a file the plan did not write. */
function foreignFolder(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "not-a-plan-"));
  const file = join(dir, "notes.txt");
  writeFileSync(file, "mine\n");
  return { dir, file };
}

describe("npm run plan", () => {
  it("plans dev clean, prints a summary and writes the artifacts", async () => {
    const out = mkdtempSync(join(tmpdir(), "plan-"));
    const run = await planCommand("--stack", "dev", "--out", out);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Resources: \d+/);
    expect(run.stdout).toMatch(/aws:eks\/cluster:Cluster/);
    expect(run.stdout).toMatch(/Policies: \d+ run, 0 mandatory violation/);
    expect(run.stdout).toMatch(/idle floor \$[\d,]+\.\d\d on-demand/);
    expect(run.stdout).toMatch(/ceiling +\$[\d,]+\.\d\d \(every autoscaler at its maximum/);
    expect(run.stdout).toMatch(/Cold start \(floor, seconds/);
    for (const f of [
      "resources.json",
      "policy-report.json",
      "manifests/helm-releases.yaml",
      "cost.json",
      "cold-start.json",
      PLAN_MARKER,
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "resources.json"), "utf8")).stack).toBe("dev");
    // --help names every file the plan wrote (each authored object's manifest by its pattern).
    const help = (await planCommand("--help")).stdout;
    const written = readdirSync(out, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name !== PLAN_MARKER)
      .map((e) => join(e.parentPath, e.name).slice(out.length + 1));
    expect(written.length).toBeGreaterThan(10);
    for (const file of written)
      if (!help.includes(file)) expect(file, "a file --help does not name").toMatch(/^manifests\/[a-z0-9.-]+\.yaml$/);
    expect(help).toContain("manifests/<kind>-<namespace>-<name>.yaml");
    for (const file of Object.values(PLAN_FILES))
      expect(written, `${file} is listed by --help but not written`).toContain(file);
  });

  it("exits 2 on an invalid stack file, listing every problem by key path, without a stack trace", async () => {
    const run = await planCommand(
      "--stack",
      "broken",
      "--config",
      join(root, "test", "fixtures", "bad-stacks", "missing-team-and-region.yaml"),
      "--out",
      mkdtempSync(join(tmpdir(), "plan-")),
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("aws:region: is required");
    expect(run.stderr).toContain("mlserving:team: is required");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 naming the model when its requests fit no instance type of its pool", async () => {
    const run = await planCommand(
      "--stack",
      "too-big",
      "--config",
      join(root, "test", "fixtures", "bad-stacks", "model-too-many-gpus.yaml"),
      "--out",
      mkdtempSync(join(tmpdir(), "plan-")),
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /mlserving:serving\.models\[0\]\.resources\.gpus: model resnet50 asks 8 GPUs per replica/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 with usage when --stack is missing or the file does not exist", async () => {
    expect((await planCommand()).status).toBe(2);
    const missing = await planCommand("--stack", "nope");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("stack file not found");
    expect(missing.stderr).toContain("(stacks of mlserving: dev, prod, staging)");
    expect(missing.stderr).not.toContain("did you mean");
  });

  it("suggests the closest stack for a misspelt --stack, and lists the stacks", async () => {
    const run = await planCommand("--stack", "prdo");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("did you mean --stack prod?");
    expect(run.stderr).toContain("(stacks of mlserving: dev, prod, staging)");
    const team = await planCommand("--project", "examples/model-team", "--stack", "deb");
    expect(team.status).toBe(2);
    expect(team.stderr).toMatch(/did you mean --stack dev\? \(stacks of model-team: dev\)/);
  });

  it("reports an invalid stack file once, the same way for a platform and for a team's project", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bad-stack-"));
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "config: [\n");
    for (const project of [".", "examples/model-team"]) {
      const run = await planCommand(
        "--project",
        project,
        "--stack",
        "dev",
        "--config",
        broken,
        "--out",
        join(dir, "out"),
      );
      expect(run.status, project).toBe(2);
      expect(run.stderr.match(/stack file is invalid/g), `${project}: ${run.stderr}`).toHaveLength(1);
      expect(run.stderr, project).toContain("The stack file is invalid (1 problem):");
      expect(run.stderr, project).toContain(`${broken} is not valid YAML`);
      expect(existsSync(join(dir, "out")), project).toBe(false);
    }
  });

  it("--help exits 0 with the usage, every artifact, the stack files found in stacks/ and the examples", async () => {
    const run = await planCommand("--help");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("usage: npm run plan -- --stack <name>");
    expect(run.stdout).toMatch(/Stack files of mlserving \(.*stacks\): dev, prod, staging/);
    expect(run.stdout).toMatch(/examples\/model-team: dev/);
    for (const artifact of [
      "resources.json",
      "policy-report.json",
      "manifests/",
      "cost.json",
      "cold-start.json",
      "policy-pack-config.json",
    ])
      expect(run.stdout, artifact).toContain(artifact);
  });

  it("refuses a --stack that is not a stack name, before touching any folder", async () => {
    // With the default --out, `--stack ..` would name the repository itself (.plan/..).
    const devFile = join(root, "stacks", "Pulumi.dev.yaml");
    for (const bad of ["..", ".", "../..", "a/b"]) {
      const run = await planCommand("--stack", bad, "--config", devFile);
      expect(run.status, bad).toBe(2);
      expect(run.stderr, bad).toContain("--stack must be a stack name");
    }
    expect(existsSync(join(root, "package.json"))).toBe(true);
  });

  it("refuses to write to a non-empty --out it did not write, and leaves it as it was", async () => {
    const { dir, file } = foreignFolder();
    const run = await planCommand("--stack", "dev", "--out", dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`was not written by the plan (it has no ${PLAN_MARKER} file)`);
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
    expect(readFileSync(file, "utf8")).toBe("mine\n");
  });
});

describe("the plan's output folder", () => {
  it("is taken when new, empty or marked as the plan's, and refused otherwise", () => {
    const base = mkdtempSync(join(tmpdir(), "plan-out-"));
    expect(outDirProblem(join(base, "new"))).toBeUndefined();
    expect(outDirProblem(base)).toBeUndefined();
    const { dir } = foreignFolder();
    expect(outDirProblem(dir)).toMatch(/not empty and was not written by the plan/);
    writeFileSync(join(base, "file"), "");
    expect(outDirProblem(join(base, "file"))).toMatch(/is not a folder/);
  });

  it("never deletes a folder it did not make", () => {
    const { dir, file } = foreignFolder();
    expect(() => writePlanOutput(dir, { "resources.json": "{}" })).toThrow(/was not written by the plan/);
    expect(readFileSync(file, "utf8")).toBe("mine\n");
    expect(existsSync(join(dir, "resources.json"))).toBe(false);
  });

  it("replaces its own earlier output, stale files included, and marks it", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "plan-out-")), "prod");
    writePlanOutput(dir, { "resources.json": "old", "manifests/gone.yaml": "x" });
    writePlanOutput(dir, { "resources.json": "new", "manifests/kept.yaml": "y" });
    expect(readFileSync(join(dir, "resources.json"), "utf8")).toBe("new");
    expect(readdirSync(join(dir, "manifests"))).toEqual(["kept.yaml"]);
    expect(existsSync(join(dir, PLAN_MARKER))).toBe(true);
    mkdirSync(join(dir, "sub"));
    expect(outDirProblem(dir)).toBeUndefined();
  });

  it("leaves files whose content is unchanged untouched and rewrites the others", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "plan-out-")), "prod");
    writePlanOutput(dir, { "resources.json": "same", "manifests/a.yaml": "a1" });
    const past = new Date("2020-01-01T00:00:00Z");
    for (const f of ["resources.json", "manifests/a.yaml"]) utimesSync(join(dir, f), past, past);
    writePlanOutput(dir, { "resources.json": "same", "manifests/a.yaml": "a2" });
    expect(statSync(join(dir, "resources.json")).mtime).toEqual(past);
    expect(readFileSync(join(dir, "resources.json"), "utf8")).toBe("same");
    expect(readFileSync(join(dir, "manifests/a.yaml"), "utf8")).toBe("a2");
  });
});

describe("stack names", () => {
  it("are letters, digits, '-', '_' and '.', never '.' or '..'", () => {
    for (const ok of ["dev", "prod-eu", "team_a.staging", "Dev2"]) expect(stackNameProblem(ok), ok).toBeUndefined();
    for (const bad of [".", "..", "a/b", "a\\b", "", "dev ", "prod;rm"])
      expect(stackNameProblem(bad), bad).toMatch(/must be a stack name/);
  });
});

describe("exit status", () => {
  const planned = (levels: string[]): PlanOutcome => ({
    kind: "planned",
    resources: [],
    files: {},
    summary: { total: 0, byType: [] },
    cost: {} as CostReport,
    coldStart: {} as ColdStartReport,
    report: {
      policies: 1,
      violations: levels.map((enforcementLevel) => ({ policy: "p", enforcementLevel, urn: "u", message: "m" })),
    },
  });
  it("is 1 only for a mandatory violation", () => {
    expect(exitCodeFor(planned([]))).toBe(0);
    expect(exitCodeFor(planned(["advisory"]))).toBe(0);
    expect(exitCodeFor(planned(["advisory", "mandatory"]))).toBe(1);
    expect(exitCodeFor({ kind: "invalid-config", problems: [] })).toBe(2);
    expect(exitCodeFor({ kind: "failed", message: "x" })).toBe(2);
  });
});
