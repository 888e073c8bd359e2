/**
 * Durations as the programs that read them parse them, so the kit accepts exactly what they
 * accept and refuses, before anything is built, what would stop them at start (a value beyond
 * Go's `time.Duration`, a signed 64-bit count of nanoseconds: about 292 years).
 */

/** The largest `time.Duration`, in nanoseconds (1<<63 - 1). */
export const MAX_GO_DURATION_NS = (1n << 63n) - 1n;

const NS = { ns: 1n, us: 1_000n, µs: 1_000n, μs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n } as const;
const MINUTE = 60n * NS.s;
const HOUR = 60n * MINUTE;

/** A parsed duration in nanoseconds, or why the program would refuse it. */
export type DurationParse = { ns: bigint } | { problem: string };

/**
 * A Prometheus duration (`--storage.tsdb.retention.time`, Prometheus' own config): whole numbers
 * with units y, w, d, h, m, s, ms from the largest to the smallest, or `0`; refused when it
 * exceeds `time.Duration` ("duration out of range"). As prometheus/common model/time.go
 * ParseDuration parses it. The operator's CRD pattern for a Prometheus' `retention` is the same
 * grammar.
 */
export function parsePrometheusDuration(s: string): DurationParse {
  if (s === "0") return { ns: 0n };
  const units: [string, bigint][] = [
    ["y", 365n * 24n * HOUR],
    ["w", 7n * 24n * HOUR],
    ["d", 24n * HOUR],
    ["h", HOUR],
    ["m", MINUTE],
    ["s", NS.s],
    ["ms", NS.ms],
  ];
  const syntax = {
    problem:
      "must be a Prometheus duration: whole numbers with units y, w, d, h, m, s or ms, largest first, such as 15d or 2w3d",
  };
  let rest = s;
  let total = 0n;
  let lastUnit = -1;
  if (rest === "") return syntax;
  while (rest !== "") {
    const m = /^(\d+)([a-zµμ]+)/.exec(rest);
    if (!m) return syntax;
    const at = units.findIndex(([u]) => u === m[2]);
    if (at < 0 || at <= lastUnit) return syntax;
    lastUnit = at;
    total += BigInt(m[1]) * units[at][1];
    if (total > MAX_GO_DURATION_NS) return { problem: outOfRange("Prometheus") };
    rest = rest.slice(m[0].length);
  }
  return { ns: total };
}

/**
 * A Go duration (`time.ParseDuration`, which flags such as Cluster Autoscaler's
 * `--scale-down-unneeded-time` use): a sequence of decimal numbers, each with a unit of ns, us
 * (µs), ms, s, m or h, such as `10m` or `1h30m` or `1.5h`, or `0`; refused beyond `time.Duration`
 * ("invalid duration"). As golang/go src/time/format.go ParseDuration parses it; a sign, which Go
 * takes, is refused: no delay of the kit is negative.
 */
export function parseGoDuration(s: string): DurationParse {
  if (s === "0") return { ns: 0n };
  const units: Record<string, bigint> = { ...NS, m: MINUTE, h: HOUR };
  const syntax = {
    problem: "must be a duration such as 10m, 1h30m or 90s (units ns, us, ms, s, m, h; no sign)",
  };
  if (s === "") return syntax;
  let rest = s;
  let total = 0n;
  while (rest !== "") {
    const m = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/.exec(rest);
    if (!m || (m[1] === "" && (m[2] ?? "") === "") || !(m[3] in units)) return syntax;
    const unit = units[m[3]];
    const whole = BigInt(m[1] === "" ? "0" : m[1]);
    // The fraction's nanoseconds, truncated as Go truncates them.
    const frac = m[2] ? (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length) : 0n;
    total += whole * unit + frac;
    if (total > MAX_GO_DURATION_NS) return { problem: outOfRange("Go") };
    rest = rest.slice(m[0].length);
  }
  return { ns: total };
}

function outOfRange(parser: string): string {
  return `is longer than the ${parser} parser takes (a 64-bit count of nanoseconds, about 292 years), so the program refuses it at start`;
}

/** A duration in hours, for messages and comparisons. */
export const nsToHours = (ns: bigint): number => Number(ns / NS.ms) / 3_600_000;
