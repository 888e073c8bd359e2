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
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { existsSync } from "node:fs";
import { outDirProblem, writePlanOutput } from "./out-dir";
import { stackNameProblem, stackNamesIn } from "./stack-file";

const USAGE = "usage: npm run plan -- --stack <name> [--config <stack file>] [--out <dir>]";

function usage(message: string): never {
  console.error(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

function help(stacksDir: string): string {
  const stacks = stackNamesIn(stacksDir);
  return [
    USAGE,
    "",
    "Plans a stack offline: runs the real program on Pulumi's mock runtime, runs the policy pack and",
    "writes resources.json, policy-report.json and manifests/ to --out (default .plan/<name>).",
    "",
    "  --stack <name>    the stack to plan; its file is stacks/Pulumi.<name>.yaml unless --config is given",
    "  --config <file>   a stack file to plan instead",
    "  --out <dir>       where to write; an existing folder must be empty or an earlier plan's output",
    "  --help            this text",
    "",
    `Stack files in ${stacksDir}: ${stacks.length > 0 ? stacks.join(", ") : "(none)"}`,
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
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (values.help) {
    console.log(help(stacksDir));
    return 0;
  }
  const stack = values.stack;
  if (!stack) usage("--stack is required");
  const badName = stackNameProblem(stack);
  if (badName) usage(badName);
  const configPath = resolve(values.config ?? join(stacksDir, `Pulumi.${stack}.yaml`));
  if (!existsSync(configPath)) usage(`stack file not found: ${configPath}`);
  const outDir = resolve(values.out ?? join(root, ".plan", stack));
  const badOut = outDirProblem(outDir);
  if (badOut) usage(badOut);

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
  const { exitCodeFor, runPlan } = await import("./planner");
  const { costSummaryLines } = await import("./cost-report");
  const { coldStartSummaryLines } = await import("../components/platform/cold-start");
  const outcome = await runPlan({ stack, configPath, checked, progress: (line) => console.log(`  ${line}`) });
  if (outcome.kind === "failed") {
    console.error(`\nThe program failed: ${outcome.message}`);
    return 2;
  }
  if (outcome.kind !== "planned") return 2; // runPlan re-validates only an unchecked stack file

  writePlanOutput(outDir, outcome.files);

  const { summary, report } = outcome;
  console.log(`\nResources: ${summary.total}`);
  for (const [type, n] of summary.byType) console.log(`  ${String(n).padStart(4)}  ${type}`);
  console.log(`\n${costSummaryLines(outcome.cost).join("\n")}`);
  const coldStartLines = coldStartSummaryLines(outcome.coldStart.estimates);
  if (coldStartLines.length > 0) console.log(`\n${coldStartLines.join("\n")}`);
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
