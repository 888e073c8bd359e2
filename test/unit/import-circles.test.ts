import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { tsSourceFiles } from "../source-files";

/**
 * No import circle: no file of components/, stacks/, policies/ or cli/ reaches itself again through
 * its imports, type-only imports included (a type circle still ties the files into one unit that can
 * only be read, moved or published together), nor through the imports that remain at run time. An import the compiler erases is no arrow: `import type`,
 * `export type`, and an import whose names the file uses only in types (tsc elides it; the kit sets
 * neither `verbatimModuleSyntax` nor `isolatedModules`). The layering rule in eslint.config.mjs keeps
 * domains from importing each other in a loop; this keeps files inside a domain from doing so.
 */
const ROOT = path.resolve(__dirname, "../..");
const FOLDERS = ["components", "stacks", "policies", "cli"];

/** Names a file uses as values: identifiers outside types, imports and property names. */
function valueNames(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (ts.isExportDeclaration(node) && !node.moduleSpecifier && !node.isTypeOnly && node.exportClause) {
      // `export { name }` of an imported name hands the value on.
      if (ts.isNamedExports(node.exportClause))
        for (const e of node.exportClause.elements) if (!e.isTypeOnly) names.add((e.propertyName ?? e.name).text);
      return;
    }
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword) return;
    if (ts.isPropertyAccessExpression(node)) return visit(node.expression);
    if (ts.isIdentifier(node)) names.add(node.text);
    ts.forEachChild(node, (child) => {
      // A property's or member's own name is no use of a value of that name.
      if (
        (ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)) &&
        child === node.name &&
        !ts.isComputedPropertyName(child)
      )
        return;
      visit(child);
    });
  };
  visit(file);
  return names;
}

/** Relative module names a file still imports once compiled (what tsc keeps as `require`). */
export function runtimeImports(source: string): string[] {
  const file = ts.createSourceFile("x.ts", source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  let used: Set<string> | undefined;
  const isUsed = (name: string) => (used ??= valueNames(file)).has(name);
  const kept = file.statements.flatMap((s): string[] => {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier)) {
      const clause = s.importClause;
      if (!clause) return [s.moduleSpecifier.text];
      if (clause.isTypeOnly) return [];
      const locals = [
        ...(clause.name ? [clause.name.text] : []),
        ...(clause.namedBindings && ts.isNamespaceImport(clause.namedBindings) ? [clause.namedBindings.name.text] : []),
        ...(clause.namedBindings && ts.isNamedImports(clause.namedBindings)
          ? clause.namedBindings.elements.filter((e) => !e.isTypeOnly).map((e) => e.name.text)
          : []),
      ];
      return locals.some(isUsed) ? [s.moduleSpecifier.text] : [];
    }
    if (ts.isExportDeclaration(s) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)) {
      if (s.isTypeOnly) return [];
      const clause = s.exportClause;
      // `export * from`, `export * as x from`, or a named re-export with a name that is not marked a type.
      if (!clause || ts.isNamespaceExport(clause) || clause.elements.some((e) => !e.isTypeOnly))
        return [s.moduleSpecifier.text];
    }
    return [];
  });
  // `await import("./x")` and `require("./x")` load a module too, when they run.
  const calls = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    )
      kept.push(node.arguments[0].text);
    ts.forEachChild(node, calls);
  };
  calls(file);
  return kept.filter((name) => name.startsWith("./") || name.startsWith("../") || name === "." || name === "..");
}

/**
 * Relative module names a file imports at all, type-only imports included: every `import` and
 * `export ... from` declaration, `import("./x")` in a type, and `await import("./x")` or `require("./x")`.
 */
