import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  inferenceService,
  KSERVE_HTTP_PORT,
  MODEL_FETCH_SCRIPT,
  MODEL_SOURCE_RULE,
  mlflowStorageContainer,
  s3StorageContainer,
  kserveValues,
  modelIngress,
  modelReaderPolicy,
  parseModelSource,
  scaledObject,
  scalingQuery,
  tritonArgs,
  tritonDeployment,
  tritonLabels,
  tritonService,
  healthPathFor,
  TRITON,
  VLLM_NEURON,
  VLLM_GPU,
  ALB_DEREGISTRATION_DELAY_SECONDS,
  ALB_IDLE_TIMEOUT_SECONDS,
  ENDPOINT_REMOVAL_SECONDS,
  EXIT_MARGIN_SECONDS,
  VLLM_PRESTOP_SCRIPT,
  SCALER_FALLBACK_AFTER_SECONDS,
  SCALER_POLLING_SECONDS,
  trackReplicas,
  CANARY_MIN_REPLICAS,
} from "../../components/serving";
import { modelSpecProblems } from "../../components";
import { REGISTRY_CREDENTIALS_SECRET } from "../../components/common";
import type { ModelSource, ModelSpec } from "../../components/serving";
import { PROMETHEUS_URL } from "../../components/common/names";
import { imageRef, IMAGES } from "../../components/versions";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { KSERVE_NEURON_MODEL, TRITON_GPU_MODEL } from "../fixtures/models";
import { metricNamesIn, promqlSyntaxErrors } from "../promql";

const tritonGpu = TRITON_GPU_MODEL;
const kserveGpu: ModelSpec = { ...tritonGpu, name: "bert", server: "kserve", source: "models:/bert@champion" };
const kserveNeuron = KSERVE_NEURON_MODEL;

const with_ = (base: ModelSpec, patch: Partial<ModelSpec>): ModelSpec => ({ ...base, ...patch });
const fields = (m: ModelSpec, env: "dev" | "staging" | "prod" = "dev") => modelSpecProblems(m, env).map((p) => p.field);
const s3 = (uri: string) => parseModelSource(uri) as Extract<ModelSource, { kind: "s3" }>;

describe("parseModelSource", () => {
  it("parses s3://bucket/prefix, dropping one trailing slash", () => {
    expect(parseModelSource("s3://models-bucket/vision/resnet/3")).toEqual({
      kind: "s3",
      uri: "s3://models-bucket/vision/resnet/3",
      bucket: "models-bucket",
      prefix: "vision/resnet/3",
    });
    expect(parseModelSource("s3://models-bucket/vision/resnet/3/")).toEqual({
      kind: "s3",
      uri: "s3://models-bucket/vision/resnet/3",
      bucket: "models-bucket",
      prefix: "vision/resnet/3",
    });
    expect(parseModelSource("s3://my.models.bucket/m")).toMatchObject({
      kind: "s3",
      bucket: "my.models.bucket",
      prefix: "m",
    });
  });

  it("parses models:/<name>/<version> and models:/<name>@<alias>", () => {
    expect(parseModelSource("models:/resnet50/3")).toEqual({
      kind: "mlflow",
      uri: "models:/resnet50/3",
      model: "resnet50",
      version: 3,
    });
    expect(parseModelSource("models:/resnet50@champion")).toEqual({
      kind: "mlflow",
      uri: "models:/resnet50@champion",
      model: "resnet50",
      alias: "champion",
    });
    expect(parseModelSource("models:/Fraud.Model_v2/12")).toMatchObject({ model: "Fraud.Model_v2", version: 12 });
  });

  it.each([
    ["", "empty"],
    ["s3://models-bucket", "no prefix"],
    ["s3://models-bucket/", "empty prefix"],
    ["s3:/models-bucket/m", "one slash"],
    ["s3://Models_Bucket/m", "bucket with uppercase and underscore"],
    ["s3://ab/m", "bucket of 2 characters"],
    ["s3://models-bucket/with space", "whitespace"],
    ["s3://models-bucket/m//", "two trailing slashes"],
    ["gs://models-bucket/m", "another scheme"],
    ["https://models.example.com/m", "http"],
    ["models:/resnet50", "neither version nor alias"],
    ["models:/resnet50/v3", "version that is not a number"],
    ["models:/resnet50/3/4", "two versions"],
    ["models:/resnet50@", "empty alias"],
    ["models:/resnet50@1st", "alias starting with a digit"],
    ["models://resnet50/3", "two slashes"],
    ["models:/resnet50/3 ", "trailing space"],
  ])("rejects %j (%s)", (uri) => {
    expect(parseModelSource(uri)).toBeUndefined();
  });

  // The prefix becomes an IAM resource (arn:aws:s3:::<bucket>/<prefix>/*) and an s3:prefix condition,
  // where * and ? are wildcards: s3://bucket/* would grant every object under any folder of the bucket.
  it.each(["s3://models-bucket/*", "s3://models-bucket/vision/*/3", "s3://models-bucket/resnet?"])(
    "rejects IAM wildcards in the S3 prefix: %s",
    (uri) => {
      expect(parseModelSource(uri)).toBeUndefined();
    },
  );

  it("states the rule for error messages", () => {
    expect(MODEL_SOURCE_RULE).toMatch(/s3:\/\/<bucket>\/<prefix>.*models:\/<name>\/<version>.*models:\/<name>@<alias>/);
  });
});

