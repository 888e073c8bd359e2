/**
 * Runs the Prometheus project's own tools on what the kit generates: `promtool test rules` for
 * alert rules and autoscaling queries, `amtool config routes test` and a real Alertmanager for
 * routes and inhibition. The tools come from Debian's `prometheus` (2.42) and
 * `prometheus-alertmanager` (0.25) packages, which `.ci/run` installs.
 *
 * Where the tools are missing, the suites that need them are skipped with a clear message, except
 * under `CI=true`, where a missing tool fails the run.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { stringify } from "yaml";

function onPath(tool: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).status === 0;
}

/**
 * `describe` when every tool is on the PATH. Otherwise: under CI=true a suite with one failing
 * test naming the missing tools; elsewhere a skipped suite and a warning saying so.
 */
export function describeWithTools(name: string, tools: string[], fn: () => void): void {
  const missing = tools.filter((t) => !onPath(t));
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const install = "apt-get update && apt-get install -y --no-install-recommends prometheus prometheus-alertmanager";
  if (process.env.CI === "true") {
    describe(name, () => {
      it(`needs ${missing.join(", ")}`, () => {
        throw new Error(`${missing.join(", ")} not found on PATH; CI must install them (${install})`);
      });
    });
    return;
  }
  console.warn(`SKIPPED "${name}": ${missing.join(", ")} not found on PATH (install with: ${install})`);
  describe.skip(name, fn);
}

/** A fresh temporary directory for one tool run. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `mlserving-${prefix}-`));
}

export interface ToolRun {
  status: number | null;
  output: string;
}

/**
 * Runs a tool without blocking the test worker's event loop (a blocked worker cannot answer the
 * test runner, which on a loaded machine times out).
 */
export function run(tool: string, args: string[], cwd?: string): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(tool, args, { cwd, encoding: "utf8" }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ status, output: `${stdout ?? ""}${stderr ?? ""}${error && status === null ? String(error) : ""}` });
    });
  });
}

/** One `input_series` entry of a promtool test (expanding notation such as `0+10x60`). */
export interface InputSeries {
  series: string;
  values: string;
}

/** One `promql_expr_test`: the samples `expr` must return at `eval_time` (none: `[]`). */
export interface ExprTest {
  expr: string;
  eval_time: string;
  exp_samples: { labels: string; value: number }[];
}

/** One `alert_rule_test`: the alerts `alertname` has firing at `eval_time` (none: `[]`). */
export interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts: { exp_labels: Record<string, string>; exp_annotations?: Record<string, string> }[];
}

export interface PromtoolTest {
  name?: string;
  interval: string;
  input_series: InputSeries[];
  promql_expr_test?: ExprTest[];
  alert_rule_test?: AlertTest[];
}

/**
 * Writes `groups` as a Prometheus rule file and `tests` as a promtool test file, runs
 * `promtool test rules` and returns its exit status and output.
 */
export async function promtoolTestRules(
  groups: unknown[],
  tests: PromtoolTest[],
  evaluationInterval = "1m",
): Promise<ToolRun> {
  const dir = scratchDir("promtool");
  writeFileSync(join(dir, "rules.yml"), stringify({ groups }));
  writeFileSync(
    join(dir, "tests.yml"),
    stringify({ rule_files: ["rules.yml"], evaluation_interval: evaluationInterval, tests }),
  );
  try {
    return await run("promtool", ["test", "rules", "tests.yml"], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PromQL series selector / promtool label set: `name{a="1",b="2"}`. */
export function series(name: string, labels: Record<string, string>): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(",");
  return `${name}{${body}}`;
}
