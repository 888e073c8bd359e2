import type { AcceleratorKindRecord } from "./kind";
import { NEURON } from "./neuron";
import { NVIDIA } from "./nvidia";

/**
 * The accelerator kinds the kit supports, by the name stack files use (`kind: nvidia`): a new
 * kind is one line here. Everything else (the registry, the config's keys, the checks, the
 * policies' facts) derives from these records.
 */
export const ACCELERATORS = { nvidia: NVIDIA, neuron: NEURON } as const satisfies Record<string, AcceleratorKindRecord>;
