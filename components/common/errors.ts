/**
 * Raised by a component whose arguments break a rule, before any child resource is
 * registered. The message names every offending field and the rule it breaks.
 */
export class InvalidArgsError extends Error {
  constructor(
    readonly component: string,
    readonly problems: readonly string[],
  ) {
    super(`${component}: invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "InvalidArgsError";
  }
}

/** Collects argument problems and throws them all at once. */
export class ArgsChecker {
  private readonly problems: string[] = [];

  constructor(private readonly component: string) {}

  /** Records `field: rule` when `ok` is false. */
  require(ok: boolean, field: string, rule: string): this {
    if (!ok) this.problems.push(`${field}: ${rule}`);
    return this;
  }

  /** Throws an {@link InvalidArgsError} listing every recorded problem, if any. */
  throwIfAny(): void {
    if (this.problems.length > 0) throw new InvalidArgsError(this.component, this.problems);
  }
}
