import { describe, expect, it } from "vitest";
import { TRITON_GPU_MODEL } from "../fixtures/models";
import {
  inferenceService,
  MODEL_RUNTIMES,
  ModelSpec,
  modelSpecProblems,
  runtimePodMonitor,
  servedSource,
  servedVersion,
  tritonDeployment,
  withModelDefaults,
} from "../../components/serving";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

const llm = (extra: Partial<ModelSpec> = {}) =>
  withModelDefaults(
    {
      name: "chat",
      server: "kserve",
      accelerator: "nvidia",
      runtime: "vllm",
      source: "models:/chat@production",
      ...extra,
    },
    "prod",
  );

describe("one version per rollout", () => {
  it("resolves a pinned alias to its version and leaves other sources alone", () => {
    expect(servedSource("models:/chat@production", 12)).toBe("models:/chat/12");
    expect(servedSource("models:/chat@production")).toBe("models:/chat@production");
    expect(servedSource("models:/chat/7", 12)).toBe("models:/chat/7");
    expect(servedSource("s3://bucket-a/chat", 12)).toBe("s3://bucket-a/chat");
    expect(servedVersion("models:/chat/12")).toBe(12);
    expect(servedVersion("models:/chat@production")).toBeUndefined();
  });

  it("requires a pinned version for alias sources outside dev, on stable and canary", () => {
    const unpinned = llm({ canary: { source: "models:/chat@challenger", trafficPercent: 10 } });
    expect(modelSpecProblems(unpinned, "prod").map((p) => p.field)).toEqual(["pinnedVersion", "canary.pinnedVersion"]);
    expect(modelSpecProblems(unpinned, "prod")[0].message).toMatch(
      /replicas could serve different versions.*chat@production/,
    );
    expect(modelSpecProblems({ ...unpinned, replicas: { min: 1, max: 2 } }, "dev")).toEqual([]);
    const pinned = llm({
      pinnedVersion: 12,
      canary: { source: "models:/chat@challenger", trafficPercent: 10, pinnedVersion: 13 },
    });
    expect(modelSpecProblems(pinned, "prod")).toEqual([]);
  });

  it("rejects a pin on a source without an alias, and a pin that is not a version", () => {
    expect(modelSpecProblems(llm({ source: "models:/chat/7", pinnedVersion: 8 }), "prod")).toEqual([
      { field: "pinnedVersion", message: "pins an alias source (models:/<name>@<alias>); this source names no alias" },
    ]);
    expect(modelSpecProblems(llm({ pinnedVersion: 0 }), "prod")).toEqual([
      { field: "pinnedVersion", message: "must be a registry version (1 or more)" },
    ]);
  });

  it("serves the pinned version from every replica, labelled and annotated with the alias it came from", () => {
    const model = llm({ pinnedVersion: 12 });
    const isvc = inferenceService({
      model,
      track: "stable",
      name: "chat",
      source: servedSource(model.source, model.pinnedVersion),
      configuredSource: model.source,
      serviceAccountName: "chat",
    });
    validateAgainstUpstreamSchema(isvc);
    expect(isvc.spec.predictor.model.storageUri).toBe("models:/chat/12");
    const labels = (o: object) => o as Record<string, string>;
    expect(labels(isvc.metadata.labels)["mlserving.io/model-version"]).toBe("12");
    expect(labels(isvc.spec.predictor.labels)["mlserving.io/model-version"]).toBe("12");
    expect(labels(isvc.metadata.annotations)["mlserving.io/model-source"]).toBe("models:/chat@production");
    // Every scraped series of the pods carries the version.
    const relabel = runtimePodMonitor(MODEL_RUNTIMES.vllm).spec.podMetricsEndpoints[0].relabelings;
    expect(relabel).toContainEqual({
      sourceLabels: ["__meta_kubernetes_pod_label_mlserving_io_model_version"],
      targetLabel: "mlserving_model_version",
      action: "replace",
    });
  });

  it("has the kit's own Triton Deployment fetch the pinned version", () => {
    const model: ModelSpec = { ...TRITON_GPU_MODEL, source: "models:/resnet@champion", pinnedVersion: 4 };
    const dep = tritonDeployment({
      model,
      serviceAccountName: "resnet",
      region: "us-west-2",
      trackingUri: "http://mlflow",
    });
    expect(dep.spec.template.spec.initContainers[0].args?.[0]).toBe("models:/resnet/4");
  });
});
