import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runPlan, PlanOutcome } from "../../cli/planner";
import { loraArgs } from "../../components/serving";
import { resolvePlatformSpec, CONFIG_NAMESPACE } from "../../stacks/config";
import { loadStackFile } from "../../cli/stack-file";
import { rawConfigFromPulumi } from "../../stacks/stack-config";

const file = join(__dirname, "..", "..", "stacks", "Pulumi.staging.yaml");
type Planned = Extract<PlanOutcome, { kind: "planned" }>;
const ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService";

describe("the shipped staging stack serves support-llm with a LoRA adapter", () => {
  let plan: Planned;
  beforeAll(async () => {
    const outcome = await runPlan({ stack: "staging", configPath: file });
    if (outcome.kind !== "planned") throw new Error(`staging did not plan: ${JSON.stringify(outcome)}`);
    plan = outcome;
  });

  const adapters = () => {
    const { config } = loadStackFile(file, CONFIG_NAMESPACE);
    const { raw, region } = rawConfigFromPulumi(config);
    return resolvePlatformSpec(raw, region).serving.models.find((m) => m.name === "support-llm")!.adapters!;
  };

  it("declares one adapter from a pinned registry version", () => {
    expect(adapters()).toEqual([
      { name: "support-llm-billing", source: "models:/support-llm-billing-lora/2", rank: 16 },
    ]);
  });

  it("starts every support-llm track with it, mounted read-only from its staged claim", () => {
    const tracks = plan.resources
      .filter((r) => r.type === ISVC && (r.inputs as any).metadata.labels["mlserving.io/model"] === "support-llm")
      .map((r) => (r.inputs as any).spec.predictor);
    expect(tracks.map((p) => p.labels["mlserving.io/track"]).sort()).toEqual(["shadow", "stable", "variant"]);
    for (const p of tracks) {
      expect(p.model.args).toEqual(expect.arrayContaining(loraArgs(adapters())));
      // With the compile cache's mount (staging keeps it: compileCache).
      expect(p.model.volumeMounts).toEqual([
        { name: "lora-support-llm-billing", mountPath: "/mnt/adapters/support-llm-billing", readOnly: true },
        { name: "compile-cache", mountPath: "/var/cache/mlserving-compile" },
      ]);
      expect(p.volumes[0].persistentVolumeClaim).toEqual({
        claimName: expect.stringMatching(/^support-llm-lora-[0-9a-f]{8}$/),
        readOnly: true,
      });
    }
    const jobs = plan.resources
      .filter((r) => r.type === "kubernetes:batch/v1:Job")
      .map((r) => (r.inputs as any).spec.template.spec.containers[0].args[0]);
    expect(jobs).toContain("models:/support-llm-billing-lora/2");
  });

  it("plans clean: no mandatory violation, no capacity warning", () => {
    expect(plan.report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    const findings = JSON.parse(plan.files["cost.json"]).capacity.findings as { level: string }[];
    expect(findings.length).toBeGreaterThan(0); // the shipped NAT advisory: the findings are read
    expect(findings.filter((f) => f.level !== "advisory")).toEqual([]);
  });
});
