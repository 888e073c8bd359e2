import { describe, expect, it } from "vitest";
import {
  alertReceiverInProd,
  grafanaNotPublic,
  imagesPinnedAndAllowed,
  inferenceWorkloadsHardened,
  modelReadersLeastPrivilege,
  noInternetFacingInProd,
  prometheusStoragePersistent,
} from "../../policies/rules";
import { unpinnedReason } from "../../policies/rules/serving";
import { resource, violations } from "./policy-harness";

const deployment = (containerExtra: Record<string, unknown> = {}) =>
  resource(
    "kubernetes:apps/v1:Deployment",
    {
      metadata: { name: "m", namespace: "serving" },
      spec: {
        template: {
          metadata: { labels: { "mlserving.io/model": "m" } },
          spec: {
            containers: [
              {
                name: "triton",
                image: "nvcr.io/nvidia/tritonserver:26.07-py3",
                resources: { limits: { memory: "8Gi" } },
                readinessProbe: { httpGet: { path: "/v2/health/ready", port: "http" } },
                ...containerExtra,
              },
            ],
          },
        },
      },
    },
    { name: "m" },
  );
const pdb = resource(
  "kubernetes:policy/v1:PodDisruptionBudget",
  {
    metadata: { namespace: "serving" },
    spec: { maxUnavailable: 1, selector: { matchLabels: { "mlserving.io/model": "m" } } },
  },
  { name: "pdb" },
);
const scaler = (min: number) =>
  resource(
    "kubernetes:keda.sh/v1alpha1:ScaledObject",
    { metadata: { namespace: "serving" }, spec: { scaleTargetRef: { name: "m" }, minReplicaCount: min } },
    { name: "so" },
  );

describe("inference-workloads-hardened", () => {
  it("flags missing limits, readiness probe and PDB, and a single replica in prod", async () => {
    const msgs = await violations(
      inferenceWorkloadsHardened,
      [deployment({ resources: {}, readinessProbe: undefined }), scaler(1)],
      { environment: "prod" },
    );
    expect(msgs).toEqual([
      expect.stringMatching(/no resource limits/),
      expect.stringMatching(/no readiness probe/),
      expect.stringMatching(/no PodDisruptionBudget/),
      expect.stringMatching(/prod needs at least 2/),
    ]);
  });
  it("accepts a hardened server with 2 replicas in prod, and 1 in dev", async () => {
    expect(
      await violations(inferenceWorkloadsHardened, [deployment(), pdb, scaler(2)], { environment: "prod" }),
    ).toEqual([]);
    expect(
      await violations(inferenceWorkloadsHardened, [deployment(), pdb, scaler(1)], { environment: "dev" }),
    ).toEqual([]);
  });
  it("reads an InferenceService's probe from its ServingRuntime and its floor from minReplicas", async () => {
    const runtime = resource(
      "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
      {
        metadata: { name: "rt", namespace: "serving" },
        spec: {
          containers: [
            {
              name: "kserve-container",
              image: "nvcr.io/nvidia/tritonserver:26.07-py3",
              readinessProbe: { httpGet: { path: "/v2/health/ready", port: 8080 } },
            },
          ],
        },
      },
      { name: "rt" },
    );
    const isvc = (minReplicas: number) =>
      resource(
        "kubernetes:serving.kserve.io/v1beta1:InferenceService",
        {
          metadata: { namespace: "serving" },
          spec: {
            predictor: {
              minReplicas,
              labels: { "mlserving.io/model": "m" },
              model: { runtime: "rt", resources: { limits: { memory: "8Gi" } } },
            },
          },
        },
        { name: "isvc" },
      );
    expect(await violations(inferenceWorkloadsHardened, [runtime, isvc(2), pdb], { environment: "prod" })).toEqual([]);
    expect(await violations(inferenceWorkloadsHardened, [runtime, isvc(1)], { environment: "prod" })).toHaveLength(2);
  });
});

