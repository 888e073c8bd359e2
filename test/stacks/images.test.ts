import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runPlan, type PlanOutcome } from "../../cli/planner";
import { loadStackFile } from "../../cli/stack-file";
import { acceleratorNodeImages } from "../../components/platform/images";
import { poolNodeImages } from "../../components/platform/image-cache";
import { pulledImageRef } from "../../components/cluster/pull-through-cache";
import { ecrRegistryHost, pullThroughUpstreams } from "../../components/cluster/pull-through-cache";
import { CONFIG_NAMESPACE, resolvePlatformSpec } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";
import type { RecordedResource } from "../harness";

/**
 * Issue 28, images: the shipped stacks pull the accelerator nodes' images through the ECR pull-through
 * cache where they turn it on (prod), and the set of images the kit derives for the stack (the cache's
 * upstreams, the image-cache snapshot's pre-pull list) is exactly what the stack's pods on those nodes pull.
 */
const stacksDir = join(__dirname, "..", "..", "stacks");
type Planned = Extract<PlanOutcome, { kind: "planned" }>;
const plans: Record<string, Planned> = {};
const STACKS = ["dev", "prod"] as const;

beforeAll(async () => {
  for (const stack of STACKS) {
    const outcome = await runPlan({ stack, configPath: join(stacksDir, `Pulumi.${stack}.yaml`) });
    if (outcome.kind !== "planned") throw new Error(`${stack} did not plan: ${JSON.stringify(outcome)}`);
    plans[stack] = outcome;
  }
});

function specOf(stack: string) {
  const { config, secretKeys } = loadStackFile(join(stacksDir, `Pulumi.${stack}.yaml`), CONFIG_NAMESPACE);
  const { raw, region } = rawConfigFromPulumi(config);
  return resolvePlatformSpec(raw, region, new Set(secretKeys));
}

const ofType = (stack: string, type: string) => plans[stack].resources.filter((r) => r.type === type);

/** Every `image` of every container and init container in a recorded object. */
function imagesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) imagesIn(v, out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      if (k === "image" && typeof v === "string") out.push(v);
      else imagesIn(v, out);
    }
  return out;
}

/**
 * The objects whose pods run on the accelerator nodes: the ServingRuntimes (KServe predictors), the
 * storage initializers KServe injects into them, the kit's Triton Deployments and the warm-headroom
 * placeholders. (The weights-staging Jobs, the registry, the endpoint pickers run on system nodes.)
 */
function acceleratorPodObjects(stack: string): RecordedResource[] {
  const spec = specOf(stack);
  const tritonModels = new Set(spec.serving.models.filter((m) => m.server === "triton").map((m) => m.name));
  return plans[stack].resources.filter((r) => {
    if (r.type === "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime") return true;
    if (r.type === "kubernetes:serving.kserve.io/v1alpha1:ClusterStorageContainer") return true;
    if (r.type !== "kubernetes:apps/v1:Deployment") return false;
    const name = String((r.inputs as { metadata?: { name?: string } }).metadata?.name ?? "");
    return name.startsWith("warm-headroom-") || tritonModels.has(name);
  });
}

describe("the image set the kit derives (acceleratorNodeImages)", () => {
  it.each(STACKS)("%s: is every image the pods on its accelerator nodes pull, no more, no less", (stack) => {
    const spec = specOf(stack);
    const mirror = spec.images?.pullThroughCache
      ? {
          registry: ecrRegistryHost("123456789012", spec.region),
          repositoryPrefix: spec.images.pullThroughCache.repositoryPrefix,
          upstreams: pullThroughUpstreams(acceleratorNodeImages(spec)),
        }
      : undefined;
    const pulled = [...new Set(acceleratorPodObjects(stack).flatMap((r) => imagesIn(r.inputs)))].sort();
    expect(pulled.length).toBeGreaterThan(0);
    expect(pulled).toEqual([...new Set(acceleratorNodeImages(spec).map((i) => pulledImageRef(i, mirror)))].sort());
  });
});