export function allImports(source: string): string[] {
  const file = ts.createSourceFile("x.ts", source, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const names: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) names.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      names.push(node.argument.literal.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      names.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names.filter((name) => name.startsWith("./") || name.startsWith("../") || name === "." || name === "..");
}

/** The file a relative module name resolves to among `files` (a .ts file or a folder's index.ts). */
function resolve(from: string, name: string, files: ReadonlySet<string>): string | undefined {
  const base = path.resolve(path.dirname(from), name);
  return [`${base}.ts`, path.join(base, "index.ts")].find((f) => files.has(f));
}

/** Every circle of the graph (strongly connected components of more than one file, or a file importing itself). */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** The import graph of `sources` (file -> its text), files named as given: run-time imports, or all with `imports`. */
export function importGraph(
  sources: ReadonlyMap<string, string>,
  imports: (source: string) => string[] = runtimeImports,
): Map<string, string[]> {
  const files = new Set(sources.keys());
  return new Map(
    [...sources].map(([file, text]) => [file, imports(text).flatMap((name) => resolve(file, name, files) ?? [])]),
  );
}

function kitSources(): Map<string, string> {
  return new Map(
    FOLDERS.flatMap((f) => tsSourceFiles(path.join(ROOT, f))).map((file) => [file, readFileSync(file, "utf8")]),
  );
}

describe("import circles", () => {
  it("finds none in components/, stacks/, policies/ and cli/, type-only imports included", () => {
    const sources = kitSources();
    expect(sources.size).toBeGreaterThan(150);
    const graph = importGraph(sources, allImports);
    // Sanity: type-only arrows are in (the runtimes describe a model by the spec's type).
    expect(graph.get(path.join(ROOT, "components/serving/runtimes/runtime.ts"))).toContain(
      path.join(ROOT, "components/serving/model-types.ts"),
    );
    expect(circles(graph).map((c) => c.map((f) => path.relative(ROOT, f)))).toEqual([]);
  });

  it("finds none in components/, stacks/, policies/ and cli/ at run time", () => {
    const sources = kitSources();
    expect(sources.size).toBeGreaterThan(150);
    const graph = importGraph(sources);
    // Sanity: the graph holds the arrows it should (the platform builds the serving platform).
    expect(graph.get(path.join(ROOT, "components/platform/platform.ts"))).toContain(
      path.join(ROOT, "components/serving/serving-platform.ts"),
    );
    expect(circles(graph).map((c) => c.map((f) => path.relative(ROOT, f)))).toEqual([]);
  });

  it("reports two files that require each other, a longer loop and a file requiring itself", () => {
    const sources = new Map([
      ["/k/a.ts", 'import { b } from "./b";\nexport const a = () => b;\n'],
      ["/k/b.ts", 'import { a } from "./a";\nexport const b = () => a;\n'],
      ["/k/c/index.ts", 'export * from "../d";\n'],
      ["/k/d.ts", 'import { e } from "./e";\nexport const d = e;\n'],
      ["/k/e.ts", 'import { c } from "./c";\nexport const e = c;\n'],
      ["/k/f.ts", 'import { f as g } from "./f";\nexport const f = 1, h = g;\n'],
    ]);
    expect(circles(importGraph(sources))).toEqual([
      ["/k/a.ts", "/k/b.ts"],
      ["/k/c/index.ts", "/k/d.ts", "/k/e.ts"],
      ["/k/f.ts"],
    ]);
  });

  it("counts no import that the compiler erases (types only)", () => {
    const sources = new Map([
      [
        "/k/spec.ts",
        'import { runtimes } from "./runtimes";\nexport interface Spec { r: string }\nexport const all = runtimes;\n',
      ],
      ["/k/runtimes.ts", 'import type { Spec } from "./spec";\nexport const runtimes: Spec[] = [];\n'],
      ["/k/checks.ts", 'import { Spec } from "./spec";\nexport const check = (s: Spec) => s.r;\n'],
      [
        "/k/other.ts",
        'export { type Spec } from "./spec";\nimport { check } from "./checks";\nexport const o = check;\n',
      ],
    ]);
    const graph = importGraph(sources);
    expect(graph.get("/k/runtimes.ts")).toEqual([]);
    expect(graph.get("/k/checks.ts")).toEqual([]);
    expect(circles(graph)).toEqual([]);
  });

  it("counts type-only imports when asked for all imports", () => {
    const sources = new Map([
      [
        "/k/spec.ts",
        'import { runtimes } from "./runtimes";\nexport interface Spec { r: string }\nexport const all = runtimes;\n',
      ],
      ["/k/runtimes.ts", 'import type { Spec } from "./spec";\nexport const runtimes: Spec[] = [];\n'],
      ["/k/a.ts", 'export type A = import("./b").B;\n'],
      ["/k/b.ts", 'export { type A as B } from "./a";\n'],
      ["/k/leaf.ts", 'import type { Spec } from "./spec";\nexport type L = Spec;\n'],
    ]);
    const graph = importGraph(sources, allImports);
    expect(graph.get("/k/runtimes.ts")).toEqual(["/k/spec.ts"]);
    expect(circles(graph)).toEqual([
      ["/k/runtimes.ts", "/k/spec.ts"],
      ["/k/a.ts", "/k/b.ts"],
    ]);
  });
});
