import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CostReport } from "../../cli/cost-report";
import { exitCodeFor, PlanOutcome } from "../../cli/planner";

const root = join(__dirname, "..", "..");
const tsx = join(root, "node_modules", ".bin", "tsx");

/**
 * Runs the CLI without blocking this worker's event loop (a synchronous spawn of a plan that takes
 * over a minute on a loaded machine starves vitest's worker RPC and fails the run).
 */
function plan(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [join(root, "cli", "plan.ts"), ...args], { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill(), 120_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe("npm run plan", () => {
  it("plans dev clean, prints a summary and writes the artifacts", async () => {
    const out = mkdtempSync(join(tmpdir(), "plan-"));
    const run = await plan("--stack", "dev", "--out", out);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Resources: \d+/);
    expect(run.stdout).toMatch(/aws:eks\/cluster:Cluster/);
    expect(run.stdout).toMatch(/Policies: \d+ run, 0 mandatory violation/);
    expect(run.stdout).toMatch(/idle floor \$[\d,]+\.\d\d on-demand/);
    expect(run.stdout).toMatch(/ceiling +\$[\d,]+\.\d\d \(every autoscaler at its maximum/);
    for (const f of ["resources.json", "policy-report.json", "manifests/helm-releases.yaml", "cost.json"])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "resources.json"), "utf8")).stack).toBe("dev");
  });

  it("exits 2 on an invalid stack file, listing every problem by key path, without a stack trace", async () => {
    const run = await plan(
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
    const run = await plan(
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
    expect((await plan()).status).toBe(2);
    const missing = await plan("--stack", "nope");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("stack file not found");
  });
});

describe("exit status", () => {
  const planned = (levels: string[]): PlanOutcome => ({
    kind: "planned",
    resources: [],
    files: {},
    summary: { total: 0, byType: [] },
    cost: {} as CostReport,
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
