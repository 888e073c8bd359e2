import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { MAX_PUBLIC_ADDRESSES, publicAddressCount, validateCidr } from "./vendor/cidr";
import { kitConfigSchema } from "./config";
import type { Props } from "./props";

/**
 * TCP ports of databases and data stores: PostgreSQL, MySQL/MariaDB/Aurora, SQL Server, Oracle,
 * Db2, MongoDB/DocumentDB, Redis/Valkey, Memcached, Cassandra/Keyspaces, Redshift, Neptune,
 * OpenSearch/Elasticsearch (HTTP and transport), ClickHouse (HTTP and native).
 */
export const DATABASE_PORTS = [
  5432, 3306, 1433, 1521, 2483, 2484, 50000, 27017, 6379, 11211, 9042, 5439, 8182, 9200, 9300, 8123, 9000,
];

/** Addresses that count as "the world" for IPv6: more of the global unicast space (2000::/3) than one /32. */
const MAX_PUBLIC_IPV6 = 2n ** 96n;

/** Parses an IPv6 CIDR to its range, or undefined when it is not one. */
function ipv6Range(cidr: string): [bigint, bigint] | undefined {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m || Number(m[2]) > 128) return undefined;
  const halves = m[1].split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 2 ? fill < 1 : fill !== 0) || [...head, ...tail].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g)))
    return undefined;
  const all = [...head, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...tail];
  const value = all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  const size = 1n << BigInt(128 - Number(m[2]));
  const first = (value / size) * size;
  return [first, first + size - 1n];
}

/** How many global unicast IPv6 addresses (2000::/3) the union of the CIDRs admits. */
export function publicIpv6Count(cidrs: readonly string[]): bigint {
  const unicast: [bigint, bigint] = [0x2n << 124n, (0x4n << 124n) - 1n];
  const ranges = cidrs
    .map(ipv6Range)
    .filter((r): r is [bigint, bigint] => r !== undefined)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const merged: [bigint, bigint][] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1n) last[1] = last[1] > r[1] ? last[1] : r[1];
    else merged.push([r[0], r[1]]);
  }
  return merged.reduce((n, [a, b]) => {
    const lo = a > unicast[0] ? a : unicast[0];
    const hi = b < unicast[1] ? b : unicast[1];
    return hi >= lo ? n + (hi - lo + 1n) : n;
  }, 0n);
}

/** Whether sources open to the world: more than a /8 of public IPv4 or a /32 of public IPv6, whole or in pieces. */
export function opensToWorld(ipv4: readonly string[], ipv6: readonly string[]): boolean {
  // A malformed IPv4 entry is judged by its prefix alone (`0.0.0.0/00`), never silently skipped.
  const bad4 = ipv4.filter((c) => !validateCidr(c.trim()));
  if (bad4.some((c) => /\/0*[0-7]$/.test(c.trim()))) return true;
  return (
    publicAddressCount(ipv4.map((c) => c.trim())) > MAX_PUBLIC_ADDRESSES || publicIpv6Count(ipv6) > MAX_PUBLIC_IPV6
  );
}

/** The ports an ingress rule admits over TCP: "all" for every protocol or port, else the range. */
export function tcpPorts(protocol: unknown, fromPort: unknown, toPort: unknown): "all" | [number, number] | undefined {
  const p = String(protocol ?? "").toLowerCase();
  if (p === "-1" || p === "all") return "all";
  if (p !== "tcp" && p !== "6") return undefined;
  const from = Number(fromPort ?? 0);
  const to = Number(toPort ?? 65535);
  if ((from <= 0 || from === -1) && (to >= 65535 || to === -1)) return "all";
  return [from, to];
}

interface IngressRule {
  where: string;
  ipv4: string[];
  ipv6: string[];
  ports: ReturnType<typeof tcpPorts>;
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : [v].flat().map(String));