describe("modelSpecProblems", () => {
  it("refuses a vLLM in-flight target that is not below --max-num-seqs, so replicas are added before requests wait", () => {
    expect(modelSpecProblems(with_(kserveNeuron, { autoscaling: { metric: "in-flight", target: 8 } }), "dev")).toEqual([
      {
        field: "autoscaling.target",
        message:
          "must be below vLLM's --max-num-seqs (8): at 8 or more per replica, requests already wait before it scales out",
      },
    ]);
    expect(modelSpecProblems(with_(kserveNeuron, { autoscaling: { metric: "in-flight", target: 6 } }), "dev")).toEqual(
      [],
    );
  });

  it("accepts valid models in every environment they fit", () => {
    expect(modelSpecProblems(tritonGpu, "dev")).toEqual([]);
    expect(modelSpecProblems(kserveGpu, "dev")).toEqual([]);
    // Outside dev an alias source is served at the version pinned for the rollout.
    expect(modelSpecProblems(with_(kserveGpu, { pinnedVersion: 7 }), "staging")).toEqual([]);
    expect(modelSpecProblems(with_(kserveNeuron, { replicas: { min: 2, max: 4 } }), "prod")).toEqual([]);
    expect(
      modelSpecProblems(
        with_(tritonGpu, {
          accelerator: "cpu",
          resources: { cpu: "500m", memory: "2Gi" },
          autoscaling: { metric: "in-flight", target: 4 },
        }),
        "dev",
      ),
    ).toEqual([]);
    expect(modelSpecProblems(with_(tritonGpu, { replicas: { min: 0, max: 2 } }), "dev")).toEqual([]);
  });

  it("refuses GPUs on a neuron model", () => {
    expect(modelSpecProblems(with_(kserveNeuron, { resources: { gpus: 1, cpu: "8", memory: "64Gi" } }), "dev")).toEqual(
      [{ field: "resources.gpus", message: "a neuron model requests neuronDevices, not GPUs" }],
    );
  });

  it("refuses Neuron devices on an nvidia model", () => {
    expect(
      modelSpecProblems(with_(tritonGpu, { resources: { neuronDevices: 1, cpu: "4", memory: "16Gi" } }), "dev"),
    ).toEqual([{ field: "resources.neuronDevices", message: "an nvidia model requests gpus, not Neuron devices" }]);
  });

  it("refuses devices on a cpu model", () => {
    expect(fields(with_(tritonGpu, { accelerator: "cpu", autoscaling: { metric: "in-flight", target: 4 } }))).toEqual([
      "resources",
    ]);
  });

  it("refuses min > max, naming replicas", () => {
    expect(modelSpecProblems(with_(tritonGpu, { replicas: { min: 3, max: 2 } }), "dev")).toEqual([
      { field: "replicas", message: "min must not exceed max (3 > 2)" },
    ]);
  });

  it("allows scale to zero in dev only", () => {
    const parked = with_(tritonGpu, { replicas: { min: 0, max: 2 } });
    expect(fields(parked, "dev")).toEqual([]);
    expect(modelSpecProblems(parked, "staging")).toEqual([
      { field: "replicas.min", message: "scale to zero is allowed in dev only; keep at least 1 replica" },
    ]);
    expect(fields(parked, "prod")).toEqual(["replicas.min", "replicas.min"]);
  });

  it("serves prod from at least 2 replicas", () => {
    expect(modelSpecProblems(tritonGpu, "prod")).toEqual([
      { field: "replicas.min", message: "prod serves from at least 2 replicas" },
    ]);
    expect(modelSpecProblems(with_(tritonGpu, { replicas: { min: 2, max: 4 } }), "prod")).toEqual([]);
  });

  it("refuses Triton on Neuron", () => {
    const problems = modelSpecProblems(with_(kserveNeuron, { server: "triton" }), "dev");
    expect(problems).toEqual([
      { field: "server", message: expect.stringMatching(/Triton has no Neuron build.*server: kserve/) },
    ]);
  });

  it("scales on GPU utilisation only for nvidia models, and only up to 100%", () => {
    expect(
      modelSpecProblems(with_(kserveNeuron, { autoscaling: { metric: "gpu-utilization", target: 70 } }), "dev"),
    ).toEqual([{ field: "autoscaling.metric", message: "gpu-utilization needs an nvidia model" }]);
    expect(
      fields(
        with_(tritonGpu, {
          accelerator: "cpu",
          resources: { cpu: "1", memory: "1Gi" },
          autoscaling: { metric: "gpu-utilization", target: 70 },
        }),
      ),
    ).toEqual(["autoscaling.metric"]);
    expect(fields(with_(tritonGpu, { autoscaling: { metric: "gpu-utilization", target: 70 } }))).toEqual([]);
    expect(fields(with_(tritonGpu, { autoscaling: { metric: "gpu-utilization", target: 120 } }))).toEqual([
      "autoscaling.target",
    ]);
  });

  it("scales Neuron models on in-flight requests, not queue time", () => {
    expect(fields(with_(kserveNeuron, { autoscaling: { metric: "queue-time", target: 20 } }))).toEqual([
      "autoscaling.metric",
    ]);
  });

  it("needs a positive target and valid quantities", () => {
    expect(fields(with_(tritonGpu, { autoscaling: { metric: "queue-time", target: 0 } }))).toEqual([
      "autoscaling.target",
    ]);
    expect(fields(with_(tritonGpu, { resources: { gpus: 1, cpu: "four", memory: "16 GB" } }))).toEqual([
      "resources.cpu",
      "resources.memory",
    ]);
  });

  it("needs a DNS label name and a well-formed source", () => {
    expect(fields(with_(tritonGpu, { name: "ResNet_50" }))).toEqual(["name"]);
    expect(fields(with_(tritonGpu, { name: "a".repeat(43) }))).toEqual(["name"]);
    expect(modelSpecProblems(with_(tritonGpu, { source: "s3:/bucket" }), "dev")).toEqual([
      { field: "source", message: MODEL_SOURCE_RULE },
    ]);
  });

  it("offers canaries on kserve only", () => {
    expect(
      modelSpecProblems(
        with_(tritonGpu, { canary: { source: "s3://models-bucket/vision/resnet/4", trafficPercent: 10 } }),
        "dev",
      ),
    ).toEqual([{ field: "canary", message: "canaries are offered for kserve models" }]);
    expect(fields(with_(kserveGpu, { canary: { source: "models:/bert/8", trafficPercent: 10 } }))).toEqual([]);
  });

  it("refuses a canary percent outside 1-50 and a malformed canary source", () => {
    for (const trafficPercent of [0, 51, 100, -5, Number.NaN, 12.5, 0.5]) {
      expect(
        modelSpecProblems(with_(kserveGpu, { canary: { source: "models:/bert/8", trafficPercent } }), "dev"),
        String(trafficPercent),
      ).toEqual([{ field: "canary.trafficPercent", message: "must be a whole number from 1 to 50" }]);
    }
    for (const trafficPercent of [1, 50])
      expect(fields(with_(kserveGpu, { canary: { source: "models:/bert/8", trafficPercent } }))).toEqual([]);
    expect(fields(with_(kserveGpu, { canary: { source: "models:/bert", trafficPercent: 10 } }))).toEqual([
      "canary.source",
    ]);
  });

  it("reports every problem at once", () => {
    const bad = with_(kserveNeuron, {
      server: "triton",
      replicas: { min: 5, max: 1 },
      resources: { gpus: 2, cpu: "8", memory: "64Gi" },
      canary: { source: "x", trafficPercent: 80 },
    });
    expect(fields(bad)).toEqual(
      expect.arrayContaining([
        "replicas",
        "resources.gpus",
        "server",
        "canary",
        "canary.source",
        "canary.trafficPercent",
      ]),
    );
  });
});

