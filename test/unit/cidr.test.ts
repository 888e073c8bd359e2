import { describe, expect, it } from "vitest";
import {
  cidrProblem,
  cidrRange,
  hasHostBits,
  isOpenToWorld,
  opensPublicSpaceWiderThanSlash8,
  publicAddressCount,
  validateCidr,
} from "../../components/common/cidr";

describe("CIDRs are read strictly", () => {
  it.each([
    ["10.0.0.0/16", true],
    ["0.0.0.0/0", true],
    ["255.255.255.255/32", true],
    ["010.100.000.000/16", false], // octal-reading parsers take this as 8.64.0.0
    ["10.0.0.0/00", false],
    ["10.0.0.0/016", false],
    ["10.0.0.0/33", false],
    ["256.0.0.0/8", false],
    ["10.0.0.0", false],
    [" 10.0.0.0/16", false],
    ["10.0.0.0/16\n", false],
  ])("%j valid: %s", (cidr, valid) => {
    expect(validateCidr(cidr)).toBe(valid);
  });

  it("refuses host bits and names the network address to write", () => {
    expect(hasHostBits("10.0.0.1/16")).toBe(true);
    expect(hasHostBits("10.0.0.0/16")).toBe(false);
    expect(cidrProblem("10.0.0.1/16", "10.0.0.0/16")).toBe("has host bits set; write 10.0.0.0/16");
    expect(cidrProblem("10.0.0.0/16", "10.0.0.0/16")).toBeUndefined();
    expect(cidrProblem("010.0.0.0/16", "10.0.0.0/16")).toMatch(/leading zeros/);
  });

  it("knows the range a CIDR covers", () => {
    expect(cidrRange("128.0.0.0/1")).toEqual([2 ** 31, 2 ** 32 - 1]);
    expect(cidrRange("10.1.2.3/32")).toEqual([167838211, 167838211]);
  });
});

describe("what a list of admitted networks opens", () => {
  it("counts public addresses once, leaving out private and reserved space", () => {
    expect(publicAddressCount(["203.0.113.0/24", "203.0.113.0/25"])).toBe(256);
    expect(publicAddressCount(["10.0.0.0/8", "192.168.0.0/16"])).toBe(0);
    expect(publicAddressCount(["44.0.0.0/8"])).toBe(2 ** 24);
  });

  it("refuses the world opened in pieces, and anything wider than a /8 of public space", () => {
    expect(opensPublicSpaceWiderThanSlash8(["0.0.0.0/1", "128.0.0.0/1"])).toBe(true);
    expect(opensPublicSpaceWiderThanSlash8(["0.0.0.0/0"])).toBe(true);
    expect(opensPublicSpaceWiderThanSlash8(["44.0.0.0/7"])).toBe(true);
    expect(opensPublicSpaceWiderThanSlash8(["44.0.0.0/8", "45.0.0.0/32"])).toBe(true);
  });

  it("admits a /8 of public space, private networks of any size and office ranges", () => {
    expect(opensPublicSpaceWiderThanSlash8(["44.0.0.0/8"])).toBe(false);
    expect(opensPublicSpaceWiderThanSlash8(["10.0.0.0/8", "172.16.0.0/12", "203.0.113.0/24"])).toBe(false);
    expect(opensPublicSpaceWiderThanSlash8([])).toBe(false);
  });

  it("still calls only an all-covering CIDR open to the world", () => {
    expect(isOpenToWorld("0.0.0.0/0")).toBe(true);
    expect(isOpenToWorld("0.0.0.0/00")).toBe(true);
    expect(isOpenToWorld("0.0.0.0/1")).toBe(false);
  });
});
