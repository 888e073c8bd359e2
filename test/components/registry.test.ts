import { beforeAll, describe, expect, it } from "vitest";
import { existingMonitoring } from "../../components/common/handles";
import { ModelRegistry } from "../../components/registry";
import { json, Plan, runComponent, testCluster } from "../harness";

const build = (protectState: boolean) => () => {
  const c = testCluster({ tags: { environment: "prod", team: "ml" } });
  return new ModelRegistry("registry", {
    cluster: c.handle,
    vpcCidr: "10.30.0.0/16",
    replicas: 2,
    protectState,
    multiAz: protectState,
    backupRetentionDays: protectState ? 30 : 7,
    monitoring: existingMonitoring(),
  });
};

describe("ModelRegistry (prod settings)", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(build(true));
  });

  it("keeps artifacts in a private, versioned, KMS-encrypted, TLS-only bucket with noncurrent-version expiry", () => {
    const bucket = plan.one("aws:s3/bucket:Bucket");
    expect(bucket.inputs.forceDestroy).toBe(false);
    const versioning = plan.one("aws:s3/bucketVersioning:BucketVersioning");
    expect(versioning.inputs).toMatchObject({ versioningConfiguration: { status: "Enabled" } });
    expect(plan.dependsOn(versioning, "aws:s3/bucket:Bucket")).toBe(true);
    const sse = plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
      .inputs as any;
    expect(sse.rules[0].applyServerSideEncryptionByDefault).toMatchObject({
      sseAlgorithm: "aws:kms",
      kmsMasterKeyId: expect.stringMatching(/^arn:aws:kms:/),
    });
    expect(plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      (plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs as any).rules[0]
        .noncurrentVersionExpiration,
    ).toEqual({ noncurrentDays: 90 });
    expect(json<any>(plan.one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy).Statement[0].Condition).toEqual({
      Bool: { "aws:SecureTransport": false },
    });
  });

  it("runs an encrypted, private, Multi-AZ PostgreSQL with 30 days of backups, deletion protection and a final snapshot", () => {
    const db = plan.one("aws:rds/instance:Instance");
    expect(db.inputs).toMatchObject({
      engine: "postgres",
      engineVersion: "17",
      storageEncrypted: true,
      publiclyAccessible: false,
      multiAz: true,
      backupRetentionPeriod: 30,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "ml-test-mlflow-final",
    });
    expect(db.inputs.password).toBe("[secret]");
  });

  it("admits PostgreSQL only from the cluster security group", () => {
    const rule = plan.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs;
    expect(rule).toMatchObject({
      fromPort: 5432,
      toPort: 5432,
      ipProtocol: "tcp",
      referencedSecurityGroupId: expect.stringMatching(/^sg-/),
    });
    expect(rule.cidrIpv4).toBeUndefined();
    const params = plan.one("aws:rds/parameterGroup:ParameterGroup").inputs as any;
    expect(params.parameters).toContainEqual({ name: "rds.force_ssl", value: "1" });
  });

  it("protects the bucket and the database from deletion by Pulumi", () => {
    for (const t of ["aws:s3/bucket:Bucket", "aws:rds/instance:Instance"]) {
      const r = plan.one(t);
      expect(r.protect, t).toBe(true);
      expect(r.retainOnDelete, t).toBe(true);
    }
  });

  it("scopes the server's pod identity to the bucket's artifact prefix and key", () => {
    const policy = json<any>(plan.one("aws:iam/rolePolicy:RolePolicy", "registry-server").inputs.policy);
    const resources = policy.Statement.flatMap((s: any) => [s.Resource].flat());
    expect(resources).toEqual([
      expect.stringMatching(/^arn:aws:s3:::.+\/artifacts\/\*$/),
      expect.stringMatching(/^arn:aws:s3:::/),
      expect.stringMatching(/^arn:aws:kms:/),
    ]);
    expect(
      plan.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.inputs.namespace === "mlflow")!
        .inputs.serviceAccount,
    ).toBe("mlflow");
  });

  it("keeps every credential in the Secret and out of the Deployment", () => {
    expect(plan.one("kubernetes:core/v1:Secret").inputs.stringData).toBe("[secret]");
    const deployment = plan.one("kubernetes:apps/v1:Deployment").inputs as any;
    const text = JSON.stringify(deployment);
    expect(text).not.toMatch(/fake-|postgresql/);
    expect(deployment.spec.replicas).toBe(2);
    expect(plan.ofType("kubernetes:policy/v1:PodDisruptionBudget")).toHaveLength(1);
  });

  it("scrapes the server through its Service with basic auth from the same Secret", () => {
    const sm = plan.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor").inputs as any;
    const svc = plan.one("kubernetes:core/v1:Service").inputs as any;
    expect(svc.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(sm.metadata.namespace).toBe(svc.metadata.namespace);
    expect(svc.spec.ports.map((p: any) => p.name)).toContain(sm.spec.endpoints[0].port);
    expect(sm.spec.endpoints[0].basicAuth.password).toEqual({ name: "mlflow-server", key: "admin-password" });
  });

  it("exposes a typed handle with the in-cluster tracking URI", () => {
    expect((plan.result as ModelRegistry).handle.trackingUri).toBe("http://mlflow.mlflow.svc.cluster.local:5000");
  });
});

describe("ModelRegistry (dev settings)", () => {
  it("skips the final snapshot and protection in dev, so the stack can be torn down", async () => {
    const plan = await runComponent(build(false));
    const db = plan.one("aws:rds/instance:Instance");
    expect(db.inputs).toMatchObject({ deletionProtection: false, skipFinalSnapshot: true, backupRetentionPeriod: 7 });
    expect(db.protect).toBe(false);
  });

  it("rejects bad arguments by field", () => {
    expect(
      () =>
        new ModelRegistry("r", {
          cluster: undefined as never,
          vpcCidr: "",
          backupRetentionDays: 3,
          dbInstanceClass: "big",
          monitoring: existingMonitoring(),
        }),
    ).toThrow(/backupRetentionDays: must be at least 7[\s\S]*dbInstanceClass: must be an RDS instance class/);
  });
});
