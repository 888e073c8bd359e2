import * as pulumi from "@pulumi/pulumi";
import { existingMonitoring } from "../../components/common/handles";
import { beforeAll, describe, expect, it } from "vitest";
import { helmChartArgs } from "../../components/common/helm";
import type { RegistryHandle } from "../../components/common/handles";
import { KServeModel, scalingQuery, ServingPlatform, TritonServer } from "../../components/serving";
import type { ModelServerArgs, ModelSpec } from "../../components/serving";
import { CHARTS } from "../../components/versions";
import { KSERVE_NEURON_MODEL, TRITON_GPU_MODEL } from "../fixtures/models";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { json, modelServerBase, Plan, RecordedResource, runComponent, testCluster } from "../harness";

const cluster = () => testCluster();

/** A registry handle as ModelRegistry hands it on; built inside the mock runtime. */
const fakeRegistry = (): RegistryHandle => ({
  trackingUri: "http://mlflow.mlflow.svc.cluster.local:5000",
  credentials: { username: pulumi.output("admin"), password: pulumi.secret("pw") },
  clientNamespaces: ["serving"],
});

const resnet: ModelSpec = { ...TRITON_GPU_MODEL, replicas: { min: 1, max: 3 } };
const bert: ModelSpec = {
  ...TRITON_GPU_MODEL,
  name: "bert",
  server: "kserve",
  source: "models:/bert@champion",
  replicas: { min: 1, max: 2 },
  autoscaling: { metric: "in-flight", target: 4 },
  canary: { source: "models:/bert/8", trafficPercent: 20 },
};
const llama = KSERVE_NEURON_MODEL;

const T = {
  release: "kubernetes:helm.sh/v3:Release",
  secret: "kubernetes:core/v1:Secret",
  deployment: "kubernetes:apps/v1:Deployment",
  service: "kubernetes:core/v1:Service",
  serviceMonitor: "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
  scaledObject: "kubernetes:keda.sh/v1alpha1:ScaledObject",
  isvc: "kubernetes:serving.kserve.io/v1beta1:InferenceService",
  pdb: "kubernetes:policy/v1:PodDisruptionBudget",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  podIdentityRole: "mlserving:common:PodIdentityRole",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
};

const childrenOf = (plan: Plan, componentType: string, name: string): RecordedResource[] => {
  const parent = plan.resources.find((r) => r.type === componentType && r.name === name);
  expect(parent, `${componentType} ${name}`).toBeDefined();
  return plan.resources.filter((r) => r.parent === parent!.urn);
};

