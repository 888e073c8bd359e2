import { capacityFindings, CapacityFinding } from "../components/platform/capacity-checks";
import { costEnvelope, CostEnvelope } from "../components/platform/cost";
import type { PlatformSpec } from "../components/platform/spec";
import { monthlyCostWithinBudget } from "../policies/rules/budget";
import { CONFIG_NAMESPACE } from "../stacks/config";

/** What the plan writes to cost.json and prints: the envelope, the budget and the capacity findings. */
export interface CostReport {
  envelope: CostEnvelope;
  budget: { monthlyCeilingUsd: number; enforcement: string; ceilingUsd: number; withinBudget: boolean } | null;
  findings: CapacityFinding[];
  /** Config the plan passes to the policy pack (every rule sees it; only the budget rule reads it). */
  policyConfig: Record<string, unknown>;
  /** Enforcement level of the budget rule, from `mlserving:budget.enforcement`. */
  policyLevels: Record<string, string>;
  /** cost.json */
  json: string;
}

export function costReport(stack: string, spec: PlatformSpec): CostReport {
  const envelope = costEnvelope(spec);
  const findings = capacityFindings(spec).filter((f) => f.level !== "error");
  const budget = spec.budget
    ? {
        monthlyCeilingUsd: spec.budget.monthlyCeilingUsd,
        enforcement: spec.budget.enforcement,
        ceilingUsd: envelope.ceiling.totalUsd,
        withinBudget: envelope.ceiling.totalUsd <= spec.budget.monthlyCeilingUsd,
      }
    : null;
  const json = {
    project: CONFIG_NAMESPACE,
    stack,
    environment: spec.environment,
    ...envelope,
    budget,
    capacity: { findings: findings.map((f) => ({ ...f, path: `${CONFIG_NAMESPACE}:${f.path}` })) },
  };
  return {
    envelope,
    budget,
    findings,
    policyConfig: spec.budget
      ? { monthlyBudgetUsd: spec.budget.monthlyCeilingUsd, estimatedMonthlyCeilingUsd: envelope.ceiling.totalUsd }
      : {},
    policyLevels: spec.budget ? { [monthlyCostWithinBudget.name]: spec.budget.enforcement } : {},
    json: JSON.stringify(json, null, 2) + "\n",
  };
}

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The cost and capacity part of the plan's summary, as lines. */
export function costSummaryLines(r: CostReport): string[] {
  const e = r.envelope;
  const a = e.assumptions.spotDiscount;
  const out = [
    `Cost (USD a month, ${e.region} list prices of ${e.priceTable.date}; spot assumed ${a.low * 100}-${a.high * 100}% off, not a quote):`,
    `  idle floor ${usd(e.floor.totalUsd)} on-demand, ${usd(e.floor.withSpotUsd.low)}-${usd(e.floor.withSpotUsd.high)} with spot`,
    `  ceiling    ${usd(e.ceiling.totalUsd)} (every autoscaler at its maximum, on-demand)`,
  ];
  for (const c of e.components)
    out.push(`    ${c.name.padEnd(22)} ${usd(c.floorUsd).padStart(12)} ${usd(c.ceilingUsd).padStart(12)}`);
  for (const p of e.pools)
    out.push(
      `  pool ${p.name} (${p.kind}, ${p.autoscaler}, ${p.capacity}): floor ${p.floor.nodes} node(s) ${usd(p.floor.usd)}; ` +
        `ceiling ${p.ceiling.bound} ${usd(p.ceiling.usd)}${p.warm ? `; warm headroom ${p.warm.nodes} × ${p.warm.instanceType ?? "?"} ${usd(p.warm.usd)}` : ""}${p.reserved ? `; reserved ${p.reserved.detail} ${usd(p.reserved.usd)} (ODCR: on-demand rate, used or not)` : ""}`,
    );
  for (const m of e.models)
    out.push(
      m.instanceType
        ? `  model ${m.name}: ${m.floor.replicas}-${m.ceiling.replicas} replicas on ${m.instanceType} ` +
            `(${m.replicasPerNode} a node) ${usd(m.floor.usd)}-${usd(m.ceiling.usd)}`
        : `  model ${m.name}: not priced (no priced type fits it)`,
    );
  if (e.unpriced.length > 0) out.push(`  unpriced (left out of the totals): ${e.unpriced.join(", ")}`);
  if (e.notModelled.length > 0) {
    out.push("  not modelled (usage-driven, on top of the figures above):");
    for (const n of e.notModelled) out.push(`    - ${n}`);
  }
  if (r.budget)
    out.push(
      `  budget ${usd(r.budget.monthlyCeilingUsd)} (${r.budget.enforcement}): the ceiling is ${r.budget.withinBudget ? "within it" : "OVER it"}`,
    );
  else out.push(`  budget: none set (mlserving:budget.monthlyCeilingUsd)`);
  const count = (level: CapacityFinding["level"]) => r.findings.filter((f) => f.level === level).length;
  out.push(`Capacity: models fit their pools; ${count("warning")} warning(s), ${count("advisory")} advisory`);
  for (const f of r.findings) out.push(`  [${f.level}] ${CONFIG_NAMESPACE}:${f.path}\n      ${f.message}`);
  return out;
}
