import { placements } from "../../components/platform/capacity-checks";
import { describe, expect, it } from "vitest";
import { REACHABLE_API } from "../fixtures/stack";
import { HOURS_PER_MONTH, onDemandHourly, regionPrices } from "../../components/common/pricing";
import { costEnvelope } from "../../components/platform/cost";
import { headroomRequests } from "../../components/platform/headroom";
import type { PlatformSpec } from "../../components/platform/spec";
import type { ModelSpec } from "../../components/serving";
import { resolvePlatformSpec } from "../../stacks/config";
import { KSERVE_NEURON_MODEL, TRITON_GPU_MODEL } from "../fixtures/models";

function spec(env: "dev" | "staging", region = "us-west-2", models: ModelSpec[] = []): PlatformSpec {
  const base = resolvePlatformSpec({ environment: env, team: "ml-team", ...REACHABLE_API }, region);
  return { ...base, serving: { ...base.serving, models } };
}
const model = (over: Partial<ModelSpec> = {}): ModelSpec => ({
  ...TRITON_GPU_MODEL,
  server: "kserve",
  resources: { gpus: 1, cpu: "3", memory: "12Gi" },
  ...over,
});
const H = HOURS_PER_MONTH;
const comp = (e: ReturnType<typeof costEnvelope>, name: string) => e.components.find((c) => c.name === name)!;

