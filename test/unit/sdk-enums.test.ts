// The kit's hand-copied instance tables checked against what the pinned AWS provider knows: every
// instance type the catalogue, the accelerator records, the bandwidth tables and the price table
// name must be a value of @pulumi/aws's `ec2.InstanceType` enum (generated from the AWS API models),
// so a typo or a type AWS does not sell fails here, not at `pulumi up`.
import * as enums from "@pulumi/aws/types/enums";
import { describe, expect, it } from "vitest";
import { EBS_BANDWIDTH_MBPS, NETWORK_BANDWIDTH_MBPS } from "../../components/common/instance-network";
import { INSTANCE_TYPES } from "../../components/common/instance-types";
import { PRICED_REGIONS, regionPrices } from "../../components/common/pricing";
import { ENVIRONMENT_DEFAULTS } from "../../components/platform/defaults";

const EC2_TYPES = new Set<string>(Object.values(enums.ec2.InstanceType));
const notInEnum = (types: Iterable<string>) => [...types].filter((t) => !EC2_TYPES.has(t));

describe("instance tables against the pinned @pulumi/aws ec2.InstanceType enum", () => {
  it("the enum is the provider's full list", () => {
    expect(EC2_TYPES.size).toBeGreaterThan(500);
    expect(EC2_TYPES.has("g6e.xlarge")).toBe(true);
    expect(EC2_TYPES.has("g6.huge")).toBe(false);
  });

  it("every catalogued type (the accelerator kinds' families come from the catalogue), and every type the environments' defaults use", () => {
    expect(notInEnum(INSTANCE_TYPES.map((t) => t.name))).toEqual([]);
    for (const d of Object.values(ENVIRONMENT_DEFAULTS)) {
      expect(notInEnum(d.cluster.systemNodes.instanceTypes)).toEqual([]);
      for (const p of d.capacity.pools) expect(notInEnum(p.instanceTypes), p.name).toEqual([]);
    }
  });

  it("every type of the network and EBS bandwidth tables, which cover the catalogue", () => {
    expect(notInEnum(Object.keys(NETWORK_BANDWIDTH_MBPS))).toEqual([]);
    expect(notInEnum(Object.keys(EBS_BANDWIDTH_MBPS))).toEqual([]);
    const catalogued = INSTANCE_TYPES.map((t) => t.name).sort();
    expect(Object.keys(NETWORK_BANDWIDTH_MBPS).sort()).toEqual(catalogued);
    expect(Object.keys(EBS_BANDWIDTH_MBPS).sort()).toEqual(catalogued);
  });

  it("every type the price table prices", () => {
    for (const region of PRICED_REGIONS)
      expect(notInEnum(Object.keys(regionPrices(region)!.ec2OnDemandHour)), region).toEqual([]);
  });
});