describe("scalingQuery", () => {
  const sel = (name: string) => `{namespace="serving",mlserving_model="${name}"}`;

  it("queue-time is the average queue time per request in ms: queue µs rate / success rate / 1000", () => {
    const q = scalingQuery(tritonGpu);
    expect(q).toEqual({
      query: `sum(rate(nv_inference_queue_duration_us${sel("resnet")}[1m])) / clamp_min(sum(rate(nv_inference_request_success${sel("resnet")}[1m])), 0.001) / 1000`,
      metricType: "Value",
    });
    expect(metricNamesIn(q.query)).toEqual(["nv_inference_queue_duration_us", "nv_inference_request_success"]);
    // Same Triton metrics for a KServe model on the Triton runtime.
    expect(scalingQuery(kserveGpu).query).toContain(`nv_inference_queue_duration_us${sel("bert")}`);
  });

  it("in-flight is Triton's pending requests, or vLLM's running plus waiting, as an average per replica", () => {
    expect(scalingQuery(with_(tritonGpu, { autoscaling: { metric: "in-flight", target: 4 } }))).toEqual({
      query: `sum(nv_inference_pending_request_count${sel("resnet")})`,
      metricType: "AverageValue",
    });
    expect(scalingQuery(with_(kserveGpu, { autoscaling: { metric: "in-flight", target: 4 } })).query).toBe(
      `sum(nv_inference_pending_request_count${sel("bert")})`,
    );
    const vllm = scalingQuery(kserveNeuron);
    expect(vllm).toEqual({
      query: `sum(vllm:num_requests_running${sel("llama")}) + sum(vllm:num_requests_waiting${sel("llama")})`,
      metricType: "AverageValue",
    });
    expect(metricNamesIn(vllm.query)).toEqual(["vllm:num_requests_running", "vllm:num_requests_waiting"]);
  });

  it("gpu-utilization averages DCGM's utilisation over the model's pods", () => {
    const q = scalingQuery(with_(tritonGpu, { autoscaling: { metric: "gpu-utilization", target: 70 } }));
    expect(q).toEqual({
      query: `avg(DCGM_FI_DEV_GPU_UTIL{namespace="serving",pod=~"resnet-[a-z0-9]{6,10}-[a-z0-9]{5}"})`,
      metricType: "Value",
    });
  });

  it("selects only the model's own pods for GPU utilisation, not those of a model whose name extends it", () => {
    const q = scalingQuery(
      with_(tritonGpu, { name: "bert", autoscaling: { metric: "gpu-utilization", target: 70 } }),
    ).query;
    const podRegex = /pod=~"([^"]+)"/.exec(q)?.[1];
    expect(podRegex).toBeDefined();
    // Prometheus anchors label regexes at both ends.
    const selects = (pod: string) => new RegExp(`^(?:${podRegex})$`).test(pod);
    expect(selects("bert-7d9f8b6c5d-x2x9q")).toBe(true);
    expect(selects("bert-large-7d9f8b6c5d-x2x9q")).toBe(false);
  });

  it("every query parses as PromQL", () => {
    const models: ModelSpec[] = [
      tritonGpu,
      with_(tritonGpu, { autoscaling: { metric: "in-flight", target: 4 } }),
      with_(tritonGpu, { autoscaling: { metric: "gpu-utilization", target: 70 } }),
      kserveNeuron,
    ];
    for (const m of models) expect(promqlSyntaxErrors(scalingQuery(m).query), scalingQuery(m).query).toEqual([]);
  });
});

describe("scaledObject", () => {
  it("scales the Deployment between min and max on the in-cluster Prometheus", () => {
    const so = scaledObject(tritonGpu, "resnet");
    expect(so).toMatchObject({
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name: "resnet", namespace: "serving" },
    });
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "resnet" });
    expect(so.spec.minReplicaCount).toBe(1);
    expect(so.spec.maxReplicaCount).toBe(4);
    expect(so.spec.triggers).toHaveLength(1);
    const trigger = so.spec.triggers[0];
    expect(trigger.type).toBe("prometheus");
    expect(trigger.metricType).toBe("Value");
    expect(trigger.metadata.serverAddress).toBe(PROMETHEUS_URL);
    expect(trigger.metadata.serverAddress).toBe("http://kube-prometheus-stack-prometheus.monitoring.svc:9090");
    expect(trigger.metadata.query).toBe(scalingQuery(tritonGpu).query);
    expect(trigger.metadata.threshold).toBe("20");
    expect(typeof trigger.metadata.threshold).toBe("string");
    expect(trigger.metadata).not.toHaveProperty("activationThreshold");
    validateAgainstUpstreamSchema(so);
  });

  it("passes AverageValue through for totals", () => {
    expect(
      scaledObject(with_(tritonGpu, { autoscaling: { metric: "in-flight", target: 6 } }), "resnet").spec.triggers[0],
    ).toMatchObject({ metricType: "AverageValue", metadata: { threshold: "6" } });
  });

  it("scales up fast (no stabilization) and down slowly (10 quiet minutes)", () => {
    const behavior = scaledObject(tritonGpu, "resnet").spec.advanced.horizontalPodAutoscalerConfig.behavior;
    expect(behavior.scaleUp.stabilizationWindowSeconds).toBe(0);
    expect(behavior.scaleDown.stabilizationWindowSeconds).toBe(600);
    expect(behavior.scaleDown.policies).toEqual([{ type: "Pods", value: 1, periodSeconds: 300 }]);
  });

  it("activates from zero in dev when min is 0", () => {
    const so = scaledObject(with_(tritonGpu, { replicas: { min: 0, max: 2 } }), "resnet");
    expect(so.spec.minReplicaCount).toBe(0);
    expect(so.spec.triggers[0].metadata).toMatchObject({ activationThreshold: "0" });
    validateAgainstUpstreamSchema(so);
  });

  it("falls back to the maximum (never fewer than running) after 5 minutes without a metric (issue 22, item 10)", () => {
    for (const m of [tritonGpu, with_(tritonGpu, { autoscaling: { metric: "in-flight", target: 6 } })]) {
      const so = scaledObject(m, "resnet");
      // Two failed reads per poll (the scale loop and the HPA's request), for 300 s at 15 s a poll.
      expect(so.spec.fallback).toEqual({ failureThreshold: 40, replicas: 4, behavior: "currentReplicasIfHigher" });
      expect(so.spec.pollingInterval).toBe(SCALER_POLLING_SECONDS);
      expect(2 * (SCALER_FALLBACK_AFTER_SECONDS / SCALER_POLLING_SECONDS)).toBe(so.spec.fallback!.failureThreshold);
      // An empty query is a failed read (it counts toward the fallback), not a 0 that scales in.
      expect(so.spec.triggers[0].metadata.ignoreNullValues).toBe("false");
      expect(so.spec.triggers[0].metadata).not.toHaveProperty("unsafeSsl");
      validateAgainstUpstreamSchema(so);
    }
    // A parked model stays parked: KEDA cannot fall back on a Value metric with no ready replica.
    expect(scaledObject(with_(tritonGpu, { replicas: { min: 0, max: 2 } }), "resnet").spec).not.toHaveProperty(
      "fallback",
    );
  });
});

