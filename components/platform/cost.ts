import { ACCELERATORS } from "../common/accelerators";
import { routedByGateway } from "../serving/runtimes";
import { modelIngressGroup } from "../serving/callers";
import { instanceType, InstanceTypeInfo } from "../common/instance-types";
import {
  HOURS_PER_MONTH,
  PRICE_TABLE_DATE,
  regionPrices,
  RegionPriceTable,
  SPOT_DISCOUNT_ASSUMPTION,
} from "../common/pricing";
import { DB_MAX_STORAGE_FACTOR } from "../registry/registry-builders";
import type { ModelSpec } from "../serving/model-spec";
import { placements, replicaBounds, replicaRequests } from "./capacity-checks";
import { createsPrivateZone } from "./defaults";
import { headroomTypes } from "./headroom";
import type { AcceleratorPoolSpec, PlatformSpec } from "./spec";
import { acceleratorNodeImages } from "./images";
import { IMAGE_SIZES } from "./image-sizes";
import { pullThroughUpstreamOf } from "../cluster/pull-through-cache";
import { deviceNamesOf } from "../serving/compile-cache";
import { modelTracks } from "../serving/tracks";

/**
 * The monthly cost envelope of a platform, from its resolved spec and the pinned price table
 * (components/common/pricing.ts). Pure: no Pulumi, no network.
 *
 * - idle floor: what runs with no traffic: control plane, NAT gateways, system nodes at their
 *   minimum, every model at its minimum replicas (canaries included) each on the cheapest type
 *   of its pools that fits it, node groups at their minimum, load balancers, database, volumes,
 *   logs and keys at the floor usage assumptions. Pools whose models can scale to zero cost
 *   nothing. Given at on-demand list prices, and as a range with spot lines at the assumed
 *   spot discount.
 * - ceiling: every autoscaler at its maximum: system nodes at maxSize on their dearest listed
 *   type; each node group at maxNodes (and its on-demand fallback group too) on its dearest type;
 *   each Karpenter NodePool at its device limit on the type with the highest price per device;
 *   RDS storage grown to its autoscaling maximum; usage at the ceiling assumptions. All at
 *   on-demand prices (spot never costs more), so it is an upper bound to hold a budget against.
 * - per model: its replicas at minimum and maximum (canaries included) on the cheapest fitting
 *   type: what the model itself costs inside its pool's envelope (not added to the total).
 */

/** Usage the envelope assumes where the bill depends on traffic (stated in cost.json). */
export const USAGE_ASSUMPTIONS = {
  natDataGBPerGatewayMonth: { floor: 10, ceiling: 500 },
  albLcuPerAlb: { floor: 0, ceiling: 5 },
  controlPlaneLogsGBPerMonth: { floor: 5, ceiling: 50 },
  note:
    "NAT data: image pulls and registry traffic (S3 goes through the free gateway endpoint); ALB " +
    "LCUs: idle at the floor, 5 per load balancer at the ceiling; EKS control-plane logs (api, " +
    "audit, authenticator, controllerManager, scheduler) ingested per month, stored for the retention period uncompressed",
} as const;

export interface CostLine {
  item: string;
  floorUsd: number;
  ceilingUsd: number;
  /** Floor with spot lines at the assumed discount (equal to floorUsd for on-demand lines). */
  floorWithSpotUsd: { low: number; high: number };
  detail: string;
  priced: boolean;
}

export interface ComponentCost {
  name: string;
  floorUsd: number;
  ceilingUsd: number;
  floorWithSpotUsd: { low: number; high: number };
  lines: CostLine[];
}

export interface PoolCost {
  name: string;
  kind: AcceleratorPoolSpec["kind"];
  autoscaler: PlatformSpec["capacity"]["autoscaler"];
  /** What the pool launches: spot only, spot with on-demand fallback, or on-demand only (`spot: false`). */
  capacity: "spot" | "spot+on-demand" | "on-demand";
  floor: { nodes: number; instanceType?: string; usd: number; withSpotUsd: { low: number; high: number } };
  ceiling: { nodes: number; instanceType?: string; usd: number; bound: string };
  /** ODCRs the pool holds, billed at the on-demand rate whether used or not (Capacity Blocks are paid up front: not here). */
  reserved?: { instances: number; usd: number; detail: string };
  /** Nodes held warm by placeholder pods (`warmNodes`), on the cheapest type a placeholder fits, at list price. */
  warm?: { nodes: number; instanceType?: string; usd: number };
  /** Fast snapshot restore of the pool's image-cache snapshot (`imageCacheFastRestore`): one per zone, all month. */
  fastRestore?: { zones: number; usd: number };
}

