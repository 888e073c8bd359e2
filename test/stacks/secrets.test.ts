import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FakeCloud } from "../../cli/fake-cloud";
import { runPlan } from "../../cli/planner";

/** The values the fake cloud generates for the kit's passwords, as the real provider would. */
function generatedSecrets(names: string[]): string[] {
  const cloud = new FakeCloud({ region: "us-east-1" });
  return names.map(
    (name) =>
      cloud.newResource({ type: "random:index/randomPassword:RandomPassword", name, inputs: {} }).state
        .result as string,
  );
}

describe("secrets in plan artifacts", () => {
  it("never writes the database, registry admin or Grafana password in plain text, in any artifact", async () => {
    const outcome = await runPlan({
      stack: "prod",
      configPath: join(__dirname, "..", "..", "stacks", "Pulumi.prod.yaml"),
    });
    if (outcome.kind !== "planned") throw new Error(JSON.stringify(outcome));
    const passwords = outcome.resources
      .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
      .map((r) => r.name);
    expect(passwords).toEqual(
      expect.arrayContaining([
        "mlserving-registry-db",
        "mlserving-registry-admin",
        "mlserving-monitoring-grafana-admin",
      ]),
    );
    const values = generatedSecrets(passwords);
    for (const [file, content] of Object.entries(outcome.files)) {
      for (const v of values) expect(content.includes(v), `${file} contains a generated password`).toBe(false);
    }
    // They are there, as secrets: the database gets its password and the Secret its values.
    const db = outcome.resources.find((r) => r.type === "aws:rds/instance:Instance")!;
    expect(db.inputs.password).toBe("[secret]");
    expect(outcome.files["resources.json"]).toContain("[secret]");
  });

  it("carries secrets only where the kit puts them: the database password and Kubernetes Secrets, never Helm values", async () => {
    for (const stack of ["dev", "prod"]) {
      const outcome = await runPlan({
        stack,
        configPath: join(__dirname, "..", "..", "stacks", `Pulumi.${stack}.yaml`),
      });
      if (outcome.kind !== "planned") throw new Error(JSON.stringify(outcome));
      const holders = outcome.resources.filter((r) => JSON.stringify(r.inputs).includes("[secret]")).map((r) => r.type);
      expect(new Set(holders), stack).toEqual(new Set(["aws:rds/instance:Instance", "kubernetes:core/v1:Secret"]));
      expect(outcome.files["manifests/helm-releases.yaml"]).not.toContain("[secret]");
    }
  });
});