describe("Triton builders", () => {
  it("tritonArgs: fixed ports, latency histograms, the model repository", () => {
    const args = tritonArgs();
    expect(args).toEqual(
      expect.arrayContaining([
        "--model-repository=/models",
        "--http-port=8000",
        "--grpc-port=8001",
        "--metrics-port=8002",
        "--allow-metrics=true",
        "--metrics-config=histogram_latencies=true",
      ]),
    );
    expect(tritonArgs("/mnt/models")).toContain("--model-repository=/mnt/models");
    expect(tritonArgs("/mnt/models")).not.toContain("--model-repository=/models");
  });

  describe("tritonDeployment", () => {
    const d = tritonDeployment({ model: tritonGpu, serviceAccountName: "resnet", region: "us-west-2" });
    const pod = d.spec.template.spec;
    const triton = pod.containers[0];

    it("probes the v2 health endpoints on the named http port", () => {
      expect(triton.startupProbe.httpGet).toEqual({ path: "/v2/health/ready", port: "http" });
      expect(triton.readinessProbe.httpGet).toEqual({ path: "/v2/health/ready", port: "http" });
      expect(triton.livenessProbe.httpGet).toEqual({ path: "/v2/health/live", port: "http" });
      expect(triton.ports.map((p) => [p.name, p.containerPort])).toEqual([
        ["http", 8000],
        ["grpc", 8001],
        ["metrics", 8002],
      ]);
      expect(triton.args).toEqual(tritonArgs());
      expect(triton.image).toBe(imageRef(IMAGES.tritonServer));
    });

    it("mounts /dev/shm from memory", () => {
      const shm = triton.volumeMounts.find((v) => v.mountPath === "/dev/shm")!;
      expect(shm).toBeDefined();
      expect(pod.volumes.find((v) => v.name === shm.name)!.emptyDir).toMatchObject({ medium: "Memory" });
    });

    it("requests and limits its GPUs, tolerates the GPU taint and selects GPU nodes", () => {
      expect(triton.resources.requests).toMatchObject({ "nvidia.com/gpu": "1", cpu: "4", memory: "16Gi" });
      expect(triton.resources.limits).toMatchObject({ "nvidia.com/gpu": "1", memory: "16Gi" });
      expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
      expect(pod.nodeSelector).toEqual({ "mlserving.io/accelerator": "nvidia" });
      const two = tritonDeployment({
        model: with_(tritonGpu, { resources: { gpus: 2, cpu: "8", memory: "32Gi" } }),
        serviceAccountName: "resnet",
        region: "us-west-2",
      });
      expect(two.spec.template.spec.containers[0].resources.limits).toMatchObject({ "nvidia.com/gpu": "2" });
    });

    it("spreads replicas across zones, selecting its own pods", () => {
      expect(pod.topologySpreadConstraints).toEqual([
        expect.objectContaining({
          topologyKey: "topology.kubernetes.io/zone",
          labelSelector: { matchLabels: tritonLabels("resnet") },
        }),
      ]);
      expect(d.spec.selector.matchLabels).toEqual(d.spec.template.metadata.labels);
      expect(pod.serviceAccountName).toBe("resnet");
    });

    it("fetches the model into /models in an init container, with [source, /models]", () => {
      expect(pod.initContainers).toHaveLength(1);
      const init = pod.initContainers[0];
      expect(init.image).toBe(imageRef(IMAGES.mlflow));
      expect(init.command).toEqual(["python", "-c", MODEL_FETCH_SCRIPT]);
      expect(init.args).toEqual(["s3://models-bucket/vision/resnet/3", "/models"]);
      expect(init.volumeMounts).toEqual([{ name: "models", mountPath: "/models" }]);
      expect(triton.volumeMounts).toContainEqual({ name: "models", mountPath: "/models", readOnly: true });
      // An S3 model needs no registry: no tracking URI and no registry credentials.
      expect(init.env.map((e) => e.name)).toEqual(["AWS_DEFAULT_REGION", "HOME"]);
      expect(init.env[0].value).toBe("us-west-2");
    });

    it("takes registry credentials for models:/ sources only from the Secret", () => {
      const reg = tritonDeployment({
        model: with_(tritonGpu, { source: "models:/resnet@champion" }),
        serviceAccountName: "resnet",
        region: "us-west-2",
        trackingUri: "http://mlflow.mlflow.svc.cluster.local:5000",
      });
      const init = reg.spec.template.spec.initContainers[0];
      expect(init.args).toEqual(["models:/resnet@champion", "/models"]);
      const env = Object.fromEntries(init.env.map((e) => [e.name, e]));
      expect(env.MLFLOW_TRACKING_URI.value).toBe("http://mlflow.mlflow.svc.cluster.local:5000");
      expect(env.MLFLOW_TRACKING_USERNAME).toEqual({
        name: "MLFLOW_TRACKING_USERNAME",
        valueFrom: { secretKeyRef: { name: REGISTRY_CREDENTIALS_SECRET, key: "username" } },
      });
      expect(env.MLFLOW_TRACKING_PASSWORD).toEqual({
        name: "MLFLOW_TRACKING_PASSWORD",
        valueFrom: { secretKeyRef: { name: REGISTRY_CREDENTIALS_SECRET, key: "password" } },
      });
      // Nothing secret is written as a literal: every credential-like variable comes from a Secret.
      for (const c of [...reg.spec.template.spec.initContainers, ...reg.spec.template.spec.containers]) {
        for (const e of (c as { env?: { name: string; value?: string }[] }).env ?? []) {
          if (/PASSWORD|TOKEN|SECRET|USERNAME|KEY/i.test(e.name)) expect(e.value, e.name).toBeUndefined();
        }
        expect(JSON.stringify(c.args ?? [])).not.toMatch(/password|token/i);
      }
    });

    it("runs as non-root without privilege escalation", () => {
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      for (const c of [...pod.initContainers, ...pod.containers])
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    });

    it("keeps cpu models on system nodes with no device", () => {
      const cpu = tritonDeployment({
        model: with_(tritonGpu, { accelerator: "cpu", resources: { cpu: "2", memory: "4Gi" } }),
        serviceAccountName: "resnet",
        region: "us-west-2",
      });
      const c = cpu.spec.template.spec;
      expect(c.tolerations).toEqual([]);
      expect(c.nodeSelector).toEqual({ "mlserving.io/node-pool": "system" });
      expect(Object.keys(c.containers[0].resources.limits)).toEqual(["memory"]);
    });

    it("is a valid apps/v1 Deployment", () => {
      validateAgainstUpstreamSchema({ apiVersion: "apps/v1", kind: "Deployment", ...d });
    });
  });

  it("tritonService: ports http/grpc/metrics, selecting exactly the pod labels", () => {
    const svc = tritonService("resnet");
    const d = tritonDeployment({ model: tritonGpu, serviceAccountName: "resnet", region: "us-west-2" });
    expect(svc.spec.ports.map((p) => [p.name, p.port, p.targetPort])).toEqual([
      ["http", 8000, "http"],
      ["grpc", 8001, "grpc"],
      ["metrics", 8002, "metrics"],
    ]);
    expect(svc.spec.selector).toEqual(d.spec.template.metadata.labels);
    expect(svc.metadata).toMatchObject({ name: "resnet", namespace: "serving" });
    validateAgainstUpstreamSchema({ apiVersion: "v1", kind: "Service", ...svc });
  });

  it("modelReaderPolicy: GetObject on the prefix and ListBucket limited to it, nothing else", () => {
    const doc = modelReaderPolicy("aws", s3("s3://models-bucket/vision/resnet/3"));
    expect(doc.Version).toBe("2012-10-17");
    expect(doc.Statement).toEqual([
      {
        Sid: "ReadModelObjects",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: "arn:aws:s3:::models-bucket/vision/resnet/3/*",
      },
      {
        Sid: "ListModelPrefix",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: "arn:aws:s3:::models-bucket",
        Condition: { StringLike: { "s3:prefix": ["vision/resnet/3/*", "vision/resnet/3"] } },
      },
    ]);
    const actions = doc.Statement.flatMap((s) => [s.Action].flat());
    const resources = doc.Statement.flatMap((s) => [s.Resource].flat());
    expect(actions).not.toContain("s3:*");
    expect(actions.every((a) => !a.includes("*"))).toBe(true);
    expect(resources).not.toContain("*");
    expect(doc.Statement.every((s) => s.Effect === "Allow")).toBe(true);
    expect(modelReaderPolicy("aws-us-gov", s3("s3://models-bucket/m")).Statement[0].Resource).toBe(
      "arn:aws-us-gov:s3:::models-bucket/m/*",
    );
  });
});

