#!/usr/bin/env node
/**
 * `mlserving-record-outputs`: records a deployed platform stack's outputs for a model team's
 * offline plan. Feed it what the Pulumi CLI prints for the platform stack:
 *
 *   pulumi stack output --stack acme/mlserving/prod --json --show-secrets \
 *     | npx mlserving-record-outputs --stack acme/mlserving/prod --to platform-outputs.prod.json
 *
 * It keeps the platform contract's outputs (`PLATFORM_OUTPUT_KEYS`), checks them against the
 * contract (`parsePlatformOutputs`: a platform too old or too new for this kit is refused), lists
 * the ones the platform marks secret (`PLATFORM_SECRET_OUTPUTS`) so the plan hands them to the
 * program as secrets, and writes the file `mlserving-plan` reads. The file holds the kubeconfig
 * (no credential: it authenticates with `aws eks get-token`); keep it where your stack files are.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parsePlatformOutputs, PLATFORM_OUTPUT_KEYS, PLATFORM_SECRET_OUTPUTS } from "../components/platform/outputs";
import type { RecordedOutputsFile } from "./project-plan";

export const RECORD_DEPLOYED_COMMAND = "pulumi stack output --json --show-secrets | mlserving-record-outputs";

/** The command's options (node:util parseArgs); the docs' commands are checked against them. */
export const RECORD_DEPLOYED_OPTIONS = {
  stack: { type: "string" },
  to: { type: "string" },
  from: { type: "string" },
} as const;
/** The options the command cannot run without. */
export const RECORD_DEPLOYED_REQUIRED = ["stack", "to"] as const;

/** What is wrong with a `--stack` value, if anything: it names the platform stack as a StackReference does. */
export function deployedStackProblem(stack: string): string | undefined {
  return /^[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(stack)
    ? undefined
    : `--stack must name the platform stack as a StackReference does: <organization>/<project>/<stack>, not ${JSON.stringify(stack)}`;
}

/** The recorded file of a deployed platform, from `pulumi stack output --json --show-secrets`. */
export function recordDeployedOutputs(stack: string, printed: unknown): RecordedOutputsFile {
  const badStack = deployedStackProblem(stack);
  if (badStack) throw new Error(badStack);
  if (typeof printed !== "object" || printed === null || Array.isArray(printed))
    throw new Error("expected the JSON object `pulumi stack output --json --show-secrets` prints");
  const all = printed as Record<string, unknown>;
  const hidden = PLATFORM_SECRET_OUTPUTS.filter((k) => all[k] === "[secret]");
  if (hidden.length > 0)
    throw new Error(`${hidden.join(", ")} reads [secret]: run pulumi stack output with --show-secrets`);
  const outputs = Object.fromEntries(PLATFORM_OUTPUT_KEYS.filter((k) => k in all).map((k) => [k, all[k]]));
  parsePlatformOutputs(outputs, stack);
  return {
    stack,
    generatedBy: RECORD_DEPLOYED_COMMAND,
    outputs,
    secretOutputNames: PLATFORM_SECRET_OUTPUTS.filter((k) => k in outputs),
  };
}

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: RECORD_DEPLOYED_OPTIONS,
      strict: true,
    }));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  if (RECORD_DEPLOYED_REQUIRED.some((k) => !values[k])) {
    console.error(
      "usage: pulumi stack output --stack <org/project/stack> --json --show-secrets | mlserving-record-outputs " +
        "--stack <org/project/stack> --to <file> [--from <file instead of stdin>]",
    );
    return 2;
  }
  const [stack, to] = [String(values.stack), String(values.to)];
  try {
    const text = readFileSync(values.from ?? 0, "utf8");
    const recorded = recordDeployedOutputs(stack, JSON.parse(text));
    writeFileSync(to, JSON.stringify(recorded, null, 2) + "\n");
    console.log(`wrote ${Object.keys(recorded.outputs).length} outputs of ${stack} to ${to}`);
    return 0;
  } catch (e) {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}

if (require.main === module) process.exit(main());
