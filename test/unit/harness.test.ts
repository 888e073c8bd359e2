import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { toPlainJson } from "../../cli/mock-runtime";
import { runComponent } from "../harness";

describe("mock harness", () => {
  it("throws on an invoke the fake cloud does not know", async () => {
    await expect(runComponent(() => aws.ec2.getAmiOutput({ owners: ["amazon"], mostRecent: true }).id)).rejects.toThrow(
      /no fake answer for invoke aws:ec2\/getAmi/,
    );
  });

  it("answers known invokes with realistic values and waits for every registration", async () => {
    const plan = await runComponent(() => {
      const id = aws.getCallerIdentityOutput({});
      return new aws.iam.Role("r", {
        assumeRolePolicy: id.accountId.apply((a) => JSON.stringify({ account: a })),
        tags: {},
      });
    });
    expect(JSON.parse(plan.one("aws:iam/role:Role").inputs.assumeRolePolicy as string)).toEqual({
      account: "123456789012",
    });
  });

  it("redacts secrets wherever they are nested", () => {
    const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" };
    expect(toPlainJson({ a: [1, { b: secret }] })).toEqual({ a: [1, { b: "[secret]" }] });
  });
});
