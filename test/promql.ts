/**
 * PromQL checks for tests, on the Prometheus project's own Lezer grammar
 * (`@prometheus-io/lezer-promql`, a devDependency, so this lives under test/). Syntax only:
 * the grammar does not type-check (`rate(up)` parses).
 */
import { parser } from "@prometheus-io/lezer-promql";

/** Offsets of syntax errors in `expr`; empty when it parses. An empty expression is an error at 0. */
export function promqlSyntaxErrors(expr: string): number[] {
  if (expr.trim() === "") return [0];
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
    },
  });
  return errors;
}

/** Metric names selected in `expr` (the identifier of every vector selector), deduplicated, in order. */
export function metricNamesIn(expr: string): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector")
        names.push(expr.slice(node.from, node.to));
    },
  });
  return [...new Set(names)];
}

/**
 * Replaces Grafana's interval macros with a plain duration so a panel query parses as PromQL.
 * Template variables inside label matchers (`model=~"$model"`) are strings and need nothing.
 */
export function expandGrafanaMacros(expr: string): string {
  return expr.replace(/\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g, "5m");
}

/**
 * The selector inside a Grafana `label_values(<selector>, <label>)` variable query, or
 * undefined for a query of another form (`label_values(<label>)` has no selector).
 */
export function labelValuesSelector(query: string): string | undefined {
  const m = /^\s*label_values\(\s*(.+)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/s.exec(query);
  return m?.[1];
}
