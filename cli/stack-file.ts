import { readdirSync, readFileSync, statSync } from "node:fs";
import { CST, LineCounter, Parser, parseDocument } from "yaml";

import { configKeyPath } from "../components/common/problems";
import { secretStandIn } from "../stacks/secret-config";

/**
 * The largest stack file read. A platform's file is a few kilobytes (200 models take about 100
 * KiB); every list in it is bounded. Parsing YAML is the slowest step of a check (about 1 s a MiB
 * here), so a larger file - a runaway list of thousands of entries - is refused before it is parsed.
 */
export const MAX_STACK_FILE_BYTES = 1024 * 1024;

/**
 * How deep a stack file may nest collections (the document's mapping is level 1). The kit's
 * deepest key is 5 levels down (`config` > `mlserving:serving` > `models` > a model > `canary`);
 * other namespaces' keys (`aws:defaultTags`) are as shallow. A deeper file is refused with its key
 * before it is composed, which for thousands of levels would exhaust the stack.
 */
export const MAX_STACK_FILE_NESTING = 32;

/** What the plan passes for a `secure:` value of another namespace (aws:, kubernetes:), which the kit never reads. */
export const FOREIGN_SECRET_PLACEHOLDER = "plan-placeholder-secret-value";

export interface LoadedStackConfig {
  /** `namespace:key` -> string, as Pulumi passes config to a program. */
  config: Record<string, string>;
  /** Keys whose values were `secure:` (anywhere inside them). */
  secretKeys: string[];
  /** Values no program could read: malformed `secure:` values, non-finite numbers; by key path. */
  problems: { path: string; message: string }[];
  /**
   * The paths of `problems` the Pulumi CLI itself refuses whatever the program (a key it cannot
   * parse, a malformed ciphertext), as opposed to the kit's own rules on where `secure:` may be.
   */
  pulumiRefuses: string[];
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

const pathText = configKeyPath;

/**
 * Replaces each `secure:` value with the stand-in for its key (the plan has no key to decrypt it)
 * and reports what no program could read. `path` starts with the key without its namespace.
 */
function readValue(
  value: unknown,
  key: string,
  path: (string | number)[],
  parent: Record<string, unknown>,
  state: {
    secrets: number;
    problems: LoadedStackConfig["problems"];
    pulumiRefuses: string[];
    own: boolean;
    region: string;
  },
): { value: unknown; secret: boolean } {
  // Aliases can nest what the file's own structure (checked before it was composed) does not.
  if (path.length > MAX_STACK_FILE_NESTING) {
    state.problems.push({ path: pathText(key, path.slice(1)), message: nestingMessage() });
    return { value: undefined, secret: false };
  }
  if (typeof value === "number" && !Number.isFinite(value)) {
    state.problems.push({
      path: pathText(key, path.slice(1)),
      message: `must be a finite number, not ${Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf"}`,
    });
    return { value: undefined, secret: false };
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
        state.pulumiRefuses.push(at);
        return { value: undefined, secret: true };
      }
      // Another namespace's secret (aws:, kubernetes:) is only marked: the kit never reads it.
      if (!state.own) return { value: FOREIGN_SECRET_PLACEHOLDER, secret: true };
      const standIn = secretStandIn(path, parent, ++state.secrets, state.region);
      if ("problem" in standIn) {
        state.problems.push({ path: at, message: standIn.problem });
        return { value: undefined, secret: true };
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

/** The first byte that is not part of well-formed UTF-8 (as the Unicode standard defines it), or -1. */
export function firstNonUtf8Byte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte: length of the sequence and the range of its second byte (no overlongs, no
    // surrogates, nothing above U+10FFFF), per the Unicode standard's table 3-7.
    const [n, lo, hi] =
      b >= 0xc2 && b <= 0xdf
        ? [2, 0x80, 0xbf]
        : b === 0xe0
          ? [3, 0xa0, 0xbf]
          : (b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef
            ? [3, 0x80, 0xbf]
            : b === 0xed
              ? [3, 0x80, 0x9f]
              : b === 0xf0
                ? [4, 0x90, 0xbf]
                : b >= 0xf1 && b <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : b === 0xf4
                    ? [4, 0x80, 0x8f]
                    : [0, 0, 0];
    if (n === 0 || i + n > bytes.length || bytes[i + 1] < lo || bytes[i + 1] > hi) return i;
    for (let k = 2; k < n; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += n;
  }
  return -1;
}

function nestingMessage(): string {
  return (
    `nests collections more than ${MAX_STACK_FILE_NESTING} levels deep; no key of the kit nests ` +
    `more than 5 (config > mlserving:serving > models > a model > canary): a stack file nests at ` +
    `most ${MAX_STACK_FILE_NESTING}`
  );
}

/** A collection's entries in the CST: a mapping's keys, or a sequence's indexes. */
type CstCollection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;
const isCstCollection = (t: CST.Token | null | undefined): t is CstCollection =>
  t?.type === "block-map" || t?.type === "block-seq" || t?.type === "flow-collection";

/** The text of a plain or quoted scalar key as written (`mlserving:tags`), or undefined. */
function cstKey(t: CST.Token | null | undefined): string | undefined {
  if (t?.type === "scalar") return t.source;
  if (t?.type === "single-quoted-scalar" || t?.type === "double-quoted-scalar") return t.source.slice(1, -1);
  return undefined;
}

/**
 * Where the file nests deeper than {@link MAX_STACK_FILE_NESTING}, read from YAML's concrete
 * syntax tree (built without recursion) before anything is composed: the top-level config key that
 * holds the deepest nesting and its line. Undefined when the file is within the bound.
 */
function tooDeep(text: string): { key: string; line: number } | undefined {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  for (const token of parser.parse(text)) {
    if (token.type !== "document") continue;
    // An explicit stack: [node, depth, top-level config key it sits under].
    const stack: [CST.Token | null | undefined, number, string | undefined][] = [[token.value, 0, undefined]];
    while (stack.length > 0) {
      const [node, depth, topKey] = stack.pop()!;
      if (!isCstCollection(node)) continue;
      const level = depth + 1;
      if (level > MAX_STACK_FILE_NESTING) return { key: topKey ?? "config", line: lines.linePos(node.offset).line };
      for (const item of node.items) {
        // Level 2 is the mapping under config:, whose keys are the stack's config keys.
        const under = level === 2 ? (cstKey(item.key) ?? topKey) : topKey;
        if (isCstCollection(item.key)) stack.push([item.key, level, under]);
        stack.push([item.value, level, under]);
      }
    }
  }
  return undefined;
}

/**
 * A stack file key as the Pulumi CLI parses it (pulumi/pulumi sdk/go/common/resource/config/key.go,
 * ParseKey): `<namespace>:<name>`, or the older `<namespace>:config:<name>`, which it reads as
 * `<namespace>:<name>`. Any other key makes the CLI refuse the whole file ("could not parse ... as
 * a configuration key"): `pulumi config set team x` writes `mlserving:team`, never a bare `team`.
 */
function stackFileKey(rawKey: string, projectNamespace: string): { key: string; problem?: string } {
  const parts = rawKey.split(":");
  if (parts.length === 2) return { key: rawKey };
  if (parts.length === 3 && parts[1] === "config") return { key: `${parts[0]}:${parts[2]}` };
  const rule =
    "the Pulumi CLI refuses a stack file whose keys are not <namespace>:<name> (configuration keys should be of the form `<namespace>:<name>`)";
  if (parts.length === 1)
    return {
      key: `${projectNamespace}:${rawKey}`,
      problem: `has no namespace: ${rule}; write ${projectNamespace}:${rawKey}`,
    };
  return { key: rawKey, problem: `has ${parts.length - 1} colons: ${rule}; nest the value under its key instead` };
}

/**
 * Reads a Pulumi stack file (`Pulumi.<stack>.yaml`) the way the Pulumi CLI hands its config to
 * a program: keys are namespaced, scalars become strings, objects and arrays become JSON, and
 * `secure:` values become secrets. What the CLI would refuse (bytes that are not UTF-8, YAML
 * errors, nesting no key takes) throws a {@link StackFileError}; values no program could read are
 * listed in `problems`, by key path, and the rest of the file is read on.
 */
export function loadStackFile(path: string, projectNamespace: string): LoadedStackConfig {
  // A byte-order mark and CRLF line ends are read as the Pulumi CLI reads them; merge keys
  // (`<<: *base`) are expanded as Go's yaml.v3 expands them.
  const size = statSync(path).size;
  if (size > MAX_STACK_FILE_BYTES)
    throw new StackFileError(
      "(file)",
      `${path} is ${(size / 1024 / 1024).toFixed(1)} MiB; a stack file is at most ${MAX_STACK_FILE_BYTES / 1024 / 1024} ` +
        `MiB (a platform's is a few KiB): a list in it is far longer than any the kit takes (see each ` +
        `key's bound in docs/configuration.md)`,
    );
  const bytes = readFileSync(path);
  // Go's yaml.v3, which the Pulumi CLI reads stack files with, refuses bytes that are not UTF-8.
  const bad = firstNonUtf8Byte(bytes);
  if (bad >= 0) {
    const line = bytes.subarray(0, bad).filter((b) => b === 0x0a).length + 1;
    throw new StackFileError(
      "(file)",
      `${path} is not UTF-8: byte 0x${bytes[bad].toString(16).padStart(2, "0")} on line ${line} (offset ${bad}) ` +
        `is not part of a UTF-8 character, and the Pulumi CLI refuses the file; save it as UTF-8`,
    );
  }
  const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
  const deep = tooDeep(text);
  if (deep) throw new StackFileError(deep.key, `${nestingMessage()} (line ${deep.line})`);
  const parsed = parseDocument(text, { merge: true });
  if (parsed.errors.length > 0)
    throw new StackFileError(
      "(file)",
      `${path} is not valid YAML: ${parsed.errors.map((e) => e.message.split("\n")[0]).join("; ")}`,
    );
  let composed: unknown;
  try {
    composed = parsed.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // The yaml package refuses aliases that expand past its bound, as Go's yaml.v3 refuses
    // "excessive aliasing": a resource exhaustion attack, not a stack file.
    throw new StackFileError("(file)", `${path}: ${(e as Error).message} (aliases expanding more than 100 times)`);
  }
  const doc = (composed ?? {}) as { config?: unknown };
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
  const region = (rawConfig as Record<string, unknown>)["aws:region"];
  const state = {
    secrets: 0,
    problems: [] as LoadedStackConfig["problems"],
    pulumiRefuses: [] as string[],
    own: false,
    region: typeof region === "string" ? region : "",
  };
  for (const [rawKey, rawValue] of Object.entries(rawConfig as Record<string, unknown>)) {
    const { key, problem } = stackFileKey(rawKey, projectNamespace);
    if (problem) {
      state.problems.push({ path: rawKey, message: problem });
      state.pulumiRefuses.push(rawKey);
    }
    // A bare key is still read under the project's namespace, so the rest of the file is checked as meant.
    if (key.split(":").length !== 2) continue;
    const [ns, name] = key.split(":");
    state.own = ns === projectNamespace;
    const { value, secret } = readValue(rawValue, key, [name], {}, state);
    if (value === undefined) continue;
    config[key] =
      typeof value === "string"
        ? value
        : value !== null && typeof value === "object"
          ? JSON.stringify(value)
          : String(value);
    if (secret) secretKeys.push(key);
  }
  return { config, secretKeys, problems: state.problems, pulumiRefuses: state.pulumiRefuses };
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
