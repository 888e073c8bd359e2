// A model team's pods pull through the platform's ECR pull-through cache, as the platform's own do:
// prod's outputs carry the cache, PlatformReference hands it to the team's model servers.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runPlan } from "../../cli/planner";
import { recordPlatformOutputs } from "../../cli/platform-outputs";
import { PlatformReference, platformOutputsProblems, type PlatformOutputs } from "../../components/platform";
import { TritonServer, withModelDefaults } from "../../components/serving";
import { IMAGES, imageRef } from "../../components/versions";
import { runComponent } from "../harness";

const root = join(__dirname, "..", "..");

describe("the platform's pull-through cache in its outputs", () => {
  let outputs: PlatformOutputs;
  beforeAll(async () => {
    const prod = await runPlan({ stack: "prod", configPath: join(root, "stacks", "Pulumi.prod.yaml") });
    if (prod.kind !== "planned") throw new Error(JSON.stringify(prod));
    outputs = (await recordPlatformOutputs(prod.programResult, "organization/mlserving/prod"))
      .outputs as unknown as PlatformOutputs;
  });

  it("names the cache's registry, prefix and upstreams (prod has one)", () => {
    expect(outputs.serving.imageMirror).toEqual({
      registry: `${outputs.cluster.accountId}.dkr.ecr.${outputs.cluster.region}.amazonaws.com`,
      repositoryPrefix: outputs.cluster.name,
      upstreams: expect.arrayContaining(["docker.io", "ghcr.io", "public.ecr.aws"]),
    });
    expect(platformOutputsProblems(outputs)).toEqual([]);
  });

  it("a team's Triton server pulls the model fetcher through it; Triton, which ECR cannot cache, from nvcr.io", async () => {
    const model = withModelDefaults(
      {
        name: "fraud-scorer",
        server: "triton",
        accelerator: "nvidia",
        source: "models:/fraud-scorer/3",
        replicas: { min: 2, max: 3 },
        resources: { gpus: 1, cpu: "3", memory: "12Gi" },
      },
      "prod",
    );
    const plan = await runComponent(() => {
      const platform = PlatformReference.fromOutputs("platform", outputs);
      new TritonServer(model.name, platform.modelServerArgs(model));
    });
    const pod = (plan.one("kubernetes:apps/v1:Deployment").inputs as any).spec.template.spec;
    const mirror = outputs.serving.imageMirror!;
    const fetcher = pod.initContainers.map((c: { image: string }) => c.image);
    expect(fetcher.length).toBeGreaterThan(0);
    for (const image of fetcher)
      expect(image).toMatch(new RegExp(`^${mirror.registry}/${mirror.repositoryPrefix}/github/`));
    expect(pod.containers[0].image).toBe(imageRef(IMAGES.tritonServer));
  });

  it("refuses a cache whose registry is not an ECR private registry, naming the output key", () => {
    const broken = structuredClone(outputs);
    broken.serving.imageMirror = { ...broken.serving.imageMirror!, registry: "registry-1.docker.io" };
    expect(platformOutputsProblems(broken).map((p) => `${p.path}: ${p.message}`)).toEqual([
      "serving.imageMirror.registry: must be an ECR private registry host",
    ]);
  });
});
