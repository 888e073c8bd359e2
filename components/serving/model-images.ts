import { IMAGES, imageRef } from "../versions";
import type { ModelSpec } from "./model-types";
import { runtimeOf } from "./runtimes";

/**
 * The images a replica of the model pulls: its server and the fetcher of its weights, the kit's
 * MLflow-client fetcher for every source and server (KServe's `mlflow-models` and `s3-models`
 * storage containers, Triton's init container); none when the weights are mounted. These are the
 * images' own references (as pinned in versions.ts); `pulledImageRef`
 * (cluster/pull-through-cache.ts) gives where a pod pulls each.
 */
export function modelImages(m: Pick<ModelSpec, "runtime" | "mountWeights">): string[] {
  const server = imageRef(runtimeOf(m).image);
  return m.mountWeights ? [server] : [server, imageRef(IMAGES.mlflow)];
}
