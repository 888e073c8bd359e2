/** A lower-case DNS name: letters, digits, '-' and '.', alphanumeric at both ends. */
export const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * The host a model answers at: `<model>.<ingressDomain>`. The one definition the models' Ingress
 * rules, the host checks and the private hosted zone (named `ingressDomain`) agree on.
 */
export function modelHost(model: string, ingressDomain: string): string {
  return `${model}.${ingressDomain}`;
}

/** DNS limits (RFC 1035): a label holds at most 63 characters, a name at most 253. */
export const DNS_LIMITS = { label: 63, name: 253 } as const;

/** Why `host` cannot be a DNS name by length (an empty or over-long label, a name over 253), or undefined. */
export function dnsLengthProblem(host: string): string | undefined {
  if (host.length > DNS_LIMITS.name) return `is ${host.length} characters; a DNS name holds at most ${DNS_LIMITS.name}`;
  const bad = host.split(".").find((l) => l.length === 0 || l.length > DNS_LIMITS.label);
  if (bad !== undefined)
    return `each dot-separated label must hold 1 to ${DNS_LIMITS.label} characters (found ${bad.length === 0 ? "an empty label" : `one of ${bad.length}`})`;
  return undefined;
}
