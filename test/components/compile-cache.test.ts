import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { existingMonitoring, type RegistryHandle } from "../../components/common/handles";
import { KServeModel, ServingPlatform } from "../../components/serving";
import type { ModelSpec } from "../../components/serving";
import { ACCELERATORS } from "../../components/common/accelerators";
import { KSERVE_NEURON_MODEL, TRITON_GPU_MODEL } from "../fixtures/models";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { json, modelServerBase, Plan, runComponent, testCluster } from "../harness";

const KEY = "arn:aws:kms:us-west-2:111122223333:key/registry";
const T = {
  isvc: "kubernetes:serving.kserve.io/v1beta1:InferenceService",
  job: "kubernetes:batch/v1:Job",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  sa: "kubernetes:core/v1:ServiceAccount",
};
const registry = (): RegistryHandle => ({
  trackingUri: "http://mlflow.mlflow.svc.cluster.local:5000",
  credentials: { username: pulumi.output("admin"), password: pulumi.secret("pw") },
  clientNamespaces: ["serving"],
  weightsStore: { bucket: pulumi.output("registry-artifacts"), keyArn: KEY },
});
/** A vLLM model with its weights mounted from two registry versions (stable and a canary). */
const chat = (over: Partial<ModelSpec> = {}): ModelSpec => ({
  ...TRITON_GPU_MODEL,
  name: "chat",
  server: "kserve",
  runtime: "vllm",
  source: "models:/chat/3",
  mountWeights: true,
  autoscaling: { metric: "kv-cache", target: 70 },
  canary: { source: "models:/chat/4", trafficPercent: 10 },
  ...over,
});
const serve = (model: ModelSpec, gpus?: string[], extra: { schedulerNames?: Record<string, string> } = {}) => {
  const c = testCluster();
  const platform = new ServingPlatform("serving", {
    cluster: c.handle,
    kserve: true,
    registry: registry(),
    monitoring: existingMonitoring(),
  });
  return new KServeModel("chat", {
    ...modelServerBase(c.handle, platform, { environment: "staging", ingressDomain: "models.staging.internal" }),
    model,
    ...(gpus ? { compileCacheDevices: gpus } : {}),
    ...extra,
  });
};
const compileJobs = (plan: Plan) => plan.ofType(T.job).filter((j) => (j.inputs as any).metadata.name.includes("-cc-"));

describe("KServeModel with compileCache", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => serve(chat({ compileCache: true }), ["l4", "a10g"]));
  });

  it("runs one compile Job per track and GPU type, one after another, each after its track's weights", () => {
    const jobs = compileJobs(plan);
    expect(jobs.map((j) => j.name)).toEqual([
      "chat-stable-compile-l4",
      "chat-stable-compile-a10g",
      "chat-canary-compile-l4",
      "chat-canary-compile-a10g",
    ]);
    for (const j of jobs) validateAgainstUpstreamSchema(j.inputs);
    expect(
      jobs.map((j) => (j.inputs as any).spec.template.spec.nodeSelector[ACCELERATORS.nvidia.karpenterDeviceNameLabel]),
    ).toEqual(["l4", "a10g", "l4", "a10g"]);
    for (let i = 1; i < jobs.length; i++) expect(jobs[i].dependsOn).toContain(jobs[i - 1].urn);
    expect(plan.dependsOn(jobs[0], T.job, "chat-stable-weights-stage")).toBe(true);
    expect(plan.dependsOn(jobs[2], T.job, "chat-canary-weights-stage")).toBe(true);
    expect(plan.dependsOn(jobs[0], T.rolePolicy, "chat-compile-cache-writer")).toBe(true);
  });

  it("compiles with each track's own command line: the ServingRuntime's, the served name, the InferenceService's args", () => {
    const runtime = plan
      .ofType("kubernetes:serving.kserve.io/v1alpha1:ServingRuntime")
      .find((r) => (r.inputs as any).metadata.name === "vllm-gpu")!.inputs as any;
    const container = runtime.spec.containers[0];
    for (const job of compileJobs(plan)) {
      const isvcName = job.name
        .replace(/-(stable|canary)-compile-.*$/, "")
        .concat(job.name.includes("-canary-") ? "-canary" : "");
      const isvc = plan.ofType(T.isvc).find((i) => (i.inputs as any).metadata.name === isvcName)!.inputs as any;
      const compile = (job.inputs as any).spec.template.spec.initContainers.find(
        (c: { name: string }) => c.name === "compile",
      );
      // python3 -c <script>, then the server exactly as KServe runs it for that InferenceService.
      const expected = [...container.command, ...container.args, ...isvc.spec.predictor.model.args].map((a: string) =>
        a.replace("{{.Name}}", isvcName),
      );
      expect(compile.command.slice(3), job.name).toEqual(expected);
      expect(expected.join(" "), job.name).toContain(`--served-model-name ${isvcName}`);
    }
  });

  it("restores each track's own cache in its replicas, which do not wait for the Jobs", () => {
    const prefixes = compileJobs(plan).map((j) =>
      (j.inputs as any).spec.template.spec.containers[0].args[1].replace(/[^/]+\/$/, ""),
    );
    for (const isvc of plan.ofType(T.isvc)) {
      validateAgainstUpstreamSchema(isvc.inputs);
      const predictor = (isvc.inputs as any).spec.predictor;
      const restore = predictor.initContainers[0];
      expect(restore.name).toBe("restore-compile-cache");
      const track = (isvc.inputs as any).metadata.name === "chat" ? 0 : 2;
      expect(restore.args[1]).toBe(prefixes[track]);
      expect(predictor.model.env).toEqual([{ name: "VLLM_CACHE_ROOT", value: expect.any(String) }]);
      expect(plan.dependsOn(isvc, T.job, "-compile-")).toBe(false);
    }
    expect(prefixes[0]).not.toBe(prefixes[2]);
  });

  it("lets only the compile role write the cache, and the model's role read it", () => {
    const policy = (name: string) =>
      json<{ Statement: { Action: string | string[]; Resource: string }[] }>(
        plan.one(T.rolePolicy, name).inputs.policy,
      );
    const writes = (doc: ReturnType<typeof policy>) =>
      doc.Statement.filter((s) => [s.Action].flat().includes("s3:PutObject")).map((s) => s.Resource);
    const writer = policy("chat-compile-cache-writer");
    expect(writes(writer)).toEqual([
      expect.stringMatching(
        /^arn:aws:s3:::registry-artifacts\/mlserving-compile-cache\/serving\/chat\/[0-9a-f]{12}\/\*$/,
      ),
      expect.stringMatching(
        /^arn:aws:s3:::registry-artifacts\/mlserving-compile-cache\/serving\/chat\/[0-9a-f]{12}\/\*$/,
      ),
    ]);
    const reader = policy("chat-model-reader");
    expect(writes(reader)).toEqual([]);
    expect(reader.Statement.filter((s) => s.Action === "s3:GetObject").map((s) => s.Resource)).toEqual(
      expect.arrayContaining(writes(writer)),
    );
    const role = plan.ofType(T.role).find((r) => r.name.includes("chat-compile-cache-writer"))!;
    expect((role.inputs as any).tags["mlserving.io/purpose"]).toBe("compile-cache-writer");
    const association = plan
      .ofType(T.association)
      .map((r) => r.inputs as any)
      .find((a) => a.serviceAccount === "chat-compile");
    expect(association).toMatchObject({ namespace: "serving" });
  });
});

