import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

// A new accelerator kind is its record: register the toy record (and its instance types' catalogue
// rows) the way a real kind is, by one line in ACCELERATORS, and every domain handles it.
vi.mock("../../components/common/accelerators/kinds", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../components/common/accelerators/kinds")>();
  const { TOY } = await import("../fixtures/toy-accelerator");
  return { ACCELERATORS: { ...original.ACCELERATORS, toy: TOY } };
});
vi.mock("../../components/common/instance-types", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../components/common/instance-types")>();
  const { TOY_INSTANCE_TYPES } = await import("../fixtures/toy-accelerator");
  const types = [...original.INSTANCE_TYPES, ...TOY_INSTANCE_TYPES];
  const byName = new Map(types.map((t) => [t.name, t]));
  return {
    ...original,
    INSTANCE_TYPES: types,
    instanceType: (name: string) => byName.get(name),
    isKnownInstanceType: (name: string) => byName.has(name),
    instanceTypesOfFamily: (family: string) => types.filter((t) => t.family === family),
    acceleratorCount: (name: string, kind: string) =>
      byName.get(name)?.accelerator?.kind === kind ? byName.get(name)!.accelerator!.count : 0,
    unknownInstanceTypes: (names: readonly string[]) => names.filter((n) => !byName.has(n)),
  };
});

import * as accelerators from "../../components/common/accelerators";
import { acceleratorNodeLabels, acceleratorTaint } from "../../components/capacity/node-group-builders";
import { nodePoolSpec } from "../../components/capacity/karpenter-builders";
import { daemonSetOverhead } from "../../components/capacity/node-overhead";
import { capacityProblems, poolProblems, type AcceleratorPoolSpec } from "../../components/capacity/rules";
import { capacityFindings } from "../../components/platform/capacity-checks";
import {
  MlPlatform,
  parsePlatformOutputs,
  platformOutputs,
  PlatformReference,
  platformSpec,
} from "../../components/platform";
import {
  modelTeamProblems,
  modelTeamResourceQuota,
  RESERVED_NAMESPACES,
  withModelTeamDefaults,
} from "../../components/platform/teams";
import { alertRuleGroups, DEFAULT_ALERT_RULE_INPUT, KIT_SCRAPE_JOBS } from "../../components/monitoring/alert-rules";
import { DASHBOARDS, dashboardConfigMap } from "../../components/monitoring/dashboards";
import { catalogEntryFor, unknownMetricNames } from "../../components/monitoring/metrics-catalog";
import { modelSpecProblems, withModelDefaults, type ModelSpec } from "../../components/serving/model-spec";
import { resolvePlatformSpec } from "../../stacks/config";
import { REACHABLE_API } from "../fixtures/stack";
import { TOY_CHART, TOY_DASHBOARD, TOY_SCHEDULER } from "../fixtures/toy-accelerator";
import { runComponent } from "../harness";

// The toy kind exists at run time only; the kit's types know nvidia and neuron.
const toy = "toy" as accelerators.AcceleratorKind;
const toyPool = (p: Partial<AcceleratorPoolSpec> = {}): AcceleratorPoolSpec =>
  ({
    name: "toys",
    kind: toy,
    instanceTypes: ["tx1.xlarge"],
    minNodes: 0,
    maxNodes: 2,
    maxDevices: 2,
    onDemandFallback: false,
    spot: false,
    os: "al2023",
    diskSizeGiB: 200,
    ...p,
  }) as AcceleratorPoolSpec;

const reachable = {
  team: "ml-platform",
  region: "us-west-2",
  cluster: { deployerAccess: "public" as const, publicAccessCidrs: ["198.51.100.0/24"] },
};

