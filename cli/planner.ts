import { allPolicies, monthlyCostWithinBudget, policyPackConfig } from "../policies/rules";
import { CONFIG_NAMESPACE, ConfigProblem, deployPlaceholderProblems } from "../stacks/config";
import { runPlatformProgram } from "../stacks/program";
import { costReport, CostReport } from "./cost-report";
import { coldStartReport, ColdStartReport } from "./cold-start-report";
import { PLAN_FILES } from "./plan-files";
import { authoredKubernetesObjects, helmReleases, manifestFileName, manifestSources, toYaml } from "./manifests";
import { RecordedResource, runOnMocks, SECRET_PLACEHOLDER } from "./mock-runtime";
import type { PlatformSpec } from "../components/platform/spec";
import type { PlatformServingOutputs } from "../components/platform/outputs";
import { PolicyReport, runPolicies } from "./policy-runner";
import { checkStackFile, ValidStack } from "./stack-check";
import {
  loadProjectConfig,
  loadProjectProgram,
  loadPulumiProject,
  projectStackFile,
  readRecordedOutputs,
  recordedOutputsPath,
  RecordedOutputsFile,
} from "./project-plan";
import { existsSync } from "node:fs";

export interface PlanRequest {
  stack: string;
  configPath: string;
  progress?: (line: string) => void;
  /** The stack file, already checked by {@link checkStackFile}; checked here when absent. */
  checked?: ValidStack;
  /**
   * The platform program to run: a project of the user's that builds the platform from the stack
   * file (`@mlserving/kit/stack`). Default: the kit's own stack program.
   */
  program?: { project: string; run: () => unknown };
}

export type PlanOutcome =
  | { kind: "invalid-config"; problems: ConfigProblem[] }
  | { kind: "failed"; message: string }
  | {
      kind: "planned";
      resources: RecordedResource[];
      report: PolicyReport;
      /** Relative path -> file content, for everything the plan writes. */
      files: Record<string, string>;
      summary: { total: number; byType: [string, number][] };
      /** The cost envelope (the platform's stacks; a model team's project has none). */
      cost?: CostReport;
      /** Cold-start floors per model (the platform's stacks; a model team's project has none). */
      coldStart?: ColdStartReport;
      /** What the program returned: the stack's outputs, unresolved. */
      programResult?: unknown;
    };

/** Plans one stack file in memory; `cli/plan.ts` writes the result to disk. */
export async function runPlan(req: PlanRequest): Promise<PlanOutcome> {
  const progress = req.progress ?? (() => undefined);
  // Validate first, so a config mistake never reaches the runtime (and never shows a stack trace).
  let checked = req.checked;
  if (!checked) {
    const check = checkStackFile(req.configPath, req.stack);
    if (!check.ok) return { kind: "invalid-config", problems: check.problems };
    checked = check;
  }
  const { config, secretKeys, environment, region } = checked;
  const cost = costReport(req.stack, withoutSecretValues(checked.spec));
  const coldStart = coldStartReport(req.stack, checked.spec);
  const beforeDeploy = deployPlaceholderProblems(checked.spec);
  progress(`config valid (environment ${environment}, region ${region})`);
  // Placeholders plan offline; `pulumi up` refuses them until they are replaced.
  for (const p of beforeDeploy) progress(`replace before pulumi up: ${p.path}: ${p.message}`);

  let resources: RecordedResource[];
  let programResult: unknown;
  try {
    ({ resources, result: programResult } = await runOnMocks(
      { project: req.program?.project ?? CONFIG_NAMESPACE, stack: req.stack, region, config, secretKeys },
      req.program?.run ?? runPlatformProgram,
    ));
  } catch (e) {
    return { kind: "failed", message: e instanceof Error ? e.message : String(e) };
  }
  progress(`program ran on the mock runtime: ${resources.length} resources registered`);

  const policyReport = await runPolicies(
    allPolicies,
    resources,
    { environment, ...cost.policyConfig },
    cost.policyLevels,
  );
  // Policies see secrets in the clear; what they say about them is not written in the clear.
  const report = {
    ...policyReport,
    violations: policyReport.violations.map((v) => ({ ...v, message: redact(v.message, checked.spec.secretValues) })),
  };
  progress(`${report.policies} policies evaluated`);
  return planned(
    req.program?.project ?? CONFIG_NAMESPACE,
    req.stack,
    resources,
    report,
    programResult,
    cost,
    coldStart,
  );
}

export interface ProjectPlanRequest {
  /** Folder of the project's Pulumi.yaml. */
  projectDir: string;
  stack: string;
  /** Its stack file. Default: `Pulumi.<stack>.yaml` in the project's `stackConfigDir`. */
  configPath?: string;
  /**
   * Recorded outputs of the platform stack it references. Default:
   * `<projectDir>/platform-outputs.<stack>.json` when that file exists; without one, a
   * `StackReference` read fails the plan.
   */
  outputsPath?: string;
  /** The environment whose policy levels apply. Default: the recorded platform's, else prod. */
  environment?: string;
  progress?: (line: string) => void;
}

/**
 * Plans another project (a model team's stack, or a program of the user's that composes the
 * components) offline: its program runs on the mock runtime with `StackReference` reads answered
 * from the platform's recorded outputs, then the policy pack runs on what it registers (with the
 * platform's environment).
 */
