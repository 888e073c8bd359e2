import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { kitConfigSchema } from "./config";
import type { Props } from "./props";

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
    "ECR repositories set imageTagMutability IMMUTABLE (or IMMUTABLE_WITH_EXCLUSION with no filter excluding every tag; the provider's default is MUTABLE) and scan images on push (imageScanningConfiguration.scanOnPush, or a RegistryScanningConfiguration rule scanning on push or continuously whose filter matches the repository).",
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
