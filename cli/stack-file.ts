import { readdirSync, readFileSync, statSync } from "node:fs";
import { parse } from "yaml";

import { secretStandIn } from "../stacks/secret-config";

/**
 * The largest stack file read. A platform's file is a few kilobytes (200 models take about 100
 * KiB); every list in it is bounded. Parsing YAML is the slowest step of a check (about 1 s a MiB
 * here), so a larger file - a runaway list of thousands of entries - is refused before it is parsed.
 */
export const MAX_STACK_FILE_BYTES = 1024 * 1024;

/** What the plan passes for a `secure:` value of another namespace (aws:, kubernetes:), which the kit never reads. */
export const FOREIGN_SECRET_PLACEHOLDER = "plan-placeholder-secret-value";

export interface LoadedStackConfig {
  /** `namespace:key` -> string, as Pulumi passes config to a program. */
  config: Record<string, string>;
  /** Keys whose values were `secure:` (anywhere inside them). */
  secretKeys: string[];
  /** Values no program could read: malformed `secure:` values, non-finite numbers; by key path. */
  problems: { path: string; message: string }[];
}

/**
 * What the Pulumi CLI writes under `secure:`: the passphrase and cloud (KMS) providers' AES-256-GCM
 * `v1:<base64 12-byte nonce>:<base64 ciphertext and 16-byte tag>` (pulumi/pulumi
 * sdk/go/common/resource/config/crypt.go, symmetricCrypter), or the Pulumi Cloud service
 * provider's standard base64 of its ciphertext (pkg/secrets/service/manager.go).
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const base64Bytes = (s: string) => (s.length / 4) * 3 - (s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0);

/** Why `value` is not a ciphertext the Pulumi CLI could have written, or undefined. */
export function ciphertextProblem(value: unknown): string | undefined {
  const rule =
    "secure: must hold a ciphertext written by pulumi config set --secret (v1:<nonce>:<ciphertext> or base64)";
  const found = (what: string) => `${rule}; found ${what}`;
  if (typeof value !== "string")
    return found(
      value === null
        ? "nothing"
        : Array.isArray(value)
          ? "a list"
          : typeof value === "object"
            ? "a map"
            : `a ${typeof value}`,
    );
  if (value === "") return found("an empty string");
  const parts = value.split(":");
  if (parts[0] === "v1") {
    const ok =
      parts.length === 3 &&
      BASE64.test(parts[1]) &&
      base64Bytes(parts[1]) === 12 &&
      BASE64.test(parts[2]) &&
      base64Bytes(parts[2]) >= 16;
    return ok ? undefined : found("a v1: value that is not v1:<base64 12-byte nonce>:<base64 ciphertext>");
  }
  // Pulumi Cloud's ciphertexts are base64 of at least the 16-byte tag of the encryption.
  if (BASE64.test(value) && base64Bytes(value) >= 16) return undefined;
  return found("text that is neither v1:... nor base64 (a value in plain text?)");
}

/** A key path as the kit's messages write it: `mlserving:registry.hostname`, `...models[0]`, `...tags["a b"]`. */
function pathText(key: string, path: readonly (string | number)[]): string {
  let out = key;
  for (const p of path)
    out += typeof p === "number" ? `[${p}]` : /^[A-Za-z_]\w*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return out;
}

/**
 * Replaces each `secure:` value with the stand-in for its key (the plan has no key to decrypt it)
 * and reports what no program could read. `path` starts with the key without its namespace.
 */
function readValue(
  value: unknown,
  key: string,
  path: (string | number)[],
  parent: Record<string, unknown>,
  state: { secrets: number; problems: LoadedStackConfig["problems"]; own: boolean },
): { value: unknown; secret: boolean } {
  if (typeof value === "number" && !Number.isFinite(value)) {
    state.problems.push({
      path: pathText(key, path.slice(1)),
      message: `must be a finite number, not ${Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf"}`,
    });
    return { value: null, secret: false };
  }
  if (Array.isArray(value)) {
    const items = value.map((v, i) => readValue(v, key, [...path, i], parent, state));
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const entries = Object.entries(obj);
    if (entries.length === 1 && entries[0][0] === "secure") {
      const at = pathText(key, path.slice(1));
      const bad = ciphertextProblem(entries[0][1]);
      if (bad) {
        state.problems.push({ path: at, message: bad });
        return { value: null, secret: true };
      }
      // Another namespace's secret (aws:, kubernetes:) is only marked: the kit never reads it.
      if (!state.own) return { value: FOREIGN_SECRET_PLACEHOLDER, secret: true };
      const standIn = secretStandIn(path, parent, ++state.secrets);
      if ("problem" in standIn) {
        state.problems.push({ path: at, message: standIn.problem });
        return { value: null, secret: true };
      }
      return { value: standIn.value, secret: true };
    }
    const mapped = entries.map(([k, v]) => [k, readValue(v, key, [...path, k], obj, state)] as const);
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
  const size = statSync(path).size;
  if (size > MAX_STACK_FILE_BYTES)
    throw new StackFileError(
      "(file)",
      `${path} is ${(size / 1024 / 1024).toFixed(1)} MiB; a stack file is at most ${MAX_STACK_FILE_BYTES / 1024 / 1024} MiB (a platform's is a few KiB): a list in it is far longer than any the kit takes (see each key's bound in docs/configuration.md)`,
    );
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
  const state = { secrets: 0, problems: [] as LoadedStackConfig["problems"], own: false };
  for (const [rawKey, rawValue] of Object.entries(rawConfig as Record<string, unknown>)) {
    const key = rawKey.includes(":") ? rawKey : `${projectNamespace}:${rawKey}`;
    const [ns, ...rest] = key.split(":");
    state.own = ns === projectNamespace;
    const { value, secret } = readValue(rawValue, key, [rest.join(":")], {}, state);
    config[key] =
      typeof value === "string"
        ? value
        : value !== null && typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
    if (secret) secretKeys.push(key);
  }
  return { config, secretKeys, problems: state.problems };
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
