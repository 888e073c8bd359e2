// How the generated facts (./kit-facts.ts) record the files they were made from, shared by the
// generator (cli/kit-facts.ts) and the check (./facts-freshness.ts). Kept apart from the check,
// which imports the facts: the generator must not import what it generates.
import { createHash } from "node:crypto";

/** The command that regenerates ./kit-facts.ts (and ./vendor/) from the components. */
export const KIT_FACTS_FIX = "npm run policy-facts";

/** The generator, relative to the kit's root: where it is, the sources are reachable and the fix can run. */
export const KIT_FACTS_GENERATOR = "cli/kit-facts.ts";

/** SHA-256 of a source file's text, line endings read as `\n` (a CRLF checkout digests the same). */
export function sourceDigest(text: string): string {
  return createHash("sha256").update(text.replace(/\r\n/g, "\n")).digest("hex");
}
