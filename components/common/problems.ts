import { InvalidArgsError } from "./errors";

/**
 * One broken rule: where (a key path relative to what was checked, e.g. `pools[0].name`) and
 * what the rule is. The stack config prefixes the path with its config key; components name
 * their argument.
 */
export interface Problem {
  path: string;
  message: string;
}

/** Joins a key path: `join("capacity", "pools[0]")` -> `capacity.pools[0]`, `join("pools", "[0]")` -> `pools[0]`. */
export function joinPath(prefix: string, path: string): string {
  if (prefix === "") return path;
  if (path === "") return prefix;
  return path.startsWith("[") ? `${prefix}${path}` : `${prefix}.${path}`;
}

/**
 * A config key path as messages write it: `mlserving:registry.hostname`, `...models[0]`,
 * `...tags["a b"]` (a step that is not an identifier is quoted). `key` is the namespaced top-level key.
 */
export function configKeyPath(key: string, steps: readonly (string | number)[]): string {
  let out = key;
  for (const p of steps)
    out += typeof p === "number" ? `[${p}]` : /^[A-Za-z_]\w*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return out;
}

/**
 * Problems found by a later phase of a check that an earlier phase already explains: the same key
 * path or a path inside it (`a.b` covers `a.b`, `a.b.c` and `a.b[0]`). A value the first phase
 * could not read is reported once, by that phase, and the rest of the file is still checked.
 */
export function coveredBy(earlier: readonly Problem[]): (p: Problem) => boolean {
  const paths = earlier.map((e) => e.path);
  return (p) => paths.some((at) => p.path === at || p.path.startsWith(`${at}.`) || p.path.startsWith(`${at}[`));
}

/** Collects problems; `nest` files a sub-check's problems under a prefix. */
export class ProblemList {
  readonly list: Problem[] = [];

  /** Records `message` at `path` unless `ok`. */
  check(ok: boolean, path: string, message: string): this {
    if (!ok) this.list.push({ path, message });
    return this;
  }

  add(path: string, message: string): this {
    this.list.push({ path, message });
    return this;
  }

  nest(prefix: string, problems: readonly Problem[]): this {
    for (const p of problems) this.list.push({ path: joinPath(prefix, p.path), message: p.message });
    return this;
  }
}

/** Throws an {@link InvalidArgsError} naming each argument and rule, before a component registers anything. */
export function throwIfProblems(component: string, problems: readonly Problem[]): void {
  if (problems.length > 0)
    throw new InvalidArgsError(
      component,
      problems.map((p) => `${p.path}: ${p.message}`),
    );
}

/** Whole numbers within bounds, the most common rule. */
export function wholeNumberProblem(value: number, min: number, max = Number.MAX_SAFE_INTEGER): string | undefined {
  if (!Number.isInteger(value)) return "must be a whole number";
  if (value < min) return `must be at least ${min}`;
  if (value > max) return `must be at most ${max}`;
  return undefined;
}

/**
 * The message for a list longer than its bound. Every list a stack file or a component takes has
 * a bound (defined beside its domain's other rules), so a runaway list is refused at once with
 * this message instead of building thousands of resources.
 */
export function tooManyMessage(max: number, what: string, hint = ""): string {
  return `lists at most ${max} ${what}${hint ? `; ${hint}` : ""}`;
}

/** A list's length against its bound, or undefined when it is within it. */
export function listLengthProblem(
  list: readonly unknown[] | undefined,
  max: number,
  what: string,
  hint?: string,
): string | undefined {
  if (list === undefined || list.length <= max) return undefined;
  return `${tooManyMessage(max, what, hint)} (found ${list.length})`;
}
