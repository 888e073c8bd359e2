import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { ChartAddOn, chartReleaseArgs, existingMonitoring, installChart } from "../../components/common";
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
};

class ToyComponent extends pulumi.ComponentResource {
  constructor(name: string, withMonitoring: boolean) {
    super("test:toy:Toy", name);
    const c = testCluster();
    installChart(
      name,
      TOY_ADDON,
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
