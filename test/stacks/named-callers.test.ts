import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { runPlan, PlanOutcome } from "../../cli/planner";
import { hardenedPodFindings, hardeningExceptionFor, unwaivedFindings } from "../../components/common/pod-security";
import { CONFIG_NAMESPACE, resolvePlatformSpec, StackConfigError } from "../../stacks/config";

const REACHABLE = { deployerAccess: "public", publicAccessCidrs: ["203.0.113.0/24"] };
const MODEL = {
  name: "bert",
  server: "triton",
  accelerator: "cpu",
  source: "s3://models/bert",
  resources: { cpu: "1", memory: "2Gi" },
};
const OIDC = {
  issuer: "https://idp.example.com",
  authorizationEndpoint: "https://idp.example.com/authorize",
  tokenEndpoint: "https://idp.example.com/token",
  userInfoEndpoint: "https://idp.example.com/userinfo",
  clientId: "models",
};
const CERT = "arn:aws:acm:us-west-2:123456789012:certificate/0c1d2e3f-0000-4000-8000-000000000000";
const SECRET_KEY = `${CONFIG_NAMESPACE}:servingOidcClientSecret`;

function problems(raw: Record<string, unknown>, secretKeys: string[] = []) {
  try {
    resolvePlatformSpec(
      { environment: "dev", team: "ml-platform", cluster: REACHABLE, ...raw },
      "us-west-2",
      new Set(secretKeys),
    );
  } catch (e) {
    if (e instanceof StackConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("who can call a model: config", () => {
  it("defaults to no list (the private subnets at deploy time) and takes a list per environment and per model", () => {
    const spec = resolvePlatformSpec(
      {
        environment: "dev",
        team: "ml-platform",
        cluster: REACHABLE,
        serving: { allowedCidrs: ["10.99.0.0/16"], models: [{ ...MODEL, allowedCidrs: ["10.98.0.0/24"] }] },
      },
      "us-west-2",
    );
    expect(spec.serving.allowedCidrs).toEqual(["10.99.0.0/16"]);
    expect(spec.serving.models[0].allowedCidrs).toEqual(["10.98.0.0/24"]);
    const plain = resolvePlatformSpec({ environment: "dev", team: "ml-platform", cluster: REACHABLE }, "us-west-2");
    expect(plain.serving.allowedCidrs).toBeUndefined();
  });

  it("refuses 0.0.0.0/0, host bits and malformed CIDRs by key path, for the environment and a model", () => {
    expect(
      problems({ serving: { allowedCidrs: ["0.0.0.0/0"], models: [{ ...MODEL, allowedCidrs: ["10.0.0.1/8"] }] } }),
    ).toEqual([
      {
        path: "mlserving:serving.allowedCidrs[0]",
        message: "0.0.0.0/0 admits every caller that reaches the VPC; name the networks that call the models",
      },
      { path: "mlserving:serving.models[0].allowedCidrs[0]", message: "has host bits set; write 10.0.0.0/8" },
    ]);
  });

  it("OIDC needs HTTPS and its client secret stored as a Pulumi secret", () => {
    expect(problems({ serving: { oidc: OIDC } }).map((p) => p.path)).toEqual([SECRET_KEY, "mlserving:serving.oidc"]);
    expect(problems({ serving: { oidc: OIDC, certificateArn: CERT }, servingOidcClientSecret: "s3cr3t" })).toEqual([
      { path: SECRET_KEY, message: `must be stored as a secret: pulumi config set --secret ${SECRET_KEY} <value>` },
    ]);
    expect(
      problems(
        { serving: { oidc: { ...OIDC, issuer: "http://idp" }, certificateArn: CERT }, servingOidcClientSecret: "s" },
        [SECRET_KEY],
      ),
    ).toEqual([{ path: "mlserving:serving.oidc.issuer", message: "must be an https:// URL of the identity provider" }]);
    expect(
      problems({ serving: { oidc: OIDC, certificateArn: CERT }, servingOidcClientSecret: "s" }, [SECRET_KEY]),
    ).toEqual([]);
    expect(problems({ servingOidcClientSecret: "s" }, [SECRET_KEY]).map((p) => p.path)).toEqual([SECRET_KEY]);
  });
});

type Planned = Extract<PlanOutcome, { kind: "planned" }>;
const stacksDir = join(__dirname, "..", "..", "stacks");

describe.each(["dev", "prod"])("the %s plan", (stack) => {
  let plan: Planned;
  beforeAll(async () => {
    const outcome = await runPlan({ stack, configPath: join(stacksDir, `Pulumi.${stack}.yaml`) });
    if (outcome.kind !== "planned") throw new Error(`${stack} did not plan: ${JSON.stringify(outcome)}`);
    plan = outcome;
  });
  const inputsOf = (type: string) => plan.resources.filter((r) => r.type === type).map((r) => r.inputs as any);

  it("admits only the private subnets to every model endpoint, never the VPC CIDR or the public subnets", () => {
    const vpc = inputsOf("awsx:ec2:Vpc")[0].cidrBlock as string;
    const manifests = Object.entries(plan.files).filter(([f]) => f.startsWith("manifests/ingress-"));
    const models = manifests
      .map(([, text]) => parseYaml(text) as any)
      .filter((i) => i.metadata.labels?.["mlserving.io/model"]);
    expect(models.length).toBeGreaterThan(0);
    for (const ing of models) {
      const cidrs = String(ing.metadata.annotations["alb.ingress.kubernetes.io/inbound-cidrs"]).split(",");
      expect(cidrs, ing.metadata.name).toHaveLength(3);
      expect(cidrs).not.toContain(vpc);
      // The fake cloud lays private subnets first in the VPC: the sixteenths 0-2 of it.
      const prefix = vpc.split(".").slice(0, 2).join(".");
      expect(cidrs).toEqual([`${prefix}.0.0/20`, `${prefix}.16.0/20`, `${prefix}.32.0/20`]);
    }
  });

  it("admits only the private subnets to the registry's ALB too", () => {
    const vpc = inputsOf("awsx:ec2:Vpc")[0].cidrBlock as string;
    const prefix = vpc.split(".").slice(0, 2).join(".");
    const registry = inputsOf("kubernetes:networking.k8s.io/v1:Ingress").find((i) => i.metadata.name === "mlflow");
    expect(registry.metadata.annotations["alb.ingress.kubernetes.io/inbound-cidrs"]).toBe(
      [`${prefix}.0.0/20`, `${prefix}.16.0/20`, `${prefix}.32.0/20`].join(","),
    );
  });

  it("creates every chart's namespace itself, with Pod Security labels, and Helm creates none", () => {
    const releases = inputsOf("kubernetes:helm.sh/v3:Release");
    const namespaces = new Map(
      inputsOf("kubernetes:core/v1:Namespace").map((n) => [n.metadata.name, n.metadata.labels]),
    );
    for (const r of releases) {
      expect(r.createNamespace, r.name).toBeUndefined();
      if (r.namespace !== "kube-system") {
        expect(namespaces.has(r.namespace), r.namespace).toBe(true);
        expect(namespaces.get(r.namespace)["pod-security.kubernetes.io/enforce"], r.namespace).toBeDefined();
      }
    }
  });

  it("runs every model pod the kit authors hardened, but for the documented exceptions", () => {
    const deployments = plan.resources.filter(
      (r) => r.type === "kubernetes:apps/v1:Deployment" || r.type === "kubernetes:apps/v1:DaemonSet",
    );
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) {
      const i = d.inputs as any;
      const kind = d.type.split(":").pop()!;
      const left = unwaivedFindings(
        hardenedPodFindings(i.spec.template.spec),
        hardeningExceptionFor(kind, i.metadata.name, i.metadata.namespace),
      );
      expect(left, `${kind} ${i.metadata.name}`).toEqual([]);
      expect(i.spec.template.spec.automountServiceAccountToken, i.metadata.name).toBe(false);
    }
    expect(plan.report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
  });
});

describe("who can call a model: every model namespace alike", () => {
  it("gives the serving and each team namespace the OIDC client Secret, as a secret, and their NetworkPolicies", async () => {
    const file = join(__dirname, "..", "fixtures", "good-stacks", "oidc-teams.yaml");
    const outcome = await runPlan({ stack: "oidc-teams", configPath: file });
    if (outcome.kind !== "planned") throw new Error(JSON.stringify(outcome));
    expect(outcome.report.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    for (const [name, content] of Object.entries(outcome.files))
      expect(content.includes("plan-secret-"), `${name} contains the client secret's stand-in`).toBe(false);
    const inNamespace = (type: string, ns: string) =>
      outcome.resources.filter((r) => r.type === type && (r.inputs as any).metadata?.namespace === ns);
    for (const ns of ["serving", "search"]) {
      const secrets = inNamespace("kubernetes:core/v1:Secret", ns).map((r) => r.inputs as any);
      const oidc = secrets.find((s) => s.metadata.name === "model-endpoints-oidc");
      expect(oidc, ns).toBeDefined();
      expect(oidc.stringData).toBe("[secret]");
      const policies = inNamespace("kubernetes:networking.k8s.io/v1:NetworkPolicy", ns).map((r) => r.inputs as any);
      expect(
        policies.some(
          (p) =>
            JSON.stringify(p.spec.podSelector) === "{}" &&
            p.spec.policyTypes.includes("Ingress") &&
            p.spec.policyTypes.includes("Egress") &&
            !p.spec.ingress &&
            !p.spec.egress,
        ),
        `${ns} has a default deny`,
      ).toBe(true);
    }
    const ingress = inNamespace("kubernetes:networking.k8s.io/v1:Ingress", "serving").map((r) => r.inputs as any);
    expect(ingress[0].metadata.annotations["alb.ingress.kubernetes.io/auth-type"]).toBe("oidc");
  });
});
