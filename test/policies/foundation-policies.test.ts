import { describe, expect, it } from "vitest";
import {
  eksEndpointNotOpenToWorld,
  eksSecretsEncryption,
  kmsKeyRotation,
  launchTemplateImdsV2,
  requiredTags,
  allPolicies,
} from "../../policies/rules";
import { resource, violations } from "./policy-harness";

const CLUSTER = "aws:eks/cluster:Cluster";
const tags = { environment: "dev", team: "ml", "managed-by": "pulumi-mlserving" };

describe("eks-secrets-encryption", () => {
  it("flags a cluster without secrets encryption", async () => {
    expect(await violations(eksSecretsEncryption, [resource(CLUSTER, { name: "c" })])).toHaveLength(1);
    expect(
      await violations(eksSecretsEncryption, [
        resource(CLUSTER, { encryptionConfig: { resources: ["secrets"], provider: {} } }),
      ]),
    ).toHaveLength(1);
  });
  it("accepts KMS envelope encryption of secrets", async () => {
    expect(
      await violations(eksSecretsEncryption, [
        resource(CLUSTER, {
          encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-west-2:1:key/k" } },
        }),
      ]),
    ).toEqual([]);
  });
});

describe("eks-endpoint-not-open-to-world", () => {
  it("flags 0.0.0.0/0 and a public endpoint with no allow-list (AWS defaults it to the world)", async () => {
    expect(
      await violations(eksEndpointNotOpenToWorld, [
        resource(CLUSTER, { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }),
      ]),
    ).toHaveLength(1);
    expect(
      await violations(eksEndpointNotOpenToWorld, [resource(CLUSTER, { vpcConfig: { subnetIds: [] } })]),
    ).toHaveLength(1);
  });
  it("flags the world opened in pieces and more than a /8 of public space, judged by the union", async () => {
    const withCidrs = (publicAccessCidrs: string[]) =>
      violations(eksEndpointNotOpenToWorld, [
        resource(CLUSTER, { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs } }),
      ]);
    expect(await withCidrs(["0.0.0.0/1", "128.0.0.0/1"])).toHaveLength(1);
    expect(await withCidrs(["44.0.0.0/8", "45.0.0.0/8"])).toHaveLength(1);
    expect(await withCidrs(["0.0.0.0/00"])).toHaveLength(1);
    expect(await withCidrs(["44.0.0.0/8", "10.0.0.0/8"])).toEqual([]);
  });
  it("accepts a private endpoint or an allow-list", async () => {
    expect(
      await violations(eksEndpointNotOpenToWorld, [resource(CLUSTER, { vpcConfig: { endpointPublicAccess: false } })]),
    ).toEqual([]);
    expect(
      await violations(eksEndpointNotOpenToWorld, [
        resource(CLUSTER, { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } }),
      ]),
    ).toEqual([]);
  });
});

describe("launch-template-imdsv2", () => {
  const LT = "aws:ec2/launchTemplate:LaunchTemplate";
  it("flags optional tokens or no metadata options", async () => {
    expect(
      await violations(launchTemplateImdsV2, [resource(LT, { metadataOptions: { httpTokens: "optional" } })]),
    ).toHaveLength(1);
    expect(await violations(launchTemplateImdsV2, [resource(LT, {})])).toHaveLength(1);
  });
  it("accepts required tokens", async () => {
    expect(
      await violations(launchTemplateImdsV2, [resource(LT, { metadataOptions: { httpTokens: "required" } })]),
    ).toEqual([]);
  });
});

describe("kms-key-rotation", () => {
  const KEY = "aws:kms/key:Key";
  it("flags a symmetric key without rotation", async () => {
    expect(await violations(kmsKeyRotation, [resource(KEY, {})])).toHaveLength(1);
  });
  it("accepts rotation, and asymmetric keys (which cannot rotate)", async () => {
    expect(await violations(kmsKeyRotation, [resource(KEY, { enableKeyRotation: true })])).toEqual([]);
    expect(await violations(kmsKeyRotation, [resource(KEY, { customerMasterKeySpec: "RSA_2048" })])).toEqual([]);
  });
});

describe("required-tags", () => {
  it("flags a taggable AWS resource missing a required tag, naming it", async () => {
    const msgs = await violations(requiredTags, [resource("aws:iam/role:Role", { tags: { environment: "dev" } })]);
    expect(msgs).toEqual(["missing required tags: team, managed-by."]);
  });
  it("accepts complete tags, and skips resources that cannot be tagged", async () => {
    expect(await violations(requiredTags, [resource("aws:iam/role:Role", { tags })])).toEqual([]);
    expect(await violations(requiredTags, [resource("aws:iam/rolePolicy:RolePolicy", {})])).toEqual([]);
    expect(await violations(requiredTags, [resource("kubernetes:core/v1:ConfigMap", {})])).toEqual([]);
  });
  it("reads the required keys from the pack's config", async () => {
    expect(
      await violations(requiredTags, [resource("aws:iam/role:Role", { tags })], { requiredTags: ["cost-center"] }),
    ).toHaveLength(1);
  });
});

describe("the pack", () => {
  it("enforces every rule as mandatory and names them uniquely", () => {
    const names = allPolicies.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(allPolicies.every((p) => p.enforcementLevel === "mandatory")).toBe(true);
  });
});
