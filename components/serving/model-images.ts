import { cachedRepositoryName, type PullThroughMirror } from "../cluster/pull-through-cache";
import { IMAGES, imageRef, type ImagePin } from "../versions";
import type { ModelSpec } from "./model-spec";
import { runtimeOf } from "./runtimes";

/**
 * The images a replica of the model pulls: its server and the fetcher of its weights, the kit's
 * MLflow-client fetcher for every source and server (KServe's `mlflow-models` and `s3-models`
 * storage containers, Triton's init container); none when the weights are mounted. These are the
 * images' own references (as pinned in versions.ts); {@link pulledImageRef} gives where a pod pulls each.
 */
export function modelImages(m: Pick<ModelSpec, "runtime" | "mountWeights">): string[] {
  const server = imageRef(runtimeOf(m).image);
  return m.mountWeights ? [server] : [server, imageRef(IMAGES.mlflow)];
}

/**
 * Where a pod pulls an image from: through the stack's ECR pull-through cache when it has a rule for
 * the image's registry (`<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<upstream prefix>/<path>:<tag>`,
 * cluster/pull-through-cache.ts), from the image's own registry otherwise (no cache, or a registry
 * ECR cannot cache, such as nvcr.io). Every container of a model pod, and every pod that pre-pulls
 * a model's images, names its image through this one function.
 */
export function pulledImageRef(image: string | ImagePin, mirror?: PullThroughMirror): string {
  const ref = typeof image === "string" ? image : imageRef(image);
  if (!mirror) return ref;
  const host = ref.slice(0, ref.indexOf("/"));
  if (!(mirror.upstreams as readonly string[]).includes(host)) return ref;
  const repository = cachedRepositoryName(ref, mirror.repositoryPrefix);
  return repository ? `${mirror.registry}/${repository}:${ref.slice(ref.lastIndexOf(":") + 1)}` : ref;
}