describe("ServingPlatform + TritonServer + KServeModel", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => {
      const c = cluster();
      const platform = new ServingPlatform("serving", {
        cluster: c.handle,
        kserve: true,
        registry: fakeRegistry(),
        monitoring: existingMonitoring(),
      });
      const base = modelServerBase(c.handle, platform);
      // Every model is told the Neuron kind's scheduler; only the Neuron model's pods use it.
      const schedulerNames = { neuron: "my-scheduler" };
      new TritonServer("resnet", { ...base, model: resnet, schedulerNames });
      new KServeModel("bert", { ...base, model: bert, schedulerNames });
      new KServeModel("llama", { ...base, model: llama, schedulerNames });
    });
  });

  it("installs KEDA, cert-manager and KServe from pinned charts, KServe in Standard mode", () => {
    const releases = Object.fromEntries(plan.ofType(T.release).map((r) => [r.inputs.name, r.inputs as any]));
    const pins = {
      keda: CHARTS.keda,
      "cert-manager": CHARTS.certManager,
      "kserve-crd": CHARTS.kserveCrd,
      kserve: CHARTS.kserveResources,
    };
    for (const [name, pin] of Object.entries(pins)) {
      expect(releases[name], name).toBeDefined();
      expect(releases[name], name).toMatchObject(helmChartArgs(pin));
      expect(releases[name].version, name).toBe(pin.version);
    }
    expect(releases.keda.namespace).toBe("keda");
    expect(releases.kserve.namespace).toBe("kserve");
    expect(releases.kserve.values.kserve.controller.deploymentMode).toBe("Standard");
    expect(releases.kserve.values.kserve.controller.gateway.disableIngressCreation).toBe(true);
  });

  it("installs the KServe controller after cert-manager and its CRDs", () => {
    const controller = plan.ofType(T.release).find((r) => r.inputs.name === "kserve")!;
    expect(plan.dependsOn(controller, T.release, "serving-cert-manager")).toBe(true);
    expect(plan.dependsOn(controller, T.release, "serving-kserve-crd")).toBe(true);
  });

  it("keeps the registry credentials in a Secret, as a Pulumi secret", () => {
    const secret = plan.one(T.secret, "registry-credentials").inputs as any;
    expect(secret.metadata).toMatchObject({ name: "mlflow-registry-credentials", namespace: "serving" });
    expect(secret.stringData).toBe("[secret]");
    // Nowhere else does the password appear.
    const others = plan.resources.filter((r) => r.type !== T.secret);
    expect(JSON.stringify(others.map((r) => r.inputs))).not.toContain('"pw"');
  });

  it("offers the Triton, vLLM Neuron and vLLM GPU runtimes and the models:/ and s3:// storage containers", () => {
    const runtimes = plan
      .ofType("kubernetes:serving.kserve.io/v1alpha1:ServingRuntime")
      .map((r) => (r.inputs.metadata as any).name);
    expect(runtimes.sort()).toEqual(["triton-gpu", "vllm-gpu", "vllm-neuron"]);
    const cscs = Object.fromEntries(
      plan
        .ofType("kubernetes:serving.kserve.io/v1alpha1:ClusterStorageContainer")
        .map((r) => [(r.inputs.metadata as any).name, r.inputs as any]),
    );
    expect(Object.keys(cscs).sort()).toEqual(["mlflow-models", "s3-models"]);
    expect(cscs["s3-models"].spec.supportedUriFormats).toEqual([{ prefix: "s3://" }]);
    const csc = cscs["mlflow-models"];
    expect(csc.spec.supportedUriFormats).toEqual([{ prefix: "models:/" }]);
    expect(csc.spec.container.env).toContainEqual({
      name: "MLFLOW_TRACKING_URI",
      value: "http://mlflow.mlflow.svc.cluster.local:5000",
    });
  });

  describe("TritonServer (s3 source)", () => {
    it("scrapes the Triton Service: same labels, same namespace, a port the Service has", () => {
      const sm = plan.one(T.serviceMonitor, "resnet").inputs as any;
      const svc = plan.one(T.service, "resnet").inputs as any;
      expect(sm.spec.selector.matchLabels).toEqual(svc.metadata.labels);
      expect(sm.metadata.namespace).toBe(svc.metadata.namespace);
      expect(sm.spec.namespaceSelector.matchNames).toEqual([svc.metadata.namespace]);
      expect(svc.spec.ports.map((p: any) => p.name)).toContain(sm.spec.endpoints[0].port);
      expect(sm.spec.endpoints[0].relabelings).toContainEqual(
        expect.objectContaining({ targetLabel: "mlserving_model" }),
      );
    });

    it("serves the Deployment's pods through the Service", () => {
      const d = plan.one(T.deployment, "resnet").inputs as any;
      const svc = plan.one(T.service, "resnet").inputs as any;
      expect(svc.spec.selector).toEqual(d.spec.template.metadata.labels);
      expect(d.spec.template.spec.initContainers[0].args).toEqual(["s3://models-bucket/vision/resnet/3", "/models"]);
      // An S3 model does not need the registry's credentials.
      expect(JSON.stringify(d)).not.toContain("mlflow-registry-credentials");
    });

    it("scales the Deployment by name with KEDA, after it exists", () => {
      const so = plan.one(T.scaledObject, "resnet");
      const d = plan.one(T.deployment, "resnet").inputs as any;
      expect((so.inputs.spec as any).scaleTargetRef).toEqual({
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: d.metadata.name,
      });
      expect((so.inputs.metadata as any).namespace).toBe(d.metadata.namespace);
      expect((so.inputs.spec as any).triggers[0].metadata.query).toBe(scalingQuery(resnet).query);
      expect(plan.dependsOn(so, T.deployment, "resnet")).toBe(true);
    });

    it("reads exactly its S3 prefix through a pod identity tagged model-reader", () => {
      const reader = plan.one(T.podIdentityRole, "resnet-model-reader");
      const policy = json<any>(plan.one(T.rolePolicy, "resnet-model-reader").inputs.policy);
      const get = policy.Statement.find((s: any) => s.Action === "s3:GetObject");
      expect(get.Resource).toBe("arn:aws:s3:::models-bucket/vision/resnet/3/*");
      const list = policy.Statement.find((s: any) => s.Action === "s3:ListBucket");
      expect(list.Resource).toBe("arn:aws:s3:::models-bucket");
      expect(list.Condition).toEqual({ StringLike: { "s3:prefix": ["vision/resnet/3/*", "vision/resnet/3"] } });
      expect(policy.Statement).toHaveLength(2);
      const role = plan.one(T.role, "resnet-model-reader");
      expect(role.parent).toBe(reader.urn);
      expect(role.inputs.tags).toMatchObject({
        "mlserving.io/purpose": "model-reader",
        environment: "dev",
        team: "ml",
      });
      const assoc = plan.one(T.association, "resnet-model-reader").inputs;
      expect(assoc).toMatchObject({ namespace: "serving", serviceAccount: "resnet", clusterName: "ml-test" });
      const d = plan.one(T.deployment, "resnet").inputs as any;
      expect(d.spec.template.spec.serviceAccountName).toBe(assoc.serviceAccount);
      // The pods start once the role can be assumed (a component dependency expands to its children).
      expect(plan.dependsOn(plan.one(T.deployment, "resnet"), T.association, "resnet-model-reader")).toBe(true);
      expect(plan.dependsOn(plan.one(T.deployment, "resnet"), T.rolePolicy, "resnet-model-reader")).toBe(true);
    });

    it("routes its internal Ingress to the Service's http port", () => {
      const ing = plan.one(T.ingress, "resnet").inputs as any;
      expect(ing.metadata.annotations["alb.ingress.kubernetes.io/scheme"]).toBe("internal");
      expect(ing.metadata.annotations["alb.ingress.kubernetes.io/group.name"]).toBe("ml-test-models");
      expect(ing.spec.rules[0].host).toBe("resnet.models.dev.internal");
      expect(ing.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: "resnet", port: { name: "http" } } });
    });
  });

  describe("KServeModel (models:/ source with a canary)", () => {
    it("has no AWS role: registry models are pulled through MLflow", () => {
      for (const name of ["bert", "llama"]) {
        expect(
          plan.resources.filter((r) => r.name.startsWith(`${name}-model-reader`)),
          name,
        ).toEqual([]);
        expect(
          plan.ofType(T.association).filter((a) => a.inputs.serviceAccount === name),
          name,
        ).toEqual([]);
        expect(
          childrenOf(plan, "mlserving:serving:KServeModel", name).filter(
            (r) => r.type.startsWith("aws:") || r.type === T.podIdentityRole,
          ),
          name,
        ).toEqual([]);
      }
    });

    it("creates a stable and a -canary InferenceService, each with its own source", () => {
      const isvcs = plan
        .ofType(T.isvc)
        .filter((r) => r.name.startsWith("bert-"))
        .map((r) => r.inputs as any);
      expect(isvcs.map((i) => i.metadata.name).sort()).toEqual(["bert", "bert-canary"]);
      const byName = Object.fromEntries(isvcs.map((i) => [i.metadata.name, i]));
      expect(byName.bert.spec.predictor.model.storageUri).toBe("models:/bert@champion");
      expect(byName["bert-canary"].spec.predictor.model.storageUri).toBe("models:/bert/8");
      for (const i of isvcs) {
        expect(i.metadata.annotations).toMatchObject({
          "serving.kserve.io/deploymentMode": "Standard",
          "serving.kserve.io/autoscalerClass": "external",
        });
        expect(i.spec.predictor.storageContainerName).toBe("mlflow-models");
        expect(i.spec.predictor.serviceAccountName).toBe("bert");
      }
      // Each track scales on its own traffic: the canary's 20% must not size it for 100%.
      const scalers = Object.fromEntries(
        plan.ofType(T.scaledObject).map((r) => [(r.inputs.metadata as any).name, r.inputs as any]),
      );
      expect(scalers.bert.spec.scaleTargetRef.name).toBe("bert-predictor");
      expect(scalers.bert.spec.triggers[0].metadata.query).toBe(
        scalingQuery(bert, { track: "stable", podOwner: "bert-predictor" }).query,
      );
      expect(scalers["bert-canary"].spec.scaleTargetRef.name).toBe("bert-canary-predictor");
      expect(scalers["bert-canary"].spec.triggers[0].metadata.query).toContain('mlserving_track="canary"');
      // And is sized from its 20% share: { min: 1, max: 1 } beside the stable { min: 1, max: 2 }.
      expect([scalers["bert-canary"].spec.minReplicaCount, scalers["bert-canary"].spec.maxReplicaCount]).toEqual([
        1, 1,
      ]);
      expect([
        byName["bert-canary"].spec.predictor.minReplicas,
        byName["bert-canary"].spec.predictor.maxReplicas,
      ]).toEqual([1, 1]);
      expect(scalers.bert.spec.maxReplicaCount).toBe(2);
    });

    it("protects each track with its own PodDisruptionBudget", () => {
      const pdbs = plan
        .ofType(T.pdb)
        .filter((r) => r.name.startsWith("bert-"))
        .map((r) => r.inputs as any);
      expect(pdbs.map((p) => p.metadata.name).sort()).toEqual(["bert", "bert-canary"]);
      const isvcs = Object.fromEntries(
        plan.ofType(T.isvc).map((r) => [(r.inputs.metadata as any).name, r.inputs as any]),
      );
      for (const p of pdbs) {
        // Each PDB selects exactly the pods its InferenceService labels.
        expect(isvcs[p.metadata.name].spec.predictor.labels).toMatchObject(p.spec.selector.matchLabels);
        expect(p.spec.maxUnavailable).toBe(1);
      }
      expect(pdbs.find((p) => p.metadata.name === "bert").spec.selector.matchLabels["mlserving.io/track"]).toBe(
        "stable",
      );
      expect(pdbs.find((p) => p.metadata.name === "bert-canary").spec.selector.matchLabels["mlserving.io/track"]).toBe(
        "canary",
      );
    });

    it("splits traffic 80/20 between the predictors through the Ingress' forward action", () => {
      const ing = plan.one(T.ingress, "bert");
      const inputs = ing.inputs as any;
      const action = JSON.parse(inputs.metadata.annotations["alb.ingress.kubernetes.io/actions.bert-weighted"]);
      expect(action.forwardConfig.targetGroups).toEqual([
        { serviceName: "bert-predictor", servicePort: "80", weight: 80 },
        { serviceName: "bert-canary-predictor", servicePort: "80", weight: 20 },
      ]);
      expect(inputs.spec.rules[0].http.paths[0].backend).toEqual({
        service: { name: "bert-weighted", port: { name: "use-annotation" } },
      });
      expect(inputs.metadata.annotations["alb.ingress.kubernetes.io/scheme"]).toBe("internal");
      expect(plan.dependsOn(ing, T.isvc, "bert-canary")).toBe(true);
    });
  });

  describe("KServeModel (neuron)", () => {
    it("runs on the vLLM Neuron runtime with the Neuron scheduler and devices", () => {
      const isvc = plan.one(T.isvc, "llama").inputs as any;
      const p = isvc.spec.predictor;
      expect(p.schedulerName).toBe("my-scheduler");
      expect(p.model.runtime).toBe("vllm-neuron");
      expect(p.model.resources.limits["aws.amazon.com/neuron"]).toBe("2");
      expect(p.model.args).toEqual(["--tensor-parallel-size", "4", "--max-model-len", "4096", "--max-num-seqs", "8"]);
      expect(p.tolerations).toEqual([{ key: "aws.amazon.com/neuron", operator: "Exists", effect: "NoSchedule" }]);
      // Only neuron models get the Neuron scheduler.
      for (const i of plan.ofType(T.isvc).filter((r) => r.name.startsWith("bert-")))
        expect((i.inputs.spec as any).predictor.schedulerName).toBeUndefined();
      expect((plan.one(T.deployment, "resnet").inputs.spec as any).template.spec.schedulerName).toBeUndefined();
    });
  });

  it("authors only objects that validate against their upstream schemas", () => {
    const authored = plan.resources.filter(
      (r) =>
        r.custom && r.type.startsWith("kubernetes:") && r.type !== T.release && !r.type.startsWith("pulumi:providers:"),
    );
    const servingObjects = authored.filter(
      (r) => (r.inputs.metadata as any)?.namespace === "serving" || r.type.includes("ClusterStorageContainer"),
    );
    expect(servingObjects.length).toBeGreaterThan(15);
    for (const r of servingObjects) {
      expect(() => validateAgainstUpstreamSchema(r.inputs), `${r.type} ${r.name}`).not.toThrow();
    }
  });

  it("uses the cluster's Kubernetes provider for every Kubernetes object", () => {
    const k8sObjects = plan.resources.filter(
      (r) => r.custom && r.type.startsWith("kubernetes:") && (r.inputs.metadata as any)?.namespace === "serving",
    );
    for (const r of k8sObjects) expect(r.provider, r.name).toMatch(/pulumi:providers:kubernetes/);
  });
});

