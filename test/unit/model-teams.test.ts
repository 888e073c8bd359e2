import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  kubeconfigProblems,
  MODEL_TEAM_LIMITS,
  modelTeamLimitRange,
  modelTeamPodSecurityLabels,
  modelTeamResourceQuota,
  modelTeamsProblems,
  parsePlatformOutputs,
  PLATFORM_OUTPUT_KEYS,
  PlatformOutputsError,
  platformOutputsProblems,
  RESERVED_NAMESPACES,
  withModelTeamDefaults,
} from "../../components/platform";
import { kitNamespacePodSecurityLabels, SERVING_NAMESPACE } from "../../components/common";
import { checkStackFile } from "../../cli/stack-check";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const recorded = JSON.parse(
  readFileSync(join(__dirname, "..", "..", "examples", "model-team", "platform-outputs.dev.json"), "utf8"),
);
const good = () => structuredClone(recorded.outputs) as Record<string, any>;
const team = (over: Record<string, unknown> = {}) =>
  withModelTeamDefaults({ name: "fraud", quota: { cpu: "16", memory: "64Gi", pods: 20 }, ...over });

describe("platform outputs contract", () => {
  it("accepts the recorded dev outputs and returns them typed", () => {
    const outputs = parsePlatformOutputs(recorded.outputs, recorded.stack);
    expect(outputs.cluster.name).toBe("mlserving-dev");
    expect(outputs.serving.teams.fraud).toEqual({ namespace: "fraud", kserveRuntimes: [], models: ["fraud-scorer"] });
    expect(Object.keys(recorded.outputs).sort()).toEqual([...PLATFORM_OUTPUT_KEYS].sort());
  });

  it("names each missing or ill-typed output key", () => {
    const o = good();
    delete o.kubeconfig;
    o.cluster.endpoint = "http://plain";
    o.cluster.privateSubnetIds = "subnet-1";
    delete o.serving.ingressGroup;
    o.monitoring = 7;
    const problems = platformOutputsProblems(o);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath.kubeconfig).toBe("is missing");
    expect(byPath["cluster.endpoint"]).toMatch(/https URL/);
    expect(byPath["cluster.privateSubnetIds"]).toBeDefined();
    expect(byPath["serving.ingressGroup"]).toBe("is missing");
    expect(byPath.monitoring).toBeDefined();
    expect(() => parsePlatformOutputs(o, "acme/mlserving/dev")).toThrow(PlatformOutputsError);
    expect(() => parsePlatformOutputs(o, "acme/mlserving/dev")).toThrow(
      /acme\/mlserving\/dev[\s\S]*output kubeconfig: is missing[\s\S]*output cluster\.endpoint/,
    );
  });

  it("refuses another contract version, and outputs that are not a map", () => {
    const o = good();
    o.platformOutputsVersion = 2;
    expect(() => parsePlatformOutputs(o, "s")).toThrow(/output platformOutputsVersion: must be 1/);
    expect(() => parsePlatformOutputs([], "s")).toThrow(/must be a map/);
    expect(() => parsePlatformOutputs(null, "s")).toThrow(/must be a map/);
  });

  it("ignores outputs outside the contract (a newer platform's, or the operators' conveniences)", () => {
    const o = { ...good(), grafanaAdminPassword: "x", clusterName: "mlserving-dev" };
    expect(() => parsePlatformOutputs(o, "s")).not.toThrow();
  });

  it("refuses a kubeconfig with a static credential or without aws eks get-token", () => {
    const kc = JSON.parse(recorded.outputs.kubeconfig);
    expect(kubeconfigProblems(recorded.outputs.kubeconfig)).toEqual([]);
    const withToken = structuredClone(kc);
    withToken.users[0].user = { token: "abc" };
    expect(kubeconfigProblems(JSON.stringify(withToken))).toEqual(
      expect.arrayContaining([
        "must not hold a static credential (users[].user.token)",
        "must authenticate with exec `aws eks get-token`",
      ]),
    );
    expect(kubeconfigProblems("not json")).toEqual(["must be the kubeconfig JSON the platform stack exports"]);
    const o = good();
    o.kubeconfig = JSON.stringify(withToken);
    expect(platformOutputsProblems(o).map((p) => p.path)).toContain("kubeconfig");
  });
});

