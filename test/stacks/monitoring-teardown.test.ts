import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PlanOutcome, runPlan } from "../../cli/planner";
import type { RecordedResource } from "../../cli/mock-runtime";
import { ENVIRONMENT_DEFAULTS } from "../../components/platform/defaults";
import { monitoringVolumes } from "../../components/monitoring/prometheus-stack-values";

// Issue 22, item 9: the monitoring volumes on destroy. dev and staging delete Prometheus's and
// Alertmanager's claims with the release, before the EBS CSI driver goes; prod keeps them
// (StorageClass Retain), and docs/tearing-down.md says how much.

type Planned = Extract<PlanOutcome, { kind: "planned" }>;
const root = join(__dirname, "..", "..");
const plans: Record<string, Planned> = {};

beforeAll(async () => {
  for (const stack of ["dev", "prod"]) {
    const outcome = await runPlan({ stack, configPath: join(root, "stacks", `Pulumi.${stack}.yaml`) });
    if (outcome.kind !== "planned") throw new Error(JSON.stringify(outcome));
    plans[stack] = outcome;
  }
});

const prometheusStack = (stack: string) =>
  plans[stack].resources.find(
    (r) => r.type === "kubernetes:helm.sh/v3:Release" && String(r.inputs.chart).endsWith("kube-prometheus-stack"),
  )!;

/** URNs of every resource `r` waits for, through dependsOn at any depth: destroy deletes `r` before each. */
function waitsFor(stack: string, r: RecordedResource): Set<string> {
  const byUrn = new Map(plans[stack].resources.map((x) => [x.urn, x]));
  const seen = new Set<string>();
  const visit = (x: RecordedResource) =>
    x.dependsOn.forEach((u) => {
      if (seen.has(u)) return;
      seen.add(u);
      const d = byUrn.get(u);
      if (d) visit(d);
    });
  visit(r);
  return seen;
}

describe("monitoring volumes on destroy", () => {
  it("dev: Prometheus's and Alertmanager's claims go with their StatefulSets, kept only when scaled away", () => {
    const values = prometheusStack("dev").inputs.values as any;
    const deleted = { whenDeleted: "Delete", whenScaled: "Retain" };
    expect(values.prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy).toEqual(deleted);
    expect(values.alertmanager.alertmanagerSpec.persistentVolumeClaimRetentionPolicy).toEqual(deleted);
  });

  it("dev: the release is deleted before the EBS CSI driver, which must still run to delete the volumes", () => {
    const ebs = plans.dev.resources.find(
      (r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "aws-ebs-csi-driver",
    )!;
    expect(waitsFor("dev", prometheusStack("dev")).has(ebs.urn)).toBe(true);
  });

  it("prod: the claims are kept, and the StorageClass keeps their volumes", () => {
    const values = prometheusStack("prod").inputs.values as any;
    const kept = { whenDeleted: "Retain", whenScaled: "Retain" };
    expect(values.prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy).toEqual(kept);
    expect(values.alertmanager.alertmanagerSpec.persistentVolumeClaimRetentionPolicy).toEqual(kept);
    const sc = plans.prod.resources.find((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass")!;
    expect(sc.inputs.reclaimPolicy).toBe("Retain");
  });

  it("docs/tearing-down.md lists prod's monitoring volumes with the figures of prod's defaults", () => {
    const { volumes, totalGiB } = monitoringVolumes(ENVIRONMENT_DEFAULTS.prod.monitoring);
    expect(totalGiB).toBe(430);
    const doc = readFileSync(join(root, "docs", "tearing-down.md"), "utf8");
    expect(doc).toContain(`${totalGiB} GiB`);
    for (const v of volumes) expect(doc).toContain(`${v.name}: ${v.count} × ${v.gib} GiB`);
  });
});
