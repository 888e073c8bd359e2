import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { existingMonitoring, type RegistryHandle } from "../../components/common/handles";
import { KServeModel, ServingPlatform, TritonServer } from "../../components/serving";
import type { ModelServerArgs, ModelSpec } from "../../components/serving";
import { MLFLOW_LABELS } from "../../components/registry/registry-builders";
import { TRITON_GPU_MODEL } from "../fixtures/models";
import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { modelServerBase, Plan, runComponent, testCluster } from "../harness";

const CERT = "arn:aws:acm:us-west-2:123456789012:certificate/0c1d2e3f-0000-4000-8000-000000000000";
const OIDC = {
  issuer: "https://idp.example.com",
  authorizationEndpoint: "https://idp.example.com/authorize",
  tokenEndpoint: "https://idp.example.com/token",
  userInfoEndpoint: "https://idp.example.com/userinfo",
  onUnauthenticatedRequest: "authenticate" as const,
};
const registry = (): RegistryHandle => ({
  trackingUri: "http://mlflow.mlflow.svc.cluster.local:5000",
  credentials: { username: pulumi.output("admin"), password: pulumi.secret("pw") },
  clientNamespaces: ["serving"],
  server: { namespace: "mlflow", podLabels: MLFLOW_LABELS, port: 5000 },
});
const resnet: ModelSpec = { ...TRITON_GPU_MODEL, replicas: { min: 1, max: 3 } };
const bert: ModelSpec = { ...TRITON_GPU_MODEL, name: "bert", server: "kserve", allowedCidrs: ["172.16.8.0/22"] };

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";

describe("a locked-down serving platform (NetworkPolicies, OIDC, named callers)", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await runComponent(() => {
      const c = testCluster();
      const platform = new ServingPlatform("serving", {
        cluster: c.handle,
        kserve: true,
        registry: registry(),
        monitoring: existingMonitoring(),
        isolation: { albSubnetCidrs: ["10.30.0.0/20", "10.30.16.0/20"], vpcCidr: "10.30.0.0/16" },
        endpointAuth: { oidc: OIDC, clientId: "models", clientSecret: pulumi.secret("client-s3cr3t") },
      });
      const base = modelServerBase(c.handle, platform, { certificateArn: CERT });
      new TritonServer("resnet", { ...base, model: resnet });
      new KServeModel("bert", { ...base, model: bert });
    });
  });

  it("isolates the serving namespace and the KEDA, cert-manager and KServe namespaces with valid NetworkPolicies", () => {
    const policies = plan.ofType(NP).map((r) => r.inputs as any);
    const names = (ns: string) => policies.filter((p) => p.metadata.namespace === ns).map((p) => p.metadata.name);
    expect(names("serving").sort()).toEqual([
      "allow-alb-to-models",
      "allow-dns",
      "allow-https-outside-vpc",
      "allow-pod-identity-agent",
      "allow-prometheus-scrapes",
      "allow-registry",
      "default-deny",
    ]);
    for (const ns of ["keda", "cert-manager", "kserve"]) expect(names(ns), ns).toContain("default-deny-ingress");
    for (const p of policies)
      validateAgainstUpstreamSchema({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...p });
    const alb = policies.find((p) => p.metadata.namespace === "serving" && p.metadata.name === "allow-alb-to-models");
    expect(alb.spec.ingress[0].from).toEqual([
      { ipBlock: { cidr: "10.30.0.0/20" } },
      { ipBlock: { cidr: "10.30.16.0/20" } },
    ]);
  });

  it("keeps the OIDC client secret a Pulumi secret in a Secret only the load balancer controller may read", () => {
    const secret = plan.one("kubernetes:core/v1:Secret", "oidc-client").inputs as any;
    expect(secret.metadata).toEqual({ name: "model-endpoints-oidc", namespace: "serving" });
    expect(secret.stringData).toBe("[secret]");
    expect(JSON.stringify(plan.resources.map((r) => r.inputs))).not.toContain("client-s3cr3t");
    const role = plan.one("kubernetes:rbac.authorization.k8s.io/v1:Role", "oidc-reader").inputs as any;
    expect(role.rules).toEqual([
      {
        apiGroups: [""],
        resources: ["secrets"],
        resourceNames: ["model-endpoints-oidc"],
        verbs: ["get", "list", "watch"],
      },
    ]);
    const binding = plan.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "oidc-reader").inputs as any;
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: "aws-load-balancer-controller", namespace: "kube-system" },
    ]);
  });

  it("names the callers of each endpoint: the cluster's private subnets by default, a model's own list on an ALB of its own", () => {
    const resnetIng = plan.one(INGRESS, "resnet").inputs as any;
    const a = resnetIng.metadata.annotations;
    // The cluster's private subnets, read from EC2 (the fake cloud's answer for the test cluster's two subnets).
    expect(a["alb.ingress.kubernetes.io/inbound-cidrs"].split(",")).toHaveLength(2);
    expect(a["alb.ingress.kubernetes.io/inbound-cidrs"]).not.toContain("0.0.0.0/0");
    expect(a["alb.ingress.kubernetes.io/group.name"]).toBe("ml-test-models");
    expect(a["alb.ingress.kubernetes.io/auth-type"]).toBe("oidc");
    expect(JSON.parse(a["alb.ingress.kubernetes.io/auth-idp-oidc"]).secretName).toBe("model-endpoints-oidc");
    const bertIng = (plan.one(INGRESS, "bert").inputs as any).metadata.annotations;
    expect(bertIng["alb.ingress.kubernetes.io/inbound-cidrs"]).toBe("172.16.8.0/22");
    expect(bertIng["alb.ingress.kubernetes.io/group.name"]).toBe("ml-test-models-bert");
    for (const r of plan.ofType(INGRESS))
      validateAgainstUpstreamSchema({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", ...(r.inputs as object) });
  });
});

