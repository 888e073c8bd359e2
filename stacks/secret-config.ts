/**
 * Which config values may be stored as secrets (`secure:` in a stack file, `pulumi config set
 * --secret`), and what the kit keeps secret because of them. Shared by the offline plan (which
 * reads the stack file and sees exactly where `secure:` is) and the Pulumi program (which only
 * learns that a whole top-level key is secret, as Pulumi reports it), so both hide the same values.
 *
 * Pulumi keeps secrecy per top-level key: a `secure:` anywhere inside `mlserving:serving` makes the
 * whole key secret, and the program cannot tell which leaf it was. The kit therefore treats every
 * secret-capable value under a secret key as secret (so the plan shows exactly what `pulumi up`
 * hides). A value that shapes what the kit builds - a name that becomes a resource name or URN, a
 * count, a choice - cannot be hidden by Pulumi at all, so `secure:` on it is refused.
 *
 * No SDK import: the offline plan checks stack files before the SDKs load.
 */
import { parseModelSource } from "../components/serving/model-source";

/** One step of a config path: a key, or any index of a list (`[]`), or any key of a map (`*`). */
type Step = string | typeof ANY_INDEX | typeof ANY_KEY;
const ANY_INDEX = Symbol("[]");
const ANY_KEY = Symbol("*");

/**
 * What the offline plan puts where it cannot decrypt a `secure:` value: a value of the right
 * shape, so the rules and the program run, unique (`n`), so no artifact can contain it unnoticed.
 * `parent` is the object holding the value (a model, for a source).
 */
type StandIn = (n: string, parent: Record<string, unknown>, region: string) => string;

interface SecretCapable {
  /** Path under the top-level key (the first step is the key without its namespace). */
  path: Step[];
  standIn: StandIn;
  /**
   * Parts of the value that derived values carry on their own (an S3 source's bucket in an IAM
   * policy, an MLflow source's model when the served version replaces the alias); each is hidden
   * wherever it appears, like the value itself.
   */
  fragments?: (value: string) => string[];
  /**
   * The kit carries the value as a Pulumi secret from the config on (alert receivers' URLs and
   * keys, which `MlPlatform` wraps with `pulumi.secret`), so it needs no hiding by value.
   */
  carriedAsSecret?: true;
}

const token = (n: string) => `plan-secret-${n}`;

function sourceFragments(value: string): string[] {
  const s = parseModelSource(value);
  if (s?.kind === "s3") return [s.uri, `${s.bucket}/${s.prefix}`, `arn:aws:s3:::${s.bucket}`];
  if (s?.kind === "mlflow") return [`models:/${s.model}/`, `models:/${s.model}@`];
  return [];
}

/** A model source of the same kind the model's other fields expect (an alias when a version is pinned). */
const sourceStandIn: StandIn = (n, parent) =>
  parent.pinnedVersion !== undefined ? `models:/${token(n)}@secret` : `s3://${token(n)}/model`;

/** The config values that may be secrets, with their stand-ins in the offline plan. */
const SECRET_CAPABLE: readonly SecretCapable[] = [
  {
    path: ["alertSlackWebhookUrl"],
    standIn: (n) => `https://hooks.slack.com/services/${token(n)}`,
    carriedAsSecret: true,
  },
  { path: ["alertPagerdutyRoutingKey"], standIn: token, carriedAsSecret: true },
  { path: ["alertWebhookUrl"], standIn: (n) => `https://${token(n)}.invalid/alerts`, carriedAsSecret: true },
  { path: ["alertHeartbeatUrl"], standIn: (n) => `https://${token(n)}.invalid/heartbeat`, carriedAsSecret: true },
  // The ALB OIDC client's secret (`serving.oidc`): MlPlatform wraps it with `pulumi.secret`.
  { path: ["servingOidcClientSecret"], standIn: token, carriedAsSecret: true },
  { path: ["alerting", "slackChannel"], standIn: (n) => `#${token(n)}` },
  { path: ["tags", ANY_KEY], standIn: token },
  { path: ["cluster", "adminPrincipalArns", ANY_INDEX], standIn: (n) => `arn:aws:iam::000000000000:role/${token(n)}` },
  { path: ["registry", "hostname"], standIn: (n) => `${token(n)}.invalid` },
  { path: ["registry", "certificateArn"], standIn: (n, _, region) => certificateArn(n, region) },
  // A class of the pinned catalogue: the rules check it; the plan prices no secret class.
  { path: ["registry", "dbInstanceClass"], standIn: () => "db.m7g.large" },
  { path: ["serving", "certificateArn"], standIn: (n, _, region) => certificateArn(n, region) },
  { path: ["serving", "models", ANY_INDEX, "source"], standIn: sourceStandIn, fragments: sourceFragments },
  {
    path: ["serving", "models", ANY_INDEX, "canary", "source"],
    standIn: sourceStandIn,
    fragments: sourceFragments,
  },
];

