/**
 * The offline plan: runs the real stack program on Pulumi's mock runtime, records every
 * resource, runs the policy pack and writes the artifacts described in the README.
 *
 *   npm run plan -- --stack <name> [--config <stack file>] [--out <dir>]
 *
 * Exit status: 0 planned clean; 1 a mandatory policy was violated; 2 invalid config or the
 * program failed.
 *
 * `npm run plan` runs this file precompiled (cli/run-plan.js). Usage errors and --help need nothing
 * but this file; the stack file check loads next, and the program, the SDKs and the policy pack only
 * once the stack file is valid.
 */
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { existsSync, readdirSync } from "node:fs";
import type { PlanOutcome } from "./planner";

type PlannedOutcome = Extract<PlanOutcome, { kind: "planned" }>;
import { outDirProblem, writePlanOutput } from "./out-dir";
import { stackNameProblem, stackNamesIn } from "./stack-file";

const USAGE =
  "usage: npm run plan -- --stack <name> [--project <dir>] [--config <stack file>] [--outputs <file>] [--out <dir>]";

function usage(message: string): never {
  console.error(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

function help(stacksDir: string, projectDirs: string[]): string {
  const stacks = stackNamesIn(stacksDir);
  const projects = projectDirs.map((d) => `  ${d}: ${stackNamesIn(d).join(", ") || "(none)"}`);
  return [
    USAGE,
    "",
    "Plans a stack offline: runs the real program on Pulumi's mock runtime, runs the policy pack and",
    "writes resources.json, policy-report.json and manifests/ to --out (default .plan/<name>).",
    "",
    "  --stack <name>    the stack to plan; its file is stacks/Pulumi.<name>.yaml unless --config is given",
    "  --project <dir>   plan another Pulumi project (a model team's, e.g. examples/model-team): its stack",
    "                    file is <dir>/Pulumi.<name>.yaml and its StackReference reads are answered from",
    "                    the platform's recorded outputs, <dir>/platform-outputs.<name>.json",
    "  --outputs <file>  recorded platform outputs to use with --project instead",
    "  --config <file>   a stack file to plan instead",
    "  --out <dir>       where to write; an existing folder must be empty or an earlier plan's output",
    "  --help            this text",
    "",
    `Stack files in ${stacksDir}: ${stacks.length > 0 ? stacks.join(", ") : "(none)"}`,
    ...(projects.length > 0 ? ["Projects (--project) and their stack files:", ...projects] : []),
    "",
    "Exit status: 0 planned clean, 1 a mandatory policy was violated, 2 invalid stack file or the program failed.",
  ].join("\n");
}

async function main(): Promise<number> {
  const root = resolve(__dirname, "..");
  const stacksDir = join(root, "stacks");
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        config: { type: "string" },
        out: { type: "string" },
        project: { type: "string" },
        outputs: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (values.help) {
    const examples = join(root, "examples");
    const projectDirs = existsSync(examples)
      ? readdirSync(examples)
          .map((d) => join(examples, d))
          .filter((d) => existsSync(join(d, "Pulumi.yaml")))
      : [];
    console.log(help(stacksDir, projectDirs));
    return 0;
  }
  const stack = values.stack;
  if (!stack) usage("--stack is required");
  const badName = stackNameProblem(stack);
  if (badName) usage(badName);
  if (values.outputs && !values.project) usage("--outputs goes with --project");
  const projectDir = values.project ? resolve(values.project) : undefined;
  if (projectDir && !existsSync(join(projectDir, "Pulumi.yaml"))) usage(`no Pulumi.yaml in ${projectDir}`);
  const configPath = resolve(values.config ?? join(projectDir ?? stacksDir, `Pulumi.${stack}.yaml`));
  if (!existsSync(configPath)) usage(`stack file not found: ${configPath}`);
  const outDir = resolve(values.out ?? join(root, ".plan", ...(projectDir ? [basename(projectDir)] : []), stack));
  const badOut = outDirProblem(outDir);
  if (badOut) usage(badOut);
  if (projectDir) return planProject(projectDir, stack, configPath, outDir, values.outputs);

  console.log(`Planning stack "${stack}" offline from ${configPath}`);
  // The stack file check (config schema and rules) loads before the program and its SDKs.
  const { checkStackFile } = await import("./stack-check");
  const checked = checkStackFile(configPath, stack);
  if (!checked.ok) {
    const n = checked.problems.length;
    console.error(`\nThe stack file is invalid (${n} problem${n === 1 ? "" : "s"}):`);
    for (const p of checked.problems) console.error(`  - ${p.path}: ${p.message}`);
    return 2;
  }

  // Loaded only now: the program and its SDKs take a second or more to import.
  const { runPlan } = await import("./planner");
  const { costSummaryLines } = await import("./cost-report");
  const { coldStartSummaryLines } = await import("../components/platform/cold-start");
  const outcome = await runPlan({ stack, configPath, checked, progress: (line) => console.log(`  ${line}`) });
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
  const { alertingSummaryLines } = await import("./alerting-report");
  const alertingLines = alertingSummaryLines(checked.spec);
  if (alertingLines.length > 0) console.log(`\n${alertingLines.join("\n")}`);
  return report(outcome, outDir);
}

/** Plans another project (`--project`) against the platform's recorded outputs. */
async function planProject(
  projectDir: string,
  stack: string,
  configPath: string,
  outDir: string,
  outputsPath?: string,
): Promise<number> {
  console.log(`Planning project ${projectDir}, stack "${stack}", offline from ${configPath}`);
  const { runProjectPlan } = await import("./planner");
  const outcome = await runProjectPlan({
    projectDir,
    stack,
    configPath,
    outputsPath: outputsPath && resolve(outputsPath),
    progress: (line) => console.log(`  ${line}`),
  });
  if (outcome.kind === "invalid-config") {
    console.error(`\nThe stack file is invalid (${outcome.problems.length} problem(s)):`);
    for (const p of outcome.problems) console.error(`  - ${p.path}: ${p.message}`);
    return 2;
  }
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

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`plan failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  },
);
