import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runOnMocks } from "../../cli/mock-runtime";
import { checkStackFile } from "../../cli/stack-check";
import { loadStackFile } from "../../cli/stack-file";
import { environmentNamedBy, stackEnvironmentProblems } from "../../components/platform/rules";
import { CONFIG_NAMESPACE } from "../../stacks/config";
import { loadPlatformSpec } from "../../stacks/program";

const stacks = join(__dirname, "..", "..", "stacks");
const stagingFile = join(stacks, "Pulumi.staging.yaml");

describe("the stack name and mlserving:environment agree", () => {
  it.each([
    ["prod", "prod"],
    ["PROD", "prod"],
    ["prod-eu", "prod"],
    ["acme/mlserving/staging_2", "staging"],
    ["dev.sandbox", "dev"],
    ["team-a", undefined],
    ["production", undefined],
    ["devops", undefined],
  ])("stack %s is named for %s", (stack, env) => {
    expect(environmentNamedBy(stack)).toBe(env);
  });

  it("refuses a stack named for one environment that sets another, naming the key", () => {
    expect(stackEnvironmentProblems("prod", "staging")).toEqual([
      { path: "environment", message: expect.stringMatching(/is staging, but stack prod is named for prod/) },
    ]);
    expect(stackEnvironmentProblems("prod", "prod")).toEqual([]);
    expect(stackEnvironmentProblems("team-a", "prod")).toEqual([]);
  });

  it("refuses --stack prod with the staging stack file before any SDK is needed", () => {
    const checked = checkStackFile(stagingFile, "prod");
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => p.path)).toEqual(["mlserving:environment"]);
    expect(checkStackFile(stagingFile, "staging").ok).toBe(true);
  });

  it("refuses it in the Pulumi program too, where the stack name comes from pulumi.getStack()", async () => {
    const { config, secretKeys } = loadStackFile(stagingFile, CONFIG_NAMESPACE);
    const run = (stack: string) =>
      runOnMocks({ project: CONFIG_NAMESPACE, stack, region: config["aws:region"], config, secretKeys }, () =>
        loadPlatformSpec(),
      );
    await expect(run("prod")).rejects.toThrow(/mlserving:environment: is staging, but stack prod is named for prod/);
    await expect(run("staging")).resolves.toMatchObject({ result: { environment: "staging" } });
  });
});
