import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UNTAGGABLE_AWS_TYPES } from "../../policies/rules/tags";

const sdk = join(__dirname, "..", "..", "node_modules", "@pulumi", "aws");

/** `aws:iam/rolePolicy:RolePolicy` -> whether the SDK's args interface has a `tags` input. */
function hasTagsInput(type: string): boolean {
  const [, modulePath] = type.split(":");
  const file = join(sdk, `${modulePath}.d.ts`);
  if (!existsSync(file)) throw new Error(`no SDK file for ${type}`);
  return /\btags\?: pulumi\.Input/.test(readFileSync(file, "utf8"));
}

describe("required-tags knows which AWS types are taggable", () => {
  it.each([...UNTAGGABLE_AWS_TYPES].filter((t) => t.startsWith("aws:")))(
    "%s has no tags input in @pulumi/aws",
    (type) => {
      expect(hasTagsInput(type)).toBe(false);
    },
  );
});