/**
 * An ACM certificate ARN (the rule wants hex after `certificate/`) carrying `n`, in the stack's
 * region (an ALB takes certificates of its own region only), or us-east-1 when it has none.
 */
function certificateArn(n: string, region: string): string {
  return `arn:aws:acm:${region || "us-east-1"}:000000000000:certificate/00000000-0000-4000-8000-${n.padStart(12, "0")}`;
}

/** The keys that may be secrets, as the README and error messages write them. */
export const SECRET_CAPABLE_KEYS: readonly string[] = SECRET_CAPABLE.map(({ path }) =>
  path.map((s, i) => (s === ANY_INDEX ? "[]" : s === ANY_KEY ? ".<key>" : i === 0 ? s : `.${s}`)).join(""),
);

function matches(pattern: readonly Step[], path: readonly (string | number)[]): boolean {
  return (
    pattern.length === path.length &&
    pattern.every((s, i) =>
      s === ANY_INDEX ? typeof path[i] === "number" : s === ANY_KEY ? typeof path[i] === "string" : s === path[i],
    )
  );
}

function capableAt(path: readonly (string | number)[]): SecretCapable | undefined {
  return SECRET_CAPABLE.find((c) => matches(c.path, path));
}

/** The list or map at `path` whose items may be secrets, so it may be one secret as a whole. */
function wholeCapableAt(path: readonly (string | number)[]): SecretCapable | undefined {
  return SECRET_CAPABLE.find(
    (c) => (c.path.at(-1) === ANY_INDEX || c.path.at(-1) === ANY_KEY) && matches(c.path.slice(0, -1), path),
  );
}

/**
 * A list or map stored as one secret inside a key reaches the program as the secret's text (Pulumi
 * decrypts a `secure:` value to a string): its JSON, parsed; anything else as it is.
 */
export function parsedWholeSecret(path: readonly (string | number)[], value: unknown): unknown {
  if (typeof value !== "string" || !wholeCapableAt(path)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * The offline plan's stand-in for a `secure:` value at `path` (the top-level key without its
 * namespace, then the keys and indexes inside it), or a problem when the value cannot be a secret.
 */
export function secretStandIn(
  path: readonly (string | number)[],
  parent: Record<string, unknown>,
  n: number,
  region = "",
): { value: unknown } | { problem: string } {
  const id = n.toString(16).padStart(4, "0");
  const capable = capableAt(path);
  if (capable) return { value: capable.standIn(id, parent, region) };
  // A list or map whose items may be secrets may be one secret as a whole (the configuration
  // reference marks `tags` and `cluster.adminPrincipalArns` so): the plan cannot see its items,
  // so it plans one stand-in item of a list, and no item of a map (whose keys are unknown).
  const whole = wholeCapableAt(path);
  if (whole) return { value: whole.path.at(-1) === ANY_INDEX ? [whole.standIn(id, parent, region)] : {} };
  return { problem: notCapableMessage() };
}

function notCapableMessage(): string {
  return (
    `cannot be a secret: it shapes what the kit builds (names, counts, choices), which Pulumi never ` +
    `hides; store it in plain text. secure: is accepted on ${SECRET_CAPABLE_KEYS.join(", ")}`
  );
}

/**
 * A problem for a top-level key Pulumi holds as a secret whose whole value is a string the kit
 * cannot keep secret (`mlserving:environment` set with --secret); undefined otherwise. Inside an
 * object the program cannot see which leaf was secret; the offline plan checks those.
 */
export function secretTopLevelKeyProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== "string" || capableAt([key])) return undefined;
  return notCapableMessage();
}

/**
 * The values to keep secret: every secret-capable value under a secret top-level key, and the
 * parts of it that derived values carry. `raw` is the kit's config (keys without namespace),
 * `secretKeys` the top-level keys Pulumi holds as secrets (with namespace).
 */
export function secretValuesOf(
  raw: Readonly<Record<string, unknown>>,
  secretKeys: ReadonlySet<string>,
  namespace: string,
): string[] {
  const out = new Set<string>();
  const walk = (stored: unknown, path: (string | number)[]) => {
    const value = parsedWholeSecret(path, stored);
    if (typeof value === "string") {
      const capable = capableAt(path);
      if (capable && !capable.carriedAsSecret && value !== "") {
        out.add(value);
        for (const f of capable.fragments?.(value) ?? []) out.add(f);
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value !== null && typeof value === "object")
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  for (const [key, value] of Object.entries(raw)) if (secretKeys.has(`${namespace}:${key}`)) walk(value, [key]);
  return [...out];
}