describe("model servers refuse invalid models, naming the field, before building anything", () => {
  const args = (model: ModelSpec): ModelServerArgs => ({
    cluster: undefined as never,
    platform: {
      trackingUri: "http://mlflow.mlflow.svc.cluster.local:5000",
      kserveRuntimes: ["triton", "vllm-neuron"],
    } as never,
    model,
    environment: "dev",
    ingressDomain: "models.dev.internal",
    ingressGroup: "g",
    monitoring: existingMonitoring(),
  });

  it("refuses GPUs on a neuron model", () => {
    expect(() => new KServeModel("bad", args({ ...llama, resources: { gpus: 1, cpu: "8", memory: "64Gi" } }))).toThrow(
      /KServeModel "bad"[\s\S]*model\.resources\.gpus: a neuron model requests neuronDevices, not GPUs/,
    );
  });

  it("refuses Triton on Neuron, a canary on Triton and min > max", () => {
    expect(() => new TritonServer("bad", args({ ...llama, server: "triton" }))).toThrow(
      /model\.server: Triton has no Neuron build/,
    );
    expect(
      () =>
        new TritonServer(
          "bad",
          args({ ...resnet, canary: { source: "s3://models-bucket/vision/resnet/4", trafficPercent: 10 } }),
        ),
    ).toThrow(/model\.canary: canaries are offered for kserve models/);
    expect(() => new TritonServer("bad", args({ ...resnet, replicas: { min: 4, max: 2 } }))).toThrow(
      /model\.replicas: min must not exceed max/,
    );
    expect(() => new KServeModel("bad", args({ ...bert, source: "models:/bert" }))).toThrow(
      /model\.source: must be s3:\/\//,
    );
  });

  it("registers nothing when the model is invalid", async () => {
    const plan = await runComponent(() => {
      const c = cluster();
      const platform = new ServingPlatform("serving", { cluster: c.handle, monitoring: existingMonitoring() });
      try {
        new KServeModel("bad", {
          ...args({ ...llama, resources: { gpus: 1, cpu: "8", memory: "64Gi" } }),
          cluster: c.handle,
          platform,
        });
      } catch (e) {
        return e;
      }
      return undefined;
    });
    expect(plan.result).toBeInstanceOf(Error);
    expect(plan.resources.filter((r) => r.name.startsWith("bad"))).toEqual([]);
  });

  it("refuses a models:/ source on a platform that has no registry", async () => {
    const plan = await runComponent(() => {
      const c = cluster();
      const platform = new ServingPlatform("serving", { cluster: c.handle, monitoring: existingMonitoring() });
      try {
        new TritonServer("resnet", {
          ...args({ ...resnet, source: "models:/resnet@champion" }),
          cluster: c.handle,
          platform,
        });
      } catch (e) {
        return e;
      }
      return undefined;
    });
    // Without a registry the fetcher would run with no MLFLOW_TRACKING_URI and fail only in the pod.
    expect(plan.result).toBeInstanceOf(Error);
    expect(String(plan.result)).toMatch(/model\.source: .*registry/i);
  });
});

