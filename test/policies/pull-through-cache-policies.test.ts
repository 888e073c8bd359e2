import { describe, expect, it } from "vitest";
import { fromDockerHub, imagesThroughPullThroughCache } from "../../policies/rules/ecr";
import { resource, violations } from "./policy-harness";

const prod = { environment: "prod" };
const RULE = "aws:ecr/pullThroughCacheRule:PullThroughCacheRule";
const dockerHubRule = resource(
  RULE,
  { ecrRepositoryPrefix: "mlserving-prod/docker-hub", upstreamRegistryUrl: "registry-1.docker.io" },
  { name: "docker-hub" },
);
const runtime = (image: string) =>
  resource(
    "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
    {
      metadata: { name: "vllm-gpu", namespace: "serving" },
      spec: { containers: [{ name: "kserve-container", image }] },
    },
    { name: "runtime" },
  );
const deployment = (image: string) =>
  resource(
    "kubernetes:apps/v1:Deployment",
    {
      metadata: { name: "warm-headroom-gpu", namespace: "kube-system" },
      spec: { template: { spec: { initContainers: [{ name: "prepull-0", image }], containers: [] } } },
    },
    { name: "placeholder" },
  );

describe("images-through-pull-through-cache", () => {
  const cached = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlserving-prod/docker-hub/vllm/vllm-openai:v0.16.0";

  it("refuses a model image from Docker Hub when the stack caches Docker Hub, in every form Docker Hub takes", async () => {
    for (const image of ["docker.io/vllm/vllm-openai:v0.16.0", "vllm/vllm-openai:v0.16.0", "nginx:1.29"])
      expect(await violations(imagesThroughPullThroughCache, [dockerHubRule, runtime(image)], prod)).toEqual([
        expect.stringMatching(
          /pulls .* from Docker Hub, bypassing the stack's pull-through cache.*mlserving-prod\/docker-hub/,
        ),
      ]);
    expect(
      await violations(imagesThroughPullThroughCache, [dockerHubRule, deployment("docker.io/library/busybox:1")], prod),
    ).toHaveLength(1);
  });

  it("accepts the cached reference and other registries, and judges nothing without a Docker Hub rule", async () => {
    expect(await violations(imagesThroughPullThroughCache, [dockerHubRule, runtime(cached)], prod)).toEqual([]);
    expect(
      await violations(
        imagesThroughPullThroughCache,
        [dockerHubRule, runtime("nvcr.io/nvidia/tritonserver:26.07-py3")],
        prod,
      ),
    ).toEqual([]);
    const ghcrOnly = resource(
      RULE,
      { ecrRepositoryPrefix: "p/github", upstreamRegistryUrl: "ghcr.io" },
      { name: "gh" },
    );
    expect(
      await violations(imagesThroughPullThroughCache, [ghcrOnly, runtime("docker.io/vllm/vllm-openai:v0.16.0")], prod),
    ).toEqual([]);
  });

  it("tells Docker Hub references from registry hosts", () => {
    expect(fromDockerHub("index.docker.io/vllm/vllm-openai:v1")).toBe(true);
    expect(fromDockerHub("localhost:5000/x:1")).toBe(false);
    expect(fromDockerHub("registry.k8s.io/pause:3.10.1")).toBe(false);
    expect(fromDockerHub("myregistry:5000/x:1")).toBe(false);
  });
});
