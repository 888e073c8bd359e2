import { expect } from "vitest";
import { EksCluster, EksClusterArgs } from "../components/cluster";
import { RecordedResource, runOnMocks } from "../cli/mock-runtime";
import { existingMonitoring, type WorkloadClusterHandle } from "../components/common/handles";
import type { ModelServerArgs, ServingTarget } from "../components/serving";

export type { RecordedResource };

/**
 * Runs `build` on Pulumi's mock runtime (fake cloud with realistic ARNs, ids and endpoints;
 * unknown invokes throw) and returns every resource once all registrations have settled.
 */
export async function runComponent<T>(build: () => T, opts: { stack?: string; region?: string } = {}) {
  const { resources, result } = await runOnMocks(
    { project: "mlserving", stack: opts.stack ?? "test", region: opts.region ?? "us-west-2" },
    build,
  );
  return new Plan(resources, result);
}

export class Plan<T = unknown> {
  constructor(
    readonly resources: RecordedResource[],
    readonly result: T,
  ) {}

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The single resource of `type` whose logical name contains `nameIncludes`. */
  one(type: string, nameIncludes = ""): RecordedResource {
    const found = this.ofType(type).filter((r) => r.name.includes(nameIncludes));
    expect(
      found.map((r) => r.name),
      `exactly one ${type} named *${nameIncludes}*`,
    ).toHaveLength(1);
    return found[0];
  }

  byUrn(urn: string): RecordedResource {
    const r = this.resources.find((x) => x.urn === urn);
    if (!r) throw new Error(`no resource ${urn}`);
    return r;
  }

  /** Whether `r` depends (directly) on a resource of `type` named *nameIncludes*. */
  dependsOn(r: RecordedResource, type: string, nameIncludes = ""): boolean {
    return r.dependsOn.some((u) =>
      this.resources.some((x) => x.urn === u && x.type === type && x.name.includes(nameIncludes)),
    );
  }
}

/** Parses a JSON string input (IAM policies, add-on configuration). */
export function json<T = Record<string, unknown>>(value: unknown): T {
  expect(typeof value).toBe("string");
  return JSON.parse(value as string) as T;
}

/** An EKS cluster for component tests (build it inside runComponent); its `handle` feeds other components. */
export function testCluster(overrides: Partial<EksClusterArgs> = {}): EksCluster {
  return new EksCluster("eks", {
    clusterName: "ml-test",
    region: "us-west-2",
    vpcId: "vpc-0123456789abcdef0",
    privateSubnetIds: ["subnet-aaaaaaaa", "subnet-bbbbbbbb"],
    tags: { environment: "dev", team: "ml" },
    ...overrides,
  });
}

/** What every model server of a component test takes besides its model: dev, the test ALB group. */
export function modelServerBase(
  cluster: WorkloadClusterHandle,
  platform: ServingTarget,
  overrides: Partial<Omit<ModelServerArgs, "model">> = {},
): Omit<ModelServerArgs, "model"> {
  return {
    cluster,
    platform,
    environment: "dev",
    ingressDomain: "models.dev.internal",
    ingressGroup: "ml-test-models",
    monitoring: existingMonitoring(),
    ...overrides,
  };
}
