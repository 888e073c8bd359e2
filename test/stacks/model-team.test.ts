import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { beforeAll, describe, expect, it } from "vitest";
import { authoredKubernetesObjects } from "../../cli/manifests";
import { runPlan, runProjectPlan, PlanOutcome } from "../../cli/planner";
import { recordPlatformOutputs, recordedOutputsText } from "../../cli/platform-outputs";
import { allPolicies } from "../../policies/rules";
import { existingMonitoring, POD_SECURITY_LABEL_PREFIX, REGISTRY_CREDENTIALS_SECRET } from "../../components/common";
import {
  ModelNamespace,
  parsePlatformOutputs,
  PlatformReference,
  schedulerNameOutputs,
  withModelTeamDefaults,
} from "../../components/platform";
import { withModelDefaults } from "../../components/serving/model-spec";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { runComponent, testCluster } from "../harness";
import { planCommand } from "../plan-command";

const root = join(__dirname, "..", "..");
const projectDir = join(root, "examples", "model-team");
const outputsFile = join(projectDir, "platform-outputs.dev.json");
type Planned = Extract<PlanOutcome, { kind: "planned" }>;

/** Kinds only the platform stack may register: a model team's stack must never own one. */
const PLATFORM_OWNED_TYPES = [
  "kubernetes:core/v1:Namespace",
  "kubernetes:core/v1:Secret",
  "kubernetes:core/v1:ResourceQuota",
  "kubernetes:core/v1:LimitRange",
  "kubernetes:helm.sh/v3:Release",
  "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
  "kubernetes:serving.kserve.io/v1alpha1:ClusterStorageContainer",
  "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy",
];

