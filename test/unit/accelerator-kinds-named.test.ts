import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as ts from "typescript";
import { describe, expect, it } from "vitest";
import { ACCELERATOR_KINDS, ACCELERATORS } from "../../components/common/accelerators";
import { tsSourceFiles } from "../source-files";

/**
 * An accelerator kind lives in its record (components/common/accelerators/): code elsewhere
 * iterates the registry instead of naming a kind. The check reads every TypeScript file of the
 * kit's program, pack and CLI with the TypeScript parser (so quoting, template literals, element
 * access or line breaks do not hide a name; comments and longer strings are not names) and finds:
 * - a string literal equal to a kind's name, device resource or taint key, except as data: the
 *   value of a property named `kind` or `accelerator` (catalogue rows, default pools) or an
 *   element of a runtime's `accelerators` list (which kinds it targets);
 * - a property named like a kind or like a kind's config field (`DEVICE_RESOURCE.nvidia`,
 *   `resources.gpus`, `{ neuronDevices: ... }`), in any position.
 * The names come from the records, so a new kind is covered the moment it is registered. There is
 * no exception: what is kind-specific (a namespace, a dashboard, an alert, a scheduler's output key)
 * is a field of the record, or derived from one.
 */
const root = join(__dirname, "..", "..");
const SCANNED = ["components", "stacks", "policies/rules", "cli"];
const EXEMPT = [
  "components/common/accelerators/", // the records and their device-plugin add-ons
  "policies/rules/kit-facts.ts", // generated from the records (`npm run policy-facts`)
  "policies/rules/vendor/", // generated copies of components/common modules
  "components/versions.ts", // the pins: every chart and image version in one module, a kind's too
];

const literalNames = new Set<string>(
  ACCELERATOR_KINDS.flatMap((k) => [
    k,
    ACCELERATORS[k].deviceResource,
    ACCELERATORS[k].taintKey,
    // Its exporter and the exporter's series: alerts, panels and queries on them live in the record.
    ACCELERATORS[k].metrics.exporter,
    ...Object.keys(ACCELERATORS[k].metrics.catalog),
  ]),
);
const propertyNames = new Set<string>(ACCELERATOR_KINDS.flatMap((k) => [k, ACCELERATORS[k].deviceField]));

const propertyNameOf = (node: ts.Node | undefined): string | undefined =>
  node && (ts.isPropertyAssignment(node) || ts.isPropertySignature(node)) && ts.isIdentifier(node.name)
    ? node.name.text
    : undefined;

/** Whether a literal is data about a kind: `kind: "nvidia"`, `accelerator: "nvidia"`, `accelerators: ["nvidia"]`. */
function isKindData(node: ts.Node): boolean {
  const parent = node.parent;
  const name = propertyNameOf(parent);
  if (name === "kind" || name === "accelerator") return (parent as ts.PropertyAssignment).initializer === node;
  return ts.isArrayLiteralExpression(parent) && propertyNameOf(parent.parent) === "accelerators";
}

/** The property a node declares or destructures by name: `{ gpus: 1 }`, `{ gpus }`, `gpus?: number`, `const { gpus } = q`. */
function declaredPropertyName(node: ts.Node): ts.Identifier | undefined {
  if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
    const name = node.propertyName ?? node.name;
    return ts.isIdentifier(name) ? name : undefined;
  }
  if (ts.isPropertyAssignment(node) || ts.isPropertySignature(node) || ts.isShorthandPropertyAssignment(node))
    return ts.isIdentifier(node.name) ? node.name : undefined;
  return undefined;
}

/** A string that names a property: `m.resources["gpus"]`, `{ "gpus": 1 }`, `{ "gpus"?: number }`. */
function isQuotedPropertyName(node: ts.StringLiteral): boolean {
  const parent = node.parent;
  if (ts.isElementAccessExpression(parent)) return parent.argumentExpression === node;
  return (ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent)) && parent.name === node;
}

/** Every place a file names a kind outside its record, as `line: text`. */
export function kindNames(source: string, fileName = "file.ts"): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) =>
    found.push(`${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${what}`);
  const visit = (node: ts.Node) => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && literalNames.has(node.text)) {
      if (!isKindData(node)) at(node, `"${node.text}"`);
    } else if (ts.isStringLiteral(node) && propertyNames.has(node.text) && isQuotedPropertyName(node)) {
      at(node, `"${node.text}"`);
    } else if (ts.isPropertyAccessExpression(node) && propertyNames.has(node.name.text)) {
      at(node, `.${node.name.text}`);
    } else {
      const name = declaredPropertyName(node);
      if (name && propertyNames.has(name.text)) at(node, `${name.text}:`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe("an accelerator kind is named only in its record", () => {
  it("finds names however they are written, and not in comments, data or longer strings", () => {
    const names = (src: string) => kindNames(src).map((f) => f.replace(/^\d+: /, ""));
    expect(names(`if (kind === 'nvidia') x();`)).toEqual([`"nvidia"`]);
    expect(names("const k = `neuron`;")).toEqual([`"neuron"`]);
    expect(names(`for (const k of ["nvidia", "neuron"]) f(k);`)).toEqual([`"nvidia"`, `"neuron"`]);
    expect(names(`const r = DEVICE_RESOURCE\n  .nvidia;`)).toEqual([".nvidia"]);
    expect(names(`const r = x["aws.amazon.com/neuron"];`)).toEqual([`"aws.amazon.com/neuron"`]);
    expect(names(`const n = m.resources.gpus ?? 1;`)).toEqual([".gpus"]);
    expect(names(`const q = { gpus: 0, neuronDevices };`)).toEqual(["gpus:", "neuronDevices:"]);
    expect(names(`const { gpus } = q;`)).toEqual(["gpus:"]);
    expect(names(`const [gpus, types] = pair; f(gpus);`)).toEqual([]); // a local variable, not the field
    expect(names(`interface Q { neuronDevices?: number }`)).toEqual(["neuronDevices:"]);
    expect(names(`const n = m.resources["gpus"]; const o = { "neuronDevices": 1 };`)).toEqual([
      `"gpus"`,
      `"neuronDevices"`,
    ]);
    // Not names: comments, longer strings, data about a kind.
    expect(names(`// nvidia\nconst s = "an nvidia model"; const n = "neuron-core";`)).toEqual([]);
    expect(
      names(`const p = { kind: "nvidia", accelerators: ["neuron", "cpu"] }; const m = { accelerator: "neuron" };`),
    ).toEqual([]);
    // ...but a comparison with a `kind` property is not data.
    expect(names(`if (p.kind === "nvidia") x();`)).toEqual([`"nvidia"`]);
  });

  it("nowhere outside components/common/accelerators/", () => {
    const byFile: Record<string, string[]> = {};
    let scanned = 0;
    for (const dir of SCANNED)
      for (const path of tsSourceFiles(join(root, dir))) {
        const rel = relative(root, path).split("\\").join("/");
        if (EXEMPT.some((e) => rel.startsWith(e))) continue;
        scanned++;
        const found = kindNames(readFileSync(path, "utf8"), rel);
        if (found.length > 0) byFile[rel] = found;
      }
    // The program, pack and CLI: a walk that found nothing would pass with nothing checked.
    expect(scanned).toBeGreaterThan(150);
    expect(byFile).toEqual({});
  });
});
