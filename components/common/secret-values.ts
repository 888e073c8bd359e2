import * as pulumi from "@pulumi/pulumi";

/**
 * Makes every value that contains one of `secrets` a Pulumi secret: plain strings at once, outputs
 * once they resolve (so a value computed from a secret config value - an ARN, a URL, a rendered
 * policy or manifest - is a secret too, wherever it is nested). Everything else is returned as it
 * is. Objects that are not plain (resources, assets) are left alone.
 */
export function hideSecretValues<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const hasSecret = (v: unknown): boolean => {
    if (typeof v === "string") return secrets.some((s) => v.includes(s));
    if (Array.isArray(v)) return v.some(hasSecret);
    if (isPlainObject(v)) return Object.values(v).some(hasSecret);
    return false;
  };
  const hide = (v: unknown): unknown => {
    if (typeof v === "string") return hasSecret(v) ? pulumi.secret(v) : v;
    if (pulumi.Output.isInstance(v))
      return v.apply((resolved) => (hasSecret(resolved) ? pulumi.secret(resolved) : resolved));
    if (v instanceof Promise) return hide(pulumi.output(v));
    if (Array.isArray(v)) return v.map(hide);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, hide(x)]));
    return v;
  };
  return hide(value) as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * A transformation, for a component's `transformations` option, that applies
 * {@link hideSecretValues} to the inputs of the component's every descendant.
 */
export function secretValuesTransformation(secrets: readonly string[]): pulumi.ResourceTransformation {
  // A Kubernetes object's type stays readable (a short secret value could occur in "apps/v1").
  const typeKeys = new Set(["apiVersion", "kind"]);
  return ({ props, opts }) => ({
    props: Object.fromEntries(
      Object.entries(props).map(([k, v]) => [k, typeKeys.has(k) ? v : hideSecretValues(v, secrets)]),
    ),
    opts,
  });
}