/** The ingress rules a resource opens, with their sources and TCP ports. */
export function ingressRules(type: string, props: Props): IngressRule[] {
  if (type === "aws:ec2/securityGroup:SecurityGroup")
    return ((props.ingress ?? []) as Props[]).map((r, i) => ({
      where: `ingress[${i}]`,
      ipv4: list(r.cidrBlocks),
      ipv6: list(r.ipv6CidrBlocks),
      ports: tcpPorts(r.protocol, r.fromPort, r.toPort),
    }));
  if (type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    return [
      {
        where: "the rule",
        ipv4: list(props.cidrIpv4),
        ipv6: list(props.cidrIpv6),
        ports: tcpPorts(props.ipProtocol, props.fromPort, props.toPort),
      },
    ];
  if (type === "aws:ec2/securityGroupRule:SecurityGroupRule" && props.type === "ingress")
    return [
      {
        where: "the rule",
        ipv4: list(props.cidrBlocks),
        ipv6: list(props.ipv6CidrBlocks),
        ports: tcpPorts(props.protocol, props.fromPort, props.toPort),
      },
    ];
  return [];
}

export const databasePortsNotOpenToWorld: ResourceValidationPolicy = {
  name: "database-ports-not-open-to-world",
  description:
    "No security group rule (SecurityGroup ingress, SecurityGroupIngressRule, SecurityGroupRule) " +
    "admits the world (0.0.0.0/0, ::/0, or more than a /8 of public IPv4 or a /32 of public IPv6 " +
    "in pieces) on a database port (5432, 3306, 1433, 1521, 27017, 6379, ...) or on every port.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    for (const rule of ingressRules(args.type, args.props)) {
      if (!rule.ports || !opensToWorld(rule.ipv4, rule.ipv6)) continue;
      const sources = [...rule.ipv4, ...rule.ipv6].join(", ");
      if (rule.ports === "all")
        report(`${rule.where} admits ${sources} on every port; admit the security groups or networks that need it.`);
      else {
        const [from, to] = rule.ports;
        const hit = DATABASE_PORTS.filter((p) => p >= from && p <= to);
        if (hit.length > 0)
          report(
            `${rule.where} admits ${sources} on database port(s) ${hit.join(", ")}; admit the cluster's security group or the VPC instead.`,
          );
      }
    }
  },
};

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
const RULE_TYPES = [
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "aws:ec2/securityGroupRule:SecurityGroupRule",
];
const DATABASE_TYPES = ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"];

/** The security group a rule belongs to: the SecurityGroup it depends on, else its literal id. */
function groupKey(r: PolicyResource, groups: PolicyResource[]): string | undefined {
  const sg = groups.find((g) => r.dependencies.some((d) => d.urn === g.urn));
  if (sg) return sg.urn;
  try {
    return typeof r.props.securityGroupId === "string" ? `id:${r.props.securityGroupId}` : undefined;
  } catch {
    return undefined; // unknown during preview: then it comes from a resource of this stack, a dependency
  }
}

export const databaseSecurityGroupsClosed: StackValidationPolicy = {
  name: "database-security-groups-closed",
  description:
    "Judged over the whole stack: the ingress rules of one security group, taken together (its " +
    "inline ingress, SecurityGroupIngressRule and SecurityGroupRule resources), never open a database " +
    "port to the world in pieces, and a security group that guards an RDS instance or cluster admits " +
    "the world on no port at all.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const groups = args.resources.filter((r) => r.type === SECURITY_GROUP);
    const byGroup = new Map<string, IngressRule[]>();
    const add = (key: string | undefined, rules: IngressRule[]) => {
      if (key) byGroup.set(key, [...(byGroup.get(key) ?? []), ...rules]);
    };
    for (const g of groups) add(g.urn, ingressRules(g.type, g.props));
    for (const r of args.resources.filter((x) => RULE_TYPES.includes(x.type)))
      add(groupKey(r, groups), ingressRules(r.type, r.props));
    const guarded = new Set<string>();
    for (const db of args.resources.filter((r) => DATABASE_TYPES.includes(r.type))) {
      for (const g of groups) if (db.dependencies.some((d) => d.urn === g.urn)) guarded.add(g.urn);
      for (const id of [db.props.vpcSecurityGroupIds ?? []].flat()) guarded.add(`id:${String(id)}`);
    }
    for (const [key, rules] of byGroup) {
      const name = key.startsWith("id:") ? key.slice(3) : key.split("::").pop();
      const admitting = (port: number | "all") =>
        rules.filter(
          (r) => r.ports === "all" || (r.ports && port !== "all" && r.ports[0] <= port && port <= r.ports[1]),
        );
      const open = (rs: IngressRule[]) =>
        opensToWorld(
          rs.flatMap((r) => r.ipv4),
          rs.flatMap((r) => r.ipv6),
        );
      // A rule that opens a port alone is database-ports-not-open-to-world's; here only the pieces.
      const dbPorts = DATABASE_PORTS.filter((p) => open(admitting(p)) && !admitting(p).some((r) => open([r])));
      if (dbPorts.length > 0)
        report(
          `security group ${name}: its ingress rules together admit the world on database port(s) ${dbPorts.join(", ")}.`,
        );
      const alreadyReported = (r: IngressRule) =>
        r.ports === "all" ||
        DATABASE_PORTS.some((p) => r.ports !== "all" && r.ports && r.ports[0] <= p && p <= r.ports[1]);
      const openElsewhere = rules.filter((r) => r.ports && open([r]) && !alreadyReported(r));
      if (guarded.has(key) && openElsewhere.length > 0)
        report(
          `security group ${name} guards a database and admits the world on port(s) ${openElsewhere.map((r) => (r.ports as [number, number]).join("-")).join(", ")}; ` +
            `admit the cluster's security group or the VPC.`,
        );
    }
  },
};

