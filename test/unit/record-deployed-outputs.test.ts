// A deployed platform's outputs, as `pulumi stack output --json --show-secrets` prints them,
// recorded for a model team's offline plan.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runProjectPlan } from "../../cli/planner";
import { recordDeployedOutputs } from "../../cli/record-deployed-outputs";
import { PLATFORM_OUTPUT_KEYS } from "../../components/platform/outputs";

const team = join(__dirname, "..", "..", "examples", "model-team");
const recorded = JSON.parse(readFileSync(join(team, "platform-outputs.dev.json"), "utf8"));
/** What the CLI prints: the contract's outputs in the clear, and the operators' conveniences beside them. */
const printed = { ...recorded.outputs, kubeconfigCommand: "aws eks update-kubeconfig --name mlserving-dev" };

describe("mlserving-record-outputs", () => {
  it("keeps the contract's outputs, lists the secret ones, and names the stack as a StackReference does", () => {
    const file = recordDeployedOutputs("acme/mlserving/dev", printed);
    expect(file.stack).toBe("acme/mlserving/dev");
    expect(Object.keys(file.outputs).sort()).toEqual([...PLATFORM_OUTPUT_KEYS].filter((k) => k in printed).sort());
    expect(file.outputs).not.toHaveProperty("kubeconfigCommand");
    expect(file.secretOutputNames).toEqual(["kubeconfig"]);
  });

  it("refuses outputs printed without --show-secrets, a stack name a StackReference cannot take, a foreign contract", () => {
    expect(() => recordDeployedOutputs("acme/mlserving/dev", { ...printed, kubeconfig: "[secret]" })).toThrow(
      /kubeconfig reads \[secret\]: run pulumi stack output with --show-secrets/,
    );
    expect(() => recordDeployedOutputs("dev", printed)).toThrow(/<organization>\/<project>\/<stack>/);
    expect(() => recordDeployedOutputs("acme/mlserving/dev", { ...printed, platformOutputsVersion: 99 })).toThrow(
      /platformOutputsVersion/,
    );
  });

  it("writes a file the team's offline plan reads: the team project plans clean against it", async () => {
    const file = recordDeployedOutputs("organization/mlserving/dev", printed);
    const path = join(mkdtempSync(join(tmpdir(), "recorded-")), "platform-outputs.dev.json");
    writeFileSync(path, JSON.stringify(file));
    const plan = await runProjectPlan({ projectDir: team, stack: "dev", outputsPath: path });
    if (plan.kind !== "planned") throw new Error(JSON.stringify(plan));
    expect(plan.report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  });
});
