import { afterAll, describe, expect, it } from "vitest";
import {
  defaultRuntimeFor,
  inferenceService,
  MODEL_RUNTIMES,
  ModelRuntime,
  modelSpecProblems,
  registerModelRuntime,
  RUNTIME_IDS,
  runtimePodMonitor,
  scaledObject,
  withModelDefaults,
} from "../../components/serving";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

/** A runtime the kit does not ship, added through the same contract as Triton and vLLM. */
const TOY: ModelRuntime = {
  id: "toy-llm",
  title: "Toy LLM server",
  servingRuntimeName: "toy-llm",
  modelFormat: "toy",
  image: { repository: "registry.example.com/toy-llm", tag: "1.0.0" },
  accelerators: ["nvidia"],
  servers: ["kserve"],
  metricsExporter: "toy-llm",
  metricsPort: "http",
  healthPath: "/ready",
  runAsUser: 1000,
  drain: { longestRequestSeconds: 60 },
  defaultAutoscaling: { metric: "in-flight", target: 4 },
  scalingQueries: {
    "in-flight": (sel) => ({ query: `sum(toy_requests_in_flight${sel})`, metricType: "AverageValue" }),
  },
  servingRuntime: (namespace) => ({
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ServingRuntime",
    metadata: { name: "toy-llm", namespace },
    spec: {
      supportedModelFormats: [{ name: "toy", autoSelect: true }],
      containers: [{ name: "kserve-container", image: "registry.example.com/toy-llm:1.0.0" }],
    },
  }),
  modelArgs: (model) => ["--served-model-name", model.name],
  modelProblems: (model) =>
    model.replicas.max > 2 ? [{ field: "replicas.max", message: "the toy server runs at most 2 replicas" }] : [],
};

describe("model runtime registry", () => {
  registerModelRuntime(TOY);
  // Test files share a worker's modules (vitest.config.ts, isolate: false): take the toy runtime
  // out again so no other file sees it.
  afterAll(() => {
    delete (MODEL_RUNTIMES as Record<string, ModelRuntime>)[TOY.id];
    RUNTIME_IDS.splice(RUNTIME_IDS.indexOf(TOY.id), 1);
  });

  it("checks a model on a runtime with the runtime's own rules (its modelProblems hook)", () => {
    const toy = withModelDefaults(
      { name: "toy", server: "kserve", accelerator: "nvidia", source: "s3://models/toy", runtime: TOY.id },
      "dev",
    );
    expect(modelSpecProblems({ ...toy, replicas: { min: 1, max: 3 } }, "dev")).toEqual([
      { field: "replicas.max", message: "the toy server runs at most 2 replicas" },
    ]);
    expect(modelSpecProblems({ ...toy, replicas: { min: 1, max: 2 } }, "dev")).toEqual([]);
  });

  it("defaults each accelerator to the first runtime registered for it", () => {
    expect(defaultRuntimeFor("nvidia")).toBe("triton");
    expect(defaultRuntimeFor("cpu")).toBe("triton");
    expect(defaultRuntimeFor("neuron")).toBe("vllm-neuron");
    expect(() => registerModelRuntime(TOY)).toThrow(/already registered/);
  });

  it("serves a model on a registered runtime with its format, args, probes, monitor and scaling metric", () => {
    const model = withModelDefaults(
      {
        name: "chat",
        server: "kserve",
        accelerator: "nvidia",
        runtime: "toy-llm",
        source: "s3://models-bucket/chat/1",
      },
      "staging",
    );
    expect(model.autoscaling).toEqual({ metric: "in-flight", target: 4 });
    expect(modelSpecProblems(model, "staging")).toEqual([]);
    const isvc = inferenceService({
      model,
      track: "stable",
      name: "chat",
      source: model.source,
      serviceAccountName: "chat",
    });
    expect(isvc.spec.predictor.model).toMatchObject({
      modelFormat: { name: "toy" },
      runtime: "toy-llm",
      args: ["--served-model-name", "chat"],
    });
    validateAgainstUpstreamSchema(isvc);
    validateAgainstUpstreamSchema(MODEL_RUNTIMES["toy-llm"].servingRuntime("serving"));
    expect(runtimePodMonitor(TOY).spec.podMetricsEndpoints[0].port).toBe("http");
    const so = scaledObject(model, "chat-predictor", { name: "chat", track: "stable" });
    expect(so.spec.triggers[0].metadata.query).toBe(
      'sum(toy_requests_in_flight{namespace="serving",mlserving_model="chat",mlserving_track="stable"})',
    );
  });

  it("refuses what the runtime cannot do, by field", () => {
    const base = withModelDefaults(
      {
        name: "chat",
        server: "kserve",
        accelerator: "nvidia",
        runtime: "toy-llm",
        source: "s3://models-bucket/chat/1",
      },
      "dev",
    );
    const fields = (m: typeof base) => modelSpecProblems(m, "dev").map((p) => p.field);
    expect(fields({ ...base, accelerator: "neuron", resources: { cpu: "1", memory: "1Gi" } })).toEqual(["runtime"]);
    expect(fields({ ...base, autoscaling: { metric: "queue-time", target: 10 } })).toEqual(["autoscaling.metric"]);
    expect(fields({ ...base, runtime: "nope" })).toEqual(["runtime"]);
  });
});
