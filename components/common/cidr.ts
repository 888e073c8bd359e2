/**
 * IPv4 CIDRs, read strictly: four decimal octets 0-255 without leading zeros (`010.0.0.0` reads
 * as octal 8.0.0.0 in some parsers, so it is refused rather than guessed), a `/` and a prefix
 * 0-32 without leading zeros (`/00`, `/016` refused).
 */
const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4_CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(3[0-2]|[12]?\\d)$`);

/** True for a syntactically valid IPv4 CIDR (octets 0-255, prefix 0-32, no leading zeros). */
export function validateCidr(cidr: string): boolean {
  return IPV4_CIDR.test(cidr);
}

/** The prefix length of a CIDR (`10.0.0.0/16` -> 16). */
export function prefixLength(cidr: string): number {
  return Number(cidr.slice(cidr.lastIndexOf("/") + 1));
}

/** The address range `[first, last]` a valid CIDR covers, as unsigned 32-bit numbers (host bits ignored). */
export function cidrRange(cidr: string): [number, number] {
  const [addr, len] = cidr.split("/");
  const value = addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(len));
  const first = Math.floor(value / size) * size;
  return [first, first + size - 1];
}

/** True when a valid CIDR has bits set past its prefix (`10.0.0.1/16`): AWS stores the network address instead. */
export function hasHostBits(cidr: string): boolean {
  const [addr] = cidr.split("/");
  return addr.split(".").reduce((acc, o) => acc * 256 + Number(o), 0) !== cidrRange(cidr)[0];
}

/**
 * What is wrong with a CIDR, or undefined: not strict IPv4 CIDR syntax, or host bits set.
 * `example` shows the user a valid one.
 */
export function cidrProblem(cidr: string, example: string): string | undefined {
  if (!validateCidr(cidr))
    return `must be an IPv4 CIDR such as ${example} (octets 0-255 and a prefix 0-32, without leading zeros)`;
  if (hasHostBits(cidr)) {
    const [first] = cidrRange(cidr);
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256);
    return `has host bits set; write ${octets.join(".")}/${prefixLength(cidr)}`;
  }
  return undefined;
}

/** True when the CIDR admits every IPv4 address. */
export function isOpenToWorld(cidr: string): boolean {
  return validateCidr(cidr.trim()) ? prefixLength(cidr.trim()) === 0 : /\/0+$/.test(cidr.trim());
}

/** Merges ranges into disjoint sorted ranges. */
function union(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/**
 * Address space that is not public: private (RFC 1918), shared (RFC 6598), loopback, link-local,
 * "this network", and multicast and reserved (224.0.0.0/3).
 */
export const NON_PUBLIC_CIDRS = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "224.0.0.0/3",
] as const;

/** Addresses in `[a, b]` that also fall in a disjoint sorted list of ranges. */
function overlap(range: [number, number], ranges: [number, number][]): number {
  return ranges.reduce((n, r) => n + Math.max(0, Math.min(range[1], r[1]) - Math.max(range[0], r[0]) + 1), 0);
}

/**
 * How many public IPv4 addresses the union of the valid CIDRs admits, overlaps counted once:
 * `[0.0.0.0/1, 128.0.0.0/1]` opens the world as surely as `0.0.0.0/0`.
 */
export function publicAddressCount(cidrs: readonly string[]): number {
  const covered = union(cidrs.filter(validateCidr).map(cidrRange));
  const nonPublic = union(NON_PUBLIC_CIDRS.map(cidrRange));
  return covered.reduce((n, r) => n + (r[1] - r[0] + 1) - overlap(r, nonPublic), 0);
}

/** The most public address space a list of admitted networks may open: one /8. */
export const MAX_PUBLIC_ADDRESSES = 2 ** 24;

/** True when the CIDRs together admit more public addresses than a /8: the internet, opened in pieces or whole. */
export function opensPublicSpaceWiderThanSlash8(cidrs: readonly string[]): boolean {
  return publicAddressCount(cidrs) > MAX_PUBLIC_ADDRESSES;
}