describe("KServeModel without compileCache", () => {
  it("creates no compile Job, role or restore", async () => {
    const plan = await runComponent(() => serve(chat()));
    expect(compileJobs(plan)).toEqual([]);
    expect(plan.ofType(T.role).filter((r) => r.name.includes("compile"))).toEqual([]);
    expect(plan.ofType(T.sa).filter((r) => (r.inputs as any).metadata.name === "chat-compile")).toEqual([]);
    for (const isvc of plan.ofType(T.isvc))
      expect((isvc.inputs as any).spec.predictor).not.toHaveProperty("initContainers");
  });

  it("refuses compileCache without the GPU types to compile on, before registering anything", async () => {
    const refused = await runComponent(() => {
      try {
        serve(chat({ compileCache: true }));
      } catch (e) {
        return e;
      }
      return undefined;
    });
    expect(String(refused.result)).toMatch(/compileCacheDevices: model\.compileCache compiles once per device type/);
    expect(refused.resources.filter((r) => r.name.startsWith("chat"))).toEqual([]);
  });
});

describe("KServeModel with compileCache on Neuron", () => {
  const llama: ModelSpec = { ...KSERVE_NEURON_MODEL, name: "chat", mountWeights: true, compileCache: true };

  it("compiles once on the model's one device type, through the Neuron scheduler its replicas use", async () => {
    const plan = await runComponent(() =>
      serve(llama, ["inferentia2"], { schedulerNames: { neuron: "neuron-scheduler" } }),
    );
    const jobs = compileJobs(plan);
    expect(jobs.map((j) => j.name)).toEqual(["chat-stable-compile-inferentia2"]);
    const pod = (jobs[0].inputs as any).spec.template.spec;
    expect(pod.schedulerName).toBe("neuron-scheduler");
    expect(pod.nodeSelector["karpenter.k8s.aws/instance-accelerator-name"]).toBe("inferentia2");
    const predictor = (plan.ofType(T.isvc)[0].inputs as any).spec.predictor;
    expect(predictor.model.env).toEqual([{ name: "NEURON_COMPILED_ARTIFACTS", value: expect.any(String) }]);
  });

  it("refuses two device types for a runtime that keeps one compiled model", async () => {
    const refused = await runComponent(() => {
      try {
        serve(llama, ["inferentia2", "trainium"]);
      } catch (e) {
        return e;
      }
      return undefined;
    });
    expect(String(refused.result)).toMatch(
      /compileCacheDevices: vLLM on AWS Neuron keeps one compiled model, not one per device/,
    );
  });
});
