import { ACCELERATOR_REGISTRY } from "../common/accelerators";
import type { ModelSpec } from "./model-types";

/** Devices per replica, by kind (one unless the model asks for more). */
export function devicesOf(
  m: Pick<ModelSpec, "accelerator" | "resources">,
): { resource: string; count: number } | undefined {
  const request = ACCELERATOR_REGISTRY.deviceRequest(m.accelerator, m.resources);
  return request && { resource: request.resource, count: request.count };
}