describe("the image-cache snapshot's pre-pull list (poolNodeImages)", () => {
  it("prod: is, per NVIDIA pool, what the model pods selecting its accelerator and its placeholders pull", () => {
    const spec = specOf("prod");
    const mirror = {
      registry: ecrRegistryHost("123456789012", spec.region),
      repositoryPrefix: spec.images!.pullThroughCache!.repositoryPrefix,
      upstreams: pullThroughUpstreams(acceleratorNodeImages(spec)),
    };
    const props = (r: RecordedResource) => r.inputs as any;
    const runtimes = ofType("prod", "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime");
    const storage = ofType("prod", "kubernetes:serving.kserve.io/v1alpha1:ClusterStorageContainer");
    for (const pool of spec.capacity.pools.filter((p) => p.kind === "nvidia")) {
      const images = new Set<string>();
      for (const isvc of ofType("prod", "kubernetes:serving.kserve.io/v1beta1:InferenceService")) {
        const predictor = props(isvc).spec.predictor;
        if (predictor.nodeSelector?.["mlserving.io/accelerator"] !== pool.kind) continue;
        const runtime = runtimes.find((r) => props(r).metadata.name === predictor.model.runtime);
        imagesIn(props(runtime!).spec.containers).forEach((i) => images.add(i));
        const uri = String(predictor.model.storageUri);
        if (!uri.startsWith("pvc://"))
          for (const c of storage.filter((c) =>
            props(c).spec.supportedUriFormats.some((f: { prefix: string }) => uri.startsWith(f.prefix)),
          ))
            imagesIn(props(c).spec.container).forEach((i) => images.add(i));
      }
      const placeholders = acceleratorPodObjects("prod").filter(
        (r) => props(r).metadata.name === `warm-headroom-${pool.name}`,
      );
      placeholders.flatMap((r) => imagesIn(r.inputs)).forEach((i) => images.add(i));
      expect(images.size).toBeGreaterThan(0);
      expect([...images].sort()).toEqual(
        poolNodeImages(spec, pool)
          .map((i) => pulledImageRef(i, mirror))
          .sort(),
      );
    }
  });
});

