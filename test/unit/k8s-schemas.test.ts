import { describe, expect, it } from "vitest";
import { inferenceService, mlflowStorageContainer, scaledObject, TRITON } from "../../components/serving";
import type { ModelSpec } from "../../components/serving";
import { ec2NodeClassSpec, nodePoolSpec } from "../../components/capacity";
import { podMonitor, serviceMonitor } from "../../components/common";
import { prometheusRule } from "../../components/monitoring";
import { CHARTS, CRD_RELEASES, KUBERNETES_VERSION } from "../../components/versions";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { CRD_SCHEMAS, KUBERNETES_SCHEMA } from "../schemas/extract";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const model: ModelSpec = {
  name: "m",
  server: "kserve",
  accelerator: "nvidia",
  runtime: "triton",
  source: "models:/m/1",
  replicas: { min: 1, max: 2 },
  autoscaling: { metric: "queue-time", target: 10 },
  resources: { cpu: "1", memory: "1Gi" },
};

describe("upstream schema validation", () => {
  it("accepts the kit's KServe and KEDA objects", () => {
    validateAgainstUpstreamSchema(
      inferenceService({ model, track: "stable", name: "m", source: model.source, serviceAccountName: "m" }),
    );
    validateAgainstUpstreamSchema(TRITON.servingRuntime("serving"));
    validateAgainstUpstreamSchema(mlflowStorageContainer("http://mlflow:5000", "us-west-2"));
    validateAgainstUpstreamSchema(scaledObject(model, "m"));
  });

  it("rejects a misspelt InferenceService field, a wrong type and an unknown kind", () => {
    const isvc = inferenceService({
      model,
      track: "stable",
      name: "m",
      source: model.source,
      serviceAccountName: "m",
    }) as any;
    expect(() =>
      validateAgainstUpstreamSchema({ ...isvc, spec: { predictor: { ...isvc.spec.predictor, minReplica: 1 } } }),
    ).toThrow(/additional propert/);
    expect(() =>
      validateAgainstUpstreamSchema({ ...isvc, spec: { predictor: { ...isvc.spec.predictor, maxReplicas: "many" } } }),
    ).toThrow(/must be integer/);
    const so = scaledObject(model, "m") as any;
    expect(() => validateAgainstUpstreamSchema({ ...so, spec: { ...so.spec, minReplicaCount: "one" } })).toThrow(
      /minReplicaCount must be integer/,
    );
    expect(() => validateAgainstUpstreamSchema({ apiVersion: "example.com/v1", kind: "Widget" })).toThrow(
      /no upstream schema/,
    );
  });

  /** One object per kind whose schema replaced a models package, with a path to a field inside it. */
  const samples: { object: Record<string, any>; misspell: (o: any) => void }[] = [
    {
      object: {
        apiVersion: "karpenter.sh/v1",
        kind: "NodePool",
        metadata: { name: "gpu" },
        spec: nodePoolSpec({
          name: "gpu",
          kind: "nvidia",
          nodeClassName: "gpu",
          instanceTypes: ["g6.xlarge"],
          maxDevices: 8,
          onDemandFallback: true,
          os: "al2023",
        }),
      },
      misspell: (o) => (o.spec.template.spec.expireAfer = "720h"),
    },
    {
      object: {
        apiVersion: "karpenter.k8s.aws/v1",
        kind: "EC2NodeClass",
        metadata: { name: "gpu" },
        spec: ec2NodeClassSpec({
          name: "gpu",
          clusterName: "c1",
          nodeRoleName: "node",
          amiRelease: "v20260724",
          bottlerocketRelease: "v1.61.0",
          rootVolumeGiB: 200,
          tags: {},
        }),
      },
      misspell: (o) => (o.spec.metadataOptions.httpToken = "required"),
    },
    { object: scaledObject(model, "m"), misspell: (o) => (o.spec.minReplicas = 1) },
    {
      object: serviceMonitor({ name: "m", namespace: "serving", serviceLabels: { app: "m" }, port: "metrics" }),
      misspell: (o) => (o.spec.endpoints[0].scrapeInterval = "30s"),
    },
    {
      object: podMonitor({ name: "m", namespace: "serving", podLabels: { app: "m" }, port: "metrics" }),
      misspell: (o) => (o.spec.podMetricEndpoints = o.spec.podMetricsEndpoints),
    },
    { object: prometheusRule("monitoring"), misspell: (o) => (o.spec.groups[0].rules[0].expression = "up") },
    {
      object: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "m", namespace: "serving" },
        spec: {
          selector: { matchLabels: { app: "m" } },
          template: {
            metadata: { labels: { app: "m" } },
            spec: { containers: [{ name: "m", image: "m:1", resources: { limits: { cpu: 1, memory: "1Gi" } } }] },
          },
        },
      },
      misspell: (o) => (o.spec.template.spec.containers[0].imagePullPolicyy = "Always"),
    },
  ];
  it.each(samples.map((s) => [`${s.object.kind}`, s] as const))(
    "accepts the kit's %s and rejects a misspelt field in it",
    (_, { object, misspell }) => {
      validateAgainstUpstreamSchema(object);
      const bad = structuredClone(object);
      misspell(bad);
      expect(() => validateAgainstUpstreamSchema(bad)).toThrow(/must NOT have additional properties/);
    },
  );

  it("checks Kubernetes' own values as the API server decodes them", () => {
    const deployment = samples.find((s) => s.object.kind === "Deployment")!.object;
    const withLimits = (limits: Record<string, unknown>) => {
      const o = structuredClone(deployment);
      o.spec.template.spec.containers[0].resources.limits = limits;
      return o;
    };
    validateAgainstUpstreamSchema(withLimits({ cpu: "500m", memory: 1073741824 }));
    expect(() => validateAgainstUpstreamSchema(withLimits({ memory: "1 GiB" }))).toThrow(/must match pattern/);
    const replicas = (n: unknown) => ({ ...deployment, spec: { ...deployment.spec, replicas: n } });
    expect(() => validateAgainstUpstreamSchema(replicas(2 ** 31))).toThrow(/must be <=/);
    expect(() => validateAgainstUpstreamSchema(replicas("2"))).toThrow(/must be integer/);
    const pdb = (maxUnavailable: unknown) => ({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "m" },
      spec: { maxUnavailable, selector: { matchLabels: { app: "m" } } },
    });
    validateAgainstUpstreamSchema(pdb(1));
    validateAgainstUpstreamSchema(pdb("25%"));
    expect(() => validateAgainstUpstreamSchema(pdb(true))).toThrow(/maxUnavailable must match a schema in anyOf/);
    expect(() =>
      validateAgainstUpstreamSchema({ ...deployment, metadata: { ...deployment.metadata, label: { a: "b" } } }),
    ).toThrow(/additional propert/);
  });

  it("holds every committed custom-resource schema to the release the kit pins (read from what each file says it came from)", () => {
    const pinned: Record<string, string> = {
      "kubernetes-sigs/gateway-api": CRD_RELEASES.gatewayApi.tag,
      "kubernetes-sigs/gateway-api-inference-extension": CRD_RELEASES.inferenceExtension.tag,
      "istio/istio": CHARTS.istioBase.version,
      "aws/karpenter-provider-aws": `v${CHARTS.karpenter.version}`,
      "kedacore/keda": `v${CHARTS.keda.version}`,
      "kserve/kserve": CHARTS.kserveCrd.version,
      "prometheus-community/helm-charts": `kube-prometheus-stack-${CHARTS.kubePrometheusStack.version}`,
    };
    const dir = join(__dirname, "../schemas");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "kubernetes.json");
    expect(files.length).toBeGreaterThanOrEqual(16);
    for (const f of files) {
      const comment = String(JSON.parse(readFileSync(join(dir, f), "utf8")).$comment);
      const from = / from ([\w.-]+\/[\w.-]+) (\S+) /.exec(comment);
      expect(from, `${f}: names no upstream release`).not.toBeNull();
      expect(from![2], `${f} (${from![1]})`).toBe(pinned[from![1]!]);
    }
  });

  it("reads every schema from the version the kit pins", () => {
    const pinned: Record<string, string> = {
      "aws/karpenter-provider-aws": `v${CHARTS.karpenter.version}`,
      "kedacore/keda": `v${CHARTS.keda.version}`,
      "prometheus-community/helm-charts": `kube-prometheus-stack-${CHARTS.kubePrometheusStack.version}`,
    };
    for (const s of CRD_SCHEMAS) expect(s.source.tag, s.file).toBe(pinned[s.source.repository]);
    expect(KUBERNETES_SCHEMA.kubernetes.tag).toMatch(new RegExp(`^v${KUBERNETES_VERSION.replace(".", "\\.")}\\.\\d+$`));
    // Each committed file is what the script wrote from that source.
    const dir = join(__dirname, "../schemas");
    for (const s of [...CRD_SCHEMAS, KUBERNETES_SCHEMA]) {
      const doc = JSON.parse(readFileSync(join(dir, s.file), "utf8"));
      expect(doc.source, s.file).toEqual(s.source);
    }
  });
});
