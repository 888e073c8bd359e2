/**
 * What a release needs before `npm publish`: the tag names the package's version, the version is
 * semantic, and the changelog has a dated section for it. The release workflow
 * (.github/workflows/release.yml) runs it on every tag, and in its dry run on any branch.
 *
 *   npm run release:check                 the version in package.json
 *   npm run release:check -- --tag v1.2.3 and the tag that triggered the release
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export interface ReleaseInput {
  /** `version` of package.json. */
  version: string;
  /** CHANGELOG.md. */
  changelog: string;
  /** The git tag being released (`v<version>`); absent in a dry run from a branch. */
  tag?: string;
}

/** Every reason the release may not be published; empty when it may. */
export function releaseProblems({ version, changelog, tag }: ReleaseInput): string[] {
  const problems: string[] = [];
  if (!SEMVER.test(version)) problems.push(`package.json version ${JSON.stringify(version)} is not a semantic version`);
  if (tag !== undefined && tag !== `v${version}`)
    problems.push(`tag ${tag} does not name package.json's version: tag v${version}, or set the version first`);
  const heading = new RegExp(`^## \\[${version.replace(/\./g, "\\.")}\\] - (\\d{4}-\\d{2}-\\d{2})$`, "m");
  const section = heading.exec(changelog);
  if (!section) {
    problems.push(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section: move the Unreleased entries under it`);
  } else {
    const rest = changelog.slice(section.index + section[0].length);
    const body = rest.slice(0, rest.search(/^## /m) < 0 ? undefined : rest.search(/^## /m));
    if (!/^- /m.test(body)) problems.push(`CHANGELOG.md's section for ${version} lists no change`);
  }
  return problems;
}

if (require.main === module) {
  const root = join(__dirname, "..");
  const i = process.argv.indexOf("--tag");
  const tag = i > 0 ? process.argv[i + 1] : undefined;
  const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
  const problems = releaseProblems({ version, changelog: readFileSync(join(root, "CHANGELOG.md"), "utf8"), tag });
  for (const p of problems) console.error(`release: ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log(`release: ${version} may be published${tag ? ` from ${tag}` : ""}`);
}