describe("examples/model-team planned against the dev platform's recorded outputs", () => {
  let plan: Planned;
  let platform: Planned;
  beforeAll(async () => {
    // One after the other: the mock runtime is process-wide.
    const team = await runProjectPlan({ projectDir, stack: "dev" });
    const dev = await runPlan({ stack: "dev", configPath: join(root, "stacks", "Pulumi.dev.yaml") });
    if (team.kind !== "planned") throw new Error(`model-team did not plan: ${JSON.stringify(team)}`);
    if (dev.kind !== "planned") throw new Error(`dev did not plan: ${JSON.stringify(dev)}`);
    plan = team;
    platform = dev;
  });

  it("plans clean: every policy runs, no mandatory violation", () => {
    expect(plan.report.policies).toBe(allPolicies.length);
    expect(plan.report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    const doc = JSON.parse(plan.files["resources.json"]);
    expect(doc).toMatchObject({ project: "model-team", stack: "dev" });
  });

  it("registers the team's model in the team's namespace and nothing the platform owns", () => {
    const types = plan.resources.map((r) => r.type);
    for (const t of PLATFORM_OWNED_TYPES) expect(types, t).not.toContain(t);
    expect(types).toEqual(
      expect.arrayContaining(["kubernetes:apps/v1:Deployment", "kubernetes:networking.k8s.io/v1:Ingress"]),
    );
    const objects = authoredKubernetesObjects(plan.resources) as { metadata: { name: string; namespace?: string } }[];
    expect(objects.length).toBeGreaterThanOrEqual(7);
    for (const o of objects) expect(o.metadata.namespace, o.metadata.name).toBe("fraud");
    // Every Kubernetes object goes through the provider built from the platform's kubeconfig.
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes");
    expect(provider?.inputs.kubeconfig).toBe("[secret]");
    for (const r of plan.resources.filter((x) => x.type.startsWith("kubernetes:")))
      expect(r.provider, r.name).toBe(provider?.urn);
  });

  it("joins the platform's ALB group and scales on the team namespace's series", () => {
    const ingress = plan.resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress")?.inputs as any;
    expect(ingress.metadata.annotations["alb.ingress.kubernetes.io/group.name"]).toBe("mlserving-dev-models");
    expect(ingress.spec.ingressClassName).toBe("alb");
    expect(ingress.spec.rules[0].host).toBe("fraud-scorer.models.dev.internal");
    const scaled = plan.resources.find((r) => r.type === "kubernetes:keda.sh/v1alpha1:ScaledObject")?.inputs as any;
    expect(scaled.spec.triggers[0].metadata.query).toContain('namespace="fraud"');
  });

  it("validates every Kubernetes object it authors against its upstream schema", () => {
    for (const obj of authoredKubernetesObjects(plan.resources)) validateAgainstUpstreamSchema(obj);
  });

  it("plans against outputs that are current: platform-outputs.dev.json is what the dev platform exports", async () => {
    const recorded = await recordPlatformOutputs(platform.programResult, "organization/mlserving/dev");
    expect(JSON.parse(readFileSync(outputsFile, "utf8")), "stale: run npm run record-outputs -- --stack dev").toEqual(
      JSON.parse(recordedOutputsText(recorded)),
    );
    expect(recorded.secretOutputNames).toEqual(["kubeconfig"]);
  });

  it("the platform creates the team's namespace: PSA labels, quota, limits and the registry credentials", () => {
    const ns = platform.resources.find(
      (r) => r.type === "kubernetes:core/v1:Namespace" && (r.inputs as any).metadata.name === "fraud",
    );
    const labels = (ns?.inputs as any).metadata.labels as Record<string, string>;
    expect(labels[`${POD_SECURITY_LABEL_PREFIX}/enforce`]).toBe("restricted");
    expect(labels[`${POD_SECURITY_LABEL_PREFIX}/warn`]).toBe("restricted");
    const inFraud = (type: string) =>
      platform.resources.filter((r) => r.type === type && (r.inputs as any).metadata?.namespace === "fraud");
    expect((inFraud("kubernetes:core/v1:ResourceQuota")[0].inputs as any).spec.hard).toMatchObject({
      "requests.cpu": "16",
      "requests.memory": "64Gi",
      "requests.nvidia.com/gpu": "2",
      pods: "20",
    });
    expect(inFraud("kubernetes:core/v1:LimitRange")).toHaveLength(1);
    const secret = inFraud("kubernetes:core/v1:Secret")[0].inputs as any;
    expect(secret.metadata.name).toBe(REGISTRY_CREDENTIALS_SECRET);
    expect(secret.stringData).toBe("[secret]");
    // MLflow admits the team's pulls (the server's policy, beside the namespace's default deny).
    const mlflowPolicy = platform.resources.find(
      (r) =>
        r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
        (r.inputs as any).metadata.namespace === "mlflow" &&
        (r.inputs as any).spec.ingress,
    )?.inputs as any;
    expect(JSON.stringify(mlflowPolicy.spec.ingress)).toContain('"kubernetes.io/metadata.name":"fraud"');
  });

  it("refuses recorded outputs that break the contract, naming the output key (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "model-team-outputs-"));
    const broken = JSON.parse(readFileSync(outputsFile, "utf8"));
    delete broken.outputs.serving.ingressDomain;
    broken.outputs.cluster.accountId = 42;
    const file = join(dir, "outputs.json");
    writeFileSync(file, JSON.stringify(broken));
    const outcome = await runProjectPlan({ projectDir, stack: "dev", outputsPath: file });
    expect(outcome.kind).toBe("failed");
    if (outcome.kind !== "failed") return;
    expect(outcome.message).toMatch(/output serving\.ingressDomain: is missing/);
    expect(outcome.message).toMatch(/output cluster\.accountId/);
  });
});

