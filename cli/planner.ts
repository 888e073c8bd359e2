import { allPolicies } from "../policies/rules";
import { CONFIG_NAMESPACE, ConfigProblem, deployPlaceholderProblems } from "../stacks/config";
import { runPlatformProgram } from "../stacks/program";
import { costReport, CostReport } from "./cost-report";
import { authoredKubernetesObjects, helmReleases, manifestFileName, toYaml } from "./manifests";
import { RecordedResource, runOnMocks, SECRET_PLACEHOLDER } from "./mock-runtime";
import type { PlatformSpec } from "../components/platform/spec";
import { PolicyReport, runPolicies } from "./policy-runner";
import { checkStackFile, ValidStack } from "./stack-check";

export interface PlanRequest {
  stack: string;
  configPath: string;
  progress?: (line: string) => void;
  /** The stack file, already checked by {@link checkStackFile}; checked here when absent. */
  checked?: ValidStack;
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
      cost: CostReport;
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
  const beforeDeploy = deployPlaceholderProblems(checked.spec);
  progress(`config valid (environment ${environment}, region ${region})`);
  // Placeholders plan offline; `pulumi up` refuses them until they are replaced.
  for (const p of beforeDeploy) progress(`replace before pulumi up: ${p.path}: ${p.message}`);

  let resources: RecordedResource[];
  try {
    ({ resources } = await runOnMocks(
      { project: CONFIG_NAMESPACE, stack: req.stack, region, config, secretKeys },
      runPlatformProgram,
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

  const files: Record<string, string> = {
    "resources.json":
      JSON.stringify(
        {
          project: CONFIG_NAMESPACE,
          stack: req.stack,
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
    "policy-report.json": JSON.stringify(report, null, 2) + "\n",
    "manifests/helm-releases.yaml": toYaml(helmReleases(resources)),
    "cost.json": cost.json,
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
    summary: {
      total: resources.length,
      byType: [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    },
  };
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