describe("images-pinned-and-allowed", () => {
  it("knows pinned from unpinned references", () => {
    expect(unpinnedReason("nvcr.io/nvidia/tritonserver:26.07-py3")).toBeUndefined();
    expect(unpinnedReason("localhost:5000/triton")).toBe("has no tag");
    expect(unpinnedReason("ghcr.io/mlflow/mlflow:latest")).toBe("uses the latest tag");
    expect(unpinnedReason(`public.ecr.aws/x/y@sha256:${"a".repeat(64)}`)).toBeUndefined();
  });
  it("flags latest, untagged and unknown-registry images, in workloads and KServe runtimes", async () => {
    expect(
      await violations(imagesPinnedAndAllowed, [deployment({ image: "nvcr.io/nvidia/tritonserver:latest" })]),
    ).toHaveLength(1);
    expect(await violations(imagesPinnedAndAllowed, [deployment({ image: "docker.io/library/python:3.12" })])).toEqual([
      expect.stringMatching(/not from an allowed registry/),
    ]);
    expect(
      await violations(imagesPinnedAndAllowed, [
        resource("kubernetes:serving.kserve.io/v1alpha1:ServingRuntime", {
          spec: { containers: [{ image: "nvcr.io/nvidia/tritonserver" }] },
        }),
      ]),
    ).toEqual([expect.stringMatching(/has no tag/)]);
  });
  it("accepts pinned images from allowed registries, including private ECR", async () => {
    expect(await violations(imagesPinnedAndAllowed, [deployment()])).toEqual([]);
    expect(
      await violations(imagesPinnedAndAllowed, [
        deployment({ image: "123456789012.dkr.ecr.us-west-2.amazonaws.com/triton:26.07" }),
      ]),
    ).toEqual([]);
  });
});