describe("a model team's KServe model on a runtime the platform offers in its namespace", () => {
  it("plans clean: the InferenceService carries the runtime's readiness probe the team's stack cannot see", async () => {
    // The same team, offered KServe's Triton runtime by the platform, serving its model through KServe.
    const dir = mkdtempSync(join(tmpdir(), "model-team-kserve-"));
    const outputs = JSON.parse(readFileSync(outputsFile, "utf8"));
    outputs.outputs.serving.teams.fraud.kserveRuntimes = ["triton"];
    writeFileSync(join(dir, "outputs.json"), JSON.stringify(outputs));
    const stackFile = readFileSync(join(projectDir, "Pulumi.dev.yaml"), "utf8");
    expect(stackFile).toMatch(/server: triton/);
    writeFileSync(join(dir, "Pulumi.dev.yaml"), stackFile.replace("server: triton", "server: kserve"));
    const outcome = await runProjectPlan({
      projectDir,
      stack: "dev",
      configPath: join(dir, "Pulumi.dev.yaml"),
      outputsPath: join(dir, "outputs.json"),
    });
    if (outcome.kind !== "planned") throw new Error(`did not plan: ${JSON.stringify(outcome)}`);
    expect(outcome.report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    const isvc = outcome.resources.find((r) => r.type === "kubernetes:serving.kserve.io/v1beta1:InferenceService")
      ?.inputs as any;
    expect(isvc.metadata.namespace).toBe("fraud");
    expect(isvc.spec.predictor.model.runtime).toBe("triton-gpu");
    expect(isvc.spec.predictor.model.readinessProbe.httpGet.path).toBe("/v2/health/ready");
    expect(outcome.resources.some((r) => r.type === "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime")).toBe(
      false,
    );
  });
});

describe("a model team's LLM behind the platform's gateway, planned from its own project", () => {
  it("attaches its route to the Gateway the recorded outputs name, and the pack admits it there", async () => {
    const dir = mkdtempSync(join(tmpdir(), "model-team-llm-"));
    const outputs = JSON.parse(readFileSync(outputsFile, "utf8"));
    expect(outputs.outputs.serving.llmGateway).toEqual({ name: "llm", namespace: "llm-gateway", listener: "http" });
    outputs.outputs.serving.teams.fraud = { namespace: "fraud", kserveRuntimes: ["vllm"], models: ["fraud-assistant"] };
    writeFileSync(join(dir, "outputs.json"), JSON.stringify(outputs));
    const stackFile = readFileSync(join(projectDir, "Pulumi.dev.yaml"), "utf8");
    const models = stackFile.slice(stackFile.indexOf("  model-team:models:"));
    writeFileSync(
      join(dir, "Pulumi.dev.yaml"),
      stackFile.replace(
        models,
        [
          "  model-team:models:",
          "    - name: fraud-assistant",
          "      server: kserve",
          "      accelerator: nvidia",
          "      runtime: vllm",
          "      source: models:/fraud-assistant/2",
          "      replicas: { min: 1, max: 1 }",
          '      resources: { gpus: 1, cpu: "4", memory: 24Gi }',
          "",
        ].join("\n"),
      ),
    );
    const outcome = await runProjectPlan({
      projectDir,
      stack: "dev",
      configPath: join(dir, "Pulumi.dev.yaml"),
      outputsPath: join(dir, "outputs.json"),
    });
    if (outcome.kind !== "planned") throw new Error(`did not plan: ${JSON.stringify(outcome)}`);
    const route = outcome.resources.find((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
      ?.inputs as any;
    expect(route.metadata.namespace).toBe("fraud");
    expect(route.spec.parentRefs[0]).toMatchObject({ name: "llm", namespace: "llm-gateway" });
    // The planner hands the pack the platform's Gateway (platformGateways): the route is admitted.
    expect(outcome.report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  });
});

describe("npm run plan -- --project", () => {
  it("plans examples/model-team with exit 0 and writes its artifacts; --help lists the project", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "model-team-plan-")), "out");
    const run = await planCommand("--project", "examples/model-team", "--stack", "dev", "--out", out);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/0 mandatory violation/);
    expect(JSON.parse(readFileSync(join(out, "resources.json"), "utf8")).project).toBe("model-team");
    expect(existsSync(join(out, "cost.json"))).toBe(false);
    const help = await planCommand("--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--project <dir>/);
    expect(help.stdout).toMatch(/examples\/model-team: dev/);
  });

  it("exits 2 with usage for a folder that is not a Pulumi project", async () => {
    const run = await planCommand("--project", "components", "--stack", "dev");
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/no Pulumi.yaml/);
  });
});

