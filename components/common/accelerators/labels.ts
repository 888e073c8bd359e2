import { NODE_POOL_LABEL } from "../labels";

/** Node labels the kit puts on accelerator nodes (kind, capacity type, instance families). */
export const LABELS = {
  accelerator: "mlserving.io/accelerator",
  capacityType: "mlserving.io/capacity-type",
  instanceFamilies: "mlserving.io/instance-families",
  nodePool: NODE_POOL_LABEL,
} as const;
