import { AwsProviderConfig, CONFIG_NAMESPACE } from "./config";
import { editDistance } from "../components/common/edit-distance";

/**
 * Splits the config Pulumi hands a program (`namespace:key` -> string) into the kit's own
 * keys (JSON values parsed), the AWS region, and the AWS provider's profile and roles (for the kubeconfig).
 */
export function rawConfigFromPulumi(
  all: Record<string, string>,
  isSecret: (key: string) => boolean = () => false,
): {
  raw: Record<string, unknown>;
  region: string | undefined;
  secretKeys: Set<string>;
  awsProvider: AwsProviderConfig;
  /** `aws:defaultTags`: tags the AWS provider adds to every resource the kit creates. */
  awsDefaultTags: unknown;
} {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    const [ns, ...rest] = key.split(":");
    if (ns !== CONFIG_NAMESPACE) continue;
    raw[rest.join(":")] = parseValue(value);
  }
  const awsProvider: AwsProviderConfig = {};
  if (all["aws:profile"] !== undefined) awsProvider.profile = all["aws:profile"];
  if (all["aws:assumeRoles"] !== undefined) awsProvider.assumeRoles = all["aws:assumeRoles"];
  const defaultTags = all["aws:defaultTags"];
  return {
    raw,
    region: all["aws:region"],
    secretKeys: new Set(Object.keys(all).filter(isSecret)),
    awsProvider,
    awsDefaultTags: defaultTags === undefined ? undefined : parseValue(defaultTags),
  };
}

function parseValue(value: string): unknown {
  const t = value.trim();
  if (t.startsWith("{") || t.startsWith("[")) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Keys under a misspelt namespace (`mlservng:registry`, `MLServing:team`), which Pulumi would
 * hand to no one: the kit's keys would silently fall back to their defaults. Other providers'
 * namespaces (`aws:`, `kubernetes:`) are left alone.
 */
export function misspeltNamespaceProblems(keys: readonly string[]): { path: string; message: string }[] {
  return keys.flatMap((key) => {
    const ns = key.split(":")[0];
    if (ns === CONFIG_NAMESPACE || editDistance(ns.toLowerCase(), CONFIG_NAMESPACE) > 2) return [];
    return [
      {
        path: key,
        message: `namespace ${ns} is not ${CONFIG_NAMESPACE}: the kit never reads this key; write ${CONFIG_NAMESPACE}:${key.slice(ns.length + 1)}`,
      },
    ];
  });
}
