import { IMAGES, imageRef } from "../versions";
import type { ModelSpec } from "./model-types";
import { runtimeOf } from "./runtimes";

/**
 * The images a replica of the model pulls: its server and the fetcher of its weights, the kit's
 * MLflow-client fetcher for every source and server (KServe's `mlflow-models` and `s3-models`
 * storage containers, Triton's init container); none when the weights are mounted, unless the
 * model restores its compile cache with it. These are the
 * images' own references (as pinned in versions.ts); `pulledImageRef`
 * (cluster/pull-through-cache.ts) gives where a pod pulls each.
 */
export function modelImages(m: Pick<ModelSpec, "runtime" | "mountWeights" | "compileCache">): string[] {
  const server = imageRef(runtimeOf(m).image);
  // The MLflow image also restores the compile cache (serving/compile-cache.ts), before the server starts.
  return m.mountWeights && !m.compileCache ? [server] : [server, imageRef(IMAGES.mlflow)];
}
