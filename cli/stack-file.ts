import { readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";

/** A placeholder value for `secure:` config: the plan has no key to decrypt it. */
export const SECURE_PLACEHOLDER = "plan-placeholder-secret-value";

export interface LoadedStackConfig {
  /** `namespace:key` -> string, as Pulumi passes config to a program. */
  config: Record<string, string>;
  /** Keys whose values were `secure:` (anywhere inside them). */
  secretKeys: string[];
}

function replaceSecure(value: unknown): { value: unknown; secret: boolean } {
  if (Array.isArray(value)) {
    const items = value.map(replaceSecure);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0][0] === "secure") return { value: SECURE_PLACEHOLDER, secret: true };
    const mapped = entries.map(([k, v]) => [k, replaceSecure(v)] as const);
    return {
      value: Object.fromEntries(mapped.map(([k, v]) => [k, v.value])),
      secret: mapped.some(([, v]) => v.secret),
    };
  }
  return { value, secret: false };
}

/** A stack file that is not a Pulumi stack file at all; `path` is the key at fault (`config`). */
export class StackFileError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = "StackFileError";
  }
}

/**
 * Reads a Pulumi stack file (`Pulumi.<stack>.yaml`) the way the Pulumi CLI hands its config to
 * a program: keys are namespaced (the project's namespace when a key has none), scalars
 * become strings, objects and arrays become JSON, and `secure:` values become secrets.
 */
export function loadStackFile(path: string, projectNamespace: string): LoadedStackConfig {
  // A byte-order mark and CRLF line ends are read as the Pulumi CLI reads them; merge keys
  // (`<<: *base`) are expanded as Go's yaml.v3 expands them.
  const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
  const doc = (parse(text, { merge: true }) ?? {}) as { config?: unknown };
  if (doc === null || typeof doc !== "object" || Array.isArray(doc))
    throw new StackFileError("(file)", `${path}: not a Pulumi stack file (expected a mapping with a config: key)`);
  const rawConfig = doc.config ?? {};
  if (rawConfig === null || typeof rawConfig !== "object" || Array.isArray(rawConfig))
    throw new StackFileError(
      "config",
      `must be a mapping of keys such as mlserving:environment: dev, not ${Array.isArray(rawConfig) ? "a list" : JSON.stringify(rawConfig)}`,
    );
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, rawValue] of Object.entries(rawConfig as Record<string, unknown>)) {
    const key = rawKey.includes(":") ? rawKey : `${projectNamespace}:${rawKey}`;
    const { value, secret } = replaceSecure(rawValue);
    config[key] =
      typeof value === "string"
        ? value
        : value !== null && typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
    if (secret) secretKeys.push(key);
  }
  return { config, secretKeys };
}

/**
 * Why `name` cannot be a stack name, or undefined: letters, digits, `-`, `_` and `.` as Pulumi
 * allows, and never `.` or `..` (the name becomes a file and a folder name).
 */
export function stackNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || name === "." || name === "..")
    return `--stack must be a stack name (letters, digits, '-', '_', '.'), got ${JSON.stringify(name)}`;
  return undefined;
}

/** The stacks with a stack file in `dir` (`Pulumi.<name>.yaml`), sorted. */
export function stackNamesIn(dir: string): string[] {
  return readdirSync(dir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((n): n is string => n !== undefined && stackNameProblem(n) === undefined)
    .sort();
}