/**
 * TCP ports of remote administration and control planes, each a way onto a host or a cluster:
 * SSH (22), Telnet (23), RDP (3389), VNC (5900-5903), WinRM (5985, 5986), the Docker Engine API
 * (2375 plain, 2376 TLS), etcd (2379 client, 2380 peer), the Kubernetes API (6443) and kubelet
 * (10250, and the read-only 10255). Database ports are DATABASE_PORTS, judged by
 * database-ports-not-open-to-world; "every port" is reported there too.
 */
export const ADMIN_PORTS: Readonly<Record<number, string>> = {
  22: "SSH",
  23: "Telnet",
  3389: "RDP",
  5900: "VNC",
  5901: "VNC",
  5902: "VNC",
  5903: "VNC",
  5985: "WinRM",
  5986: "WinRM",
  2375: "Docker API",
  2376: "Docker API",
  2379: "etcd",
  2380: "etcd",
  6443: "Kubernetes API",
  10250: "kubelet",
  10255: "kubelet",
};

const adminPortsIn = (ports: IngressRule["ports"]): number[] =>
  ports === undefined
    ? []
    : Object.keys(ADMIN_PORTS)
        .map(Number)
        .filter((p) => ports === "all" || (ports[0] <= p && p <= ports[1]));
const named = (ports: number[]) => ports.map((p) => `${p} (${ADMIN_PORTS[p]})`).join(", ");

/**
 * No security group admits the world on a remote-administration port: each rule alone (inline
 * ingress, SecurityGroupRule of type ingress, SecurityGroupIngressRule, on its port, in a range
 * that holds it, or on every port and protocol), and the rules of one group together (the world
 * opened in pieces).
 */
export const adminPortsNotOpenToWorld: StackValidationPolicy = {
  name: "admin-ports-not-open-to-world",
  description:
    "No security group rule (SecurityGroup inline ingress, SecurityGroupRule of type ingress, SecurityGroupIngressRule), " +
    "alone or together with the other rules of its group, admits the world (0.0.0.0/0, ::/0, or " +
    "more than a /8 of public IPv4 or a /32 of public IPv6 in pieces) on a remote-administration " +
    "port: SSH 22, Telnet 23, RDP 3389, VNC 5900-5903, WinRM 5985-5986, Docker API 2375-2376, etcd " +
    "2379-2380, Kubernetes API 6443, kubelet 10250/10255, whether on the port, a range holding " +
    "it, or every port (protocol -1).",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const groups = args.resources.filter((r) => r.type === SECURITY_GROUP);
    const byGroup = new Map<string, IngressRule[]>();
    for (const r of args.resources) {
      const rules = ingressRules(r.type, r.props);
      if (rules.length === 0) continue;
      for (const rule of rules) {
        const hit = adminPortsIn(rule.ports);
        if (hit.length > 0 && opensToWorld(rule.ipv4, rule.ipv6))
          report(
            `${rule.where} admits ${[...rule.ipv4, ...rule.ipv6].join(", ")} on administration port(s) ${named(hit)}; ` +
              `reach hosts through SSM Session Manager or a bastion, or admit only the networks that administer them.`,
            r.urn,
          );
      }
      const key = r.type === SECURITY_GROUP ? r.urn : groupKey(r, groups);
      if (key) byGroup.set(key, [...(byGroup.get(key) ?? []), ...rules]);
    }
    for (const [key, rules] of byGroup) {
      const pieces = Object.keys(ADMIN_PORTS)
        .map(Number)
        .filter((port) => {
          const admitting = rules.filter((r) => adminPortsIn(r.ports).includes(port));
          const union = opensToWorld(
            admitting.flatMap((r) => r.ipv4),
            admitting.flatMap((r) => r.ipv6),
          );
          return union && !admitting.some((r) => opensToWorld(r.ipv4, r.ipv6));
        });
      if (pieces.length > 0)
        report(
          `security group ${key.startsWith("id:") ? key.slice(3) : key.split("::").pop()}: its ingress ` +
            `rules together admit the world on administration port(s) ${named(pieces)}.`,
          key.startsWith("id:") ? undefined : key,
        );
    }
  },
};