export interface ModelCost {
  name: string;
  pool?: string;
  instanceType?: string;
  replicasPerNode?: number;
  floor: { replicas: number; nodes: number; usd: number; withSpotUsd: { low: number; high: number } };
  ceiling: { replicas: number; nodes: number; usd: number };
}

export interface CostEnvelope {
  region: string;
  currency: "USD";
  hoursPerMonth: number;
  priceTable: { date: string; priced: boolean; ec2Source: string };
  assumptions: {
    spotDiscount: { low: number; high: number; note: string };
    usage: typeof USAGE_ASSUMPTIONS;
    floor: string;
    ceiling: string;
  };
  floor: { totalUsd: number; withSpotUsd: { low: number; high: number } };
  ceiling: { totalUsd: number };
  components: ComponentCost[];
  pools: PoolCost[];
  models: ModelCost[];
  /** What has no price in the table (the totals leave it out). */
  unpriced: string[];
  /** Costs the envelope does not model at all (usage-driven: cross-AZ traffic, S3 storage, ...). */
  notModelled: string[];
}

const round = (n: number) => Math.round(n * 100) / 100;
const H = HOURS_PER_MONTH;

interface Pricer {
  table?: RegionPriceTable;
  unpriced: Set<string>;
  ec2(type: string): number | undefined;
}

function pricer(region: string): Pricer {
  const table = regionPrices(region);
  const unpriced = new Set<string>();
  if (!table) unpriced.add(`region ${region} (no price table)`);
  return {
    table,
    unpriced,
    ec2(type) {
      const p = table?.ec2OnDemandHour[type];
      if (p === undefined && table) unpriced.add(`EC2 ${type} in ${region}`);
      return p;
    },
  };
}

const spot = (usd: number, isSpot: boolean) =>
  isSpot
    ? { low: usd * (1 - SPOT_DISCOUNT_ASSUMPTION.high), high: usd * (1 - SPOT_DISCOUNT_ASSUMPTION.low) }
    : { low: usd, high: usd };

function line(
  item: string,
  floorUsd: number,
  ceilingUsd: number,
  detail: string,
  priced: boolean,
  floorIsSpot = false,
): CostLine {
  const s = spot(floorUsd, floorIsSpot);
  return {
    item,
    floorUsd: round(floorUsd),
    ceilingUsd: round(ceilingUsd),
    floorWithSpotUsd: { low: round(s.low), high: round(s.high) },
    detail,
    priced,
  };
}

function component(name: string, lines: CostLine[]): ComponentCost {
  const sum = (f: (l: CostLine) => number) => round(lines.reduce((s, l) => s + f(l), 0));
  return {
    name,
    floorUsd: sum((l) => l.floorUsd),
    ceilingUsd: sum((l) => l.ceilingUsd),
    floorWithSpotUsd: { low: sum((l) => l.floorWithSpotUsd.low), high: sum((l) => l.floorWithSpotUsd.high) },
    lines,
  };
}

/** The cheapest fitting placement of a model (lowest hourly price per replica), if any is priced. */
function cheapestPlacement(spec: PlatformSpec, m: ModelSpec, p: Pricer) {
  const options = placements(spec, m, replicaRequests(m))
    .map((pl) => ({ ...pl, hourly: p.ec2(pl.type.name) }))
    .filter((pl): pl is typeof pl & { hourly: number } => pl.hourly !== undefined);
  return options.sort((a, b) => a.hourly / a.replicasPerNode - b.hourly / b.replicasPerNode)[0];
}

/**
 * Where the envelope prices a model's replicas: its cheapest fitting placement at the region's
 * list prices. The cold-start estimate assumes the same node, so the plan describes one node per model.
 */
export function pricedPlacement(spec: PlatformSpec, m: ModelSpec) {
  return cheapestPlacement(spec, m, pricer(spec.region));
}

/** Whether a pool's nodes run on spot (an on-demand pool, `spot: false`, never does). */
const poolOnSpot = (spec: PlatformSpec, pool: string) =>
  spec.capacity.pools.find((p) => p.name === pool)?.spot === true;

