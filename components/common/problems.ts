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
