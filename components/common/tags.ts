/** Tag keys every taggable AWS resource of the kit carries (see the `required-tags` policy). */
export const REQUIRED_TAG_KEYS = ["environment", "team", "managed-by"] as const;

/** Value of the `managed-by` tag on everything the kit creates. */
export const MANAGED_BY = "pulumi-mlserving";

/** The environments the kit knows; per-environment defaults hang off these names. */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * The platform's owning team (`team` of a stack file and of `platformSpec`), which every AWS
 * resource carries in its `team` tag: 3-40 lowercase letters, digits or '-', starting with a
 * letter and ending with a letter or digit. The stack schema and `platformSpecProblems` both use it.
 */
export const TEAM_NAME = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
export const TEAM_NAME_RULE =
  "must be 3-40 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit";

/** Problems with the platform's owning team's name, at path `team`. */
export function teamNameProblems(team: unknown): { path: string; message: string }[] {
  return typeof team === "string" && TEAM_NAME.test(team)
    ? []
    : [
        {
          path: "team",
          message: `${TEAM_NAME_RULE}${typeof team === "string" ? `, not ${JSON.stringify(team)}` : ""}`,
        },
      ];
}

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
      message:
        `is required, one of ${ENVIRONMENTS.join(", ")}: every AWS resource of the kit is tagged with ` +
        `its environment (policy required-tags)${env === undefined ? "" : `, not ${JSON.stringify(env)}`}`,
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
 * The characters AWS takes in a tag key or value everywhere the kit tags: IAM's pattern (IAM
 * API Reference, `Tag`: `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`), the strictest of the services the kit
 * tags (EC2 takes more). IAM roles carry the kit's tags, so one value outside it stops `pulumi up`
 * part-way, after other resources were created.
 */
export const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** Lengths in Unicode characters (IAM API Reference, `Tag`). */
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;

const TAG_RULE = "letters, digits, spaces and _ . : / = + - @ (the characters AWS and IAM accept in tags)";

/** Why AWS would refuse `key` as a tag key, or undefined. */
export function tagKeyProblem(key: string): string | undefined {
  const length = [...key].length;
  if (length < 1 || length > TAG_KEY_MAX || !TAG_CHARACTERS.test(key))
    return `tag keys must be 1-${TAG_KEY_MAX} ${TAG_RULE}${length > TAG_KEY_MAX ? ` (found ${length} characters)` : ""}`;
  if (key.toLowerCase().startsWith("aws:"))
    return "tag keys must not start with aws:, a prefix AWS reserves for its own tags";
  return undefined;
}

/** Why AWS would refuse `value` as a tag value, or undefined. */
export function tagValueProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `tag values must be strings of at most ${TAG_VALUE_MAX} characters`;
  const length = [...value].length;
  if (length > TAG_VALUE_MAX || !TAG_CHARACTERS.test(value))
    return `tag values must be at most ${TAG_VALUE_MAX} ${TAG_RULE}${length > TAG_VALUE_MAX ? ` (found ${length} characters)` : ""}`;
  return undefined;
}

/**
 * Problems with a map of tags AWS will put on the kit's resources (the stack's `tags`, the AWS
 * provider's `defaultTags`), by key (`["cost center"]`): the count, and each key and value as AWS
 * and IAM accept them.
 */
export function tagProblems(tags: Readonly<Record<string, unknown>>): { path: string; message: string }[] {
  const count = Object.keys(tags).length;
  if (count > MAX_USER_TAGS)
    return [
      {
        path: "",
        message: `lists at most ${MAX_USER_TAGS} tags; AWS allows 50 per resource and the kit adds its own (found ${count})`,
      },
    ];
  return Object.entries(tags).flatMap(([k, v]) => {
    const problem = tagKeyProblem(k) ?? tagValueProblem(v);
    return problem ? [{ path: `[${JSON.stringify(k)}]`, message: problem }] : [];
  });
}
