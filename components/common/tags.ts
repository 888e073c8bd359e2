/** Tag keys every taggable AWS resource of the kit carries (see the `required-tags` policy). */
export const REQUIRED_TAG_KEYS = ["environment", "team", "managed-by"] as const;

/** Value of the `managed-by` tag on everything the kit creates. */
export const MANAGED_BY = "pulumi-mlserving";

/** The environments the kit knows; per-environment defaults hang off these names. */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The standard tag set for one environment and owning team, with extra tags merged over it. */
export function standardTags(
  environment: Environment,
  team: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return { ...extra, environment, team, "managed-by": MANAGED_BY };
}

/**
 * Problems with the tags of a component used on its own (a `Network` or an `EksCluster` outside
 * `MlPlatform`, which sets them from the stack): every AWS resource of the kit carries
 * `environment` (one of {@link ENVIRONMENTS}) and `team`, which the `required-tags` policy checks
 * and cost reports group by. Paths are under `tags`.
 */
export function componentTagProblems(
  tags: Readonly<Record<string, string>> | undefined,
): { path: string; message: string }[] {
  const problems = tagProblems(tags ?? {}).map((p) => ({ path: `tags${p.path}`, message: p.message }));
  const env = tags?.environment;
  if (env === undefined || !(ENVIRONMENTS as readonly string[]).includes(env))
    problems.push({
      path: "tags.environment",
      message: `is required, one of ${ENVIRONMENTS.join(", ")}: every AWS resource of the kit is tagged with its environment (policy required-tags)${env === undefined ? "" : `, not ${JSON.stringify(env)}`}`,
    });
  if (!tags?.team?.trim())
    problems.push({
      path: "tags.team",
      message: "is required: every AWS resource of the kit is tagged with the team that owns it (policy required-tags)",
    });
  return problems;
}

/** Tags for a component that may be used on its own: the caller's tags win, `managed-by` is always set. */
export function withManagedBy(tags: Record<string, string> | undefined): Record<string, string> {
  return { "managed-by": MANAGED_BY, ...(tags ?? {}) };
}

/**
 * How many tags a stack may add. AWS allows 50 user tags per resource; the kit's own tags (the
 * required ones, `Name`, and the discovery tags EKS, Karpenter and the load balancer controller
 * read) take up to 10 of them.
 */
export const MAX_USER_TAGS = 40;

/**
 * Problems with user tags, by key (`["aws:team"]`): AWS reserves the `aws:` prefix (any case)
 * and refuses to create a resource carrying such a tag.
 */
export function tagProblems(tags: Readonly<Record<string, string>>): { path: string; message: string }[] {
  const count = Object.keys(tags).length;
  if (count > MAX_USER_TAGS)
    return [
      {
        path: "",
        message: `lists at most ${MAX_USER_TAGS} tags; AWS allows 50 per resource and the kit adds its own (found ${count})`,
      },
    ];
  return Object.keys(tags)
    .filter((k) => k.toLowerCase().startsWith("aws:"))
    .map((k) => ({
      path: `[${JSON.stringify(k)}]`,
      message: "tag keys must not start with aws:, a prefix AWS reserves for its own tags",
    }));
}