describe("PlatformReference", () => {
  it("hands a team the registry's bucket and key to stage mounted weights in, from outputs that carry the key", async () => {
    const { outputs } = JSON.parse(readFileSync(outputsFile, "utf8"));
    const older = { ...outputs.registry };
    delete older.artifactKeyArn;
    const plan = await runComponent(() => {
      const withKey = PlatformReference.fromOutputs("platform", outputs).serving("fraud");
      const withoutKey = PlatformReference.fromOutputs("older", { ...outputs, registry: older }).serving("fraud");
      return { withKey, withoutKey };
    });
    expect(outputs.registry.artifactKeyArn).toMatch(/^arn:aws:kms:/);
    expect(plan.result.withKey.weightsStore).toEqual({
      bucket: outputs.registry.artifactBucket,
      keyArn: outputs.registry.artifactKeyArn,
    });
    // Outputs recorded before the key was exported still parse; a model that stages is then refused by name.
    expect(plan.result.withoutKey.weightsStore).toBeUndefined();
  });

  it("hands a team's models each kind's scheduler from the platform's `<kind>SchedulerName` outputs", async () => {
    const { outputs } = JSON.parse(readFileSync(outputsFile, "utf8"));
    // What a platform with the Neuron scheduler extension on has always exported.
    const withScheduler = { ...outputs, serving: { ...outputs.serving, neuronSchedulerName: "my-scheduler" } };
    const model = withModelDefaults(
      {
        name: "llama",
        server: "kserve",
        accelerator: "neuron",
        source: "s3://b-models/llama",
        resources: { neuronDevices: 1, cpu: "4", memory: "16Gi" },
      },
      "dev",
    );
    const plan = await runComponent(() => ({
      on: PlatformReference.fromOutputs("on", withScheduler).modelServerArgs(model, { team: "fraud" }),
      off: PlatformReference.fromOutputs("off", outputs).modelServerArgs(model, { team: "fraud" }),
    }));
    expect(plan.result.on.schedulerNames).toEqual({ neuron: "my-scheduler" });
    expect(plan.result.off).not.toHaveProperty("schedulerNames");
    expect(schedulerNameOutputs({ neuron: "my-scheduler" })).toEqual({ neuronSchedulerName: "my-scheduler" });
    expect(parsePlatformOutputs(withScheduler, "s").serving.neuronSchedulerName).toBe("my-scheduler");
    expect(() =>
      parsePlatformOutputs({ ...outputs, serving: { ...outputs.serving, neuronSchedulerName: "" } }, "s"),
    ).toThrow(/output serving\.neuronSchedulerName: must not be empty/);
  });
});

describe("ModelNamespace", () => {
  it("offers the team's KServe runtimes in its namespace, after the KServe controller", async () => {
    const plan = await runComponent(() => {
      const cluster = testCluster();
      // Stands in for the KServe controller's release.
      const controller = new k8s.core.v1.ConfigMap("kserve-controller", {}, { provider: cluster.provider });
      return new ModelNamespace("team-search", {
        cluster: cluster.handle,
        team: withModelTeamDefaults({
          name: "search",
          quota: { cpu: "8", memory: "32Gi", pods: 10 },
          runtimes: ["vllm"],
        }),
        kserveController: controller,
        monitoring: existingMonitoring(),
      });
    });
    const runtime = plan.one("kubernetes:serving.kserve.io/v1alpha1:ServingRuntime");
    expect((runtime.inputs as any).metadata).toMatchObject({ name: "vllm-gpu", namespace: "search" });
    expect(plan.dependsOn(runtime, "kubernetes:core/v1:ConfigMap", "kserve-controller")).toBe(true);
    const monitor = plan.one("kubernetes:monitoring.coreos.com/v1:PodMonitor");
    expect((monitor.inputs as any).spec.namespaceSelector.matchNames).toEqual(["search"]);
    for (const obj of authoredKubernetesObjects(plan.resources)) validateAgainstUpstreamSchema(obj);
  });

  it("refuses a bad team before registering anything, naming the field", async () => {
    await expect(
      runComponent(
        () =>
          new ModelNamespace("bad", {
            cluster: testCluster().handle,
            team: withModelTeamDefaults({
              name: "kube-system",
              quota: { cpu: "1", memory: "1Gi", pods: 1 },
              runtimes: ["vllm"],
            }),
            monitoring: existingMonitoring(),
          }),
      ),
    ).rejects.toThrow(/team\.name[\s\S]*kserveController: is required/);
  });
});