describe("model team rules", () => {
  it("accepts a sensible team", () => {
    expect(modelTeamsProblems([team({ runtimes: ["vllm"], models: ["a", "b"] })])).toEqual([]);
  });

  it("refuses kit and Kubernetes namespaces, bad names, non-positive quotas, unknown runtimes", () => {
    const problems = modelTeamsProblems([
      team({ name: "monitoring" }),
      team({ name: "Fraud_Team" }),
      withModelTeamDefaults({ name: "ok-team", quota: { cpu: "0", memory: "0Gi", pods: 0, gpus: -1 } }),
      team({ name: "other", runtimes: ["nonesuch"] }),
    ]);
    const paths = problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "[0].name",
        "[1].name",
        "[2].quota.cpu",
        "[2].quota.memory",
        "[2].quota.pods",
        "[2].quota.gpus",
        "[3].runtimes[0]",
      ]),
    );
    for (const ns of ["serving", "mlflow", "monitoring", "keda", "kserve", "kube-system", "default"])
      expect(RESERVED_NAMESPACES).toContain(ns);
  });

  it("bounds the list, keeps namespaces unique and each model owned once", () => {
    const many = Array.from({ length: MODEL_TEAM_LIMITS.teams + 1 }, (_, i) => team({ name: `team-${i}` }));
    expect(modelTeamsProblems(many).map((p) => p.message)).toContain(
      `must list at most ${MODEL_TEAM_LIMITS.teams} teams (has ${MODEL_TEAM_LIMITS.teams + 1})`,
    );
    const problems = modelTeamsProblems(
      [team({ models: ["resnet50"] }), team({ name: "fraud" }), team({ name: "search", models: ["x", "x"] })],
      ["resnet50"],
    );
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(["[0].models[0]", "[1].name", "[2].models"]));
  });

  it("is what the stack file check applies: every bad team key is named (exit 2 in the plan)", () => {
    const checked = checkStackFile(join(__dirname, "..", "fixtures", "bad-stacks", "bad-teams.yaml"));
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        "mlserving:teams[0].name",
        "mlserving:teams[0].quota.cpu",
        "mlserving:teams[1].quota.memory",
        "mlserving:teams[1].quota.gpus",
        "mlserving:teams[1].quota.pods",
        "mlserving:teams[1].runtimes[0]",
        "mlserving:teams[2].name",
      ]),
    );
  });
});

describe("team namespace objects", () => {
  it("quota on requests of CPU, memory, each device and pods; no load balancers of its own", () => {
    const q = modelTeamResourceQuota(
      team({ quota: { cpu: "16", memory: "64Gi", pods: 20, gpus: 2, neuronDevices: 0 } }),
    );
    expect(q.metadata.namespace).toBe("fraud");
    expect(q.spec.hard).toEqual({
      "requests.cpu": "16",
      "requests.memory": "64Gi",
      "requests.nvidia.com/gpu": "2",
      "requests.aws.amazon.com/neuron": "0",
      pods: "20",
      "services.loadbalancers": "0",
      "services.nodeports": "0",
    });
    validateAgainstUpstreamSchema({ apiVersion: "v1", kind: "ResourceQuota", ...q });
  });

  it("defaults requests only (a default limit below a model's request would make its pod invalid)", () => {
    const lr = modelTeamLimitRange(team());
    expect(lr.spec.limits).toEqual([{ type: "Container", defaultRequest: { cpu: "100m", memory: "128Mi" } }]);
    validateAgainstUpstreamSchema({ apiVersion: "v1", kind: "LimitRange", ...lr });
  });

  it("runs at the serving namespace's Pod Security level", () => {
    expect(modelTeamPodSecurityLabels()).toEqual(kitNamespacePodSecurityLabels(SERVING_NAMESPACE));
  });
});
