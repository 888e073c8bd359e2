// What a consumer's npm reads from package.json: the Pulumi SDKs are peers (the consumer's own,
// newer copy satisfies them and is the one the kit's resources register with), the kit's own
// tests pin the exact versions.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const pulumiSdks = (deps: Record<string, string>) => Object.keys(deps).filter((d) => d.startsWith("@pulumi/"));

describe("package.json as a consumer's npm reads it", () => {
  it("depends on no Pulumi SDK directly: a second copy would nest beside the consumer's", () => {
    expect(pulumiSdks(pkg.dependencies)).toEqual([]);
  });

  it("asks each Pulumi SDK it imports as a peer, from the version it is tested on up to the next major", () => {
    const imported = pulumiSdks(pkg.devDependencies).sort();
    expect(pulumiSdks(pkg.peerDependencies).sort()).toEqual(imported);
    for (const sdk of imported) {
      expect(pkg.devDependencies[sdk], sdk).toMatch(/^\d+\.\d+\.\d+$/);
      expect(pkg.peerDependencies[sdk], sdk).toBe(`^${pkg.devDependencies[sdk]}`);
    }
  });
});
