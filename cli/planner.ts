import { allPolicies } from "../policies/rules";
import { CONFIG_NAMESPACE, ConfigProblem, resolvePlatformSpec, StackConfigError } from "../stacks/config";
import { runPlatformProgram } from "../stacks/program";
import { rawConfigFromPulumi } from "../stacks/stack-config";
import { costReport, CostReport } from "./cost-report";
import { authoredKubernetesObjects, helmReleases, manifestFileName, toYaml } from "./manifests";
import { RecordedResource, runOnMocks } from "./mock-runtime";
import { PolicyReport, runPolicies } from "./policy-runner";
import { loadStackFile } from "./stack-file";

export interface PlanRequest {
  stack: string;
  configPath: string;
  progress?: (line: string) => void;
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
  const { config, secretKeys } = loadStackFile(req.configPath, CONFIG_NAMESPACE);

  // Validate first, so a config mistake never reaches the runtime (and never shows a stack trace).
  const secret = new Set(secretKeys);
  const { raw, region } = rawConfigFromPulumi(config);
  let environment: string;
  let cost: CostReport;
  try {
    const spec = resolvePlatformSpec(raw, region, secret);
    ({ environment } = spec);
    cost = costReport(req.stack, spec);
  } catch (e) {
    if (e instanceof StackConfigError) return { kind: "invalid-config", problems: e.problems };
    throw e;
  }
  progress(`config valid (environment ${environment}, region ${region})`);

  let resources: RecordedResource[];
  try {
    ({ resources } = await runOnMocks(
      { project: CONFIG_NAMESPACE, stack: req.stack, region: region ?? "", config, secretKeys },
      runPlatformProgram,
    ));
  } catch (e) {
    return { kind: "failed", message: e instanceof Error ? e.message : String(e) };
  }
  progress(`program ran on the mock runtime: ${resources.length} resources registered`);

  const report = await runPolicies(allPolicies, resources, { environment, ...cost.policyConfig }, cost.policyLevels);
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

/** 0 planned clean; 1 a mandatory policy was violated; 2 invalid config or the program failed. */
export function exitCodeFor(outcome: PlanOutcome): 0 | 1 | 2 {
  if (outcome.kind !== "planned") return 2;
  return outcome.report.violations.some((v) => v.enforcementLevel === "mandatory") ? 1 : 0;
}
