// Whether the generated facts (./kit-facts.ts) still describe the kit they were generated from.
// The pack copies the kit's facts so it needs nothing outside its folder; a copy goes stale when a
// component changes (a new GPU family) and nobody runs `npm run policy-facts`, and the rules then
// judge a stack by old facts and pass what they should refuse. So where the kit's sources are
// reachable (the pack inside the kit's checkout), the pack's entry point and the offline plan
// refuse to run on a stale copy. Copied alone or published, the pack has no sources to compare:
// there the snapshot is the facts of the kit version it was copied from.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KIT_FACTS_SOURCES } from "./kit-facts";
import { KIT_FACTS_FIX, KIT_FACTS_GENERATOR, sourceDigest } from "./source-digest";

/**
 * Why ./kit-facts.ts is out of date with the kit's sources under `root`, or undefined when it is
 * current, or when `root` holds no generator (the pack copied alone, published, or installed from
 * the npm package), where there is nothing to compare against.
 */
export function kitFactsStaleness(
  root: string,
  sources: Readonly<Record<string, string>> = KIT_FACTS_SOURCES,
): string | undefined {
  if (!existsSync(join(root, KIT_FACTS_GENERATOR))) return undefined;
  const changed = Object.entries(sources).flatMap(([file, digest]) => {
    const path = join(root, file);
    if (!existsSync(path)) return [`${file} (gone)`];
    return sourceDigest(readFileSync(path, "utf8")) === digest ? [] : [file];
  });
  if (changed.length === 0) return undefined;
  return (
    `policies/rules/kit-facts.ts is out of date: ${changed.join(", ")} changed since it was generated, ` +
    "so the policies would judge the stack by old facts (accelerator families, device counts, namespaces, versions). " +
    `Run \`${KIT_FACTS_FIX}\` in ${root} and commit what it writes.`
  );
}
