import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { kitConfigSchema } from "./config";
import type { Props } from "./props";
import { containersOf } from "./pods";

/**
 * Repositories: the provider's, and awsx's component, whose inputs pass the same settings through
 * (awsx 3.9.0 ecr/repository.js) and whose children the offline plan cannot see.
 */
const REPOSITORY_TYPES = ["aws:ecr/repository:Repository", "awsx:ecr:Repository"];
const REGISTRY_SCANNING = "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration";

/** ECR's WILDCARD repository filter: `*` matches any run of characters. */
function wildcard(filter: string, name: string): boolean {
  const re = filter
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${re}$`).test(name);
}

/**
 * Whether the registry's scanning configuration (aws.ecr.RegistryScanningConfiguration) scans the
 * repository on push or continuously: a rule whose WILDCARD filter matches its name.
 */
function registryScans(name: unknown, configs: readonly PolicyResource[]): boolean {
  if (typeof name !== "string") return false;
  return configs.some((c) =>
    ((c.props.rules ?? []) as Props[]).some(
      (rule) =>
        ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"].includes(String(rule.scanFrequency)) &&
        ((rule.repositoryFilters ?? []) as Props[]).some((f) => wildcard(String(f.filter ?? ""), name)),
    ),
  );
}

/**
 * Repositories of model-server images keep each tag on one image and scan what is pushed: a
 * mutable tag lets a push replace the image every pinned reference runs, unscanned.
 */
export const ecrRepositoriesImmutableAndScanned: StackValidationPolicy = {
  name: "ecr-repositories-immutable-and-scanned",
  description:
    "ECR repositories set imageTagMutability IMMUTABLE (or IMMUTABLE_WITH_EXCLUSION with no filter " +
    "excluding every tag; the provider's default is MUTABLE) and scan images on push (imageScanningConfiguration.scanOnPush, " +
    "or a RegistryScanningConfiguration rule scanning on push or continuously whose filter matches the repository).",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const configs = args.resources.filter((r) => r.type === REGISTRY_SCANNING);
    for (const repo of args.resources.filter((r) => REPOSITORY_TYPES.includes(r.type))) {
      const at = `ECR repository ${repo.props.name ?? repo.name}`;
      // aws provider 7.48 (ecr/repository.d.ts): MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION; default MUTABLE.
      const mutability = String(repo.props.imageTagMutability ?? "MUTABLE");
      const filters = ((repo.props.imageTagMutabilityExclusionFilters ?? []) as Props[]).map((f) => String(f.filter));
      if (mutability === "IMMUTABLE_WITH_EXCLUSION" && filters.some((f) => /^\*+$/.test(f)))
        report(
          `${at} excludes every tag (${filters.join(", ")}) from immutability; name the tags that may move.`,
          repo.urn,
        );
      else if (mutability !== "IMMUTABLE" && mutability !== "IMMUTABLE_WITH_EXCLUSION")
        report(
          `${at} has mutable tags (imageTagMutability ${mutability}); set IMMUTABLE so a pushed tag never changes.`,
          repo.urn,
        );
      if (repo.props.imageScanningConfiguration?.scanOnPush !== true && !registryScans(repo.props.name, configs))
        report(
          `${at} does not scan images on push; set imageScanningConfiguration.scanOnPush true (or a registry scanning rule that covers it).`,
          repo.urn,
        );
    }
  },
};

const PULL_THROUGH_RULE = "aws:ecr/pullThroughCacheRule:PullThroughCacheRule";
/** Docker Hub as a pull-through cache rule names it (ECR API reference, CreatePullThroughCacheRule `upstreamRegistryUrl`). */
const DOCKER_HUB_UPSTREAM = "registry-1.docker.io";

/**
 * Whether an image reference is pulled from Docker Hub: `docker.io/...`, `index.docker.io/...`, or a
 * reference whose first segment is no registry host (no `.` or `:`, not `localhost`), which
 * containerd resolves to Docker Hub.
 */
export function fromDockerHub(image: string): boolean {
  const first = image.split("/")[0];
  if (!image.includes("/")) return true;
  if (["docker.io", "index.docker.io", "registry-1.docker.io"].includes(first)) return true;
  return !first.includes(".") && !first.includes(":") && first !== "localhost";
}

/**
 * With a Docker Hub pull-through cache rule in the stack, no workload, KServe runtime, storage
 * container or InferenceService the stack declares pulls from Docker Hub itself. The cache is there
 * because Docker Hub limits anonymous pulls per source address (every node of a zone shares one NAT
 * address): an image that bypasses it brings the limit back exactly when replacements start, after a
 * spot interruption or a scale-out. Mandatory wherever the cache is on (its rule is the opt-in), prod
 * included; a stack without the rule is not judged. Images set in Helm chart values (Istio's
 * `docker.io/istio`) are not pod specs of the stack and are not judged.
 */
export const imagesThroughPullThroughCache: StackValidationPolicy = {
  name: "images-through-pull-through-cache",
  description:
    "With an ECR pull-through cache rule for Docker Hub in the stack, no container the stack declares " +
    "(workloads, KServe runtimes and storage containers, InferenceServices) pulls from Docker Hub " +
    "directly: it names the cached repository instead.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const rule = args.resources.find(
      (r) => r.type === PULL_THROUGH_RULE && r.props.upstreamRegistryUrl === DOCKER_HUB_UPSTREAM,
    );
    if (!rule) return;
    const prefix = String(rule.props.ecrRepositoryPrefix ?? "");
    for (const r of args.resources)
      for (const { where, container } of containersOf(r.type, r.props)) {
        const image = container?.image;
        if (typeof image === "string" && fromDockerHub(image))
          report(
            `${r.type.split(":").pop()} ${r.props.metadata?.name ?? r.name} ${where} pulls ${image} from ` +
              `Docker Hub, bypassing the stack's pull-through cache; pull <account>.dkr.ecr.<region>.amazonaws.com/${prefix}/<repository>:<tag> ` +
              `instead (serving/model-images.ts pulledImageRef).`,
            r.urn,
          );
      }
  },
};
