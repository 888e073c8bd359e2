/**
 * Records the platform stack's outputs (the `PlatformOutputs` contract) from its offline plan, so
 * a model team's project plans offline against them (`npm run plan -- --project ...`):
 *
 *   npm run record-outputs -- --stack dev [--reference organization/mlserving/dev] [--to <file>]
 *
 * Default file: examples/model-team/platform-outputs.<stack>.json. A test fails when it is stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_OUTPUT_KEYS } from "../components/platform/outputs";
import type { RecordedOutputsFile } from "./project-plan";

export const RECORD_COMMAND = "npm run record-outputs";
/** The command's options (node:util parseArgs); the docs' commands are checked against them. */
export const RECORD_OUTPUTS_OPTIONS = {
  stack: { type: "string" },
  reference: { type: "string" },
  to: { type: "string" },
} as const;

/** The name a StackReference gives the platform stack by default (Pulumi's default organization). */
export function defaultPlatformReference(stack: string): string {
  return `organization/mlserving/${stack}`;
}

/** Resolves the platform program's result into the recorded contract outputs (secrets listed, not redacted). */
export async function recordPlatformOutputs(programResult: unknown, reference: string): Promise<RecordedOutputsFile> {
  const result = (programResult ?? {}) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  const secretOutputNames: string[] = [];
  for (const key of PLATFORM_OUTPUT_KEYS) {
    if (!(key in result)) continue;
    const out = pulumi.output(result[key]) as unknown as { promise(): Promise<unknown>; isSecret: Promise<boolean> };
    outputs[key] = await out.promise();
    if (await out.isSecret) secretOutputNames.push(key);
  }
  return { stack: reference, generatedBy: RECORD_COMMAND, outputs, secretOutputNames };
}

/** The file's text: stable JSON with a trailing newline. */
export function recordedOutputsText(recorded: RecordedOutputsFile): string {
  return JSON.stringify(recorded, null, 2) + "\n";
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: RECORD_OUTPUTS_OPTIONS,
    strict: true,
  });
  if (!values.stack) {
    console.error("usage: npm run record-outputs -- --stack <name> [--reference <org/project/stack>] [--to <file>]");
    return 2;
  }
  const root = join(__dirname, "..");
  const { runPlan } = await import("./planner");
  const outcome = await runPlan({
    stack: values.stack,
    configPath: join(root, "stacks", `Pulumi.${values.stack}.yaml`),
  });
  if (outcome.kind !== "planned") {
    console.error(`the ${values.stack} platform did not plan: ${JSON.stringify(outcome)}`);
    return 2;
  }
  const recorded = await recordPlatformOutputs(
    outcome.programResult,
    values.reference ?? defaultPlatformReference(values.stack),
  );
  const to = values.to ?? join(root, "examples", "model-team", `platform-outputs.${values.stack}.json`);
  // Formatted as the repository's prettier check wants it.
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(to)) ?? {};
  writeFileSync(to, await prettier.format(recordedOutputsText(recorded), { ...options, filepath: to }));
  console.log(`wrote the ${values.stack} platform's outputs (${Object.keys(recorded.outputs).join(", ")}) to ${to}`);
  return 0;
}

if (require.main === module) main().then((code) => process.exit(code));
