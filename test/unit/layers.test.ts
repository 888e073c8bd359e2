import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/** The layering rule in eslint.config.mjs: domains import common and the domains below them only. */
describe("layers without cycles", () => {
  const eslint = new ESLint();
  const restricted = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: file });
    return result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
  };

  it("refuses an import from a domain at the same level or above", async () => {
    expect(await restricted("components/monitoring/x.ts", 'export * from "../serving/model-spec";\n')).toHaveLength(1);
    expect(await restricted("components/capacity/x.ts", 'export * from "../monitoring/alert-rules";\n')).toHaveLength(
      1,
    );
    expect(await restricted("components/common/x.ts", 'export * from "../cluster/builders";\n')).toHaveLength(1);
  });

  it("allows common and the domains below", async () => {
    expect(await restricted("components/serving/x.ts", 'export * from "../common/names";\n')).toEqual([]);
    expect(await restricted("components/capacity/x.ts", 'export * from "../cluster/builders";\n')).toEqual([]);
    expect(await restricted("components/platform/x.ts", 'export * from "../serving/model-spec";\n')).toEqual([]);
  });

  it("still refuses @pulumi/eks everywhere in components", async () => {
    expect(await restricted("components/serving/x.ts", 'export * from "@pulumi/eks";\n')).toHaveLength(1);
  });
});
