import { IMAGES, imageRef } from "../versions";
import { isRuntimeId, MODEL_RUNTIMES, RUNTIME_IDS, type RuntimeId } from "../serving/runtimes";
import type { PlatformSpec } from "./spec";

/** Whether the platform installs KServe: a model served through it, or a team offered a KServe runtime. */
export function installsKServe(spec: Pick<PlatformSpec, "serving" | "teams">): boolean {
  return (
    spec.serving.models.some((m) => m.server === "kserve") || (spec.teams ?? []).some((t) => t.runtimes.length > 0)
  );
}

/** The KServe runtimes of the `serving` namespace: those its models use. */
export function servingRuntimeIds(spec: Pick<PlatformSpec, "serving">): RuntimeId[] {
  return RUNTIME_IDS.filter((id) => spec.serving.models.some((m) => m.server === "kserve" && m.runtime === id));
}

/**
 * Every image a pod on the stack's accelerator nodes may pull, as pinned (versions.ts), sorted:
 * - each model server's image: the ServingRuntimes of the `serving` namespace and of the teams'
 *   namespaces, and the kit's Triton Deployments;
 * - the kit's fetcher (MLflow's image), which every KServe storage initializer (`mlflow-models`,
 *   `s3-models`, installed with KServe) and every Triton Deployment without mounted weights runs;
 * - the pause image of warm-headroom placeholders, when a pool holds warm nodes.
 * Derived from the spec as the components build their objects, so it changes with versions.ts and
 * the models: the ECR pull-through cache makes a rule for each of their upstreams, and the image-cache
 * snapshot of the accelerator nodes pre-pulls exactly these.
 */
export function acceleratorNodeImages(spec: Pick<PlatformSpec, "serving" | "teams" | "capacity">): string[] {
  const runtimes = new Set<RuntimeId>(servingRuntimeIds(spec));
  for (const t of spec.teams ?? []) for (const id of t.runtimes) if (isRuntimeId(id)) runtimes.add(id);
  const images = new Set([...runtimes].map((id) => imageRef(MODEL_RUNTIMES[id].image)));
  // The kit's own Triton Deployment (serving/triton-builders.ts) runs Triton's image.
  const triton = spec.serving.models.filter((m) => m.server === "triton");
  if (triton.length > 0) images.add(imageRef(IMAGES.tritonServer));
  if (installsKServe(spec) || triton.some((m) => !m.mountWeights)) images.add(imageRef(IMAGES.mlflow));
  if (spec.capacity.pools.some((p) => (p.warmNodes ?? 0) > 0)) images.add(imageRef(IMAGES.pause));
  return [...images].sort();
}
