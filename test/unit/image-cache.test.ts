import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  bottlerocketAmiParameter,
  imageCacheProblems,
  cachedPullName,
  stackPullThroughCache,
  imageCacheScript,
  poolNodeImages,
} from "../../components/platform/image-cache";
import { BOTTLEROCKET_RELEASE, IMAGES, imageRef, KUBERNETES_VERSION } from "../../components/versions";
import { imageCacheScripts } from "../../cli/image-cache";
import { CONFIG_NAMESPACE, resolvePlatformSpec, StackConfigError } from "../../stacks/config";
import { loadStackFile } from "../../cli/stack-file";
import { rawConfigFromPulumi } from "../../stacks/stack-config";

const stacksDir = join(__dirname, "..", "..", "stacks");
function rawOf(stack: string) {
  const { config, secretKeys } = loadStackFile(join(stacksDir, `Pulumi.${stack}.yaml`), CONFIG_NAMESPACE);
  const { raw, region } = rawConfigFromPulumi(config);
  return { raw: raw as Record<string, any>, region, secretKeys: new Set(secretKeys) };
}
const specOf = (raw: Record<string, unknown>, region: string | undefined, keys: Set<string>) =>
  resolvePlatformSpec(raw, region, keys);

/** The images a script pulls, in order. */
const pulled = (script: string) => [...script.matchAll(/^pull "(.+)"$/gm)].map((m) => m[1]);

const bashSyntax = (script: string) =>
  new Promise<string>((done) => {
    const file = join(mkdtempSync(join(tmpdir(), "image-cache-")), "s.sh");
    writeFileSync(file, script);
    execFile("bash", ["-n", file], (error, _out, stderr) => done(error ? stderr || String(error) : ""));
  });

describe("the image-cache snapshot script (npm run image-cache)", () => {
  const prod = rawOf("prod");
  const spec = specOf(prod.raw, prod.region, prod.secretKeys);
  const gpu = spec.capacity.pools.find((p) => p.name === "gpu")!;

  it("pre-pulls every image the pool's pods pull, under the names the pods ask for (through prod's pull-through cache)", async () => {
    const [s] = imageCacheScripts(join(stacksDir, "Pulumi.prod.yaml"));
    expect(s.pool).toBe("gpu");
    expect(s.images).toEqual(poolNodeImages(spec, gpu));
    expect(pulled(s.script)).toEqual([
      "$REGISTRY/mlserving-prod/docker-hub/vllm/vllm-openai:v0.16.0",
      "$REGISTRY/mlserving-prod/github/mlflow/mlflow:v3.16.1-full",
      "nvcr.io/nvidia/tritonserver:26.07-py3",
      "$REGISTRY/mlserving-prod/kubernetes/pause:3.10.1",
    ]);
    expect(s.script).toContain('REGISTRY="$(aws sts get-caller-identity');
    // Pulls from ECR log in; the snapshot's volume is the pool's data volume, as its nodes attach it.
    expect(s.script).toContain('*.dkr.ecr.*) auth="--user AWS:$(aws ecr get-login-password)"');
    expect(s.script).toContain(`Ebs={VolumeSize=${gpu.diskSizeGiB},VolumeType=gp3,Encrypted=true}`);
    expect(await bashSyntax(s.script)).toBe("");
  });

  it("writes no script for a stack file the plan refuses, naming the key", () => {
    const dir = mkdtempSync(join(tmpdir(), "image-cache-bad-"));
    const file = join(dir, "Pulumi.prod.yaml");
    const text = readFileSync(join(stacksDir, "Pulumi.prod.yaml"), "utf8");
    expect(text).toMatch(/warmNodes: 1/);
    writeFileSync(file, text.replace("warmNodes: 1", "warmNodes: 1\n        diskSizeGiB: .inf"));
    expect(() => imageCacheScripts(file)).toThrow(/capacity\.pools\[0\]\.diskSizeGiB/);
    // A stack named otherwise than its environment is refused as the plan refuses it.
    expect(() => imageCacheScripts(join(stacksDir, "Pulumi.prod.yaml"), undefined, "staging")).toThrow(
      StackConfigError,
    );
  });

  it("boots the pinned Bottlerocket release with its admin container, and snapshots the data volume", () => {
    const script = imageCacheScript({
      region: "us-west-2",
      pool: "gpu",
      images: [imageRef(IMAGES.vllmOpenai)],
      kubernetesVersion: KUBERNETES_VERSION,
      bottlerocketRelease: BOTTLEROCKET_RELEASE,
      volumeGiB: 300,
    });
    expect(bottlerocketAmiParameter("1.35", "v1.61.0")).toBe(
      "/aws/service/bottlerocket/aws-k8s-1.35/x86_64/1.61.0/image_id",
    );
    expect(script).toContain(bottlerocketAmiParameter(KUBERNETES_VERSION, BOTTLEROCKET_RELEASE));
    expect(script).toContain("[settings.host-containers.admin]");
    expect(script).toContain("DeviceName=/dev/xvdb,Ebs={VolumeSize=300,VolumeType=gp3,Encrypted=true}");
    expect(script).toContain("BlockDeviceMappings[?DeviceName=='/dev/xvdb']");
    // Without a pull-through cache, each image from its own registry, and no account lookup.
    expect(pulled(script)).toEqual([imageRef(IMAGES.vllmOpenai)]);
    expect(script).not.toContain("REGISTRY=");
    expect(script).toContain(`imageCacheImages: [${imageRef(IMAGES.vllmOpenai)}]`);
  });

  it("refuses a stack without a Karpenter pool of a kind that boots from an image cache", () => {
    expect(() => imageCacheScripts(join(stacksDir, "Pulumi.dev.yaml"))).toThrow(
      /no Karpenter pool of a kind that boots from an image cache/,
    );
  });
});

