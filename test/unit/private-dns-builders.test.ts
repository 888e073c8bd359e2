import { describe, expect, it } from "vitest";
import { externalDnsPolicy, externalDnsValues } from "../../components/cluster";
import { modelHost } from "../../components/common/dns";

describe("ExternalDNS (issue 22, item 4: model hosts resolve)", () => {
  const zoneArn = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ";

  it("may change and read records of the one zone only; finding zones is the only call on *", () => {
    const doc = externalDnsPolicy(zoneArn);
    const onStar = doc.Statement.filter((s) => s.Resource === "*").map((s) => s.Action);
    expect(onStar).toEqual(["route53:ListHostedZones"]);
    for (const s of doc.Statement.filter((st) => st.Resource !== "*")) expect(s.Resource).toBe(zoneArn);
    const change = doc.Statement.find((s) => s.Action === "route53:ChangeResourceRecordSets")!;
    expect(change.Condition).toEqual({
      "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "AAAA", "CNAME", "TXT"] },
    });
  });

  it("watches Ingresses and writes only into the private zone it is given, owning what it writes", () => {
    const v = externalDnsValues({ domain: "models.dev.internal", zoneId: "Z1", ownerId: "c1", region: "us-west-2" });
    expect(v).toMatchObject({
      provider: { name: "aws" },
      sources: ["ingress"],
      policy: "sync",
      registry: "txt",
      txtOwnerId: "c1",
      domainFilters: ["models.dev.internal"],
      extraArgs: { "zone-id-filter": "Z1", "aws-zone-type": "private" },
      env: [{ name: "AWS_REGION", value: "us-west-2" }],
      serviceAccount: { create: true, name: "external-dns" },
    });
    expect(v).not.toHaveProperty("gatewayNamespace");
  });

  it("with the LLM gateway, also reads the HTTPRoutes of that namespace's Gateways (chart 1.21.1 --gateway-namespace)", () => {
    const v = externalDnsValues({
      domain: "models.dev.internal",
      zoneId: "Z1",
      ownerId: "c1",
      region: "us-west-2",
      gatewayNamespace: "llm-gateway",
    });
    expect(v).toMatchObject({ sources: ["ingress", "gateway-httproute"], gatewayNamespace: "llm-gateway" });
  });

  it("answers each model at one host, the one the zone is named for", () => {
    expect(modelHost("resnet50", "models.dev.internal")).toBe("resnet50.models.dev.internal");
  });
});
