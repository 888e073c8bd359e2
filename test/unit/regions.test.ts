import * as enums from "@pulumi/aws/types/enums";
import { describe, expect, it } from "vitest";
import { AWS_REGIONS, regionProblem } from "../../components/common/regions";

describe("the pinned region list", () => {
  it("is the pinned AWS provider's Region enum", () => {
    expect([...AWS_REGIONS].sort()).toEqual(Object.values(enums.Region).sort());
  });

  it("refuses a region that exists nowhere, listing the supported ones", () => {
    expect(regionProblem("xx-fake-9")).toMatch(/must be an AWS region[\s\S]*us-east-1, us-east-2/);
    expect(regionProblem("us-east-1")).toBeUndefined();
  });
});