describe("KServeModel with mounted weights (mountWeights)", () => {
  const KEY = "arn:aws:kms:us-west-2:111122223333:key/registry";
  const chat: ModelSpec = {
    ...TRITON_GPU_MODEL,
    name: "chat",
    server: "kserve",
    runtime: "vllm",
    source: "models:/chat@production",
    pinnedVersion: 3,
    mountWeights: true,
    autoscaling: { metric: "kv-cache", target: 70 },
    canary: { source: "s3://models-bucket/chat/4", trafficPercent: 10 },
  };
  /** The chat model on a KServe platform whose registry is `registry`. */
  const serveChat = (registry: RegistryHandle) => {
    const c = cluster();
    const platform = new ServingPlatform("serving", {
      cluster: c.handle,
      kserve: true,
      registry,
      monitoring: existingMonitoring(),
    });
    return new KServeModel("chat", {
      ...modelServerBase(c.handle, platform, { environment: "staging", ingressDomain: "models.staging.internal" }),
      model: chat,
    });
  };
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() =>
      serveChat({ ...fakeRegistry(), weightsStore: { bucket: pulumi.output("registry-artifacts"), keyArn: KEY } }),
    );
  });

  it("mounts each track's prefix read-only and points its InferenceService at the claim", () => {
    const volumes = plan.ofType("kubernetes:core/v1:PersistentVolume").map((r) => r.inputs as any);
    const byPrefix = Object.fromEntries(
      volumes.map((v) => [v.spec.mountOptions.find((o: string) => o.startsWith("prefix ")), v]),
    );
    expect(Object.keys(byPrefix).sort()).toEqual(["prefix chat/4/", "prefix mlserving-weights/serving/chat/3/"]);
    expect(byPrefix["prefix mlserving-weights/serving/chat/3/"].spec.csi.volumeAttributes.bucketName).toBe(
      "registry-artifacts",
    );
    expect(byPrefix["prefix chat/4/"].spec.csi.volumeAttributes.bucketName).toBe("models-bucket");
    for (const r of plan.ofType("kubernetes:core/v1:PersistentVolumeClaim")) validateAgainstUpstreamSchema(r.inputs);
    for (const isvc of plan.ofType(T.isvc)) {
      const predictor = (isvc.inputs as any).spec.predictor;
      expect(predictor.model.storageUri).toMatch(/^pvc:\/\/chat(-canary)?-wt-[0-9a-f]{8}$/);
      expect(predictor).not.toHaveProperty("storageContainerName");
      expect(plan.dependsOn(isvc, "kubernetes:core/v1:PersistentVolumeClaim")).toBe(true);
    }
  });

  it("stages the registry version once, before the stable track moves; the S3 canary needs no Job", () => {
    const jobs = plan.ofType("kubernetes:batch/v1:Job");
    expect(jobs.map((j) => (j.inputs as any).spec.template.spec.containers[0].args)).toEqual([
      ["models:/chat/3", "registry-artifacts", "mlserving-weights/serving/chat/3/"],
    ]);
    validateAgainstUpstreamSchema(jobs[0].inputs);
    const stable = plan.ofType(T.isvc).find((r) => (r.inputs as any).metadata.name === "chat")!;
    expect(plan.dependsOn(stable, "kubernetes:batch/v1:Job")).toBe(true);
    expect(plan.dependsOn(jobs[0], T.association, "chat-weights-stager")).toBe(true);
    expect(plan.dependsOn(jobs[0], T.rolePolicy, "chat-weights-stager")).toBe(true);
  });

  it("lets the model read its staged prefix and canary prefix, and only the stager write", () => {
    const policy = (name: string) =>
      json<{ Statement: { Sid: string; Action: string | string[]; Resource: string }[] }>(
        plan.one(T.rolePolicy, name).inputs.policy,
      );
    const reader = policy("chat-model-reader");
    expect(reader.Statement.filter((s) => s.Action === "s3:GetObject").map((s) => s.Resource)).toEqual([
      "arn:aws:s3:::models-bucket/chat/4/*",
      "arn:aws:s3:::registry-artifacts/mlserving-weights/serving/chat/3/*",
    ]);
    expect(reader.Statement).toContainEqual(expect.objectContaining({ Action: "kms:Decrypt", Resource: KEY }));
    expect(new Set(reader.Statement.map((s) => s.Sid)).size).toBe(reader.Statement.length);
    const stager = policy("chat-weights-stager");
    expect(stager.Statement.find((s) => [s.Action].flat().includes("s3:PutObject"))?.Resource).toBe(
      "arn:aws:s3:::registry-artifacts/mlserving-weights/serving/chat/3/*",
    );
    const association = plan
      .ofType(T.association)
      .map((r) => r.inputs as any)
      .find((a) => a.serviceAccount === "chat-weights");
    expect(association).toMatchObject({ namespace: "serving" });
  });

  it("refuses to stage a models:/ version where no registry bucket is named, before registering anything", async () => {
    const refused = await runComponent(() => {
      try {
        serveChat(fakeRegistry());
      } catch (e) {
        return e;
      }
      return undefined;
    });
    expect(String(refused.result)).toMatch(/model\.mountWeights: .*registry's bucket/);
    expect(refused.resources.filter((r) => r.name.startsWith("chat"))).toEqual([]);
  });
});
