/**
 * The offline plan: runs the real stack program on Pulumi's mock runtime, records every
 * resource, runs the policy pack and writes the artifacts described in the README.
 *
 *   npm run plan -- --stack <name> [--config <stack file>] [--out <dir>]
 *
 * Exit status: 0 planned clean; 1 a mandatory policy was violated; 2 invalid config or the
 * program failed.
 */
import { mkdirSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { costSummaryLines } from "./cost-report";
import type { PlanOutcome } from "./planner";

function usage(message: string): never {
  console.error(`error: ${message}\nusage: npm run plan -- --stack <name> [--config <stack file>] [--out <dir>]`);
  process.exit(2);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { stack: { type: "string" }, config: { type: "string" }, out: { type: "string" } },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  const stack = values.stack;
  if (!stack) usage("--stack is required");
  const root = resolve(__dirname, "..");
  const configPath = resolve(values.config ?? join(root, "stacks", `Pulumi.${stack}.yaml`));
  if (!existsSync(configPath)) usage(`stack file not found: ${configPath}`);
  const outDir = resolve(values.out ?? join(root, ".plan", stack));

  console.log(`Planning stack "${stack}" offline from ${configPath}`);
  // Loaded only now: the program and its SDKs take seconds to import, usage errors should not.
  const { exitCodeFor, runPlan } = await import("./planner");
  const outcome: PlanOutcome = await runPlan({ stack, configPath, progress: (line) => console.log(`  ${line}`) });
  if (outcome.kind === "invalid-config") {
    console.error(
      `\nThe stack file is invalid (${outcome.problems.length} problem${outcome.problems.length === 1 ? "" : "s"}):`,
    );
    for (const p of outcome.problems) console.error(`  - ${p.path}: ${p.message}`);
    return 2;
  }
  if (outcome.kind === "failed") {
    console.error(`\nThe program failed: ${outcome.message}`);
    return 2;
  }

  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "manifests"), { recursive: true });
  for (const [file, content] of Object.entries(outcome.files)) writeFileSync(join(outDir, file), content);

  const { summary, report } = outcome;
  console.log(`\nResources: ${summary.total}`);
  for (const [type, n] of summary.byType) console.log(`  ${String(n).padStart(4)}  ${type}`);
  console.log(`\n${costSummaryLines(outcome.cost).join("\n")}`);
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