describe("a stale image-cache snapshot (imageCacheProblems)", () => {
  const prod = rawOf("prod");
  // Prod's pools without its pull-through cache: containerd stores each image under its own name.
  const uncached: Record<string, any> = { ...prod.raw };
  delete uncached.images;
  const withGpuPool = (extra: Record<string, unknown>, raw: Record<string, any> = uncached) => {
    const pools = raw.capacity.pools.map((p: Record<string, unknown>) =>
      p.name === "gpu" ? { ...p, imageCacheSnapshotId: "snap-0123456789abcdef0", ...extra } : p,
    );
    return { ...raw, capacity: { ...raw.capacity, pools } };
  };
  const current = poolNodeImages(
    specOf(uncached, prod.region, prod.secretKeys),
    specOf(uncached, prod.region, prod.secretKeys).capacity.pools[0],
  );

  it("accepts a snapshot recorded with the images the pool's pods pull now", () => {
    const spec = specOf(withGpuPool({ imageCacheImages: current }), prod.region, prod.secretKeys);
    expect(imageCacheProblems(spec)).toEqual([]);
  });

  it("refuses one recorded before versions.ts moved an image, naming what it lacks and holds", () => {
    const old = current.map((i) => (i.startsWith("docker.io/vllm/") ? "docker.io/vllm/vllm-openai:v0.15.1" : i));
    expect(() => specOf(withGpuPool({ imageCacheImages: old }), prod.region, prod.secretKeys)).toThrow(
      /mlserving:capacity\.pools\[0\]\.imageCacheImages: snapshot snap-0123456789abcdef0 is stale: it lacks docker\.io\/vllm\/vllm-openai:v0\.16\.0; it holds docker\.io\/vllm\/vllm-openai:v0\.15\.1/,
    );
  });

  it("compares the names containerd stored: recorded through the cache (the registry written out), stale once the cache is off", () => {
    const spec = specOf(prod.raw, prod.region, prod.secretKeys);
    const recorded = poolNodeImages(spec, spec.capacity.pools[0]).map((i) =>
      cachedPullName(i, stackPullThroughCache(spec)).replace(
        "$REGISTRY",
        "111122223333.dkr.ecr.us-east-1.amazonaws.com",
      ),
    );
    expect(recorded[0]).toMatch(/^111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.com\/mlserving-prod\/docker-hub\//);
    const cached = withGpuPool({ imageCacheImages: recorded }, prod.raw);
    expect(imageCacheProblems(specOf(cached, prod.region, prod.secretKeys))).toEqual([]);
    expect(() => specOf(withGpuPool({ imageCacheImages: recorded }), prod.region, prod.secretKeys)).toThrow(
      /imageCacheImages: snapshot snap-0123456789abcdef0 is stale: it lacks docker\.io\/vllm\/vllm-openai:v0\.16\.0/,
    );
  });

  it("refuses recorded images without a snapshot", () => {
    const pools = prod.raw.capacity.pools.map((p: Record<string, unknown>, i: number) =>
      i === 0 ? { ...p, imageCacheImages: current } : p,
    );
    expect(() =>
      specOf({ ...prod.raw, capacity: { ...prod.raw.capacity, pools } }, prod.region, prod.secretKeys),
    ).toThrow(/imageCacheImages: lists the images of an image-cache snapshot/);
  });
});
