import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ChartAddOn,
  chartCrdProblems,
  chartReleaseArgs,
  existingMonitoring,
  installChart,
} from "../../components/common";
import { json, Plan, runComponent, testCluster } from "../harness";

/** A chart the kit does not ship, added through the same contract as the kit's own. */
const TOY_ADDON: ChartAddOn<{ bucketArn: string; replicas: number }> = {
  release: "toy-controller",
  chart: { chart: "toy", repository: "https://charts.example.com", version: "1.2.3" },
  namespace: "toy",
  createNamespace: true,
  serviceAccount: "toy-controller",
  podIdentity: ({ bucketArn }) => ({
    policy: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${bucketArn}/*`] }],
    },
  }),
  values: ({ replicas }) => ({ replicaCount: replicas, serviceAccount: { name: "toy-controller" } }),
  metrics: { name: "toy", serviceLabels: { "app.kubernetes.io/name": "toy" }, port: "metrics" },
  wait: { timeoutSeconds: 420 },
  crds: { kind: "none", source: "toy chart: no CRDs" },
};

/** The toy controller's CRDs, published as a chart of their own at the controller's version. */
const TOY_CRD_ADDON: ChartAddOn<void> = {
  release: "toy-crd",
  chart: { chart: "toy-crd", repository: "https://charts.example.com", version: "1.2.3" },
  namespace: "toy",
  wait: { timeoutSeconds: 300 },
  crds: { kind: "templates", source: "toy-crd: CRDs in templates/" },
};
const WITH_CRD_CHART: ChartAddOn<{ bucketArn: string; replicas: number }> = {
  ...TOY_ADDON,
  crds: { kind: "crdChart", chart: TOY_CRD_ADDON, source: "toy docs: install toy-crd first" },
};
const TOY_MANIFESTS = {
  repository: "example/toy",
  commit: "0123456789abcdef0123456789abcdef01234567",
  paths: ["charts/toy/crds/crds.yaml"],
  chartVersion: "1.2.3",
};
const WITH_MANIFESTS: ChartAddOn<{ bucketArn: string; replicas: number }> = {
  ...TOY_ADDON,
  crds: { kind: "manifests", manifests: TOY_MANIFESTS, source: "toy docs: kubectl apply the crds/" },
};
const PARAMS = { bucketArn: "b", replicas: 1 };

// A chart descriptor must say how its CRDs are managed: leaving `crds` out does not compile.
// @ts-expect-error crds is required
const UNDECLARED: ChartAddOn<void> = { release: "x", chart: TOY_ADDON.chart, namespace: "x", wait: "none" };
void UNDECLARED;

class ToyComponent extends pulumi.ComponentResource {
  constructor(
    name: string,
    withMonitoring: boolean,
    addOn: ChartAddOn<{ bucketArn: string; replicas: number }> = TOY_ADDON,
  ) {
    super("test:toy:Toy", name);
    const c = testCluster();
    installChart(
      name,
      addOn,
      { bucketArn: "arn:aws:s3:::toy-bucket", replicas: 3 },
      {
        parent: this,
        cluster: c.handle,
        monitoring: withMonitoring ? existingMonitoring() : undefined,
      },
    );
  }
}

describe("chart add-on contract", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => new ToyComponent("toy", true));
  });

  it("installs the pinned chart with its values, atomically with the declared timeout", () => {
    const release = plan.one("kubernetes:helm.sh/v3:Release", "toy").inputs as any;
    expect(release).toMatchObject({
      chart: "toy",
      version: "1.2.3",
      repositoryOpts: { repo: "https://charts.example.com" },
      name: "toy-controller",
      namespace: "toy",
      createNamespace: true,
      atomic: true,
      timeout: 420,
      values: { replicaCount: 3 },
    });
  });

  it("gives the service account a pod identity role with exactly the declared policy, before the release", () => {
    const assoc = plan.one("aws:eks/podIdentityAssociation:PodIdentityAssociation").inputs as any;
    expect(assoc).toMatchObject({ namespace: "toy", serviceAccount: "toy-controller", clusterName: "ml-test" });
    const policy = json<any>(plan.one("aws:iam/rolePolicy:RolePolicy", "toy").inputs.policy);
    expect(policy.Statement[0].Resource).toEqual(["arn:aws:s3:::toy-bucket/*"]);
    const release = plan.one("kubernetes:helm.sh/v3:Release", "toy");
    expect(plan.dependsOn(release, "aws:eks/podIdentityAssociation:PodIdentityAssociation", "toy-pod-identity")).toBe(
      true,
    );
    expect(plan.dependsOn(release, "aws:eks/nodeGroup:NodeGroup")).toBe(true);
  });

  it("scrapes the metrics Service in the chart's namespace once the release exists", () => {
    const monitor = plan.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "toy-metrics");
    expect((monitor.inputs as any).metadata.namespace).toBe("toy");
    expect((monitor.inputs as any).spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "toy" });
    expect(plan.dependsOn(monitor, "kubernetes:helm.sh/v3:Release", "toy")).toBe(true);
  });

  it("does not wait on a chart declared wait: none, and builds no monitor without monitoring", async () => {
    expect(chartReleaseArgs({ ...TOY_ADDON, wait: "none" }, { bucketArn: "b", replicas: 1 })).toMatchObject({
      skipAwait: true,
    });
    expect(chartReleaseArgs({ ...TOY_ADDON, wait: "none" }, { bucketArn: "b", replicas: 1 }).atomic).toBeUndefined();
    const bare = await runComponent(() => new ToyComponent("bare", false));
    expect(bare.ofType("kubernetes:monitoring.coreos.com/v1:ServiceMonitor")).toEqual([]);
  });
});