describe("named callers are checked before anything is built", () => {
  const args = (extra: Partial<ModelServerArgs>): ModelServerArgs => ({
    cluster: undefined as never,
    platform: { kserveRuntimes: ["triton"], endpointOidc: undefined } as never,
    model: resnet,
    environment: "dev",
    ingressDomain: "models.dev.internal",
    ingressGroup: "g",
    monitoring: existingMonitoring(),
    ...extra,
  });

  it("refuses 0.0.0.0/0 as callers and OIDC without HTTPS", () => {
    expect(() => new TritonServer("bad", args({ allowedCidrs: ["0.0.0.0/0"] }))).toThrow(
      /allowedCidrs\[0\]: 0\.0\.0\.0\/0 admits every caller/,
    );
    expect(
      () => new TritonServer("bad", args({ platform: { kserveRuntimes: [], endpointOidc: OIDC } as never })),
    ).toThrow(/certificateArn: the ServingPlatform authenticates endpoints with OIDC, which needs HTTPS/);
  });
});

describe("a ServingPlatform used on its own", () => {
  it("isolates its namespaces by default, with the CIDRs of the cluster's own subnets and VPC", async () => {
    const plan = await runComponent(() => {
      const c = testCluster();
      new ServingPlatform("serving", { cluster: c.handle, kserve: true, monitoring: existingMonitoring() });
    });
    const policies = plan.ofType(NP).map((r) => r.inputs as any);
    const inNs = (ns: string) => policies.filter((p) => p.metadata.namespace === ns).map((p) => p.metadata.name);
    expect(inNs("serving")).toContain("default-deny");
    for (const ns of ["keda", "cert-manager", "kserve"]) expect(inNs(ns), ns).toContain("default-deny-ingress");
    const https = policies.find(
      (p) => p.metadata.namespace === "serving" && p.metadata.name === "allow-https-outside-vpc",
    );
    expect(JSON.stringify(https.spec.egress)).toContain('"except":["10.0.0.0/16"]');
  });

  it("leaves them open only when asked (isolation: false)", async () => {
    const plan = await runComponent(() => {
      const c = testCluster();
      new ServingPlatform("serving", { cluster: c.handle, monitoring: existingMonitoring(), isolation: false });
    });
    expect(plan.ofType(NP)).toEqual([]);
  });
});