describe("KServe builders", () => {
  const isvc = (
    model: ModelSpec,
    extra: { track?: "stable" | "canary"; name?: string; source?: string; schedulerName?: string } = {},
  ) =>
    inferenceService({
      model,
      track: extra.track ?? "stable",
      name: extra.name ?? model.name,
      source: extra.source ?? model.source,
      serviceAccountName: model.name,
      schedulerName: extra.schedulerName,
    });

  it("runs in Standard mode and leaves scaling to the kit's own ScaledObject", () => {
    const i = isvc(kserveGpu);
    expect(i.metadata.annotations).toEqual({
      "serving.kserve.io/deploymentMode": "Standard",
      "serving.kserve.io/autoscalerClass": "external",
    });
    const p = i.spec.predictor;
    expect(p.minReplicas).toBe(1);
    expect(p.maxReplicas).toBe(4);
    expect(p).not.toHaveProperty("autoScaling");
    validateAgainstUpstreamSchema(i);
  });

  it("scales each KServe track's predictor Deployment on that track's metric, with the metric type KServe would drop", () => {
    const stable = scaledObject(kserveGpu, "bert-predictor", { name: "bert", track: "stable" });
    expect(stable.metadata.name).toBe("bert");
    expect(stable.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "bert-predictor" });
    expect(stable.spec.triggers[0]).toMatchObject({ type: "prometheus", metricType: "Value" });
    expect(stable.spec.triggers[0].metadata.query).toContain('mlserving_track="stable"');
    const canary = scaledObject(kserveGpu, "bert-canary-predictor", { name: "bert-canary", track: "canary" });
    expect(canary.metadata.name).toBe("bert-canary");
    expect(canary.spec.triggers[0].metadata.query).toContain('mlserving_track="canary"');
    const neuron = scaledObject(kserveNeuron, "llama-predictor", { name: "llama", track: "stable" });
    expect(neuron.spec.triggers[0]).toMatchObject({ metricType: "AverageValue", metadata: { threshold: "6" } });
    validateAgainstUpstreamSchema(neuron);
  });

  it("fetches with the kit's fetcher: mlflow-models for models:/, s3-models for s3:// (issue 22, item 10)", () => {
    expect(isvc(kserveGpu).spec.predictor).toMatchObject({ storageContainerName: "mlflow-models" });
    expect(isvc(kserveGpu).spec.predictor.model.storageUri).toBe("models:/bert@champion");
    const fromS3 = isvc(with_(kserveGpu, { source: "s3://models-bucket/nlp/bert/2" }));
    // Not KServe's default initializer, whose S3 settings KServe applies only with IRSA or key Secrets.
    expect(fromS3.spec.predictor).toMatchObject({ storageContainerName: "s3-models" });
    expect(fromS3.spec.predictor.model.storageUri).toBe("s3://models-bucket/nlp/bert/2");
    // The track's own source decides, not the model's.
    expect(
      isvc(kserveGpu, { track: "canary", name: "bert-canary", source: "s3://models-bucket/nlp/bert/3" }).spec.predictor,
    ).toMatchObject({ storageContainerName: "s3-models" });
    validateAgainstUpstreamSchema(fromS3);
  });

  it("s3StorageContainer: the fetcher for s3://, with the region and no registry credentials; KServe's S3 values are gone", () => {
    const csc = s3StorageContainer("us-west-2");
    expect(csc.metadata.name).toBe("s3-models");
    expect(csc.spec.supportedUriFormats).toEqual([{ prefix: "s3://" }]);
    expect(csc.spec.container.command).toEqual(["python", "-c", MODEL_FETCH_SCRIPT]);
    expect(csc.spec.container.env).toContainEqual({ name: "AWS_DEFAULT_REGION", value: "us-west-2" });
    expect(JSON.stringify(csc.spec.container.env)).not.toContain("MLFLOW");
    expect(kserveValues().kserve).not.toHaveProperty("storage");
    validateAgainstUpstreamSchema(csc);
  });

  it("sizes a canary from its share of traffic, not the stable track's size (issue 22, item 10)", () => {
    const m = with_(kserveGpu, {
      replicas: { min: 2, max: 8 },
      canary: { source: "models:/bert/8", trafficPercent: 10 },
    });
    expect(trackReplicas(m, "stable")).toEqual({ min: 2, max: 8 });
    // At least CANARY_MIN_REPLICAS (prod's floor, and one loss never empties the canary's target group).
    expect(trackReplicas(m, "canary")).toEqual({ min: CANARY_MIN_REPLICAS, max: 2 });
    const canary = isvc(m, { track: "canary", name: "bert-canary" }).spec.predictor;
    expect([canary.minReplicas, canary.maxReplicas]).toEqual([2, 2]);
    const so = scaledObject(m, "bert-canary-predictor", { name: "bert-canary", track: "canary" });
    expect([so.spec.minReplicaCount, so.spec.maxReplicaCount]).toEqual([2, 2]);
    expect(so.spec.fallback?.replicas).toBe(2);
    expect(isvc(m).spec.predictor.maxReplicas).toBe(8);
    // Proportional above the floor, rounded up; never more than the stable floor at the bottom.
    expect(
      trackReplicas({ ...m, replicas: { min: 10, max: 40 }, canary: { ...m.canary!, trafficPercent: 30 } }, "canary"),
    ).toEqual({
      min: 3,
      max: 12,
    });
    expect(trackReplicas({ ...m, replicas: { min: 1, max: 3 } }, "canary")).toEqual({ min: 1, max: 1 });
    expect(trackReplicas({ ...m, replicas: { min: 0, max: 2 } }, "canary")).toEqual({ min: 0, max: 1 });
    validateAgainstUpstreamSchema(isvc(m, { track: "canary", name: "bert-canary" }));
  });

  it("puts GPU models on the Triton runtime with their GPUs", () => {
    const p = isvc(kserveGpu).spec.predictor;
    expect(p.model).toMatchObject({ modelFormat: { name: "triton" }, runtime: "triton-gpu" });
    expect(p.model.resources.limits).toMatchObject({ "nvidia.com/gpu": "1" });
    expect(p.model).not.toHaveProperty("args");
    expect(p.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }]);
    expect(p).not.toHaveProperty("schedulerName");
  });

  it("puts Neuron models on the vLLM Neuron runtime, two NeuronCores per device", () => {
    const p = isvc(kserveNeuron, { schedulerName: "my-scheduler" }).spec.predictor;
    expect(p.model).toMatchObject({ modelFormat: { name: "vllm-neuron" }, runtime: "vllm-neuron" });
    expect(p.model.args).toEqual(["--tensor-parallel-size", "4", "--max-model-len", "4096", "--max-num-seqs", "8"]);
    expect(
      isvc(with_(kserveNeuron, { resources: { neuronDevices: 1, cpu: "8", memory: "64Gi" } })).spec.predictor.model
        .args,
    ).toEqual(["--tensor-parallel-size", "2", "--max-model-len", "4096", "--max-num-seqs", "8"]);
    expect(p.model.resources.requests).toMatchObject({ "aws.amazon.com/neuron": "2" });
    expect(p.model.resources.limits).toMatchObject({ "aws.amazon.com/neuron": "2" });
    expect(JSON.stringify(p.model.resources)).not.toContain("nvidia.com/gpu");
    expect(p.tolerations).toEqual([{ key: "aws.amazon.com/neuron", operator: "Exists", effect: "NoSchedule" }]);
    expect(p.nodeSelector).toEqual({ "mlserving.io/accelerator": "neuron" });
    expect(p.schedulerName).toBe("my-scheduler");
    validateAgainstUpstreamSchema(isvc(kserveNeuron, { schedulerName: "my-scheduler" }));
  });

  it("labels predictor pods with model, runtime and track", () => {
    expect(isvc(kserveGpu, { track: "canary", name: "bert-canary" }).spec.predictor.labels).toEqual({
      "mlserving.io/model": "bert",
      "mlserving.io/runtime": "triton-gpu",
      "mlserving.io/track": "canary",
    });
  });

  it("mlflowStorageContainer: the fetcher as KServe's storage initializer for models:/", () => {
    const csc = mlflowStorageContainer("http://mlflow.mlflow.svc.cluster.local:5000", "us-west-2");
    expect(csc.metadata.name).toBe("mlflow-models");
    expect(csc.spec.supportedUriFormats).toEqual([{ prefix: "models:/" }]);
    expect(csc.spec.container.name).toBe("storage-initializer");
    expect(csc.spec.container.command).toEqual(["python", "-c", MODEL_FETCH_SCRIPT]);
    // KServe appends <uri> <destination> itself.
    expect(csc.spec.container).not.toHaveProperty("args");
    const env = Object.fromEntries(csc.spec.container.env.map((e) => [e.name, e]));
    expect(env.MLFLOW_TRACKING_URI.value).toBe("http://mlflow.mlflow.svc.cluster.local:5000");
    expect(env.MLFLOW_TRACKING_PASSWORD.valueFrom).toEqual({
      secretKeyRef: { name: REGISTRY_CREDENTIALS_SECRET, key: "password" },
    });
    expect(env.MLFLOW_TRACKING_PASSWORD.value).toBeUndefined();
    validateAgainstUpstreamSchema(csc);
  });

  it("Triton runtime: the pinned Triton image on KServe's port 8080", () => {
    const rt = TRITON.servingRuntime("serving") as any;
    const c = rt.spec.containers[0];
    expect(rt.metadata).toEqual({ name: "triton-gpu", namespace: "serving" });
    expect(c.image).toBe(imageRef(IMAGES.tritonServer));
    expect(c.image).toBe("nvcr.io/nvidia/tritonserver:26.07-py3");
    expect(c.args).toContain(`--http-port=${KSERVE_HTTP_PORT}`);
    expect(KSERVE_HTTP_PORT).toBe(8080);
    expect(c.args).toContain("--model-repository=/mnt/models");
    expect(c.args).not.toContain("--http-port=8000");
    expect(c.ports).toContainEqual({ name: "http", containerPort: 8080, protocol: "TCP" });
    expect(c.ports).toContainEqual({ name: "metrics", containerPort: 8002, protocol: "TCP" });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/v2/health/ready", port: 8080 });
    validateAgainstUpstreamSchema(rt);
  });

  it("vLLM Neuron runtime: the pinned vLLM Neuron image on KServe's port 8080", () => {
    const rt = VLLM_NEURON.servingRuntime("serving") as any;
    const c = rt.spec.containers[0];
    expect(rt.metadata).toEqual({ name: "vllm-neuron", namespace: "serving" });
    expect(c.image).toBe(imageRef(IMAGES.vllmNeuron));
    expect(c.command).toEqual(["vllm", "serve", "/mnt/models"]);
    expect(c.args.slice(0, 2)).toEqual(["--port", "8080"]);
    expect(c.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(rt.spec.supportedModelFormats.map((f: { name: string }) => f.name)).toEqual(["vllm-neuron"]);
    validateAgainstUpstreamSchema(rt);
  });

  describe("every model server drains, spreads over zones and has a startup probe (issue 22, item 6)", () => {
    const runtimes = [TRITON, VLLM_NEURON, VLLM_GPU];
    const modelOn = (r: (typeof runtimes)[number]): ModelSpec =>
      r === TRITON ? kserveGpu : r === VLLM_GPU ? with_(kserveGpu, { runtime: "vllm", name: "llm" }) : kserveNeuron;

    it.each(runtimes.map((r) => [r.id, r] as const))(
      "%s: the predictor's grace covers the preStop pause and the runtime's longest request",
      (_id, r) => {
        const p = isvc(modelOn(r)).spec.predictor;
        expect(p.terminationGracePeriodSeconds).toBe(
          ENDPOINT_REMOVAL_SECONDS + r.drain.longestRequestSeconds + EXIT_MARGIN_SECONDS,
        );
        // Kubernetes' default of 30 s would cut every drain short.
        expect(p.terminationGracePeriodSeconds).toBeGreaterThan(30);
        const c = (r.servingRuntime("serving") as any).spec.containers[0];
        expect(c.lifecycle.preStop).toBeDefined();
        expect(c.startupProbe).toBeDefined();
        // Liveness waits for the startup probe, never on a fixed delay a slow load or compile outlives.
        expect(c.livenessProbe).not.toHaveProperty("initialDelaySeconds");
        validateAgainstUpstreamSchema(isvc(modelOn(r)));
        validateAgainstUpstreamSchema(r.servingRuntime("serving"));
      },
    );

    it("Triton drains itself after the pause: preStop sleep, then --exit-timeout-secs for the ALB's idle timeout", () => {
      const c = (TRITON.servingRuntime("serving") as any).spec.containers[0];
      expect(c.lifecycle).toEqual({ preStop: { sleep: { seconds: ENDPOINT_REMOVAL_SECONDS } } });
      expect(TRITON.drain.longestRequestSeconds).toBe(ALB_IDLE_TIMEOUT_SECONDS);
      expect(c.args).toContain(`--exit-timeout-secs=${ALB_IDLE_TIMEOUT_SECONDS}`);
      const d = tritonDeployment({ model: tritonGpu, serviceAccountName: "resnet", region: "us-west-2" });
      expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(
        isvc(kserveGpu).spec.predictor.terminationGracePeriodSeconds,
      );
      expect(d.spec.template.spec.containers[0].lifecycle).toEqual(c.lifecycle);
    });

    it("vLLM drains in preStop (the pinned 0.16 is not relied on to drain on SIGTERM): pause, then wait for no running or waiting request", () => {
      for (const r of [VLLM_GPU, VLLM_NEURON]) {
        const c = (r.servingRuntime("serving") as any).spec.containers[0];
        expect(c.lifecycle).toEqual({ preStop: { exec: { command: ["python3", "-c", VLLM_PRESTOP_SCRIPT] } } });
        expect(r.drain.longestRequestSeconds).toBe(ALB_DEREGISTRATION_DELAY_SECONDS);
        // A flag the pinned vLLM may not know would stop it from starting.
        expect(c.args.join(" ")).not.toContain("--shutdown-timeout");
      }
      expect(VLLM_PRESTOP_SCRIPT).toContain(`time.sleep(${ENDPOINT_REMOVAL_SECONDS})`);
      expect(VLLM_PRESTOP_SCRIPT).toContain(`time.monotonic() + ${ALB_DEREGISTRATION_DELAY_SECONDS}`);
      expect(VLLM_PRESTOP_SCRIPT).toContain(`http://127.0.0.1:${KSERVE_HTTP_PORT}/metrics`);
    });

    it("the vLLM preStop script's parse counts running and waiting requests only (run in Python)", () => {
      const body = [
        "# TYPE vllm:num_requests_running gauge",
        'vllm:num_requests_running{engine="0",model_name="llm"} 2.0',
        'vllm:num_requests_waiting{engine="0",model_name="llm"} 1.0',
        "vllm:num_requests_swapped 7.0",
        "vllm:num_requests_running_total 5.0",
      ].join("\n");
      // The script's own parse line, run on a sample exposition (the script as a whole sleeps and polls).
      const parse = VLLM_PRESTOP_SCRIPT.split("\n")
        .find((l) => l.includes("re.findall("))!
        .trim();
      const program = `import re\ntext = ${JSON.stringify(body)}\n${parse}\nprint(sum(float(v) for v in held))`;
      expect(execFileSync("python3", ["-c", program]).toString().trim()).toBe("3.0");
      execFileSync("python3", ["-c", `import ast; ast.parse(${JSON.stringify(VLLM_PRESTOP_SCRIPT)})`]);
    });

    it("spreads each track's replicas over zones, preferring spread over pending replicas", () => {
      const p = isvc(kserveGpu, { track: "canary", name: "bert-canary" }).spec.predictor;
      expect(p.topologySpreadConstraints).toEqual([
        {
          maxSkew: 1,
          topologyKey: "topology.kubernetes.io/zone",
          whenUnsatisfiable: "ScheduleAnyway",
          labelSelector: { matchLabels: { "mlserving.io/model": "bert", "mlserving.io/track": "canary" } },
        },
      ]);
      const d = tritonDeployment({ model: tritonGpu, serviceAccountName: "resnet", region: "us-west-2" });
      expect(d.spec.template.spec.topologySpreadConstraints[0]).toMatchObject({
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
      });
    });

    it("Triton on KServe gets the Deployment's startup probe and memory-backed /dev/shm", () => {
      const rt = TRITON.servingRuntime("serving") as any;
      const c = rt.spec.containers[0];
      expect(c.startupProbe).toEqual({
        httpGet: { path: "/v2/health/ready", port: KSERVE_HTTP_PORT },
        periodSeconds: 10,
        failureThreshold: 90,
      });
      expect(c.volumeMounts).toContainEqual({ name: "dshm", mountPath: "/dev/shm" });
      expect(rt.spec.volumes).toContainEqual({ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "2Gi" } });
    });

    it("vLLM on Neuron: a startup probe of an hour for the compile, not a liveness delay of ten minutes", () => {
      const c = (VLLM_NEURON.servingRuntime("serving") as any).spec.containers[0];
      expect(c.startupProbe).toEqual({
        httpGet: { path: "/health", port: 8080 },
        periodSeconds: 10,
        failureThreshold: 360,
      });
    });
  });

  describe("modelIngress", () => {
    it("health-checks the runtime's own readiness endpoint", () => {
      expect(healthPathFor({ runtime: "triton" })).toBe("/v2/health/ready");
      expect(healthPathFor({ runtime: "vllm-neuron" })).toBe("/health");
    });

    it("routes to the predictor on an internal ALB in the group", () => {
      const ing = modelIngress({
        model: "bert",
        host: "bert.models.dev.internal",
        healthPath: "/v2/health/ready",
        groupName: "ml-models",
        allowedCidrs: ["10.20.0.0/19", "10.20.32.0/19"],
      });
      expect(ing.metadata.annotations).toMatchObject({
        "alb.ingress.kubernetes.io/inbound-cidrs": "10.20.0.0/19,10.20.32.0/19",
        "alb.ingress.kubernetes.io/healthcheck-path": "/v2/health/ready",
        "alb.ingress.kubernetes.io/scheme": "internal",
        "alb.ingress.kubernetes.io/group.name": "ml-models",
        "alb.ingress.kubernetes.io/target-type": "ip",
      });
      expect(ing.spec.ingressClassName).toBe("alb");
      expect(ing.spec.rules[0].host).toBe("bert.models.dev.internal");
      expect(ing.spec.rules[0].http.paths[0].backend).toEqual({
        service: { name: "bert-predictor", port: { number: 80 } },
      });
      validateAgainstUpstreamSchema({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", ...ing });
    });

    it("listens on HTTPS only when given a certificate", () => {
      const arn = "arn:aws:acm:us-west-2:123456789012:certificate/0c1d2e3f-0000-4000-8000-000000000000";
      const ing = modelIngress({
        model: "bert",
        host: "bert.models.dev.internal",
        healthPath: "/v2/health/ready",
        groupName: "g",
        certificateArn: arn,
        allowedCidrs: ["10.20.0.0/19"],
      });
      expect(ing.metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]).toBe(arn);
      expect(JSON.parse(ing.metadata.annotations["alb.ingress.kubernetes.io/listen-ports"])).toEqual([{ HTTPS: 443 }]);
      expect(
        modelIngress({ model: "bert", host: "h", healthPath: "/", groupName: "g", allowedCidrs: ["10.20.0.0/19"] })
          .metadata.annotations,
      ).not.toHaveProperty("alb.ingress.kubernetes.io/certificate-arn");
    });

    it("splits a canary by weight through a forward action", () => {
      const ing = modelIngress({
        model: "bert",
        host: "bert.models.dev.internal",
        healthPath: "/v2/health/ready",
        canaryPercent: 10,
        groupName: "ml-models",
        allowedCidrs: ["10.20.0.0/19"],
      });
      const action = JSON.parse(ing.metadata.annotations["alb.ingress.kubernetes.io/actions.bert-weighted"]);
      expect(action.type).toBe("forward");
      const groups = action.forwardConfig.targetGroups;
      expect(groups).toEqual([
        { serviceName: "bert-predictor", servicePort: "80", weight: 90 },
        { serviceName: "bert-canary-predictor", servicePort: "80", weight: 10 },
      ]);
      expect(groups.reduce((s: number, g: { weight: number }) => s + g.weight, 0)).toBe(100);
      expect(ing.spec.rules[0].http.paths[0].backend).toEqual({
        service: { name: "bert-weighted", port: { name: "use-annotation" } },
      });
      expect(ing.metadata.annotations["alb.ingress.kubernetes.io/scheme"]).toBe("internal");
      validateAgainstUpstreamSchema({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", ...ing });
    });
  });
});

describe("MODEL_FETCH_SCRIPT", () => {
  it("downloads through MLflow into the destination, from argv[1] to argv[2]", () => {
    expect(MODEL_FETCH_SCRIPT).toContain("import mlflow.artifacts");
    expect(MODEL_FETCH_SCRIPT).toMatch(/mlflow\.artifacts\.download_artifacts\(artifact_uri=uri, dst_path=/);
    expect(MODEL_FETCH_SCRIPT).toContain("uri, dst = sys.argv[1], sys.argv[2]");
  });

  it("is valid Python", () => {
    const out = execFileSync("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read()); print('ok')"], {
      input: MODEL_FETCH_SCRIPT,
      encoding: "utf8",
    });
    expect(out.trim()).toBe("ok");
  });
});
