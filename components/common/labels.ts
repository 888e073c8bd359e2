/** Node label naming the kit's node pool (`system`, or an accelerator pool's name). */
export const NODE_POOL_LABEL = "mlserving.io/node-pool";

/** Node selector for controllers and servers that belong on the on-demand system node group. */
export const SYSTEM_NODE_SELECTOR: Readonly<Record<string, string>> = { [NODE_POOL_LABEL]: "system" };