/**
 * What the bill may carry that the envelope does not price, because it depends on traffic or data
 * the plan cannot know. Listed in cost.json and the plan's summary so nobody reads the totals as all of it.
 */
export function notModelledCosts(spec: PlatformSpec): string[] {
  const out: string[] = [];
  if (spec.network.availabilityZoneCount > 1)
    out.push(
      `cross-AZ data transfer: replicas, nodes and load balancers spread over ${spec.network.availabilityZoneCount} ` +
        `zones, and EC2 charges traffic between zones in both directions (requests from the ALBs to ` +
        `pods, Prometheus scrapes, pulls from the registry)`,
    );
  out.push(
    "S3 storage and requests of the registry bucket (model artifacts, every version kept for noncurrentVersionDays); " +
      "traffic to it goes through the free gateway endpoint",
  );
  const mounted = spec.serving.models.filter((m) => m.mountWeights).map((m) => m.name);
  if (mounted.length > 0)
    out.push(
      `S3 storage of the staged weights of ${mounted.join(", ")} (mountWeights: each pinned version ` +
        `is copied once into the registry's bucket) and the GET requests of every replica that reads them`,
    );
  // The compile Jobs (compileCache): one per track (served version) and GPU type, once per version.
  for (const m of spec.serving.models.filter((x) => x.compileCache)) {
    const devices = deviceNamesOf(
      placements(spec, m).map((p) => p.type),
      m.accelerator,
    );
    const jobs = modelTracks(m).length * devices.length;
    out.push(
      `${m.accelerator === "cpu" ? "Node" : ACCELERATORS[m.accelerator].device.one} time of ${m.name}'s compile Jobs (compileCache): ${jobs} now ` +
        `(${modelTracks(m).length} served version(s) × ${devices.length} device type(s): ${devices.join(", ")}), ` +
        `each run once per version, one at a time, holding one ` +
        `node of the model's size for about an uncached replica start (the node, the images, the weights, ` +
        `the server's compile: minutes); and the S3 storage of the caches`,
    );
  }
  const adapted = spec.serving.models.filter((m) => (m.adapters ?? []).length > 0).map((m) => m.name);
  if (adapted.length > 0)
    out.push(
      `S3 GET requests of every replica reading the LoRA adapters of ${adapted.join(", ")} at start, ` +
        `and the storage of those staged from the registry (each version copied once into the registry's bucket)`,
    );
  for (const pool of spec.capacity.pools)
    for (const r of (pool.reservations ?? []).filter((x) => x.type === "capacity-block"))
      out.push(
        `Capacity Block ${r.id} of pool ${pool.name} (${r.instances} × ${r.instanceType}, ends ${r.endsAt}): ` +
          `its price is set and paid up front when it is purchased, so the monthly figures leave it out; ` +
          `its nodes cost nothing more while it lasts`,
      );
  const provisioned = spec.capacity.pools.filter((p) => (p.volumeThroughputMiBps ?? 125) > 125).map((p) => p.name);
  if (provisioned.length > 0)
    out.push(
      `gp3 throughput above the included 125 MiB/s, and the IOPS above 3,000 it needs, on the image ` +
        `volumes of pool(s) ${provisioned.join(", ")} (volumeThroughputMiBps): the price table holds ` +
        `no provisioned-throughput price`,
    );
  const cached = spec.capacity.pools.filter((p) => p.imageCacheSnapshotId).map((p) => p.name);
  if (cached.length > 0) out.push(`EBS snapshot storage of the image caches of pool(s) ${cached.join(", ")}`);
  out.push(
    "RDS automated backup storage beyond the database's size, and data transfer out to the internet (the models are internal; image pulls come in free)",
  );
  return out;
}

function priceOf(p: Pricer, types: string[], pick: "min" | "max"): { type?: InstanceTypeInfo; hourly: number } {
  const priced = types
    .map((n) => ({ type: instanceType(n), hourly: p.ec2(n) }))
    .filter((x): x is { type: InstanceTypeInfo; hourly: number } => x.type !== undefined && x.hourly !== undefined);
  if (priced.length === 0) return { hourly: 0 };
  priced.sort((a, b) => (pick === "min" ? a.hourly - b.hourly : b.hourly - a.hourly));
  return priced[0];
}

