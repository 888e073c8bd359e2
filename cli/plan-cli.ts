/**
 * The offline plan command: runs a Pulumi program on Pulumi's mock runtime, records every
 * resource, runs the policy pack and writes the artifacts described in docs/plan.md.
 *
 * Two front doors run it: `npm run plan` in this kit's checkout (cli/plan.ts, precompiled by
 * cli/run-plan.js), and `mlserving-plan`, the package's command (cli/bin.ts), in any repository
 * that installed the kit. Either plans
 * - a platform stack: a stack file that sets `mlserving:environment`, checked against the kit's
 *   config schema before any SDK loads, then run (the kit's own program in its checkout, the
 *   project's program elsewhere), priced and given its cold-start floors; or
 * - any other project (a model team's, or a program that composes the components): its program,
 *   with `StackReference` reads answered from recorded platform outputs.
 *
 * Exit status: 0 planned clean; 1 a mandatory policy was violated; 2 invalid config or the
 * program failed. Usage errors and --help need nothing but this file; the stack file check loads
 * next, and the program, the SDKs and the policy pack only once the stack file is valid.
 */
import { existsSync, readdirSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { PlanOutcome } from "./planner";
import { outDirProblem, writePlanOutput } from "./out-dir";
import { PLAN_FILES, PLATFORM_PLAN_FILES } from "./plan-files";
import { loadStackFile, stackNameProblem, stackNamesIn } from "./stack-file";
import { kitCheckoutOf, loadPulumiProject, projectStackFile, type PulumiProject } from "./project-plan";
import { editDistance } from "../components/common/edit-distance";

import { ENVIRONMENTS } from "../components/common/tags";

type PlannedOutcome = Extract<PlanOutcome, { kind: "planned" }>;

/** Where the command runs from: this kit's checkout, or a repository that installed the package. */
export type PlanCliMode = { kind: "kit"; root: string } | { kind: "installed"; cwd: string };

/** The command's options (node:util parseArgs); the docs' plan commands are checked against them. */
export const PLAN_OPTIONS = {
  stack: { type: "string" },
  config: { type: "string" },
  out: { type: "string" },
  project: { type: "string" },
  outputs: { type: "string" },
  environment: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The values `--environment` takes. */
export const PLAN_ENVIRONMENTS: readonly string[] = ENVIRONMENTS;

function usageLine(mode: PlanCliMode): string {
  const command = mode.kind === "kit" ? "npm run plan --" : "mlserving-plan";
  return `usage: ${command} --stack <name> [--project <dir>] [--config <stack file>] [--outputs <file>] [--environment <env>] [--out <dir>]`;
}

class UsageError extends Error {}

function help(mode: PlanCliMode, project: PulumiProject | undefined, projectDirs: string[]): string {
  const here = mode.kind === "kit" ? "this checkout" : "the current folder";
  const stacks = project ? stackNamesIn(project.stackConfigDir) : [];
  const projects = projectDirs.map(
    (d) => `  ${d}: ${stackNamesIn(loadPulumiProject(d).stackConfigDir).join(", ") || "(none)"}`,
  );
  return [
    usageLine(mode),
    "",
    "Plans a Pulumi stack offline: runs the real program on Pulumi's mock runtime (no cloud, no Pulumi CLI),",
    "runs the kit's policy pack and writes to --out:",
    ...Object.values(PLAN_FILES)
      .filter((f) => !PLATFORM_PLAN_FILES.includes(f))
      .map((f) => `  ${f}`),
    "  manifests/<kind>-<namespace>-<name>.yaml for each Kubernetes object the program authors",
    "and, for a platform stack (one that sets mlserving:environment):",
    ...PLATFORM_PLAN_FILES.map((f) => `  ${f}`),
    "",
    "  --stack <name>        the stack to plan; its file is Pulumi.<name>.yaml in the project's stackConfigDir",
    `  --project <dir>       the Pulumi project (its Pulumi.yaml); default ${here}`,
    "  --config <file>       a stack file to plan instead",
    "  --outputs <file>      a platform's recorded outputs, answering the project's StackReference reads;",
    "                        default <project>/platform-outputs.<name>.json when it exists (docs/model-teams.md)",
    "  --environment <env>   the policy levels (dev, staging, prod) for a project with no recorded outputs;",
    "                        default the recorded platform's environment, else prod",
    `  --out <dir>           where to write; default ${mode.kind === "kit" ? ".plan/<name>" : "<project>/.plan/<name>"}; ` +
      `an existing folder must be empty or an earlier plan's output`,
    "  --help                this text",
    "",
    project
      ? `Stack files of ${project.name} (${project.stackConfigDir}): ${stacks.length > 0 ? stacks.join(", ") : "(none)"}`
      : `No Pulumi.yaml in ${here}.`,
    ...(projects.length > 0 ? ["Other projects (--project) and their stack files:", ...projects] : []),
    "",
    "Exit status: 0 planned clean, 1 a mandatory policy was violated, 2 invalid stack file, stale policy facts or the program failed.",
  ].join("\n");
}

/** The example projects of the kit's checkout. */
function exampleProjects(mode: PlanCliMode): string[] {
  if (mode.kind !== "kit") return [];
  const examples = join(mode.root, "examples");
  if (!existsSync(examples)) return [];
  return readdirSync(examples)
    .map((d) => join(examples, d))
    .filter((d) => existsSync(join(d, "Pulumi.yaml")));
}

/** "stack file not found", with the stacks the project has and the closest name. */
function missingStackFile(path: string, stack: string, project: PulumiProject): string {
  const known = stackNamesIn(project.stackConfigDir);
  if (known.length === 0) return `stack file not found: ${path} (${project.name} has no stack files)`;
  const closest = [...known].sort((a, b) => editDistance(stack, a) - editDistance(stack, b))[0];
  const suggestion =
    editDistance(stack, closest) <= Math.max(2, Math.floor(stack.length / 3))
      ? `; did you mean --stack ${closest}?`
      : "";
  return `stack file not found: ${path}${suggestion} (stacks of ${project.name}: ${known.join(", ")})`;
}

/** Whether the stack file describes a platform (sets `mlserving:environment`). */
function isPlatformStackFile(path: string, project: PulumiProject): boolean {
  try {
    return "mlserving:environment" in loadStackFile(path, project.name).config;
  } catch {
    return false; // the project plan reports what is wrong with it
  }
}

/** Runs the command; resolves to its exit status. */
export async function planCli(argv: string[], mode: PlanCliMode): Promise<number> {
  try {
    return await plan(argv, mode);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`error: ${e.message}\n${usageLine(mode)}`);
    return 2;
  }
}

async function plan(argv: string[], mode: PlanCliMode): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: PLAN_OPTIONS,
      strict: true,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const base = mode.kind === "kit" ? mode.root : mode.cwd;
  const projectDir = resolve(base, values.project ?? ".");
  const hasProject = existsSync(join(projectDir, "Pulumi.yaml"));
  let project: PulumiProject | undefined;
  if (hasProject) {
    try {
      project = loadPulumiProject(projectDir);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (values.help) {
    console.log(help(mode, project, exampleProjects(mode)));
    return 0;
  }
  const stack = values.stack;
  if (!stack) throw new UsageError("--stack is required");
  const badName = stackNameProblem(stack);
  if (badName) throw new UsageError(badName);
  if (!project) throw new UsageError(`no Pulumi.yaml in ${projectDir}`);
  if (values.environment !== undefined && !PLAN_ENVIRONMENTS.includes(values.environment))
    throw new UsageError(`--environment must be one of ${PLAN_ENVIRONMENTS.join(", ")}`);
  const configPath = resolve(base, values.config ?? projectStackFile(project, stack));
  if (!existsSync(configPath)) throw new UsageError(missingStackFile(configPath, stack, project));
  const isKitItself = mode.kind === "kit" && projectDir === resolve(mode.root);
  const defaultOut =
    mode.kind === "kit"
      ? join(mode.root, ".plan", ...(isKitItself ? [] : [basename(projectDir)]), stack)
      : join(projectDir, ".plan", stack);
  const outDir = resolve(base, values.out ?? defaultOut);
  const badOut = outDirProblem(outDir);
  if (badOut) throw new UsageError(badOut);
  const platform = isKitItself || isPlatformStackFile(configPath, project);
  if (values.outputs && platform) throw new UsageError("--outputs goes with a project that reads a platform's outputs");
  if (values.environment && platform)
    throw new UsageError("--environment: a platform stack sets mlserving:environment");

  // The policies judge by facts generated from the components; a stale copy would pass what they
  // should refuse, so the plan refuses to run on one (policies/rules/facts-freshness.ts).
  const { kitFactsStaleness } = await import("../policies/rules/facts-freshness");
  // An installed package has no sources to compare; a linked checkout of the kit does.
  const kitRoot = mode.kind === "kit" ? mode.root : kitCheckoutOf(__dirname);
  const stale = kitRoot === undefined ? undefined : kitFactsStaleness(kitRoot);
  if (stale) {
    console.error(`error: ${stale}`);
    return 2;
  }

  if (!platform) return planProject(project, stack, configPath, outDir, values.outputs, values.environment);

  const shown = relative(process.cwd(), configPath) || configPath;
  console.log(`Planning stack "${stack}" offline from ${shown}`);
  // The stack file check (config schema and rules) loads before the program and its SDKs.
  const { checkStackFile } = await import("./stack-check");
  const checked = checkStackFile(configPath, stack);
  if (!checked.ok) return stackFileInvalid(checked.problems);

  // Loaded only now: the program and its SDKs take a second or more to import.
  const { runPlan } = await import("./planner");
  const { costSummaryLines } = await import("./cost-report");
  const { coldStartSummaryLines } = await import("../components/platform/cold-start");
  let program;
  if (!isKitItself) {
    const { loadProjectProgram } = await import("./project-plan");
    program = { project: project.name, run: loadProjectProgram(project) };
  }
  const outcome = await runPlan({ stack, configPath, checked, program, progress: (line) => console.log(`  ${line}`) });
  if (outcome.kind === "failed") {
    console.error(`\nThe program failed: ${outcome.message}`);
    return 2;
  }
  if (outcome.kind !== "planned") return 2; // runPlan re-validates only an unchecked stack file

  writePlanOutput(outDir, outcome.files);

  const { summary } = outcome;
  console.log(`\nResources: ${summary.total}`);
  for (const [type, n] of summary.byType) console.log(`  ${String(n).padStart(4)}  ${type}`);
  if (outcome.cost) console.log(`\n${costSummaryLines(outcome.cost).join("\n")}`);
  const coldStartLines = outcome.coldStart ? coldStartSummaryLines(outcome.coldStart.estimates) : [];
  if (coldStartLines.length > 0) console.log(`\n${coldStartLines.join("\n")}`);
  const { wakeSummaryLines } = await import("../components/platform/wake");
  const wakeLines = outcome.coldStart ? wakeSummaryLines(outcome.coldStart.wake) : [];
  if (wakeLines.length > 0) console.log(`\n${wakeLines.join("\n")}`);
  const { alertingSummaryLines } = await import("./alerting-report");
  const alertingLines = alertingSummaryLines(checked.spec);
  if (alertingLines.length > 0) console.log(`\n${alertingLines.join("\n")}`);
  return report(outcome, outDir);
}

/** Reports an invalid stack file, every problem by its key path, once; the exit status. */
function stackFileInvalid(problems: readonly { path: string; message: string }[]): number {
  const n = problems.length;
  console.error(`\nThe stack file is invalid (${n} problem${n === 1 ? "" : "s"}):`);
  for (const p of problems) console.error(`  - ${p.path}: ${p.message}`);
  return 2;
}

/** Plans a project that is not a platform stack (a model team's, or a program of the user's). */
async function planProject(
  project: PulumiProject,
  stack: string,
  configPath: string,
  outDir: string,
  outputsPath?: string,
  environment?: string,
): Promise<number> {
  console.log(`Planning project ${project.name} (${project.dir}), stack "${stack}", offline from ${configPath}`);
  const { runProjectPlan } = await import("./planner");
  const outcome = await runProjectPlan({
    projectDir: project.dir,
    stack,
    configPath,
    outputsPath: outputsPath && resolve(outputsPath),
    environment,
    progress: (line) => console.log(`  ${line}`),
  });
  if (outcome.kind === "invalid-config") return stackFileInvalid(outcome.problems);
  if (outcome.kind === "failed") {
    console.error(`\nThe program failed: ${outcome.message}`);
    return 2;
  }
  writePlanOutput(outDir, outcome.files);
  console.log(`\nResources: ${outcome.summary.total}`);
  for (const [type, n] of outcome.summary.byType) console.log(`  ${String(n).padStart(4)}  ${type}`);
  return report(outcome, outDir);
}

async function report(outcome: PlannedOutcome, outDir: string): Promise<number> {
  const { exitCodeFor } = await import("./planner");
  const { report } = outcome;
  const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
  console.log(
    `\nPolicies: ${report.policies} run, ${mandatory.length} mandatory violation(s), ${report.violations.length - mandatory.length} advisory`,
  );
  for (const v of report.violations) console.log(`  [${v.enforcementLevel}] ${v.policy}: ${v.urn}\n      ${v.message}`);
  console.log(`\nWrote ${Object.keys(outcome.files).length} files to ${outDir}`);
  return exitCodeFor(outcome);
}

/** Runs the command as a process: its exit status, and a message (no stack trace) if it throws. */
export function runPlanCliProcess(mode: PlanCliMode): void {
  planCli(process.argv.slice(2), mode).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`plan failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    },
  );
}