describe("cost envelope", () => {
  it("totals are the sum of the components, and the floor never exceeds the ceiling", () => {
    const e = costEnvelope(spec("staging", "us-west-2", [model()]));
    const sum = (f: (c: (typeof e.components)[number]) => number) =>
      Math.round(e.components.reduce((s, c) => s + f(c), 0) * 100) / 100;
    expect(e.floor.totalUsd).toBe(sum((c) => c.floorUsd));
    expect(e.ceiling.totalUsd).toBe(sum((c) => c.ceilingUsd));
    for (const c of e.components) expect(c.floorUsd, c.name).toBeLessThanOrEqual(c.ceilingUsd);
    expect(e.floor.withSpotUsd.low).toBeLessThan(e.floor.withSpotUsd.high);
    expect(e.floor.withSpotUsd.high).toBeLessThan(e.floor.totalUsd);
    expect(e.unpriced).toEqual([]);
  });

  it("prices a model's minimum on the cheapest type that fits it; parked models cost nothing", () => {
    const running = costEnvelope(spec("dev", "us-west-2", [model({ replicas: { min: 1, max: 2 } })]));
    // dev's GPU pool: g6/g5/g6e/g4dn.xlarge all fit 3 CPUs + 12Gi; g4dn.xlarge is the cheapest.
    expect(running.models[0]).toMatchObject({ instanceType: "g4dn.xlarge", replicasPerNode: 1 });
    expect(running.models[0].floor.usd).toBeCloseTo(onDemandHourly("us-west-2", "g4dn.xlarge")! * H, 2);
    const parked = costEnvelope(spec("dev", "us-west-2", [model({ replicas: { min: 0, max: 2 } })]));
    expect(parked.pools.find((p) => p.name === "gpu")!.floor).toMatchObject({ nodes: 0, usd: 0 });
    expect(comp(running, "capacity:gpu").floorUsd).toBeGreaterThan(comp(parked, "capacity:gpu").floorUsd);
  });

  it("counts a canary track at the floor and the ceiling", () => {
    const plain = costEnvelope(spec("staging", "us-west-2", [model({ replicas: { min: 1, max: 2 } })]));
    const canary = costEnvelope(
      spec("staging", "us-west-2", [
        model({ replicas: { min: 1, max: 2 }, canary: { source: "models:/resnet/4", trafficPercent: 10 } }),
      ]),
    );
    // A 10% canary of { min: 1, max: 2 } keeps { min: 1, max: 1 } (trackReplicas).
    expect(canary.models[0].floor.replicas).toBe(2 * plain.models[0].floor.replicas);
    expect(canary.models[0].ceiling.replicas).toBe(plain.models[0].ceiling.replicas + 1);
    expect(canary.models[0].ceiling.usd).toBeCloseTo(1.5 * plain.models[0].ceiling.usd, 2);
  });

  it("prices an ODCR at the on-demand rate, used or not, without charging the nodes inside it twice; a Capacity Block as paid up front", () => {
    const m = model({ replicas: { min: 1, max: 2 } });
    const base = spec("staging", "us-west-2", [m]);
    const withReservations = (
      reservations: NonNullable<PlatformSpec["capacity"]["pools"][number]["reservations"]>,
    ) => ({
      ...base,
      capacity: {
        ...base.capacity,
        pools: base.capacity.pools.map((p) => (p.name === "gpu" ? { ...p, reservations } : p)),
      },
    });
    const plain = costEnvelope(base);
    const type = plain.models[0].instanceType!;
    const hourly = onDemandHourly("us-west-2", type)!;
    const reserved = costEnvelope(withReservations([{ id: "cr-1", type: "odcr", instanceType: type, instances: 2 }]));
    const pool = reserved.pools.find((p) => p.name === "gpu")!;
    expect(pool.reserved).toMatchObject({ instances: 2 });
    expect(pool.reserved!.usd).toBeCloseTo(2 * hourly * H, 2);
    const line = comp(reserved, "capacity:gpu").lines.find((l) => l.item === "capacity reservations (ODCR)")!;
    expect(line.floorUsd).toBeCloseTo(2 * hourly * H, 2);
    // The model's one floor node runs inside the reservation: the node line drops it, the reservation holds two.
    expect(comp(reserved, "capacity:gpu").floorUsd - comp(plain, "capacity:gpu").floorUsd).toBeCloseTo(hourly * H, 1);
    const block = costEnvelope(
      withReservations([
        { id: "cr-2", type: "capacity-block", instanceType: type, instances: 1, endsAt: "2026-12-31T11:30:00Z" },
      ]),
    );
    expect(block.pools.find((p) => p.name === "gpu")!.reserved).toBeUndefined();
    expect(block.notModelled.join("\n")).toContain("Capacity Block cr-2 of pool gpu");
    expect(block.notModelled.join("\n")).toContain("paid up front");
  });

  it("prices warm headroom as its nodes, on the cheapest type the pool's largest replica fits, all month", () => {
    const small = model({ replicas: { min: 1, max: 2 } });
    const big = model({ name: "big", replicas: { min: 1, max: 2 }, resources: { gpus: 1, cpu: "4", memory: "24Gi" } });
    const base = spec("staging", "us-west-2", [small, big]);
    const warm = {
      ...base,
      capacity: {
        ...base.capacity,
        pools: base.capacity.pools.map((p) => (p.name === "gpu" ? { ...p, warmNodes: 2 } : p)),
      },
    };
    expect(headroomRequests(warm, warm.capacity.pools[0])).toEqual({ cpuMillis: 4000, memoryMiB: 24576, devices: 1 });
    const e = costEnvelope(warm);
    const pool = e.pools.find((p) => p.name === "gpu")!;
    // 4 vCPU + 24 GiB does not fit the xlarge types (4 vCPU, 16 GiB): the cheapest that fits is a 2xlarge.
    expect(pool.warm!.nodes).toBe(2);
    expect(pool.warm!.instanceType).toMatch(/2xlarge$/);
    const hourly = onDemandHourly("us-west-2", pool.warm!.instanceType!)!;
    expect(pool.warm!.usd).toBeCloseTo(2 * hourly * H, 2);
    const line = comp(e, "capacity:gpu").lines.find((l) => l.item === "warm headroom")!;
    expect(line.floorUsd).toBeCloseTo(2 * hourly * H, 2);
    expect(line.floorWithSpotUsd.high).toBeLessThan(line.floorUsd); // the pool runs on spot
    expect(comp(e, "capacity:gpu").floorUsd - comp(costEnvelope(base), "capacity:gpu").floorUsd).toBeCloseTo(
      2 * hourly * H,
      1,
    );
  });

  it("caps a Karpenter pool at its device limit on the type dearest per device", () => {
    const e = costEnvelope(spec("staging"));
    const pool = e.pools.find((p) => p.name === "inferentia")!;
    // inf2.8xlarge has 1 device at $1.96786/h: dearer per device than inf2.xlarge or inf2.24xlarge (6 devices).
    expect(pool.ceiling).toMatchObject({ nodes: 8, instanceType: "inf2.8xlarge" });
    expect(pool.ceiling.usd).toBeCloseTo(8 * 1.96786 * H, 2);
  });

  it("prices an on-demand pool (spot: false) as on-demand: its label, its floor with spot and its models", () => {
    const neuron: ModelSpec = {
      ...KSERVE_NEURON_MODEL,
      replicas: { min: 1, max: 1 },
      resources: { neuronDevices: 1, cpu: "3", memory: "12Gi" },
    };
    // dev's Inferentia pool is inf2.xlarge on-demand (spot: false), with no fallback group.
    const e = costEnvelope(spec("dev", "us-west-2", [neuron]));
    const pool = e.pools.find((p) => p.name === "inferentia")!;
    expect(pool.capacity).toBe("on-demand");
    expect(pool.floor.usd).toBeGreaterThan(0);
    expect(pool.floor.withSpotUsd).toEqual({ low: pool.floor.usd, high: pool.floor.usd });
    const line = comp(e, "capacity:inferentia").lines[0];
    expect(line.floorWithSpotUsd).toEqual({ low: line.floorUsd, high: line.floorUsd });
    expect(e.models[0].floor.withSpotUsd).toEqual({ low: e.models[0].floor.usd, high: e.models[0].floor.usd });
    // The platform adds no fallback group to an on-demand node group, even with onDemandFallback set.
    expect(pool.ceiling.nodes).toBe(1);
    const s = spec("dev", "us-west-2", [neuron]);
    const flagged = costEnvelope({
      ...s,
      capacity: { ...s.capacity, pools: s.capacity.pools.map((p) => ({ ...p, onDemandFallback: true })) },
    }).pools.find((p) => p.name === "inferentia")!;
    expect(flagged).toMatchObject({ capacity: "on-demand", ceiling: { nodes: 1 } });
  });

  it("lists the costs it does not model: cross-AZ traffic, S3 storage of the registry and of staged weights", () => {
    const mounted = model({ name: "llm", mountWeights: true, weightsGiB: 15 });
    const e = costEnvelope(spec("staging", "us-west-2", [mounted]));
    expect(e.notModelled).toEqual([
      expect.stringMatching(/^cross-AZ data transfer: .*3 zones/),
      expect.stringMatching(/^S3 storage and requests of the registry bucket/),
      expect.stringMatching(/^S3 storage of the staged weights of llm/),
      expect.stringMatching(/^RDS automated backup storage/),
    ]);
    expect(costEnvelope(spec("staging", "us-west-2", [model()])).notModelled.join()).not.toMatch(/staged weights/);
    const adapted = model({
      name: "chat",
      adapters: [{ name: "billing", source: "models:/billing-lora/2", rank: 16 }],
    });
    expect(costEnvelope(spec("staging", "us-west-2", [adapted])).notModelled).toContainEqual(
      expect.stringMatching(/^S3 GET requests of every replica reading the LoRA adapters of chat at start/),
    );
    expect(costEnvelope(spec("staging", "us-west-2", [model()])).notModelled.join()).not.toMatch(/LoRA adapters/);
  });

  it("names the GPU time of the compile Jobs of a model that keeps its compile cache: versions × GPU types", () => {
    const kept = model({
      name: "llm",
      runtime: "vllm",
      mountWeights: true,
      compileCache: true,
      canary: { source: "models:/llm/4", trafficPercent: 10 },
    });
    const s = spec("staging", "us-west-2", [kept]);
    const gpus = [...new Set(placements(s, kept).map((p) => p.type.accelerator!.name))];
    expect(gpus.length).toBeGreaterThan(1);
    expect(costEnvelope(s).notModelled).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^GPU time of llm's compile Jobs \\(compileCache\\): ${2 * gpus.length} now \\(2 served version\\(s\\) × ${gpus.length} device type\\(s\\): ${gpus.join(", ")}\\)`,
        ),
      ),
    );
    expect(
      costEnvelope(
        spec("staging", "us-west-2", [model({ name: "llm", runtime: "vllm", mountWeights: true })]),
      ).notModelled.join(),
    ).not.toMatch(/compile Jobs/);
  });

  it("caps node groups at maxNodes on their dearest type, twice with an on-demand fallback group", () => {
    const s = spec("dev");
    const alone = costEnvelope(s).pools.find((p) => p.name === "gpu")!;
    // dev's GPU pool is one shape (4 vCPU, 16 GiB, 1 GPU): g5.xlarge is its dearest type.
    expect(alone.ceiling).toMatchObject({ nodes: 2, instanceType: "g5.xlarge" });
    const withFallback = costEnvelope({
      ...s,
      capacity: { ...s.capacity, pools: s.capacity.pools.map((p) => ({ ...p, onDemandFallback: true })) },
    }).pools.find((p) => p.name === "gpu")!;
    expect(withFallback.ceiling.nodes).toBe(4);
    expect(withFallback.ceiling.usd).toBeCloseTo(2 * alone.ceiling.usd, 2);
  });

  it("bills a Multi-AZ database twice and grows its storage to the autoscaling maximum at the ceiling", () => {
    const s = spec("staging");
    const single = comp(costEnvelope(s), "registry").lines;
    const multi = comp(costEnvelope({ ...s, registry: { ...s.registry, multiAz: true } }), "registry").lines;
    const rds = (l: typeof single) => l.find((x) => x.item === "RDS PostgreSQL instance")!;
    expect(rds(multi).floorUsd).toBeCloseTo(2 * rds(single).floorUsd, 2);
    const storage = single.find((x) => x.item === "RDS storage (gp3)")!;
    expect(storage.ceilingUsd).toBeCloseTo(5 * storage.floorUsd, 2);
  });

  it("charges one NAT gateway per zone with onePerAz, none for an existing VPC", () => {
    const s = spec("staging");
    const nat = (x: PlatformSpec) =>
      comp(costEnvelope(x), "network")
        .lines.filter((l) => l.item.startsWith("NAT"))
        .reduce((sum, l) => sum + l.floorUsd, 0);
    const one = nat(s);
    const perAz = nat({ ...s, network: { ...s.network, natGateways: "onePerAz" } });
    expect(perAz).toBeCloseTo(3 * one, 2);
    const t = regionPrices("us-west-2")!;
    expect(one).toBeCloseTo((t.natGatewayHour.usd + t.publicIpv4Hour.usd) * H + 10 * t.natGatewayDataGB.usd, 2);
    const existing = {
      ...s,
      network: {
        ...s.network,
        existing: {
          vpcId: "vpc-0abc12345def67890",
          cidrBlock: "10.0.0.0/16",
          privateSubnetIds: [],
          publicSubnetIds: [],
        },
      },
    };
    expect(nat(existing)).toBe(0);
  });

  it("charges the models' private hosted zone, $0.50 a month, unless serving.privateZone is false", () => {
    const s = spec("staging");
    const zone = (x: PlatformSpec) =>
      comp(costEnvelope(x), "network").lines.filter((l) => l.item === "Route 53 private hosted zone");
    expect(zone(s).map((l) => [l.floorUsd, l.ceilingUsd])).toEqual([[0.5, 0.5]]);
    expect(zone({ ...s, serving: { ...s.serving, privateZone: false } })).toEqual([]);
  });

  it("lists a region it cannot price as unpriced instead of guessing", () => {
    const e = costEnvelope(spec("dev", "ap-south-1", [model()]));
    expect(e.priceTable.priced).toBe(false);
    expect(e.unpriced).toEqual(["region ap-south-1 (no price table)"]);
    expect(e.floor.totalUsd).toBe(0);
    expect(e.components.flatMap((c) => c.lines).every((l) => !l.priced)).toBe(true);
  });

  it("states its assumptions", () => {
    const e = costEnvelope(spec("dev"));
    expect(e.assumptions.spotDiscount).toMatchObject({ low: 0.4, high: 0.7 });
    expect(e.assumptions.floor).toMatch(/minimum replicas/);
    expect(e.assumptions.ceiling).toMatch(/on-demand/);
    expect(e.hoursPerMonth).toBe(730);
  });
});
