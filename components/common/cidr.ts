const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** True for a syntactically valid IPv4 CIDR (octets 0-255, prefix 0-32). */
export function validateCidr(cidr: string): boolean {
  const m = IPV4_CIDR.exec(cidr);
  if (!m) return false;
  return m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
}

/** The prefix length of a CIDR (`10.0.0.0/16` -> 16). */
export function prefixLength(cidr: string): number {
  return Number(cidr.slice(cidr.lastIndexOf("/") + 1));
}

/** True when the CIDR admits every IPv4 address. */
export function isOpenToWorld(cidr: string): boolean {
  return /\/0$/.test(cidr.trim());
}