describe("chart add-on contract: CRDs", () => {
  it("a CRD chart is its own release before the controller's, which skips its crds/", async () => {
    const plan = await runComponent(() => new ToyComponent("toy", false, WITH_CRD_CHART));
    const crd = plan.one("kubernetes:helm.sh/v3:Release", "toy-crd");
    expect(crd.inputs).toMatchObject({ chart: "toy-crd", version: "1.2.3", name: "toy-crd", takeOwnership: true });
    expect((crd.inputs as any).skipCrds).toBeUndefined();
    const controller = plan.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.name === "toy")!;
    expect(controller.inputs).toMatchObject({ name: "toy-controller", skipCrds: true });
    expect(plan.dependsOn(controller, "kubernetes:helm.sh/v3:Release", "toy-crd")).toBe(true);
    expect(plan.dependsOn(crd, "kubernetes:helm.sh/v3:Release", "toy")).toBe(false);
  });

  it("pinned CRD manifests are applied from their commit before the controller's release, which skips its crds/", async () => {
    const plan = await runComponent(() => new ToyComponent("toy", false, WITH_MANIFESTS));
    const group = plan.one("kubernetes:yaml/v2:ConfigGroup", "toy-crds");
    expect((group.inputs as any).files).toEqual([
      "https://raw.githubusercontent.com/example/toy/0123456789abcdef0123456789abcdef01234567/charts/toy/crds/crds.yaml",
    ]);
    expect(group.provider).not.toBeNull();
    const controller = plan.one("kubernetes:helm.sh/v3:Release", "toy");
    expect(controller.inputs).toMatchObject({ skipCrds: true });
    expect(plan.dependsOn(controller, "kubernetes:yaml/v2:ConfigGroup", "toy-crds")).toBe(true);
  });

  it("leaves crds/ to Helm only where the chart keeps no CRDs there, and skips OpenAPI validation for an upgrade hook", () => {
    for (const kind of ["none", "templates"] as const) {
      const args = chartReleaseArgs({ ...TOY_ADDON, crds: { kind, source: "s" } }, PARAMS);
      expect(args.skipCrds, kind).toBeUndefined();
      expect(args.disableOpenapiValidation, kind).toBeUndefined();
    }
    const hook = chartReleaseArgs({ ...TOY_ADDON, crds: { kind: "upgradeHook", source: "s" } }, PARAMS);
    expect(hook).toMatchObject({ disableOpenapiValidation: true });
    expect(hook.skipCrds).toBeUndefined();
    expect(chartReleaseArgs(WITH_CRD_CHART, PARAMS).skipCrds).toBe(true);
    expect(chartReleaseArgs(WITH_MANIFESTS, PARAMS).skipCrds).toBe(true);
  });

  it("refuses a CRD chart cut for another controller version before installing the chart", async () => {
    const stale: ChartAddOn<{ bucketArn: string; replicas: number }> = {
      ...TOY_ADDON,
      crds: {
        ...WITH_CRD_CHART.crds,
        chart: { ...TOY_CRD_ADDON, chart: { ...TOY_CRD_ADDON.chart, version: "1.2.2" } },
      } as any,
    };
    expect(chartCrdProblems(stale)).toEqual([
      expect.stringMatching(/toy-controller \(toy 1\.2\.3\): CRD chart toy-crd 1\.2\.2 is not cut for this controller/),
    ]);
    const plan = runComponent(() => new ToyComponent("stale", false, stale));
    await expect(plan).rejects.toThrow(/CRD chart toy-crd 1\.2\.2 is not cut for this controller/);
  });

  it("matches a CRD chart versioned apart from its controller by appVersion", () => {
    const controller = { ...TOY_ADDON.chart, version: "88.5.3", appVersion: "v0.93.1" };
    const crdChart = { ...TOY_CRD_ADDON, chart: { ...TOY_CRD_ADDON.chart, version: "31.0.1", appVersion: "v0.93.1" } };
    const ok = { ...TOY_ADDON, chart: controller, crds: { kind: "crdChart" as const, chart: crdChart, source: "s" } };
    expect(chartCrdProblems(ok)).toEqual([]);
    const older = {
      ...ok,
      crds: { ...ok.crds, chart: { ...crdChart, chart: { ...crdChart.chart, appVersion: "v0.92.1" } } },
    };
    expect(chartCrdProblems(older)).toEqual([
      expect.stringMatching(/app v0\.92\.1\) is not cut for this controller \(app v0\.93\.1\)/),
    ]);
  });

  it("refuses a CRD chart that keeps its CRDs in crds/ itself (Helm would not upgrade them either)", () => {
    const folder = {
      ...WITH_CRD_CHART,
      crds: { ...WITH_CRD_CHART.crds, chart: { ...TOY_CRD_ADDON, crds: { kind: "none", source: "s" } } },
    } as ChartAddOn<unknown>;
    expect(chartCrdProblems(folder)).toEqual([
      expect.stringMatching(/must render its CRDs from templates, not "none"/),
    ]);
  });

  it("refuses CRD manifests read at a branch, or those of another chart version", () => {
    const branch = {
      ...WITH_MANIFESTS,
      crds: { ...WITH_MANIFESTS.crds, manifests: { ...TOY_MANIFESTS, commit: "master" } },
    } as ChartAddOn<unknown>;
    expect(chartCrdProblems(branch)).toEqual([expect.stringMatching(/pinned to a full commit, not "master"/)]);
    const bumped = { ...WITH_MANIFESTS, chart: { ...TOY_ADDON.chart, version: "1.3.0" } };
    expect(chartCrdProblems(bumped)).toEqual([
      expect.stringMatching(/CRD manifests are those of chart 1\.2\.3; pin the commit that publishes 1\.3\.0/),
    ]);
  });
});
