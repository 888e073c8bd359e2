import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PlanOutcome, runPlan } from "../../cli/planner";
import { RecordedResource } from "../../cli/mock-runtime";
import { runPolicies } from "../../cli/policy-runner";
import { allPolicies } from "../../policies/rules";

type Planned = Extract<PlanOutcome, { kind: "planned" }>;

/**
 * The shipped stacks plan clean; these tests break one thing in the real prod plan and check
 * that the matching rule notices, so "clean" is not just "nothing was looked at".
 */
describe("policies bite on the real prod plan", () => {
  let plan: Planned;
  beforeAll(async () => {
    const outcome = await runPlan({
      stack: "prod",
      configPath: join(__dirname, "..", "..", "stacks", "Pulumi.prod.yaml"),
    });
    if (outcome.kind !== "planned") throw new Error(JSON.stringify(outcome));
    plan = outcome;
  });

  const violated = async (resources: RecordedResource[]) =>
    new Set((await runPolicies(allPolicies, resources, { environment: "prod" })).violations.map((v) => v.policy));
  const mutate = (type: string, change: (inputs: any) => void) =>
    plan.resources.map((r) => {
      if (r.type !== type) return r;
      const copy = structuredClone(r);
      change(copy.inputs);
      return copy;
    });

  it("starts clean", async () => {
    expect(await violated(plan.resources)).toEqual(new Set());
  });

  it("notices model servers without a PodDisruptionBudget", async () => {
    expect(
      await violated(plan.resources.filter((r) => r.type !== "kubernetes:policy/v1:PodDisruptionBudget")),
    ).toContain("inference-workloads-hardened");
  });

  it("notices an unprotected registry database and an unencrypted one", async () => {
    const unprotected = plan.resources.map((r) =>
      r.type === "aws:rds/instance:Instance" ? { ...r, protect: false } : r,
    );
    expect(await violated(unprotected)).toContain("stateful-resources-protected");
    expect(await violated(mutate("aws:rds/instance:Instance", (i) => (i.storageEncrypted = false)))).toContain(
      "rds-secure",
    );
  });

  it("notices an untainted GPU NodePool and a NodePool without a device limit", async () => {
    const v = await violated(
      mutate("kubernetes:karpenter.sh/v1:NodePool", (i) => {
        i.spec.template.spec.taints = [];
        delete i.spec.limits;
      }),
    );
    expect(v).toContain("accelerator-nodes-tainted");
    expect(v).toContain("accelerator-capacity-capped");
  });

  it("notices a floating image tag and a public Ingress", async () => {
    expect(
      await violated(
        mutate(
          "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
          (i) => (i.spec.containers[0].image = "nvcr.io/nvidia/tritonserver:latest"),
        ),
      ),
    ).toContain("images-pinned-and-allowed");
    expect(
      await violated(
        mutate(
          "kubernetes:networking.k8s.io/v1:Ingress",
          (i) => (i.metadata.annotations["alb.ingress.kubernetes.io/scheme"] = "internet-facing"),
        ),
      ),
    ).toContain("no-internet-facing-in-prod");
  });

  it("notices Prometheus without persistent storage and alerts routed nowhere", async () => {
    const v = await violated(
      mutate("kubernetes:helm.sh/v3:Release", (i) => {
        if (i.chart !== "kube-prometheus-stack") return;
        delete i.values.prometheus.prometheusSpec.storageSpec;
        i.values.alertmanager.config.route.routes = [];
        i.values.alertmanager.config.receivers = [{ name: "null" }];
        i.values.alertmanager.config.route.receiver = "null";
      }),
    );
    expect(v).toContain("prometheus-storage-persistent");
    expect(v).toContain("alert-receiver-in-prod");
  });

  // Issue 11: the constructs users can build beside the kit's components, broken one at a time in the real plan.
  it("notices an unencrypted StorageClass and an unencrypted node volume", async () => {
    expect(
      await violated(mutate("kubernetes:storage.k8s.io/v1:StorageClass", (i) => (i.parameters.encrypted = "false"))),
    ).toContain("volumes-encrypted");
    expect(
      await violated(
        mutate("aws:ec2/launchTemplate:LaunchTemplate", (i) => (i.blockDeviceMappings[0].ebs.encrypted = "false")),
      ),
    ).toContain("volumes-encrypted");
  });

  it("notices the database opened to the world and a prod database destroyed without a final snapshot", async () => {
    expect(
      await violated(
        mutate("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", (i) => {
          if (i.fromPort !== 5432) return;
          delete i.referencedSecurityGroupId;
          i.cidrIpv4 = "0.0.0.0/0";
        }),
      ),
    ).toContain("database-ports-not-open-to-world");
    expect(await violated(mutate("aws:rds/instance:Instance", (i) => (i.skipFinalSnapshot = true)))).toContain(
      "rds-secure",
    );
  });

  it("notices anonymous Grafana as a string, Prometheus published, and a floating image tag in chart values", async () => {
    const v = await violated(
      mutate("kubernetes:helm.sh/v3:Release", (i) => {
        if (i.chart === "kube-prometheus-stack") {
          i.values.grafana["grafana.ini"] = { "auth.anonymous": { enabled: "true" } };
          i.values.prometheus.service = { type: "LoadBalancer" };
        }
        if (i.chart === "cluster-autoscaler") i.values.image.tag = "latest";
      }),
    );
    expect(v).toContain("grafana-not-public");
    expect(v).toContain("prometheus-alertmanager-not-published");
    expect(v).toContain("images-pinned-and-allowed");
  });

  it("notices a KServe model whose ScaledObject keeps one replica, and an internet-facing model Ingress", async () => {
    expect(
      await violated(mutate("kubernetes:keda.sh/v1alpha1:ScaledObject", (i) => (i.spec.minReplicaCount = 1))),
    ).toContain("inference-workloads-hardened");
    expect(
      await violated(
        mutate(
          "kubernetes:networking.k8s.io/v1:Ingress",
          (i) => (i.metadata.annotations["alb.ingress.kubernetes.io/scheme"] = "internet-facing"),
        ),
      ),
    ).toContain("no-internet-facing-model-endpoints");
  });

  it("notices the registry's server granted every bucket", async () => {
    expect(
      await violated(
        mutate("aws:iam/rolePolicy:RolePolicy", (i) => {
          const doc = JSON.parse(i.policy);
          if (doc.Statement[0]?.Sid !== "ReadWriteArtifacts") return;
          doc.Statement[0].Resource = "arn:aws:s3:::*/*";
          i.policy = JSON.stringify(doc);
        }),
      ),
    ).toContain("s3-access-names-buckets");
  });

  it("notices a pod identity role that any cluster of the account could assume", async () => {
    const roles = plan.resources.filter(
      (r) => r.type === "aws:iam/role:Role" && String(r.inputs.assumeRolePolicy).includes("pods.eks.amazonaws.com"),
    );
    expect(roles.length).toBeGreaterThan(3);
    for (const r of roles)
      expect(JSON.parse(r.inputs.assumeRolePolicy as string).Statement[0].Condition.StringEquals).toMatchObject({
        "aws:RequestTag/eks-cluster-arn": expect.stringMatching(
          /^arn:aws:eks:[a-z0-9-]+:\d{12}:cluster\/mlserving-prod/,
        ),
      });
    expect(
      await violated(
        mutate("aws:iam/role:Role", (i) => {
          const doc = JSON.parse(i.assumeRolePolicy);
          delete doc.Statement[0].Condition?.StringEquals?.["aws:RequestTag/eks-cluster-arn"];
          i.assumeRolePolicy = JSON.stringify(doc);
        }),
      ),
    ).toContain("pod-identity-trust-pinned");
  });
});
