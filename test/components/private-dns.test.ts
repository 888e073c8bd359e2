import { describe, expect, it } from "vitest";
import { PrivateDns } from "../../components/cluster";
import { existingMonitoring } from "../../components/common/handles";
import { MlPlatform, platformSpec } from "../../components/platform";
import { CHARTS, IMAGES } from "../../components/versions";
import { json, runComponent, testCluster } from "../harness";
import { devPlatformSpec } from "../fixtures/stack";

/** Issue 22, item 4: model hosts resolve inside the VPC from the stack alone. */
describe("PrivateDns", () => {
  const build = (protect = false) =>
    runComponent(() => {
      const c = testCluster();
      return new PrivateDns("dns", {
        cluster: c.handle,
        domain: "models.dev.internal",
        monitoring: existingMonitoring(),
        controlPlaneSubnetCidrs: ["10.0.0.0/19", "10.0.32.0/19"],
        protect,
      });
    });

  it("creates a private hosted zone for the models' domain, answering in the cluster's VPC", async () => {
    const plan = await build();
    const zone = plan.one("aws:route53/zone:Zone").inputs as Record<string, any>;
    expect(zone.name).toBe("models.dev.internal");
    expect(zone.vpcs).toEqual([{ vpcId: "vpc-0123456789abcdef0", vpcRegion: "us-west-2" }]);
    expect(zone.forceDestroy).toBe(true);
    expect(zone.tags["managed-by"]).toBe("pulumi-mlserving");
  });

  it("lets ExternalDNS change records in that zone only, by its exact ARN", async () => {
    const plan = await build();
    const zoneArn = /^arn:aws:route53:::hostedzone\/Z[0-9A-F]+$/;
    const policy = json<any>(plan.one("aws:iam/rolePolicy:RolePolicy", "external-dns").inputs.policy);
    const writes = policy.Statement.filter((s: any) =>
      [s.Action].flat().some((a: string) => a !== "route53:ListHostedZones"),
    );
    expect(writes.map((s: any) => s.Action).sort()).toEqual([
      "route53:ChangeResourceRecordSets",
      "route53:ListResourceRecordSets",
    ]);
    for (const s of writes) expect(s.Resource).toMatch(zoneArn);
    expect(policy.Statement.find((s: any) => s.Action === "route53:ListHostedZones").Resource).toBe("*");
    const trust = json<any>(plan.one("aws:iam/role:Role", "external-dns").inputs.assumeRolePolicy);
    expect(trust.Statement[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    expect(plan.one("aws:eks/podIdentityAssociation:PodIdentityAssociation", "external-dns").inputs).toMatchObject({
      namespace: "external-dns",
      serviceAccount: "external-dns",
    });
  });

  it("installs the pinned ExternalDNS chart and image, limited to that zone and domain, watching Ingresses", async () => {
    const plan = await build();
    const release = plan.one("kubernetes:helm.sh/v3:Release", "external-dns").inputs as Record<string, any>;
    expect(release).toMatchObject({
      chart: CHARTS.externalDns.chart,
      version: CHARTS.externalDns.version,
      namespace: "external-dns",
      skipCrds: true,
    });
    const zoneId = plan.one("aws:route53/zone:Zone").inputs as Record<string, any>;
    const v = release.values;
    expect(v.image).toEqual({ repository: IMAGES.externalDns.repository, tag: IMAGES.externalDns.tag });
    expect(v.domainFilters).toEqual(["models.dev.internal"]);
    expect(v.extraArgs["aws-zone-type"]).toBe("private");
    expect(v.extraArgs["zone-id-filter"]).toMatch(/^Z[0-9A-F]+$/);
    expect(zoneId.name).toBe("models.dev.internal");
    expect(v).toMatchObject({ sources: ["ingress"], policy: "sync", registry: "txt", txtOwnerId: "ml-test" });
    // The namespace exists (restricted Pod Security) and is isolated before the release.
    const ns = plan.one("kubernetes:core/v1:Namespace", "dns").inputs as Record<string, any>;
    expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const r = plan.one("kubernetes:helm.sh/v3:Release", "external-dns");
    expect(plan.dependsOn(r, "kubernetes:core/v1:Namespace", "dns")).toBe(true);
    expect(plan.dependsOn(r, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "default-deny-ingress")).toBe(true);
    expect(plan.one("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "external-dns").inputs).toMatchObject({
      spec: { endpoints: [expect.objectContaining({ port: "http" })] },
    });
  });

  it("protects the zone when asked (prod), and only then", async () => {
    expect((await build(true)).one("aws:route53/zone:Zone").protect).toBe(true);
    expect((await build(false)).one("aws:route53/zone:Zone").protect).toBe(false);
  });

  it("rejects a domain that is not a DNS name, naming the field", async () => {
    await expect(
      runComponent(() => new PrivateDns("dns", { cluster: testCluster().handle, domain: "Models_Dev" })),
    ).rejects.toThrow(/domain: must be a DNS name/);
  });
});

describe("MlPlatform's private zone", () => {
  it("in an existing VPC deployed from inside it: the zone answers in that VPC, and a private-only endpoint is accepted", async () => {
    const existing = {
      vpcId: "vpc-0fedcba9876543210",
      cidrBlock: "10.20.0.0/16",
      privateSubnetIds: ["subnet-11111111", "subnet-22222222"],
      publicSubnetIds: [],
    };
    const plan = await runComponent(
      () =>
        new MlPlatform(
          "ml",
          platformSpec("dev", {
            team: "ml-platform",
            region: "us-west-2",
            network: { existing },
            cluster: { deployerAccess: "private" },
          }),
        ),
    );
    const zone = plan.one("aws:route53/zone:Zone").inputs as Record<string, any>;
    expect(zone.name).toBe("models.dev.internal");
    expect(zone.vpcs).toEqual([{ vpcId: existing.vpcId, vpcRegion: "us-west-2" }]);
  });

  it("creates no zone and no ExternalDNS with serving.privateZone false", async () => {
    const plan = await runComponent(
      () => new MlPlatform("ml", devPlatformSpec({ serving: { privateZone: false, models: [] } })),
    );
    expect(plan.ofType("aws:route53/zone:Zone")).toEqual([]);
    expect(plan.ofType("mlserving:cluster:PrivateDns")).toEqual([]);
  });
});
