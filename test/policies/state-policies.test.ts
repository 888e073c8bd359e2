import { describe, expect, it } from "vitest";
import {
  noPlaintextSecretsInContainers,
  rdsSecure,
  s3BucketsSecure,
  statefulResourcesProtected,
} from "../../policies/rules";
import { resource, violations } from "./policy-harness";

const bucket = resource("aws:s3/bucket:Bucket", { bucketPrefix: "b-" }, { name: "b" });
const on = (type: string, inputs: Record<string, unknown>) =>
  resource(type, inputs, { name: type.split(":").pop()!, dependsOn: [bucket.urn] });
const secureBucketSettings = [
  on("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", {
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
  }),
  on("aws:s3/bucketVersioning:BucketVersioning", { versioningConfiguration: { status: "Enabled" } }),
  on("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  }),
];

describe("s3-buckets-secure", () => {
  it("flags a bucket without encryption, versioning and a public access block", async () => {
    expect(await violations(s3BucketsSecure, [bucket])).toHaveLength(3);
    const partlyOpen = on("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
      blockPublicAcls: true,
      blockPublicPolicy: false,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(await violations(s3BucketsSecure, [bucket, ...secureBucketSettings.slice(0, 2), partlyOpen])).toEqual([
      expect.stringMatching(/public access/),
    ]);
  });
  it("accepts an encrypted, versioned, private bucket", async () => {
    expect(await violations(s3BucketsSecure, [bucket, ...secureBucketSettings])).toEqual([]);
  });
  it("judges a BucketV2 (and its V2 settings) like a Bucket", async () => {
    const v2 = resource("aws:s3/bucketV2:BucketV2", { bucketPrefix: "v2-" }, { name: "v2" });
    const onV2 = (type: string, inputs: Record<string, unknown>) =>
      resource(type, inputs, { name: `v2-${type.split(":").pop()!}`, dependsOn: [v2.urn] });
    expect(await violations(s3BucketsSecure, [v2])).toHaveLength(3);
    const v2Settings = [
      onV2("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", {
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      }),
      onV2("aws:s3/bucketVersioningV2:BucketVersioningV2", { versioningConfiguration: { status: "Enabled" } }),
      onV2("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
    ];
    expect(await violations(s3BucketsSecure, [v2, ...v2Settings])).toEqual([]);
  });
});

describe("rds-secure", () => {
  const db = (extra: Record<string, unknown>) =>
    resource("aws:rds/instance:Instance", {
      storageEncrypted: true,
      publiclyAccessible: false,
      backupRetentionPeriod: 30,
      deletionProtection: true,
      ...extra,
    });
  it("flags unencrypted, public, unbacked-up databases and missing deletion protection in prod", async () => {
    expect(
      await violations(
        rdsSecure,
        [
          db({
            storageEncrypted: false,
            publiclyAccessible: true,
            backupRetentionPeriod: 0,
            deletionProtection: false,
          }),
        ],
        { environment: "prod" },
      ),
    ).toHaveLength(4);
  });
  it("accepts a secure database, and no deletion protection in dev", async () => {
    expect(await violations(rdsSecure, [db({})], { environment: "prod" })).toEqual([]);
    expect(await violations(rdsSecure, [db({ deletionProtection: false })], { environment: "dev" })).toEqual([]);
  });
});

describe("stateful-resources-protected", () => {
  it("flags an unprotected bucket or database in prod", async () => {
    expect(await violations(statefulResourcesProtected, [bucket], { environment: "prod" })).toHaveLength(1);
    expect(
      await violations(statefulResourcesProtected, [resource("aws:rds/instance:Instance", {})], {
        environment: "prod",
      }),
    ).toHaveLength(1);
  });
  it("accepts protected state in prod and anything in dev", async () => {
    expect(
      await violations(statefulResourcesProtected, [resource("aws:s3/bucket:Bucket", {}, { protect: true })], {
        environment: "prod",
      }),
    ).toEqual([]);
    expect(await violations(statefulResourcesProtected, [bucket], { environment: "dev" })).toEqual([]);
  });
});

describe("no-plaintext-secrets-in-containers", () => {
  const deployment = (container: Record<string, unknown>) =>
    resource("kubernetes:apps/v1:Deployment", {
      spec: { template: { spec: { containers: [{ name: "app", image: "i:1", ...container }] } } },
    });
  it("flags literal passwords and tokens in env and args, and credentials in URIs", async () => {
    expect(
      await violations(noPlaintextSecretsInContainers, [
        deployment({ env: [{ name: "DB_PASSWORD", value: "hunter2" }] }),
      ]),
    ).toHaveLength(1);
    expect(await violations(noPlaintextSecretsInContainers, [deployment({ args: ["--api-token=abc"] })])).toHaveLength(
      1,
    );
    expect(
      await violations(noPlaintextSecretsInContainers, [
        deployment({ args: ["--backend-store-uri", "postgresql://u:pw@db:5432/x"] }),
      ]),
    ).toHaveLength(1);
  });
  it("accepts secret references and harmless names", async () => {
    expect(
      await violations(noPlaintextSecretsInContainers, [
        deployment({
          env: [
            { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
            { name: "MLFLOW_AUTH_CONFIG_PATH", value: "/etc/mlflow/basic_auth.ini" },
          ],
          args: ["--port", "5000", "--allowed-hosts", "mlflow:5000"],
        }),
      ]),
    ).toEqual([]);
  });
});