export async function runProjectPlan(req: ProjectPlanRequest): Promise<PlanOutcome> {
  const progress = req.progress ?? (() => undefined);
  const project = loadPulumiProject(req.projectDir);
  const configPath = req.configPath ?? projectStackFile(project, req.stack);
  const loaded = loadProjectConfig(project, configPath);
  if (!loaded.ok) return { kind: "invalid-config", problems: loaded.problems };
  const outputsPath = req.outputsPath ?? recordedOutputsPath(project.dir, req.stack);
  let recorded: RecordedOutputsFile | undefined;
  if (req.outputsPath !== undefined || existsSync(outputsPath)) {
    try {
      recorded = readRecordedOutputs(outputsPath);
    } catch (e) {
      return { kind: "failed", message: `recorded platform outputs: ${e instanceof Error ? e.message : String(e)}` };
    }
    progress(`project ${project.name}, platform outputs of ${recorded.stack} from ${outputsPath}`);
  } else progress(`project ${project.name}, no recorded platform outputs (${outputsPath} does not exist)`);
  const environment = req.environment ?? String(recorded?.outputs.environment ?? "prod");

  let resources: RecordedResource[];
  let programResult: unknown;
  try {
    const program = loadProjectProgram(project);
    ({ resources, result: programResult } = await runOnMocks(
      {
        project: project.name,
        stack: req.stack,
        region: loaded.region,
        config: loaded.config,
        secretKeys: loaded.secretKeys,
        stackReferences: recorded ? { [recorded.stack]: recorded } : {},
      },
      program,
    ));
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const hint = /no recorded outputs for stack reference/.test(message)
      ? ` (record the platform's outputs into ${outputsPath}: docs/model-teams.md, "Recording a platform's outputs")`
      : "";
    return { kind: "failed", message: message + hint };
  }
  progress(`program ran on the mock runtime: ${resources.length} resources registered`);
  // A team's HTTPRoutes attach to the platform's LLM gateway, which the recorded outputs name.
  const gateway = (recorded?.outputs.serving as PlatformServingOutputs | undefined)?.llmGateway;
  const packConfig = {
    environment,
    ...(gateway ? { platformGateways: [`${gateway.namespace}/${gateway.name}`] } : {}),
  };
  const report = await runPolicies(allPolicies, resources, packConfig, {});
  progress(`${report.policies} policies evaluated (environment ${environment}${recorded ? ", the platform's" : ""})`);
  return planned(project.name, req.stack, resources, report, programResult);
}

function planned(
  project: string,
  stack: string,
  resources: RecordedResource[],
  report: PolicyReport,
  programResult: unknown,
  cost?: CostReport,
  coldStart?: ColdStartReport,
): PlanOutcome {
  const files: Record<string, string> = {
    [PLAN_FILES.resources]:
      JSON.stringify(
        {
          project,
          stack,
          resources: resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            custom: r.custom,
            provider: r.provider,
            dependsOn: r.dependsOn,
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            inputs: r.inputs,
          })),
        },
        null,
        2,
      ) + "\n",
    [PLAN_FILES.policyReport]: JSON.stringify(report, null, 2) + "\n",
    [PLAN_FILES.helmReleases]: toYaml(helmReleases(resources)),
    [PLAN_FILES.crdManifests]: toYaml(manifestSources(resources)),
    ...(cost
      ? { [PLAN_FILES.cost]: cost.json, [PLAN_FILES.policyPackConfig]: packConfigText(environmentOf(cost), cost) }
      : {}),
    ...(coldStart ? { [PLAN_FILES.coldStart]: coldStart.json } : {}),
  };
  for (const obj of authoredKubernetesObjects(resources)) {
    const file = `manifests/${manifestFileName(obj)}`;
    files[file] = files[file] ? `${files[file]}---\n${toYaml(obj)}` : toYaml(obj);
  }
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return {
    kind: "planned",
    resources,
    report,
    files,
    cost,
    programResult,
    coldStart,
    summary: {
      total: resources.length,
      byType: [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    },
  };
}

/** The environment a platform's cost report was made for. */
function environmentOf(cost: CostReport): string {
  return (JSON.parse(cost.json) as { environment: string }).environment;
}

/**
 * The `--policy-pack-config` of this stack for `pulumi preview`: every policy's environment, and the
 * budget policy's budget, this plan's cost ceiling and its enforcement level. Under `pulumi
 * preview` the pack cannot price the stack itself, so without this file the budget goes unchecked.
 */
export function packConfigText(environment: string, cost: CostReport): string {
  const config: Record<string, Record<string, unknown>> = policyPackConfig(
    allPolicies,
    environment as Parameters<typeof policyPackConfig>[1],
  );
  config[monthlyCostWithinBudget.name] = {
    ...config[monthlyCostWithinBudget.name],
    ...cost.policyConfig,
    ...(cost.policyLevels[monthlyCostWithinBudget.name]
      ? { enforcementLevel: cost.policyLevels[monthlyCostWithinBudget.name] }
      : {}),
  };
  return JSON.stringify(config, null, 2) + "\n";
}

/** `text` with every secret value replaced by "[secret]". */
function redact(text: string, secrets: readonly string[] = []): string {
  return secrets.reduce((t, s) => t.split(s).join(SECRET_PLACEHOLDER), text);
}

/**
 * The spec as the cost report may show it: a secret database class is not named (nor priced: in the
 * plan it is only a stand-in for the class the stack file hides).
 */
function withoutSecretValues(spec: PlatformSpec): PlatformSpec {
  const secrets = new Set(spec.secretValues ?? []);
  if (!secrets.has(spec.registry.dbInstanceClass)) return spec;
  return { ...spec, registry: { ...spec.registry, dbInstanceClass: SECRET_PLACEHOLDER } };
}

/** 0 planned clean; 1 a mandatory policy was violated; 2 invalid config or the program failed. */
export function exitCodeFor(outcome: PlanOutcome): 0 | 1 | 2 {
  if (outcome.kind !== "planned") return 2;
  return outcome.report.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}
