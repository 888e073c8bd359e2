import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadProjectConfig, loadPulumiProject } from "../../cli/project-plan";
import { checkStackFile } from "../../cli/stack-check";
import { misspeltNamespaceProblems } from "../../stacks/stack-config";

const fixtures = join(__dirname, "..", "fixtures");

function problems(file: string) {
  const checked = checkStackFile(join(fixtures, "bad-stacks", file));
  if (checked.ok) throw new Error(`${file} was accepted`);
  return checked.problems;
}

describe("stack files are read as the Pulumi CLI reads them", () => {
  it("accepts a byte-order mark, CRLF line ends and YAML merge keys (<<: *base)", () => {
    const checked = checkStackFile(join(fixtures, "good-stacks", "bom-crlf-merge-key.yaml"));
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    expect(checked.spec.serving.models.map((m) => [m.name, m.server, m.source])).toEqual([
      ["resnet50", "triton", "models:/resnet50@champion"],
      ["resnet101", "triton", "models:/resnet101@champion"],
    ]);
  });

  it("reports a key under a misspelt namespace instead of ignoring it", () => {
    expect(problems("misspelt-namespace.yaml")).toEqual([
      { path: "mlservng:registry", message: expect.stringMatching(/write mlserving:registry/) },
    ]);
    expect(misspeltNamespaceProblems(["aws:region", "kubernetes:context", "mlserving:team"])).toEqual([]);
    expect(misspeltNamespaceProblems(["MLServing:team"])).toHaveLength(1);
  });

  it("reports config: hello as one problem with config, not as keys mlserving:0 to mlserving:4", () => {
    expect(problems("config-not-a-mapping.yaml")).toEqual([
      { path: "config", message: expect.stringMatching(/must be a mapping[\s\S]*not "hello"/) },
    ]);
  });

  it("says a missing environment is required", () => {
    expect(problems("missing-environment.yaml")).toEqual([{ path: "mlserving:environment", message: "is required" }]);
  });

  it("refuses, in a model team's project too, what the Pulumi CLI refuses: a key without a namespace", () => {
    const project = loadPulumiProject(join(__dirname, "..", "..", "examples", "model-team"));
    const file = join(mkdtempSync(join(tmpdir(), "project-")), "Pulumi.dev.yaml");
    writeFileSync(file, `config:\n  aws:region: us-west-2\n  ${project.name}:team: fraud\n`);
    expect(loadProjectConfig(project, file).ok).toBe(true);
    writeFileSync(file, "config:\n  aws:region: us-west-2\n  team: fraud\n");
    expect(loadProjectConfig(project, file)).toEqual({
      ok: false,
      problems: [{ path: "team", message: expect.stringMatching(`write ${project.name}:team`) }],
    });
  });
});
