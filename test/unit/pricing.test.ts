import { describe, expect, it } from "vitest";
import { INSTANCE_TYPES } from "../../components/common/instance-types";
import {
  onDemandHourly,
  Price,
  PRICED_REGIONS,
  regionPrices,
  SPOT_DISCOUNT_ASSUMPTION,
} from "../../components/common/pricing";
import { ENVIRONMENT_DEFAULTS } from "../../components/platform/defaults";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

describe("price table", () => {
  it("prices the regions of the shipped stacks", () => {
    expect(PRICED_REGIONS).toEqual(expect.arrayContaining(["us-east-1", "us-west-2"]));
  });

  it.each(PRICED_REGIONS)("%s prices every catalogued instance type with a positive rate", (region) => {
    for (const t of INSTANCE_TYPES) {
      const p = onDemandHourly(region, t.name);
      expect(p, t.name).toBeGreaterThan(0);
    }
  });

  it.each(PRICED_REGIONS)("%s cites a source and a date for every line", (region) => {
    const table = regionPrices(region)!;
    const prices: Price[] = [
      table.eksClusterHour,
      table.natGatewayHour,
      table.natGatewayDataGB,
      table.publicIpv4Hour,
      table.albHour,
      table.albLcuHour,
      table.ebsGp3GBMonth,
      table.rdsGp3GBMonth,
      table.cloudwatchLogsIngestGB,
      table.cloudwatchLogsStorageGBMonth,
      table.kmsKeyMonth,
      ...Object.values(table.rdsPostgresInstanceHour),
    ];
    for (const p of prices) {
      expect(p.usd).toBeGreaterThan(0);
      expect(p.source.url).toMatch(/^https:\/\//);
      expect(p.source.asOf).toMatch(DATE);
    }
    expect(table.ec2Source.url).toMatch(/^https:\/\/github\.com\/aws\/karpenter-provider-aws\/blob\/[0-9a-f]{40}\//);
    expect(table.ec2Source.asOf).toMatch(DATE);
  });

  it("prices the RDS classes the environment defaults use", () => {
    for (const region of PRICED_REGIONS)
      for (const d of Object.values(ENVIRONMENT_DEFAULTS))
        expect(
          regionPrices(region)!.rdsPostgresInstanceHour[d.registry.dbInstanceClass],
          d.registry.dbInstanceClass,
        ).toBeDefined();
  });

  it("keeps pinned figures (the Price List API's us-east-1 rates, 2026-07-20)", () => {
    expect(onDemandHourly("us-east-1", "g6.xlarge")).toBe(0.8048);
    expect(onDemandHourly("us-east-1", "inf2.xlarge")).toBe(0.7582);
    expect(onDemandHourly("us-east-1", "m7i.large")).toBe(0.1008);
    expect(onDemandHourly("us-east-1", "p5.48xlarge")).toBe(55.04);
    expect(regionPrices("us-east-1")!.eksClusterHour.usd).toBe(0.1);
  });

  it("does not price a region it has no source for, nor borrow another's", () => {
    expect(regionPrices("ap-south-1")).toBeUndefined();
    expect(onDemandHourly("ap-south-1", "g6.xlarge")).toBeUndefined();
    expect(onDemandHourly("us-east-1", "g7.xlarge")).toBeUndefined();
  });

  it("states spot as a discount range, never a price", () => {
    expect(SPOT_DISCOUNT_ASSUMPTION.low).toBeGreaterThan(0);
    expect(SPOT_DISCOUNT_ASSUMPTION.low).toBeLessThan(SPOT_DISCOUNT_ASSUMPTION.high);
    expect(SPOT_DISCOUNT_ASSUMPTION.high).toBeLessThan(1);
    expect(SPOT_DISCOUNT_ASSUMPTION.source.note).toMatch(/assumption/);
  });
});