describe("model-readers-least-privilege", () => {
  const role = resource("aws:iam/role:Role", { tags: { "mlserving.io/purpose": "model-reader" } }, { name: "reader" });
  const policy = (statement: Record<string, unknown>) =>
    resource(
      "aws:iam/rolePolicy:RolePolicy",
      { policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) },
      { name: "p", dependsOn: [role.urn] },
    );
  it("flags s3:* and * resources on a model reader", async () => {
    expect(
      await violations(modelReadersLeastPrivilege, [
        role,
        policy({ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b/m/*" }),
      ]),
    ).toHaveLength(1);
    expect(
      await violations(modelReadersLeastPrivilege, [
        role,
        policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
      ]),
    ).toHaveLength(1);
  });
  it("accepts exact read access, and ignores roles that are not model readers", async () => {
    expect(
      await violations(modelReadersLeastPrivilege, [
        role,
        policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/m/*" }),
      ]),
    ).toEqual([]);
    const other = resource("aws:iam/role:Role", { tags: {} }, { name: "lbc" });
    expect(
      await violations(modelReadersLeastPrivilege, [
        other,
        resource(
          "aws:iam/rolePolicy:RolePolicy",
          { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) },
          { name: "p2", dependsOn: [other.urn] },
        ),
      ]),
    ).toEqual([]);
  });
});

describe("no-internet-facing-in-prod", () => {
  const ingress = (annotations: Record<string, string>) =>
    resource("kubernetes:networking.k8s.io/v1:Ingress", { metadata: { annotations } });
  const lbService = (annotations: Record<string, string>) =>
    resource("kubernetes:core/v1:Service", { metadata: { annotations }, spec: { type: "LoadBalancer" } });
  it("flags internet-facing Ingresses and public LoadBalancer Services in prod", async () => {
    expect(
      await violations(noInternetFacingInProd, [ingress({ "alb.ingress.kubernetes.io/scheme": "internet-facing" })], {
        environment: "prod",
      }),
    ).toHaveLength(1);
    expect(await violations(noInternetFacingInProd, [lbService({})], { environment: "prod" })).toHaveLength(1);
  });
  it("accepts internal ones, approved ones, and anything outside prod", async () => {
    expect(
      await violations(
        noInternetFacingInProd,
        [
          ingress({ "alb.ingress.kubernetes.io/scheme": "internal" }),
          lbService({ "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" }),
        ],
        { environment: "prod" },
      ),
    ).toEqual([]);
    expect(
      await violations(
        noInternetFacingInProd,
        [
          ingress({
            "alb.ingress.kubernetes.io/scheme": "internet-facing",
            "mlserving.io/internet-facing-approved": "true",
          }),
        ],
        { environment: "prod" },
      ),
    ).toEqual([]);
    expect(await violations(noInternetFacingInProd, [lbService({})], { environment: "dev" })).toEqual([]);
  });
});

describe("monitoring policies", () => {
  const kps = (values: Record<string, unknown>) =>
    resource("kubernetes:helm.sh/v3:Release", { chart: "kube-prometheus-stack", values });
  const storage = {
    prometheus: {
      prometheusSpec: {
        storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "50Gi" } } } } },
      },
    },
  };
  const receivers = (receiver: Record<string, unknown>) => ({
    alertmanager: {
      config: { route: { receiver: "notify" }, receivers: [{ name: "null" }, { name: "notify", ...receiver }] },
    },
  });

  it("prometheus-storage-persistent: flags emptyDir Prometheus in staging and prod, not dev", async () => {
    expect(await violations(prometheusStoragePersistent, [kps({})], { environment: "staging" })).toHaveLength(1);
    expect(await violations(prometheusStoragePersistent, [kps(storage)], { environment: "prod" })).toEqual([]);
    expect(await violations(prometheusStoragePersistent, [kps({})], { environment: "dev" })).toEqual([]);
  });

  it("alert-receiver-in-prod: flags prod without a routed receiver", async () => {
    expect(
      await violations(
        alertReceiverInProd,
        [kps({ alertmanager: { config: { route: { receiver: "null" }, receivers: [{ name: "null" }] } } })],
        { environment: "prod" },
      ),
    ).toHaveLength(1);
    expect(
      await violations(alertReceiverInProd, [kps(receivers({ slack_configs: [] }))], { environment: "prod" }),
    ).toHaveLength(1);
    // A heartbeat alone (Watchdog to a dead man's switch) routes no alert to anyone.
    const heartbeatOnly = {
      route: {
        receiver: "null",
        routes: [{ receiver: "heartbeat", matchers: ['alertname = "Watchdog"'] }, { receiver: "null" }],
      },
      receivers: [{ name: "null" }, { name: "heartbeat", webhook_configs: [{ url_file: "/etc/hb" }] }],
    };
    expect(
      await violations(alertReceiverInProd, [kps({ alertmanager: { config: heartbeatOnly } })], {
        environment: "prod",
      }),
    ).toHaveLength(1);
    expect(
      await violations(alertReceiverInProd, [kps(receivers({ pagerduty_configs: [{ routing_key_file: "/etc/x" }] }))], {
        environment: "prod",
      }),
    ).toEqual([]);
  });

  it("grafana-not-public: flags anonymous access and public exposure", async () => {
    expect(
      await violations(grafanaNotPublic, [
        kps({ grafana: { "grafana.ini": { "auth.anonymous": { enabled: true } } } }),
      ]),
    ).toHaveLength(1);
    expect(await violations(grafanaNotPublic, [kps({ grafana: { service: { type: "LoadBalancer" } } })])).toHaveLength(
      1,
    );
    expect(
      await violations(grafanaNotPublic, [
        kps({
          grafana: {
            ingress: { enabled: true, annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } },
          },
        }),
      ]),
    ).toHaveLength(1);
    expect(
      await violations(grafanaNotPublic, [
        kps({ grafana: { service: { type: "ClusterIP" }, "grafana.ini": { "auth.anonymous": { enabled: false } } } }),
      ]),
    ).toEqual([]);
  });
});