describe("prod pulls through the ECR pull-through cache", () => {
  const registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlserving-prod";

  it("has a rule per upstream its images come from, with the credential secrets where ECR needs one", () => {
    const rules = ofType("prod", "aws:ecr/pullThroughCacheRule:PullThroughCacheRule").map((r) => r.inputs as any);
    expect(rules.map((r) => [r.ecrRepositoryPrefix, r.upstreamRegistryUrl, r.credentialArn]).sort()).toEqual([
      ["mlserving-prod/docker-hub", "registry-1.docker.io", expect.stringMatching(/:secret:ecr-pullthroughcache\//)],
      ["mlserving-prod/ecr-public", "public.ecr.aws", undefined],
      ["mlserving-prod/github", "ghcr.io", expect.stringMatching(/:secret:ecr-pullthroughcache\//)],
      ["mlserving-prod/kubernetes", "registry.k8s.io", undefined],
    ]);
    // One creation template per rule prefix, as ECR asks, with the role it creates (and tags) repositories as.
    const templates = ofType("prod", "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate").map(
      (r) => r.inputs as any,
    );
    expect(templates.map((t) => t.prefix).sort()).toEqual(rules.map((r) => r.ecrRepositoryPrefix).sort());
    for (const t of templates) {
      expect(t.appliedFors).toEqual(["PULL_THROUGH_CACHE"]);
      expect(t.encryptionConfigurations).toEqual([{ encryptionType: "AES256" }]);
      // A cached repository stays in sync with its upstream only while its tags are mutable.
      expect(t.imageTagMutability).toBe("MUTABLE");
      expect(t.customRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
      expect(t.resourceTags).toMatchObject({ environment: "prod", "managed-by": "pulumi-mlserving" });
      expect(JSON.parse(t.lifecyclePolicy).rules[0].selection.countType).toBe("sinceImagePulled");
    }
  });

  it("lets both node roles (system and Karpenter) import into exactly the cached repositories", () => {
    const grants = ofType("prod", "aws:iam/rolePolicy:RolePolicy").filter((r) =>
      r.name.startsWith("mlserving-images-node"),
    );
    expect(grants.map((g) => (g.inputs as any).role).sort()).toEqual([
      expect.stringMatching(/^mlserving-eks-node/),
      expect.stringMatching(/^mlserving-karpenter-node/),
    ]);
    for (const g of grants) {
      const [st] = JSON.parse((g.inputs as any).policy).Statement;
      expect(st.Action).toEqual(["ecr:BatchImportUpstreamImage", "ecr:CreateRepository", "ecr:TagResource"]);
      expect(st.Resource.sort()).toEqual([
        "arn:aws:ecr:us-east-1:123456789012:repository/mlserving-prod/docker-hub/*",
        "arn:aws:ecr:us-east-1:123456789012:repository/mlserving-prod/ecr-public/*",
        "arn:aws:ecr:us-east-1:123456789012:repository/mlserving-prod/github/*",
        "arn:aws:ecr:us-east-1:123456789012:repository/mlserving-prod/kubernetes/*",
      ]);
    }
  });

  it("names the cached images in every model pod; nothing comes from Docker Hub, and only Triton from nvcr.io", () => {
    const images = [...new Set(acceleratorPodObjects("prod").flatMap((r) => imagesIn(r.inputs)))].sort();
    expect(images).toEqual([
      `${registry}/docker-hub/vllm/vllm-openai:v0.16.0`,
      `${registry}/ecr-public/neuron/pytorch-inference-vllm-neuronx:0.16.0-neuronx-py312-sdk2.31.1-ubuntu24.04`,
      `${registry}/github/mlflow/mlflow:v3.16.1-full`,
      `${registry}/kubernetes/pause:3.10.1`,
      "nvcr.io/nvidia/tritonserver:26.07-py3",
    ]);
    // The weights-staging Jobs (support-llm mounts its weights) pull the fetcher through the cache too.
    const jobs = ofType("prod", "kubernetes:batch/v1:Job").flatMap((r) => imagesIn(r.inputs));
    expect(jobs.length).toBeGreaterThan(0);
    expect([...new Set(jobs)].sort()).toEqual([`${registry}/github/mlflow/mlflow:v3.16.1-full`]);
  });

  it("has model pods wait for the rules, templates and node permissions", () => {
    const mirror = plans.prod.resources.filter((r) => r.urn.includes("ImageMirror$")).map((r) => r.urn);
    // Four upstreams: a rule and a template each (the templates wait for their creation role's
    // policy), and the import grant of each node role (system and Karpenter).
    const needed = mirror.filter((u) =>
      /PullThroughCacheRule|RepositoryCreationTemplate|::mlserving-images-node-/.test(u),
    );
    expect(needed.filter((u) => u.includes("PullThroughCacheRule"))).toHaveLength(4);
    expect(needed.filter((u) => u.includes("RepositoryCreationTemplate"))).toHaveLength(4);
    expect(needed.filter((u) => u.includes("::mlserving-images-node-"))).toHaveLength(2);
    for (const r of ofType("prod", "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime"))
      expect(r.dependsOn).toEqual(expect.arrayContaining(needed));
  });
});

describe("dev has no pull-through cache", () => {
  it("creates no rule and leaves every image on its own registry", () => {
    expect(ofType("dev", "aws:ecr/pullThroughCacheRule:PullThroughCacheRule")).toEqual([]);
    for (const i of acceleratorPodObjects("dev").flatMap((r) => imagesIn(r.inputs)))
      expect(i).not.toMatch(/\.dkr\.ecr\./);
  });
});

describe("mlserving:images.pullThroughCache in a stack file", () => {
  function rawOf(stack: string) {
    const { config, secretKeys } = loadStackFile(join(stacksDir, `Pulumi.${stack}.yaml`), CONFIG_NAMESPACE);
    const { raw, region } = rawConfigFromPulumi(config);
    return { raw: raw as Record<string, any>, region, secretKeys: new Set(secretKeys) };
  }

  it("refuses a cache without the Docker Hub credential vLLM needs, naming the key and the image", () => {
    const { raw, region, secretKeys } = rawOf("prod");
    const rest = { ...raw.images.pullThroughCache };
    delete rest.dockerHubCredentialArn;
    expect(() => resolvePlatformSpec({ ...raw, images: { pullThroughCache: rest } }, region, secretKeys)).toThrow(
      /mlserving:images\.pullThroughCache\.dockerHubCredentialArn: is required: docker\.io\/vllm\/vllm-openai/,
    );
  });

  it("plans offline with the shipped placeholder secrets, which a deployment refuses", () => {
    const { raw, region, secretKeys } = rawOf("prod");
    expect(() => resolvePlatformSpec(raw, region, secretKeys, { deploying: true })).toThrow(
      /mlserving:images\.pullThroughCache\.githubCredentialArn: is the shipped placeholder \(account 111122223333\)/,
    );
  });

  it("defaults the repository prefix to the cluster name", () => {
    expect(specOf("prod").images?.pullThroughCache?.repositoryPrefix).toBe("mlserving-prod");
  });
});
