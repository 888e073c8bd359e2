import { CONFIG_NAMESPACE } from "./config";

/**
 * Splits the config Pulumi hands a program (`namespace:key` -> string) into the kit's own
 * keys (JSON values parsed) and the AWS region.
 */
export function rawConfigFromPulumi(
  all: Record<string, string>,
  isSecret: (key: string) => boolean = () => false,
): { raw: Record<string, unknown>; region: string | undefined; secretKeys: Set<string> } {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    const [ns, ...rest] = key.split(":");
    if (ns !== CONFIG_NAMESPACE) continue;
    raw[rest.join(":")] = parseValue(value);
  }
  return { raw, region: all["aws:region"], secretKeys: new Set(Object.keys(all).filter(isSecret)) };
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
