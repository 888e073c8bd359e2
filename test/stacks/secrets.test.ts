import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FakeCloud } from "../../cli/fake-cloud";
import { revealedSecrets, runOnMocks } from "../../cli/mock-runtime";
import { runPlan } from "../../cli/planner";
import { FOREIGN_SECRET_PLACEHOLDER } from "../../cli/stack-file";
import { runPlatformProgram } from "../../stacks/program";

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

describe("secure: on any key that may be a secret (issue 11)", () => {
  const file = join(__dirname, "..", "fixtures", "good-stacks", "secure-everywhere.yaml");

  it("plans clean, and writes neither the stand-ins for the secure values nor anything derived from them", async () => {
    const outcome = await runPlan({ stack: "secure-everywhere", configPath: file });
    if (outcome.kind !== "planned") throw new Error(JSON.stringify(outcome));
    expect(outcome.report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    // Every stand-in carries "plan-secret-"; the secret database class stands in as db.m7g.large
    // (dev's own class is db.t4g.medium); aws:secretKey is another namespace's secret.
    for (const [name, content] of Object.entries(outcome.files))
      for (const plain of ["plan-secret-", "db.m7g.large", FOREIGN_SECRET_PLACEHOLDER])
        expect(content.includes(plain), `${name} contains ${plain}`).toBe(false);

    const byType = (type: string) => outcome.resources.filter((r) => r.type === type);
    const db = byType("aws:rds/instance:Instance")[0];
    expect(db.inputs.instanceClass).toBe("[secret]");
    // A tag value is a secret on every resource. Pulumi holds secrecy per top-level key, so the
    // program sees all of mlserving:tags as secret and hides its other values too; the plan shows
    // what `pulumi up` hides. The kit's own tags stay readable.
    expect(db.inputs.tags).toMatchObject({ "cost-center": "[secret]", owner: "[secret]", environment: "dev" });
    // The access entry of the secret admin principal.
    const entries = byType("aws:eks/accessEntry:AccessEntry").map((r) => r.inputs.principalArn);
    expect(entries).toContain("[secret]");
    // Model sources: the InferenceService's storage URI and source annotation, the Triton
    // fetcher's arguments, the readers' S3 policy (the bucket is part of the source).
    const isvc = byType("kubernetes:serving.kserve.io/v1beta1:InferenceService").map((r) => JSON.stringify(r.inputs));
    expect(isvc.length).toBe(2);
    for (const s of isvc) expect(s).toContain('"storageUri":"[secret]"');
    // The registry hostname in the MLflow Ingress.
    const ingress = byType("kubernetes:networking.k8s.io/v1:Ingress").find((r) => r.name.includes("registry"));
    expect(JSON.stringify(ingress?.inputs)).toContain('"host":"[secret]"');
    // The cost report neither names nor prices a class it only has a stand-in for.
    expect(outcome.files["cost.json"]).toContain("RDS [secret]");
  });

  it("keeps secret what a Pulumi program derives from a decrypted value, as `pulumi up` runs it", async () => {
    // What the Pulumi CLI hands the program: decrypted values, and the top-level keys that are secret.
    const config = {
      "mlserving:environment": "dev",
      "mlserving:team": "ml-platform",
      "mlserving:cluster": JSON.stringify({ deployerAccess: "public", publicAccessCidrs: ["203.0.113.0/24"] }),
      "mlserving:tags": JSON.stringify({ "cost-center": "cc-4711-confidential" }),
      "mlserving:registry": JSON.stringify({ hostname: "mlflow.secret-corp.example" }),
      "mlserving:serving": JSON.stringify({
        models: [
          {
            name: "resnet50",
            server: "triton",
            accelerator: "cpu",
            source: "s3://acme-private-models/vision/resnet50",
            resources: { cpu: "1", memory: "2Gi" },
          },
        ],
      }),
    };
    const { resources } = await runOnMocks(
      {
        project: "mlserving",
        stack: "program",
        region: "us-west-2",
        config,
        secretKeys: ["mlserving:tags", "mlserving:registry", "mlserving:serving"],
      },
      runPlatformProgram,
    );
    const inputs = JSON.stringify(resources.map((r) => r.inputs));
    for (const secret of ["cc-4711-confidential", "mlflow.secret-corp.example", "acme-private-models"])
      expect(inputs.includes(secret), secret).toBe(false);
    // The model reader's policy is there, as a secret: it names the bucket.
    const policy = resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.includes("resnet50"));
    expect(policy?.inputs.policy).toBe("[secret]");
    // Policies still judge the values in the clear, as under pulumi preview --policy-pack.
    expect(JSON.stringify(revealedSecrets(policy!))).toContain("arn:aws:s3:::acme-private-models");
    expect(JSON.stringify(policy)).not.toContain("acme-private-models");
  });
});
