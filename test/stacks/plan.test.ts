import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { authoredKubernetesObjects } from "../../cli/manifests";
import { runPlan, PlanOutcome } from "../../cli/planner";
import { allPolicies } from "../../policies/rules";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { CLUSTER_AUTOSCALER_METRICS, KARPENTER_METRICS } from "../../components/capacity";
import { dcgmExporterServiceLabels } from "../../components/common/accelerators";
import { ISTIOD_METRICS, KEDA_OPERATOR_METRICS, KSERVE_CONTROLLER_METRICS } from "../../components/serving";
import { EXTERNAL_DNS_METRICS } from "../../components/cluster";
import { IMAGES, imageRef } from "../../components/versions";
import { VLLM_GPU_SERVER_START } from "../../components/serving/runtimes/vllm-gpu";

/** Services that charts create (not in the plan), with the labels and metrics port their templates give them. */
const CHART_SERVICES = [
  { serviceLabels: dcgmExporterServiceLabels(), port: "metrics" },
  KARPENTER_METRICS,
  CLUSTER_AUTOSCALER_METRICS,
  KSERVE_CONTROLLER_METRICS,
  EXTERNAL_DNS_METRICS,
  { serviceLabels: KEDA_OPERATOR_METRICS.serviceLabels, port: KEDA_OPERATOR_METRICS.port },
  ISTIOD_METRICS,
];

const stacksDir = join(__dirname, "..", "..", "stacks");
type Planned = Extract<PlanOutcome, { kind: "planned" }>;

