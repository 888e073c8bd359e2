import { describe, expect, it } from "vitest";
import { inferenceService, mlflowStorageContainer, scaledObject, TRITON } from "../../components/serving";
import type { ModelSpec } from "../../components/serving";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";

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
    expect(() => validateAgainstUpstreamSchema({ ...so, spec: { ...so.spec, minReplicaCount: "one" } })).toThrow();
    expect(() => validateAgainstUpstreamSchema({ apiVersion: "example.com/v1", kind: "Widget" })).toThrow(
      /no upstream schema/,
    );
  });
});
