import { cachedRepositoryName, type PullThroughMirror } from "../cluster/pull-through-cache";
import { imageRef, type ImagePin } from "../versions";

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