/** The whole envelope of a resolved platform spec. */
export function costEnvelope(spec: PlatformSpec): CostEnvelope {
  const p = pricer(spec.region);
  const t = p.table;
  const has = t !== undefined;
  const u = USAGE_ASSUMPTIONS;
  const components: ComponentCost[] = [];

  // Network: NAT gateways with their Elastic IPs (none when the VPC is brought along).
  const nats = spec.network.existing
    ? 0
    : spec.network.natGateways === "single"
      ? 1
      : spec.network.availabilityZoneCount;
  const natHour = (t?.natGatewayHour.usd ?? 0) + (t?.publicIpv4Hour.usd ?? 0);
  components.push(
    component("network", [
      line(
        "NAT gateways + Elastic IPs",
        nats * natHour * H,
        nats * natHour * H,
        `${nats} gateway(s), each with one public IPv4 address`,
        has,
      ),
      line(
        "NAT data processed",
        nats * u.natDataGBPerGatewayMonth.floor * (t?.natGatewayDataGB.usd ?? 0),
        nats * u.natDataGBPerGatewayMonth.ceiling * (t?.natGatewayDataGB.usd ?? 0),
        `${u.natDataGBPerGatewayMonth.floor}-${u.natDataGBPerGatewayMonth.ceiling} GB per gateway (assumed)`,
        has,
      ),
      ...(createsPrivateZone(spec)
        ? [
            line(
              "Route 53 private hosted zone",
              t?.route53HostedZoneMonth.usd ?? 0,
              t?.route53HostedZoneMonth.usd ?? 0,
              `${spec.serving.ingressDomain}, the models' hosts (alias queries to the ALB are free)`,
              has,
            ),
          ]
        : []),
    ]),
  );

  // Cluster: control plane, system nodes and their root volumes, control-plane logs, the secrets and logs keys.
  const sys = spec.cluster.systemNodes;
  const sysFloor = priceOf(p, sys.instanceTypes.slice(0, 1), "min");
  const sysCeil = priceOf(p, sys.instanceTypes, "max");
  const gp3 = t?.ebsGp3GBMonth.usd ?? 0;
  const logsStoredMonths = spec.cluster.logRetentionDays / 30;
  const cw = (gb: number) =>
    gb * (t?.cloudwatchLogsIngestGB.usd ?? 0) + gb * logsStoredMonths * (t?.cloudwatchLogsStorageGBMonth.usd ?? 0);
  components.push(
    component("cluster", [
      line(
        "EKS control plane",
        (t?.eksClusterHour.usd ?? 0) * H,
        (t?.eksClusterHour.usd ?? 0) * H,
        "1 cluster, standard support",
        has,
      ),
      line(
        "system nodes",
        sys.minSize * sysFloor.hourly * H,
        sys.maxSize * sysCeil.hourly * H,
        `${sys.minSize} × ${sysFloor.type?.name ?? "?"} (first listed; on-demand node groups launch ` +
          `in list order) to ${sys.maxSize} × ${sysCeil.type?.name ?? "?"}`,
        has,
      ),
      line(
        "system node root volumes (gp3)",
        sys.minSize * sys.diskSizeGiB * gp3,
        sys.maxSize * sys.diskSizeGiB * gp3,
        `${sys.diskSizeGiB} GiB each`,
        has,
      ),
      line(
        "control-plane logs (CloudWatch)",
        cw(u.controlPlaneLogsGBPerMonth.floor),
        cw(u.controlPlaneLogsGBPerMonth.ceiling),
        `${u.controlPlaneLogsGBPerMonth.floor}-${u.controlPlaneLogsGBPerMonth.ceiling} GB/month ingested (assumed), kept ${spec.cluster.logRetentionDays} days`,
        has,
      ),
      ...["secrets", "control-plane logs"].map((what) =>
        line(
          `KMS key (${what})`,
          t?.kmsKeyMonth.usd ?? 0,
          t?.kmsKeyMonth.usd ?? 0,
          "1 key; each yearly rotation adds a backing key",
          has,
        ),
      ),
    ]),
  );

  // Models: minimum and maximum replicas on their cheapest fitting type; the floor of each pool.
  const models: ModelCost[] = [];
  const poolFloorNodes = new Map<string, { nodes: number; hourly: number; type: string }[]>();
  for (const m of spec.serving.models) {
    const bounds = replicaBounds(m);
    const best = cheapestPlacement(spec, m, p);
    if (!best) {
      models.push({
        name: m.name,
        floor: { replicas: bounds.min, nodes: 0, usd: 0, withSpotUsd: { low: 0, high: 0 } },
        ceiling: { replicas: bounds.max, nodes: 0, usd: 0 },
      });
      continue;
    }
    const nodesMin = Math.ceil(bounds.min / best.replicasPerNode);
    const nodesMax = Math.ceil(bounds.max / best.replicasPerNode);
    const floorUsd = nodesMin * best.hourly * H;
    const onSpot = poolOnSpot(spec, best.pool);
    const s = spot(floorUsd, onSpot);
    models.push({
      name: m.name,
      pool: best.pool,
      instanceType: best.type.name,
      replicasPerNode: best.replicasPerNode,
      floor: {
        replicas: bounds.min,
        nodes: nodesMin,
        usd: round(floorUsd),
        withSpotUsd: { low: round(s.low), high: round(s.high) },
      },
      ceiling: { replicas: bounds.max, nodes: nodesMax, usd: round(nodesMax * best.hourly * H) },
    });
    if (best.pool !== "system") {
      const list = poolFloorNodes.get(best.pool) ?? [];
      list.push({ nodes: nodesMin, hourly: best.hourly, type: best.type.name });
      poolFloorNodes.set(best.pool, list);
    }
  }

  // Accelerator pools.
  const pools: PoolCost[] = [];
  for (const pool of spec.capacity.pools) {
    const fromModels = poolFloorNodes.get(pool.name) ?? [];
    const modelNodes = fromModels.reduce((s, x) => s + x.nodes, 0);
    const modelUsd = fromModels.reduce((s, x) => s + x.nodes * x.hourly * H, 0);
    const cheapest = priceOf(p, pool.instanceTypes, "min");
    // Node groups never go below minNodes; the models' nodes count towards it.
    const extraNodes = spec.capacity.autoscaler === "cluster-autoscaler" ? Math.max(0, pool.minNodes - modelNodes) : 0;
    const floorNodes = modelNodes + extraNodes;
    // ODCRs: paid at the on-demand rate whether used or not; the floor's nodes of a reserved type
    // launch into them (Karpenter prefers reserved) and cost nothing more.
    const odcrs = (pool.reservations ?? []).filter((r) => r.type === "odcr");
    const reservedLeft = new Map<string, number>();
    for (const r of odcrs) reservedLeft.set(r.instanceType, (reservedLeft.get(r.instanceType) ?? 0) + r.instances);
    let coveredUsd = 0;
    for (const x of fromModels) {
      const covered = Math.min(x.nodes, reservedLeft.get(x.type) ?? 0);
      reservedLeft.set(x.type, (reservedLeft.get(x.type) ?? 0) - covered);
      coveredUsd += covered * x.hourly * H;
    }
    const reservedUsd = odcrs.reduce((sum, r) => sum + r.instances * (p.ec2(r.instanceType) ?? 0) * H, 0);
    const reservedInstances = odcrs.reduce((sum, r) => sum + r.instances, 0);
    const floorUsd = modelUsd + extraNodes * cheapest.hourly * H - coveredUsd;
    // Warm headroom: placeholders hold nodes of the cheapest type that fits the largest replica.
    const warmNodes = pool.warmNodes ?? 0;
    const warmType = warmNodes > 0 ? priceOf(p, headroomTypes(spec, pool), "min") : undefined;
    const warmUsd = warmNodes * (warmType?.hourly ?? 0) * H;
    // FSR bills each snapshot and zone pair it is enabled in, per hour, whether volumes are created or not.
    const fsrZones = pool.imageCacheFastRestore ? spec.network.availabilityZoneCount : 0;
    const fsrHour = t?.ebsFastSnapshotRestoreDsuHour;
    if (fsrZones > 0 && t && !fsrHour) p.unpriced.add(`EBS fast snapshot restore in ${spec.region}`);
    const fsrUsd = fsrZones * (fsrHour?.usd ?? 0) * H;
    const floorSpot = spot(floorUsd, pool.spot);
    const ceiling = poolCeiling(spec, pool, p);
    const ceilingNodes = Math.max(ceiling.nodes, floorNodes);
    const ceilingUsd = Math.max(ceiling.usd, floorUsd);
    pools.push({
      name: pool.name,
      kind: pool.kind,
      autoscaler: spec.capacity.autoscaler,
      capacity: poolCapacity(pool),
      floor: {
        nodes: floorNodes,
        ...(floorNodes > 0 ? { instanceType: fromModels[0]?.type ?? cheapest.type?.name } : {}),
        usd: round(floorUsd),
        withSpotUsd: { low: round(floorSpot.low), high: round(floorSpot.high) },
      },
      ceiling: { nodes: ceilingNodes, instanceType: ceiling.type, usd: round(ceilingUsd), bound: ceiling.bound },
      ...(warmNodes > 0 ? { warm: { nodes: warmNodes, instanceType: warmType?.type?.name, usd: round(warmUsd) } } : {}),
      ...(fsrZones > 0 ? { fastRestore: { zones: fsrZones, usd: round(fsrUsd) } } : {}),
      ...(odcrs.length > 0
        ? {
            reserved: {
              instances: reservedInstances,
              usd: round(reservedUsd),
              detail: odcrs.map((r) => `${r.instances} × ${r.instanceType} (${r.id ?? "by tags"})`).join(", "),
            },
          }
        : {}),
    });
    components.push(
      component(`capacity:${pool.name}`, [
        line(
          "accelerator nodes",
          floorUsd,
          ceilingUsd,
          `floor ${floorNodes} node(s) for the models' minimum${coveredUsd > 0 ? ", those of a reserved type inside the reservations" : ""}; ` +
            `ceiling ${ceiling.bound}`,
          has,
          pool.spot,
        ),
        ...(warmNodes > 0
          ? [
              line(
                "warm headroom",
                warmUsd,
                warmUsd,
                `${warmNodes} × ${warmType?.type?.name ?? "?"} held by placeholder pods (the cheapest type ` +
                  `that fits the pool's largest replica), running at all hours; the ceiling repeats it as an upper bound`,
                has,
                pool.spot,
              ),
            ]
          : []),
        ...(odcrs.length > 0
          ? [
              line(
                "capacity reservations (ODCR)",
                reservedUsd,
                reservedUsd,
                `${odcrs.map((r) => `${r.instances} × ${r.instanceType}`).join(", ")} at the on-demand rate, billed whether used or not`,
                has,
              ),
            ]
          : []),
        ...(fsrZones > 0
          ? [
              line(
                "image-cache fast snapshot restore",
                fsrUsd,
                fsrUsd,
                `snapshot ${pool.imageCacheSnapshotId} enabled in ${fsrZones} zone(s) at ${fsrHour ? `$${fsrHour.usd}` : "an unpriced rate"} ` +
                  `per snapshot and zone per hour, all month (imageCacheFastRestore)`,
                has && fsrHour !== undefined,
              ),
            ]
          : []),
        line(
          "accelerator node root volumes (gp3)",
          floorNodes * pool.diskSizeGiB * gp3,
          ceilingNodes * pool.diskSizeGiB * gp3,
          `${pool.diskSizeGiB} GiB each`,
          has,
        ),
      ]),
    );
  }

  // Serving: the models' shared internal ALB (CPU models run on the system nodes, priced above).
  const alb = (n: number) => ({
    floor: n * ((t?.albHour.usd ?? 0) + u.albLcuPerAlb.floor * (t?.albLcuHour.usd ?? 0)) * H,
    ceiling: n * ((t?.albHour.usd ?? 0) + u.albLcuPerAlb.ceiling * (t?.albLcuHour.usd ?? 0)) * H,
  });
  // One ALB per ingress group: the shared one, plus one per model that names its own callers.
  // With the LLM gateway, LLMs are served through its NLB instead.
  const viaGateway = (m: PlatformSpec["serving"]["models"][number]) =>
    spec.serving.gateway !== undefined && routedByGateway(m);
  const albModels = spec.serving.models.filter((m) => !viaGateway(m));
  const modelAlbs = new Set(albModels.map((m) => modelIngressGroup("shared", m))).size;
  const ownAlbs = albModels.filter((m) => m.allowedCidrs).length;
  const nlb = {
    floor: ((t?.nlbHour.usd ?? 0) + u.albLcuPerAlb.floor * (t?.nlbLcuHour.usd ?? 0)) * H,
    ceiling: ((t?.nlbHour.usd ?? 0) + u.albLcuPerAlb.ceiling * (t?.nlbLcuHour.usd ?? 0)) * H,
  };
  components.push(
    component("serving", [
      line(
        "models' internal ALB",
        alb(modelAlbs).floor,
        alb(modelAlbs).ceiling,
        `${modelAlbs} ALB${ownAlbs > 0 ? `s, one per ingress group (${ownAlbs} for models with callers of their own)` : " shared by every model (one ingress group)"}, ${u.albLcuPerAlb.floor}-${u.albLcuPerAlb.ceiling} LCU (assumed)`,
        has,
      ),
      ...(spec.serving.gateway
        ? [
            line(
              "LLM gateway's internal NLB",
              nlb.floor,
              nlb.ceiling,
              `1 NLB, ${u.albLcuPerAlb.floor}-${u.albLcuPerAlb.ceiling} NLCU (assumed, as the ALB's LCUs); ` +
                `its ${spec.serving.gateway.replicas} proxies, istiod and the endpoint pickers run on the system ` +
                `nodes (priced above)`,
              has,
            ),
          ]
        : []),
    ]),
  );

  // Registry: RDS PostgreSQL (twice when Multi-AZ), its storage, the MLflow ALB and key.
  const reg = spec.registry;
  const copies = reg.multiAz ? 2 : 1;
  const rds = t?.rdsPostgresInstanceHour[reg.dbInstanceClass];
  if (has && !rds) p.unpriced.add(`RDS ${reg.dbInstanceClass} in ${spec.region}`);
  const rdsStorage = t?.rdsGp3GBMonth.usd ?? 0;
  components.push(
    component("registry", [
      line(
        "RDS PostgreSQL instance",
        copies * (rds?.usd ?? 0) * H,
        copies * (rds?.usd ?? 0) * H,
        `${reg.dbInstanceClass}${reg.multiAz ? ", Multi-AZ (primary + standby)" : ", Single-AZ"}`,
        has && !!rds,
      ),
      line(
        "RDS storage (gp3)",
        copies * reg.dbStorageGiB * rdsStorage,
        copies * reg.dbStorageGiB * DB_MAX_STORAGE_FACTOR * rdsStorage,
        `${reg.dbStorageGiB} GiB, autoscaling to ${reg.dbStorageGiB * DB_MAX_STORAGE_FACTOR} GiB`,
        has,
      ),
      line(
        "MLflow internal ALB",
        alb(1).floor,
        alb(1).ceiling,
        `1 ALB, ${u.albLcuPerAlb.floor}-${u.albLcuPerAlb.ceiling} LCU (assumed)`,
        has,
      ),
      line(
        "KMS key (registry)",
        t?.kmsKeyMonth.usd ?? 0,
        t?.kmsKeyMonth.usd ?? 0,
        "1 key for the bucket and the database",
        has,
      ),
    ]),
  );

  // Monitoring: the Prometheus, Alertmanager and Grafana volumes.
  const mon = spec.monitoring;
  const monGiB = mon.storageGiB * mon.replicas + mon.alertmanagerStorageGiB + mon.grafanaStorageGiB;
  components.push(
    component("monitoring", [
      line(
        "volumes (gp3)",
        monGiB * gp3,
        monGiB * gp3,
        `Prometheus ${mon.storageGiB} GiB × ${mon.replicas}, Alertmanager ${mon.alertmanagerStorageGiB} GiB, Grafana ${mon.grafanaStorageGiB} GiB`,
        has,
      ),
    ]),
  );

  // Images: what the ECR pull-through cache stores (each cached image once, whatever the node count).
  if (spec.images?.pullThroughCache) {
    const cached = acceleratorNodeImages(spec).filter((i) => pullThroughUpstreamOf(i) !== undefined);
    // ECR stores the compressed layers; where only the unpacked size is published, it bounds them.
    const sizeOf = (i: string) => IMAGE_SIZES[i]?.compressedGB ?? IMAGE_SIZES[i]?.uncompressedGB;
    const sized = cached.filter((i) => sizeOf(i) !== undefined);
    const gb = sized.reduce((s, i) => s + sizeOf(i)!.value, 0);
    const unsized = cached.filter((i) => sizeOf(i) === undefined);
    const ecr = (t?.ecrStorageGBMonth.usd ?? 0) * gb;
    components.push(
      component("images", [
        line(
          "ECR pull-through cache storage",
          ecr,
          ecr,
          `at most ${gb} GB: the on-disk sizes of ${sized.join(", ") || "none"} (ECR stores the compressed ` +
            `layers)${unsized.length > 0 ? `; no size is published for ${unsized.join(", ")}, left out` : ""}`,
          has,
        ),
      ]),
    );
  }

  const sum = (f: (c: ComponentCost) => number) => round(components.reduce((s, c) => s + f(c), 0));
  return {
    region: spec.region,
    currency: "USD",
    hoursPerMonth: H,
    priceTable: { date: PRICE_TABLE_DATE, priced: has, ec2Source: t?.ec2Source.url ?? "" },
    assumptions: {
      spotDiscount: {
        low: SPOT_DISCOUNT_ASSUMPTION.low,
        high: SPOT_DISCOUNT_ASSUMPTION.high,
        note: SPOT_DISCOUNT_ASSUMPTION.source.note,
      },
      usage: USAGE_ASSUMPTIONS,
      floor:
        "no traffic: system nodes at minSize, each model at its minimum replicas (canaries included) " +
        "on the cheapest type of its pools that fits it, node groups at minNodes",
      ceiling:
        "every autoscaler at its maximum, priced on-demand: system nodes at maxSize on the dearest " +
        "listed type, node groups (and on-demand fallback groups) at maxNodes on the dearest type, " +
        "NodePools at their device limit on the type dearest per device",
    },
    floor: {
      totalUsd: sum((c) => c.floorUsd),
      withSpotUsd: { low: sum((c) => c.floorWithSpotUsd.low), high: sum((c) => c.floorWithSpotUsd.high) },
    },
    ceiling: { totalUsd: sum((c) => c.ceilingUsd) },
    components,
    pools,
    models,
    unpriced: [...p.unpriced].sort(),
    notModelled: notModelledCosts(spec),
  };
}

