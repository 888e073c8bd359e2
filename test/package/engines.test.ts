// The Node versions the kit says it supports (`engines`) are ones every package npm installs
// accepts: `npm ci` here, and `npm install @mlserving/kit` in a user's project, print no
// EBADENGINE warning on a supported Node.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { satisfies, subset, validRange } from "semver";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
interface LockEntry {
  version?: string;
  engines?: { node?: string } | string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, LockEntry>;
};

function nodeRange(entry: LockEntry): string | undefined {
  return Array.isArray(entry.engines) ? undefined : entry.engines?.node;
}

/** The lock entry npm resolves `name` to from the package at `from` (node_modules lookup, innermost first). */
function resolveIn(from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!dir) return undefined;
    const up = dir.lastIndexOf("/node_modules/");
    dir = up < 0 ? "" : dir.slice(0, up);
  }
}

/** Every lock entry a user's install of the package brings: its dependencies and peers, transitively. */
function userTree(): Set<string> {
  const seen = new Set<string>();
  const queue = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)].map((n) => resolveIn("", n));
  while (queue.length > 0) {
    const key = queue.pop();
    if (key === undefined || seen.has(key)) continue;
    seen.add(key);
    const e = lock.packages[key]!;
    for (const name of Object.keys({ ...e.dependencies, ...e.optionalDependencies, ...e.peerDependencies }))
      queue.push(resolveIn(key, name));
  }
  return seen;
}

describe("the Node versions the kit supports", () => {
  it("are accepted by every package a user's install of the kit brings", () => {
    expect(validRange(pkg.engines.node)).not.toBeNull();
    const tree = userTree();
    expect(tree.has("node_modules/@pulumi/pulumi")).toBe(true);
    const refusing = [...tree]
      .filter((key) => nodeRange(lock.packages[key]!) && !subset(pkg.engines.node, nodeRange(lock.packages[key]!)!))
      .map(
        (key) =>
          `${key.replace(/^.*node_modules\//, "")}@${lock.packages[key]!.version}: ${nodeRange(lock.packages[key]!)}`,
      );
    expect(refusing, `engines.node ${pkg.engines.node} includes Node versions these refuse`).toEqual([]);
  });

  it("are accepted by every package `npm ci` installs here, on the Node running this test", () => {
    expect(satisfies(process.version, pkg.engines.node)).toBe(true);
    const refusing = Object.entries(lock.packages)
      .filter(([key, e]) => key !== "" && nodeRange(e) && !satisfies(process.version, nodeRange(e)!))
      .map(([key, e]) => `${key.replace(/^.*node_modules\//, "")}@${e.version}: ${nodeRange(e)}`);
    expect(refusing, `npm ci on Node ${process.version} warns EBADENGINE for these`).toEqual([]);
  });
});
