import { describe, expect, it } from "vitest";
import { MODEL_RUNTIMES } from "../../components/serving";
import { vllmRuntimeLoraUpdatingOff } from "../../policies/rules";
import { resource, violations } from "./policy-harness";

const RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime";
const ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

const runtimeWith = (env: Record<string, unknown>[]) =>
  resource(
    RUNTIME,
    {
      metadata: { name: "vllm-team", namespace: "team-a" },
      spec: { containers: [{ name: "kserve-container", image: "docker.io/vllm/vllm-openai:v0.16.0", env }] },
    },
    { name: "vllm-team" },
  );

const isvcWith = (env: Record<string, unknown>[]) =>
  resource(
    ISVC,
    {
      metadata: { name: "chat", namespace: "serving" },
      spec: { predictor: { model: { modelFormat: { name: "vllm" }, runtime: "vllm-gpu", env } } },
    },
    { name: "chat" },
  );

const deploymentWith = (env: Record<string, unknown>[]) =>
  resource(
    DEPLOYMENT,
    {
      metadata: { name: "vllm", namespace: "team-a" },
      spec: {
        template: { spec: { containers: [{ name: "vllm", image: "docker.io/vllm/vllm-openai:v0.16.0", env }] } },
      },
    },
    { name: "vllm" },
  );

const on = (value: string) => [{ name: "VLLM_ALLOW_RUNTIME_LORA_UPDATING", value }];

describe("vllm-runtime-lora-updating-off", () => {
  it("refuses runtime adapter loading turned on, as vLLM reads the variable (1 or true, any case, trimmed)", async () => {
    for (const value of ["1", "true", "True", " TRUE "]) {
      expect(await violations(vllmRuntimeLoraUpdatingOff, [runtimeWith(on(value))]), value).toEqual([
        expect.stringContaining(`container kserve-container: VLLM_ALLOW_RUNTIME_LORA_UPDATING=${value} opens`),
      ]);
    }
  });

  it("judges an InferenceService's model container and any Deployment, and a value the pack cannot read", async () => {
    expect(await violations(vllmRuntimeLoraUpdatingOff, [isvcWith(on("1"))])).toEqual([
      expect.stringContaining("spec.predictor.model: VLLM_ALLOW_RUNTIME_LORA_UPDATING=1"),
    ]);
    const fromSecret = [
      { name: "VLLM_ALLOW_RUNTIME_LORA_UPDATING", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
    ];
    expect(await violations(vllmRuntimeLoraUpdatingOff, [deploymentWith(fromSecret)])).toEqual([
      expect.stringContaining("container vllm: VLLM_ALLOW_RUNTIME_LORA_UPDATING comes from valueFrom"),
    ]);
  });

  it("accepts the variable off or absent, and the kit's own vLLM runtimes", async () => {
    const ok = [
      runtimeWith(on("0")),
      isvcWith(on("false")),
      deploymentWith([]),
      deploymentWith([{ name: "OTHER", value: "1" }]),
      ...["vllm", "vllm-neuron"].map((id) =>
        resource(RUNTIME, MODEL_RUNTIMES[id].servingRuntime("serving") as unknown as Record<string, unknown>, {
          name: id,
        }),
      ),
    ];
    expect(await violations(vllmRuntimeLoraUpdatingOff, ok)).toEqual([]);
  });
});