describe.each(["dev", "staging", "prod"])("stack %s", (stack) => {
  let plan: Planned;
  beforeAll(async () => {
    const outcome = await runPlan({ stack, configPath: join(stacksDir, `Pulumi.${stack}.yaml`) });
    if (outcome.kind !== "planned") throw new Error(`${stack} did not plan: ${JSON.stringify(outcome)}`);
    plan = outcome;
  });

  it("plans with no mandatory policy violation", () => {
    expect(plan.report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    expect(plan.report.policies).toBe(allPolicies.length);
  });

  it("writes cost.json: the envelope per component, pool and model, the budget it is held to, capacity findings", () => {
    const cost = JSON.parse(plan.files["cost.json"]);
    expect(cost).toMatchObject({ project: "mlserving", stack, currency: "USD", hoursPerMonth: 730 });
    expect(cost.floor.totalUsd).toBeGreaterThan(0);
    expect(cost.ceiling.totalUsd).toBeGreaterThan(cost.floor.totalUsd);
    expect(cost.components.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(["network", "cluster", "serving", "registry", "monitoring"]),
    );
    expect(cost.pools.length).toBeGreaterThan(0);
    expect(cost.models.length).toBeGreaterThan(0);
    expect(cost.budget).toMatchObject({ withinBudget: true, ceilingUsd: cost.ceiling.totalUsd });
    for (const f of cost.capacity.findings) expect(f.path).toMatch(/^mlserving:/);
    expect(plan.report.violations.filter((v) => v.policy === "monthly-cost-within-budget")).toEqual([]);
  });

  it("writes cold-start.json: the cold-start floor of every model, each phase with its basis", () => {
    const coldStart = JSON.parse(plan.files["cold-start.json"]);
    expect(coldStart).toMatchObject({ project: "mlserving", stack });
    expect(coldStart.models.length).toBeGreaterThan(0);
    for (const m of coldStart.models) {
      expect(m.newNodeSeconds).toBeGreaterThan(0);
      for (const p of m.phases) expect(p.basis.length, `${m.model} ${p.phase}`).toBeGreaterThan(10);
      for (const w of m.warnings) expect(w.path).toMatch(/^mlserving:serving\.models\[\d+\]/);
    }
    if (stack !== "dev") {
      // The LLM examples state their weights, so their floor counts the download and vLLM's start. On a
      // new node it is beyond the notice (staging); prod's warm node holds the images, so only the
      // mounted weights and the server's start remain.
      const llm = coldStart.models.find((m: { model: string }) => m.model === "support-llm");
      expect(llm.phases.map((p: { phase: string }) => p.phase)).toEqual(["node", "images", "weights", "server"]);
      expect(llm.phases.every((p: { seconds?: number }) => p.seconds !== undefined)).toBe(true);
      expect(llm.runningNodeSeconds).toBeGreaterThan(0);
      // Every shipped model states its weights, so no weights phase is unknown.
      for (const m of coldStart.models)
        expect(m.phases.find((p: { phase: string }) => p.phase === "weights").seconds, m.model).toBeGreaterThan(0);
      const server = llm.phases.find((p: { phase: string }) => p.phase === "server");
      if (stack === "prod") {
        // Prod compiles at every start (no compileCache): all of the warm-node replacement is counted,
        // weights and vLLM's own start, and it is within the notice, so prod is not warned for it.
        expect(server).toMatchObject({ seconds: VLLM_GPU_SERVER_START.uncached.seconds });
        expect(server.notCounted).toBeUndefined();
        expect(llm.replacement).toMatchObject({
          lands: "warm-node",
          seconds: llm.runningNodeSeconds,
          withinNotice: true,
        });
        expect(llm.runningNodeSeconds).toBeLessThan(120);
        expect(llm.warnings).toEqual([]);
      } else {
        // Staging keeps vLLM's compile cache (compileCache): the server phase is the cached start, and
        // the cache's download, which no source sizes, is listed as not counted.
        expect(server).toMatchObject({ seconds: VLLM_GPU_SERVER_START.cached.seconds });
        expect(server.notCounted).toEqual([expect.stringMatching(/downloading the compile cache/)]);
        // Staging is not warned: the plan says it, prod is where a lost replica is felt.
        expect(llm.replacement).toMatchObject({ lands: "new-node", withinNotice: false });
        expect(llm.warnings).toEqual([]);
      }
    }
  });

  it("holds prod's warm nodes with placeholders that pre-pull every image their pool's models pull", () => {
    const warm = plan.resources.filter(
      (r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as any).metadata.name.startsWith("warm-headroom-"),
    );
    if (stack !== "prod") {
      expect(warm).toEqual([]);
      return;
    }
    const byPool = Object.fromEntries(warm.map((d) => [(d.inputs as any).metadata.name, (d.inputs as any).spec]));
    expect(Object.keys(byPool).sort()).toEqual(["warm-headroom-gpu", "warm-headroom-inferentia"]);
    const gpu = byPool["warm-headroom-gpu"].template.spec;
    // Through prod's ECR pull-through cache (images.pullThroughCache), as the replicas pull them; Triton stays on nvcr.io.
    const cached = "123456789012.dkr.ecr.us-east-1.amazonaws.com/mlserving-prod";
    expect(gpu.initContainers.map((c: any) => c.image)).toEqual(
      expect.arrayContaining([
        `${cached}/docker-hub/vllm/vllm-openai:${IMAGES.vllmOpenai.tag}`,
        imageRef(IMAGES.tritonServer),
        `${cached}/github/mlflow/mlflow:${IMAGES.mlflow.tag}`,
      ]),
    );
    // support-llm's 4 CPUs and 24 GiB: the largest GPU replica of the pool.
    expect(gpu.containers[0].resources.requests).toMatchObject({
      cpu: "4000m",
      memory: "24576Mi",
      "nvidia.com/gpu": "1",
    });
  });

  it("serves the LLM example from weights staged once and mounted read-only, never downloaded at pod start", () => {
    const llm = plan.resources.find(
      (r) =>
        r.type === "kubernetes:serving.kserve.io/v1beta1:InferenceService" &&
        (r.inputs as any).metadata.name === "support-llm",
    );
    if (stack === "dev") {
      expect(llm).toBeUndefined();
      return;
    }
    const storageUri: string = (llm!.inputs as any).spec.predictor.model.storageUri;
    expect(storageUri).toMatch(/^pvc:\/\/support-llm-wt-[0-9a-f]{8}$/);
    const claim = plan.resources.find(
      (r) =>
        r.type === "kubernetes:core/v1:PersistentVolumeClaim" &&
        `pvc://${(r.inputs as any).metadata.name}` === storageUri,
    )!;
    const volume = plan.resources.find(
      (r) =>
        r.type === "kubernetes:core/v1:PersistentVolume" &&
        (r.inputs as any).metadata.name === (claim.inputs as any).spec.volumeName,
    )!;
    expect((volume.inputs as any).spec.mountOptions).toContain("prefix mlserving-weights/serving/support-llm/3/");
    // The stable track's Job (staging also stages its LoRA adapter and other tracks' versions).
    const job = plan.resources.find(
      (r) =>
        r.type === "kubernetes:batch/v1:Job" &&
        (r.inputs as any).spec.template.spec.containers[0].args[0] === "models:/support-llm/3",
    )!;
    expect(job).toBeDefined();
    expect(llm!.dependsOn).toEqual(expect.arrayContaining([claim.urn, job.urn]));
    const addon = plan.resources.find(
      (r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "aws-mountpoint-s3-csi-driver",
    );
    expect(addon).toBeDefined();
  });

  it("creates no EC2 Spot service-linked role (CreateServiceLinkedRole fails where the account has one); Karpenter may create it itself", () => {
    expect(plan.resources.filter((r) => r.type === "aws:iam/serviceLinkedRole:ServiceLinkedRole")).toEqual([]);
    const karpenterIam = plan.resources.find(
      (r) => r.type === "aws:iam/policy:Policy" && String((r.inputs as any).description).endsWith(": iam-integration"),
    );
    if (stack === "dev") {
      expect(karpenterIam).toBeUndefined();
      return;
    }
    const statements = JSON.parse((karpenterIam!.inputs as any).policy).Statement;
    expect(statements.find((st: any) => st.Action === "iam:CreateServiceLinkedRole")).toEqual({
      Sid: "AllowSpotServiceLinkedRoleCreation",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: expect.stringMatching(
        /^arn:aws:iam::\d{12}:role\/aws-service-role\/spot\.amazonaws\.com\/AWSServiceRoleForEC2Spot$/,
      ),
      Condition: { StringEquals: { "iam:AWSServiceName": "spot.amazonaws.com" } },
    });
  });

  it("makes every model host resolve inside the VPC: a private zone for the domain, ExternalDNS writing the Ingress hosts", () => {
    const zones = plan.resources.filter((r) => r.type === "aws:route53/zone:Zone");
    expect(zones).toHaveLength(1);
    const zone = zones[0].inputs as any;
    const vpc = plan.resources.find((r) => r.type === "awsx:ec2:Vpc")!;
    expect(zone.vpcs).toHaveLength(1);
    expect(zone.vpcs[0].vpcId).toMatch(/^vpc-/);
    expect(zone.vpcs[0].vpcRegion).toBe(stack === "prod" ? "us-east-1" : "us-west-2");
    expect(vpc).toBeDefined();
    expect(zones[0].protect).toBe(stack === "prod");
    const ingresses = plan.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress");
    const modelHosts = ingresses
      .filter((r) => (r.inputs as any).metadata.namespace !== "mlflow")
      .flatMap((r) => (r.inputs as any).spec.rules.map((rule: any) => rule.host));
    expect(modelHosts.length).toBeGreaterThan(0);
    for (const host of modelHosts) expect(host.endsWith(`.${zone.name}`), host).toBe(true);
    const externalDns = plan.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).name === "external-dns",
    )!;
    const values = (externalDns.inputs as any).values;
    expect(values.domainFilters).toEqual([zone.name]);
    expect(values.sources).toContain("ingress");
    expect(values.extraArgs["aws-zone-type"]).toBe("private");
  });

  it("records every resource with its parent, and parents exist", () => {
    const urns = new Set(plan.resources.map((r) => r.urn));
    for (const r of plan.resources) if (r.parent) expect(urns.has(r.parent), r.urn).toBe(true);
    expect(plan.resources.filter((r) => r.parent === null).map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("validates every Kubernetes object the kit authors against its upstream schema", () => {
    const objects = authoredKubernetesObjects(plan.resources);
    expect(objects.length).toBeGreaterThan(0);
    for (const obj of objects) validateAgainstUpstreamSchema(obj);
  });

  it("has every ServiceMonitor select a real Service: labels, namespace and port name", () => {
    const services = plan.resources.filter((r) => r.type === "kubernetes:core/v1:Service").map((r) => r.inputs as any);
    const monitors = plan.resources
      .filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:ServiceMonitor")
      .map((r) => r.inputs as any);
    expect(monitors.length).toBeGreaterThanOrEqual(3);
    for (const sm of monitors) {
      const selector = sm.spec.selector.matchLabels as Record<string, string>;
      const port = sm.spec.endpoints[0].port;
      expect(sm.spec.namespaceSelector.matchNames, sm.metadata.name).toEqual([sm.metadata.namespace]);
      const kitService = services.find(
        (svc) =>
          svc.metadata.namespace === sm.metadata.namespace &&
          Object.entries(selector).every(([k, v]) => svc.metadata.labels?.[k] === v),
      );
      if (kitService) {
        expect(
          kitService.spec.ports.map((p: any) => p.name),
          sm.metadata.name,
        ).toContain(port);
      } else {
        expect(CHART_SERVICES, `ServiceMonitor ${sm.metadata.name} selects no known Service`).toContainEqual({
          serviceLabels: selector,
          port,
        });
      }
    }
  });

  it("creates every Ingress after the AWS Load Balancer Controller (its webhook validates them)", () => {
    const lbc = plan.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "aws-load-balancer-controller",
    )!;
    const ingresses = plan.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress");
    expect(ingresses.length).toBeGreaterThan(0);
    for (const ing of ingresses) expect(ing.dependsOn, ing.urn).toContain(lbc.urn);
  });

  it("writes the documented artifacts", () => {
    const resourcesJson = JSON.parse(plan.files["resources.json"]);
    expect(resourcesJson).toMatchObject({ project: "mlserving", stack });
    expect(Object.keys(resourcesJson.resources[0]).sort()).toEqual([
      "custom",
      "dependsOn",
      "inputs",
      "name",
      "parent",
      "protect",
      "provider",
      "retainOnDelete",
      "type",
      "urn",
    ]);
    // Protection is recorded for every resource, as registered: prod protects its state, others do not.
    for (const r of resourcesJson.resources) {
      expect(typeof r.protect, r.urn).toBe("boolean");
      expect(typeof r.retainOnDelete, r.urn).toBe("boolean");
    }
    // Prod protects its database; it is not kept on destroy inside the VPC the stack creates
    // (a kept instance would stop the VPC's deletion): its final snapshot keeps the data.
    const db = resourcesJson.resources.find((r: any) => r.type === "aws:rds/instance:Instance");
    expect({ protect: db.protect, retainOnDelete: db.retainOnDelete }).toEqual(
      stack === "prod" ? { protect: true, retainOnDelete: false } : { protect: false, retainOnDelete: false },
    );
    const bucket = resourcesJson.resources.find((r: any) => r.type === "aws:s3/bucket:Bucket");
    expect({ protect: bucket.protect, retainOnDelete: bucket.retainOnDelete }).toEqual(
      stack === "prod" ? { protect: true, retainOnDelete: true } : { protect: false, retainOnDelete: false },
    );
    expect(JSON.parse(plan.files["policy-report.json"])).toHaveProperty("violations");
    expect(plan.files["manifests/helm-releases.yaml"]).toContain("aws-load-balancer-controller");
  });

  it("lets NeuronCoresIdle tolerate as many idle Inferentia instances as the Neuron models' replica floors", () => {
    const floors: Record<string, number> = { dev: 0, staging: 0, prod: 2 }; // prod: assistant, min 2, no canary
    const rule = plan.resources.find(
      (r) =>
        r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule" &&
        (r.inputs as any).metadata.name === "mlserving-alerts",
    )!;
    const neuron = (rule.inputs as any).spec.groups
      .flatMap((g: { rules: { alert: string; expr: string }[] }) => g.rules)
      .find((r: { alert: string }) => r.alert === "NeuronCoresIdle");
    // The platform's floors, plus the teams' running Neuron model replicas (counted at run time).
    expect(neuron.expr).toContain(`\n> (${floors[stack]} + (count(`);
  });
});