/** What a pool launches, as the NodePool's capacity types or the node groups' do. */
function poolCapacity(pool: AcceleratorPoolSpec): PoolCost["capacity"] {
  if (!pool.spot) return "on-demand";
  return pool.onDemandFallback ? "spot+on-demand" : "spot";
}

/** A pool at its cap, on-demand: what its autoscaler may launch at most. */
function poolCeiling(
  spec: PlatformSpec,
  pool: AcceleratorPoolSpec,
  p: Pricer,
): { nodes: number; usd: number; type?: string; bound: string } {
  if (spec.capacity.autoscaler === "cluster-autoscaler") {
    // An on-demand pool is one on-demand group: the platform adds a fallback group to spot pools only.
    const groups = pool.spot && pool.onDemandFallback ? 2 : 1;
    const dearest = priceOf(p, pool.instanceTypes, "max");
    const nodes = pool.maxNodes * groups;
    return {
      nodes,
      usd: nodes * dearest.hourly * H,
      type: dearest.type?.name,
      bound:
        `${pool.maxNodes} node(s)${groups === 2 ? " in the spot group and as many in the on-demand fallback group" : ""} ` +
        `on ${dearest.type?.name ?? "?"}, on-demand`,
    };
  }
  // Karpenter: the NodePool's device limit, filled with the type that costs most per device.
  const perDevice = pool.instanceTypes
    .map((n) => ({ type: instanceType(n), hourly: p.ec2(n) }))
    .filter((x): x is { type: InstanceTypeInfo; hourly: number } => !!x.type?.accelerator && x.hourly !== undefined)
    .map((x) => ({ ...x, devices: x.type.accelerator!.count, perDevice: x.hourly / x.type.accelerator!.count }))
    .sort((a, b) => b.perDevice - a.perDevice)[0];
  if (!perDevice) return { nodes: 0, usd: 0, bound: "no priced type" };
  const nodes = Math.ceil(pool.maxDevices / perDevice.devices);
  return {
    nodes,
    usd: nodes * perDevice.hourly * H,
    type: perDevice.type.name,
    bound: `device limit ${pool.maxDevices} on ${nodes} × ${perDevice.type.name} (dearest per device), on-demand`,
  };
}
