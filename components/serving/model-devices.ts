import { DEVICE_RESOURCE } from "../common/accelerators";
import type { ModelSpec } from "./model-spec";

/** Devices per replica, by kind (one unless the model asks for more). */
export function devicesOf(
  m: Pick<ModelSpec, "accelerator" | "resources">,
): { resource: string; count: number } | undefined {
  if (m.accelerator === "nvidia") return { resource: DEVICE_RESOURCE.nvidia, count: m.resources.gpus ?? 1 };
  if (m.accelerator === "neuron") return { resource: DEVICE_RESOURCE.neuron, count: m.resources.neuronDevices ?? 1 };
  return undefined;
}
