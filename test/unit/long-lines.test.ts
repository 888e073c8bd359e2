import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Long lines (issue 26): at most 0.2% of the lines of the repository's git-tracked .ts files are
 * longer than 160 characters. Prettier keeps a string on one line however long, so long messages,
 * runbooks and PromQL are split into concatenated parts by hand; this keeps them split.
 */
const ROOT = path.resolve(__dirname, "../..");
const MAX_LINE = 160;
const MAX_SHARE_PERCENT = 0.2;

/** Lines in all `texts` and how many of them are longer than `max` characters (as `awk length` counts). */
export function longLines(texts: readonly string[], max: number): { lines: number; long: number; percent: number } {
  let lines = 0;
  let long = 0;
  for (const text of texts) {
    const split = text.split("\n");
    // A final newline ends the last line; it starts no new one.
    if (split[split.length - 1] === "") split.pop();
    lines += split.length;
    long += split.filter((l) => [...l].length > max).length;
  }
  return { lines, long, percent: lines === 0 ? 0 : (long / lines) * 100 };
}

describe("long lines", () => {
  it(`at most ${MAX_SHARE_PERCENT}% of the tracked .ts lines are longer than ${MAX_LINE} characters`, () => {
    const files = execFileSync("git", ["ls-files", "-z", "--", "*.ts"], { cwd: ROOT, encoding: "utf8" })
      .split("\0")
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(300);
    const measured = longLines(
      files.map((f) => readFileSync(path.join(ROOT, f), "utf8")),
      MAX_LINE,
    );
    const offenders = files.flatMap((f) => {
      const n = longLines([readFileSync(path.join(ROOT, f), "utf8")], MAX_LINE).long;
      return n > 0 ? [`${f}: ${n}`] : [];
    });
    expect(measured.lines).toBeGreaterThan(40_000);
    expect(
      measured.percent,
      `${measured.long} of ${measured.lines} lines are over ${MAX_LINE} characters; split long strings into parts:\n${offenders.join("\n")}`,
    ).toBeLessThanOrEqual(MAX_SHARE_PERCENT);
  });

  it("counts lines and long lines as awk does", () => {
    const long = "x".repeat(161);
    expect(longLines([`a\n${long}\n`, "b\n" + "é".repeat(160) + "\nlast"], 160)).toEqual({
      lines: 5,
      long: 1,
      percent: 20,
    });
    expect(longLines([long + "\n"], 160).percent).toBe(100);
    expect(longLines([], 160)).toEqual({ lines: 0, long: 0, percent: 0 });
  });
});
