import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import type { RecordedResource } from "../../cli/mock-runtime";
import { runPolicies } from "../../cli/policy-runner";
import { resource } from "../policies/policy-harness";

/** A resource named `name` for the runner. */
const thing = (name: string, over: Partial<RecordedResource> = {}) =>
  resource("test:index:Thing", { name }, { name, ...over });

/** A stack policy that reports what its config says, with its own default for `limit`. */
const reportingLimit = (name: string, limit: number): StackValidationPolicy => ({
  name,
  description: name,
  enforcementLevel: "mandatory",
  configSchema: { properties: { limit: { type: "number", default: limit } } },
  validateStack: (args, report) => {
    const cfg = args.getConfig<{ limit: number; environment: string }>();
    report(`${cfg.environment} ${cfg.limit}`);
  },
});

describe("runPolicies (the offline plan's CrossGuard runner)", () => {
  it("gives each policy its own config defaults beside the shared config, whatever ran before it", async () => {
    const a = thing("a");
    const reportByResource: ResourceValidationPolicy = {
      name: "resource-limit",
      description: "resource-limit",
      enforcementLevel: "advisory",
      configSchema: { properties: { limit: { type: "number", default: 3 } } },
      validateResource: (args, report) => report(`${args.name} ${args.getConfig<{ limit: number }>().limit}`),
    };
    const report = await runPolicies([reportingLimit("first", 1), reportByResource, reportingLimit("second", 2)], [a], {
      environment: "prod",
    });
    expect(report.violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([
      "first: prod 1",
      "resource-limit: a 3",
      "second: prod 2",
    ]);
  });

  it("hands stack policies each resource's dependencies and parent as resources, and leaves disabled ones out", async () => {
    const parent = thing("parent", { custom: false });
    const dep = thing("dep", { parent: parent.urn });
    const child = thing("child", { parent: parent.urn, dependsOn: [dep.urn] });
    const seen: string[] = [];
    const links: StackValidationPolicy = {
      name: "links",
      description: "links",
      enforcementLevel: "mandatory",
      validateStack: (args) => {
        for (const r of args.resources)
          seen.push(`${r.name} <- ${r.dependencies.map((d) => d.name).join(",")} ^ ${r.parent?.name ?? "-"}`);
      },
    };
    const report = await runPolicies([links, reportingLimit("off", 1)], [parent, dep, child], {}, { off: "disabled" });
    expect(seen).toEqual(["parent <-  ^ -", "dep <-  ^ parent", "child <- dep ^ parent"]);
    expect(report.violations).toEqual([]);
  });
});
