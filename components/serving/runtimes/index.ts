import type { ModelAccelerator, RuntimeId } from "../model-types";
import type { ModelRuntime } from "./runtime";
import { TRITON } from "./triton";
import { VLLM_NEURON } from "./vllm-neuron";
import { VLLM_GPU } from "./vllm-gpu";

export type { ModelRuntime, ScalingQuery, ServerStart, ServerStartFigure } from "./runtime";
export { TRITON } from "./triton";
export { VLLM_NEURON } from "./vllm-neuron";
export { VLLM_GPU } from "./vllm-gpu";
export { VLLM_DRAIN, VLLM_PRESTOP_SCRIPT } from "./vllm";

export type { RuntimeId } from "../model-types";

/**
 * Every model runtime the kit can run, by the `runtime` a stack file names. The kit's own are
 * listed here; a program adds its own with {@link registerModelRuntime}.
 */
export const MODEL_RUNTIMES: Readonly<Record<RuntimeId, ModelRuntime>> = {
  triton: TRITON,
  "vllm-neuron": VLLM_NEURON,
  vllm: VLLM_GPU,
};

/** Registered runtime ids, in registration order (the order defaults are picked in). */
export const RUNTIME_IDS: RuntimeId[] = Object.keys(MODEL_RUNTIMES);

/** Adds a runtime to the registry, e.g. from a model team's own program; ids are unique. */
export function registerModelRuntime(runtime: ModelRuntime): void {
  if (isRuntimeId(runtime.id)) throw new Error(`model runtime ${runtime.id} is already registered`);
  (MODEL_RUNTIMES as Record<RuntimeId, ModelRuntime>)[runtime.id] = runtime;
  RUNTIME_IDS.push(runtime.id);
}

export function isRuntimeId(id: string): boolean {
  return Object.prototype.hasOwnProperty.call(MODEL_RUNTIMES, id);
}

/** The runtime a model on `accelerator` gets when it names none: the first registered that runs there. */
export function defaultRuntimeFor(accelerator: ModelAccelerator): RuntimeId {
  const id = RUNTIME_IDS.find((r) => MODEL_RUNTIMES[r].accelerators.includes(accelerator));
  if (!id) throw new Error(`no model runtime runs on ${accelerator}`);
  return id;
}

/** The runtime of a model; throws for an id nobody registered. */
export function runtimeOf(model: { runtime: RuntimeId }): ModelRuntime {
  if (!isRuntimeId(model.runtime)) throw new Error(`unknown model runtime ${model.runtime}`);
  return MODEL_RUNTIMES[model.runtime];
}

/** Whether the LLM gateway routes this model (a KServe model on a runtime with `inferencePool`), when the platform has one. */
export function routedByGateway(model: { server: string; runtime: RuntimeId }): boolean {
  return (
    model.server === "kserve" && isRuntimeId(model.runtime) && MODEL_RUNTIMES[model.runtime].inferencePool === true
  );
}