describe("a toy accelerator kind, added through its record alone", () => {
  it("is a kind of the registry, with its catalogue rows' devices and memory", () => {
    expect(accelerators.ACCELERATOR_KINDS).toEqual(["nvidia", "neuron", "toy"]);
    expect(accelerators.kindOf("tx1.16xlarge")).toBe("toy");
    expect(accelerators.devicesPerInstance("tx1.16xlarge")).toBe(8);
    expect(accelerators.familiesOf(toy)).toEqual(["tx1"]);
    expect(accelerators.DEVICE_RESOURCE[toy]).toBe("example.com/toy");
    expect(accelerators.amiTypeFor(toy, "al2023")).toBe("AL2023_x86_64_TOY");
    expect(() => accelerators.amiTypeFor(toy, "bottlerocket")).toThrow(/toy nodes do not run bottlerocket/);
    expect(accelerators.ACCELERATOR_REGISTRY.kindOfAmiType("AL2023_x86_64_TOY")).toBe("toy");
    expect(accelerators.ACCELERATOR_REGISTRY.smallestDeviceMemoryGiB(toy, ["tx1.xlarge", "g6.xlarge"])).toBe(16);
    expect(accelerators.instanceTypeProblems(toy, ["tx1.xlarge", "g6.xlarge"])).toEqual([
      { index: 1, message: "g6.xlarge is a nvidia instance type; a toy pool takes tx1" },
    ]);
    expect(accelerators.instanceTypeProblems("nvidia", ["tx1.xlarge"])[0].message).toBe(
      "tx1.xlarge is a toy instance type; a nvidia pool takes g4dn, g5, g6, g6e, p4d, p5",
    );
  });

  it("is validated as a pool: its types, its operating systems, its image-cache ability", () => {
    expect(poolProblems(toyPool(), "cluster-autoscaler")).toEqual([]);
    const paths = (p: AcceleratorPoolSpec, autoscaler: "cluster-autoscaler" | "karpenter") =>
      poolProblems(p, autoscaler).map((x) => x.path);
    expect(paths(toyPool({ instanceTypes: ["inf2.xlarge"] }), "cluster-autoscaler")).toEqual(["instanceTypes[0]"]);
    expect(paths(toyPool({ os: "bottlerocket" }), "cluster-autoscaler")).toEqual(["os"]);
    expect(paths(toyPool({ imageCacheSnapshotId: "snap-0123456789abcdef0" }), "karpenter")).toContain(
      "imageCacheSnapshotId",
    );
    // gpuTimeSlicingReplicas shares time-slicing kinds' devices only: a toy pool on al2023 is no problem.
    const spec = platformSpec("dev", { ...reachable, capacity: { pools: [toyPool()], gpuTimeSlicingReplicas: 4 } });
    expect(capacityProblems(spec.capacity)).toEqual([]);
  });

  it("is a model's accelerator: its device field, capacity checks and node overhead", () => {
    const spec = platformSpec("dev", { ...reachable, capacity: { pools: [toyPool()] } });
    const model = (chips: number): ModelSpec =>
      withModelDefaults(
        {
          name: "toy-model",
          server: "triton",
          accelerator: toy,
          runtime: "triton",
          source: "s3://b-models/toy",
          resources: { toyChips: chips, cpu: "1", memory: "2Gi" } as ModelSpec["resources"],
        },
        "dev",
      );
    expect((model(2).resources as Record<string, unknown>).toyChips).toBe(2);
    // A GPU field on a toy model is refused by the toy record's name for its own field.
    const gpus = { ...model(1), resources: { ...model(1).resources, gpus: 1 } };
    expect(modelSpecProblems(gpus, "dev")).toEqual([
      { field: "resources.gpus", message: "a toy model requests toyChips, not GPUs" },
      // No runtime targets the toy kind: a problem, not a crash.
      {
        field: "server",
        message: "Triton has no Toy build, and no runtime of the kit runs on toy (runtimes list their accelerators)",
      },
    ]);
    // Two chips on a pool whose largest type has one: refused at the toy field, in the toy's words.
    const findings = capacityFindings({ ...spec, serving: { ...spec.serving, models: [model(2)] } });
    expect(findings.filter((f) => f.level === "error")).toEqual([
      expect.objectContaining({
        path: "serving.models[0].resources.toyChips",
        message: expect.stringMatching(
          /^model toy-model asks 2 toy chips per replica; the largest instance type of its toy pool\(s\) toys has 1/,
        ),
      }),
    ]);
    const fits = capacityFindings({ ...spec, serving: { ...spec.serving, models: [model(1)] } });
    expect(fits.filter((f) => f.level !== "advisory")).toEqual([]);
    expect(daemonSetOverhead(toy).daemonSets).toContain("toy-device-plugin");
  });

  it("is a team quota under its own field", () => {
    const team = withModelTeamDefaults({
      name: "team-a",
      quota: { cpu: "8", memory: "16Gi", pods: 10, toyChips: 3 } as never,
    });
    expect(modelTeamResourceQuota(team).spec.hard).toMatchObject({
      "requests.nvidia.com/gpu": "0",
      "requests.aws.amazon.com/neuron": "0",
      "requests.example.com/toy": "3",
    });
    expect(modelTeamProblems({ ...team, quota: { ...team.quota, toyChips: -1 } as never }).map((p) => p.path)).toEqual([
      "quota.toyChips",
    ]);
  });

  it("keeps the namespace its support creates from model teams", () => {
    expect(RESERVED_NAMESPACES).toContain("toy-system");
    expect(
      modelTeamProblems(
        withModelTeamDefaults({ name: "toy-system", quota: { cpu: "8", memory: "16Gi", pods: 10 } }),
      ).map((p) => p.path),
    ).toContain("name");
  });

  it("gets its idle alert from its record, on the floor of its own models, beside the other kinds'", () => {
    const rules = alertRuleGroups({ ...DEFAULT_ALERT_RULE_INPUT, idleDeviceReplicaFloors: { [toy]: 3 } }).find(
      (g) => g.name === "mlserving-accelerators",
    )!.rules;
    expect(rules.map((r) => r.alert)).toEqual([
      "GpuMemoryNearFull",
      "GpuIdle",
      "NeuronCoresIdle",
      "ToyChipsIdle",
      "AcceleratorsUnrequested",
    ]);
    const idle = rules.find((r) => r.alert === "ToyChipsIdle")!;
    expect(idle.expr).toContain("avg by (node) (avg_over_time(toy_utilization[2h])) < 0.1\nand on ()\ncount(");
    expect(idle.expr).toContain(
      '\n> (3 + (count((max by (namespace, pod) (kube_pod_container_resource_requests{resource="example_com_toy"',
    );
    expect(idle.annotations.summary).toContain("floor (3 replica(s))");
    // The Neuron kind's floor is its own: 0 here.
    expect(rules.find((r) => r.alert === "NeuronCoresIdle")!.expr).toContain("\n> (0 + (count(");
    // The alerts on every kind's devices count its chips, and its exporter is a scrape target that must be up.
    const all = alertRuleGroups(DEFAULT_ALERT_RULE_INPUT).flatMap((g) => g.rules);
    for (const alert of ["AcceleratorsUnrequested", "AcceleratorPodsPending"])
      expect(all.find((r) => r.alert === alert)!.expr, alert).toContain(
        'resource=~"nvidia_com_gpu|aws_amazon_com_neuron|example_com_toy"',
      );
    expect(KIT_SCRAPE_JOBS.slice(0, 3)).toEqual(["dcgm-exporter", "neuron-monitor", "toy-exporter"]);
    // Its exporter's series are catalogued from its record, so its alert's query names known metrics.
    expect(catalogEntryFor("toy_utilization")?.info).toEqual({
      exporter: "toy-exporter",
      type: "gauge",
      labels: ["node", "chip"],
      source: "the toy exporter's own",
    });
    expect(unknownMetricNames(["toy_utilization", "DCGM_FI_DEV_GPU_UTIL", "neuroncore_utilization_ratio"])).toEqual([]);
    expect(all.find((r) => r.alert === "ScrapeTargetDown")!.expr).toContain("|toy-exporter|");
  });

  it("ships its dashboard from its record, as its own ConfigMap", () => {
    expect(DASHBOARDS.map((d) => d.name)).toEqual([
      "model-serving",
      "gpu",
      "neuron",
      "toy",
      "capacity",
      "llm",
      "llm-gateway",
    ]);
    const cm = dashboardConfigMap(
      DASHBOARDS.find((d) => d.name === "toy")!,
      "monitoring",
    );
    expect(cm.metadata.name).toBe("mlserving-dashboard-toy");
    expect(JSON.parse(cm.data["toy.json"])).toEqual(TOY_DASHBOARD);
  });

  it("is read from a stack file: its pool kind and its quota key", () => {
    const spec = resolvePlatformSpec(
      {
        environment: "dev",
        team: "ml-platform",
        ...REACHABLE_API,
        capacity: { pools: [{ name: "toys", kind: "toy", instanceTypes: ["tx1.xlarge"], spot: false, maxNodes: 1 }] },
        teams: [{ name: "team-a", quota: { cpu: "8", memory: "16Gi", pods: 10, toyChips: 4 } }],
      },
      "us-west-2",
    );
    expect(spec.capacity.pools.map((p) => p.kind)).toEqual(["toy"]);
    expect((spec.teams![0].quota as Record<string, unknown>).toyChips).toBe(4);
  });

  it("gets its nodes' labels and taint, and its NodePool's device limit", () => {
    expect(acceleratorTaint(toy)).toMatchObject({ key: "example.com/toy" });
    expect(acceleratorNodeLabels(toy, "spot", ["tx1.xlarge"], "toys", "al2023")).toMatchObject({
      "mlserving.io/accelerator": "toy",
      "example.com/toy.present": "true",
    });
    const spec = nodePoolSpec({
      name: "toys",
      kind: toy,
      nodeClassName: "toys",
      instanceTypes: ["tx1.xlarge", "tx1.16xlarge"],
      maxDevices: 16,
      onDemandFallback: false,
      os: "al2023",
    }) as any;
    expect(spec.limits).toEqual({ "example.com/toy": "16" });
    expect(spec.template.spec.taints).toEqual([{ key: "example.com/toy", value: "true", effect: "NoSchedule" }]);
  });

  it("gets its support (device plugin, scheduler) from its record in the platform, and no other kind's", async () => {
    const spec = platformSpec("dev", {
      team: "ml-platform",
      region: "us-west-2",
      cluster: { deployerAccess: "public", publicAccessCidrs: ["198.51.100.0/24"] },
      capacity: { pools: [toyPool()] },
    });
    const plan = await runComponent(() => {
      const platform = new MlPlatform("ml", spec);
      return { platform, serving: platformOutputs(platform, spec).serving as unknown as Record<string, unknown> };
    });
    expect(plan.ofType("mlserving:test:ToySupport").map((r) => r.name)).toEqual(["ml-toy"]);
    expect(plan.ofType("mlserving:capacity:NvidiaGpuSupport")).toEqual([]);
    expect(plan.ofType("mlserving:capacity:NeuronSupport")).toEqual([]);
    const release = plan.one("kubernetes:helm.sh/v3:Release", "toy-device-plugin").inputs as any;
    expect({ chart: release.chart, version: release.version, repo: release.repositoryOpts.repo }).toEqual({
      chart: TOY_CHART.chart,
      version: TOY_CHART.version,
      repo: TOY_CHART.repository,
    });
    expect(release.namespace).toBe("toy-system");
    const group = plan.one("aws:eks/nodeGroup:NodeGroup", "toys").inputs as any;
    expect(group.amiType).toBe("AL2023_x86_64_TOY");
    expect(group.taints).toEqual([{ key: "example.com/toy", value: "true", effect: "NO_SCHEDULE" }]);
    // Its dashboard and its idle alert (no toy model: a floor of 0) are the platform's.
    const configMaps = plan.ofType("kubernetes:core/v1:ConfigMap").map((r) => (r.inputs as any).metadata.name);
    expect(configMaps).toContain("mlserving-dashboard-toy");
    const rules = (plan.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule") as any[])
      .flatMap((r) => r.inputs.spec.groups ?? [])
      .flatMap((g: { rules: { alert?: string; expr: string }[] }) => g.rules);
    expect(rules.find((r) => r.alert === "ToyChipsIdle")?.expr).toContain("\n> (0 + (count(");
    // Its scheduler: the platform's, exported as `toySchedulerName` as Neuron's is `neuronSchedulerName`.
    expect(plan.result.platform.schedulerNames).toEqual({ toy: TOY_SCHEDULER });
    expect(plan.result.serving.toySchedulerName).toBe(TOY_SCHEDULER);
    expect(plan.result.serving).not.toHaveProperty("neuronSchedulerName");
  });

  it("reaches a model team's stack: its scheduler output is read back for the toy kind's models", async () => {
    const { outputs } = JSON.parse(
      readFileSync(join(__dirname, "..", "..", "examples", "model-team", "platform-outputs.dev.json"), "utf8"),
    );
    const withToy = { ...outputs, serving: { ...outputs.serving, toySchedulerName: TOY_SCHEDULER } };
    expect(parsePlatformOutputs(withToy, "s").serving).toHaveProperty("toySchedulerName", TOY_SCHEDULER);
    const model = withModelDefaults(
      {
        name: "toy-model",
        server: "triton",
        accelerator: toy,
        runtime: "triton",
        source: "s3://b-models/toy",
        resources: { toyChips: 1, cpu: "1", memory: "2Gi" } as ModelSpec["resources"],
      },
      "dev",
    );
    const plan = await runComponent(() => PlatformReference.fromOutputs("platform", withToy).modelServerArgs(model));
    expect(plan.result.schedulerNames).toEqual({ toy: TOY_SCHEDULER });
  });
});
