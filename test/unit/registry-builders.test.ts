import { validateAgainstUpstreamSchema } from "../k8s-schemas";
import { describe, expect, it } from "vitest";
import {
  allowedHosts,
  artifactBucketPolicy,
  authConfigIni,
  backendStoreUri,
  mlflowDeployment,
  mlflowIngress,
  mlflowNetworkPolicy,
  mlflowServerPolicy,
  mlflowService,
  trackingUri,
} from "../../components/registry";

const deployment = mlflowDeployment({
  namespace: "mlflow",
  region: "us-west-2",
  replicas: 2,
  bucket: "b-1",
  secretName: "mlflow-server",
  extraAllowedHosts: ["mlflow.example.com"],
});
const container = deployment.spec.template.spec.containers[0];

describe("registry builders", () => {
  it("denies any bucket access without TLS", () => {
    expect(artifactBucketPolicy("arn:aws:s3:::b")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
          Condition: { Bool: { "aws:SecureTransport": false } },
        },
      ],
    });
  });

  it("lets the server use only the artifact prefix and the bucket's key, never s3:* or *", () => {
    const doc = mlflowServerPolicy("arn:aws:s3:::b", "arn:aws:kms:us-west-2:1:key/k");
    const resources = doc.Statement.flatMap((s) => [s.Resource].flat());
    expect(resources).toEqual(["arn:aws:s3:::b/artifacts/*", "arn:aws:s3:::b", "arn:aws:kms:us-west-2:1:key/k"]);
    const actions = doc.Statement.flatMap((s) => [s.Action].flat());
    expect(actions).not.toContain("s3:*");
    expect(doc.Statement[1].Condition).toEqual({ StringLike: { "s3:prefix": ["artifacts/*", "artifacts"] } });
  });

  it("builds a psycopg2 backend URI that requires TLS and escapes the password", () => {
    expect(backendStoreUri({ host: "db.x", port: 5432, password: "a/b@c" })).toBe(
      "postgresql+psycopg2://mlflow:a%2Fb%40c@db.x:5432/mlflow?sslmode=require",
    );
    expect(authConfigIni("postgresql+psycopg2://u:p@h/db")).toContain("database_uri = postgresql+psycopg2://u:p@h/db");
  });

  it("runs mlflow server with proxied artifacts, basic auth and metrics, credentials only from the Secret", () => {
    expect(container.image).toMatch(/^ghcr\.io\/mlflow\/mlflow:v3\.16\.1-full$/);
    expect(container.args).toEqual(
      expect.arrayContaining([
        "--artifacts-destination",
        "s3://b-1/artifacts",
        "--app-name",
        "basic-auth",
        "--host",
        "0.0.0.0",
      ]),
    );
    expect(container.args).not.toContain("--default-artifact-root");
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e]));
    for (const name of ["MLFLOW_BACKEND_STORE_URI", "MLFLOW_FLASK_SERVER_SECRET_KEY", "MLFLOW_AUTH_ADMIN_PASSWORD"]) {
      expect(env[name].valueFrom.secretKeyRef.name).toBe("mlflow-server");
      expect(env[name].value).toBeUndefined();
    }
    expect(JSON.stringify(container.args)).not.toMatch(/postgres/);
  });

  it("probes /health, which needs no login under basic auth", () => {
    for (const probe of [container.startupProbe, container.readinessProbe, container.livenessProbe])
      expect(probe.httpGet).toEqual({ path: "/health", port: "http" });
  });

  it("accepts the in-cluster service names and the Ingress host as Host headers", () => {
    const hosts = allowedHosts("mlflow", ["mlflow.example.com"]);
    expect(hosts).toEqual(
      expect.arrayContaining(["mlflow.mlflow.svc.cluster.local:5000", "mlflow.mlflow:5000", "mlflow.example.com"]),
    );
    expect(new URL(trackingUri("mlflow")).host).toBe("mlflow.mlflow.svc.cluster.local:5000");
    const arg = container.args[container.args.indexOf("--allowed-hosts") + 1];
    expect(arg.split(",")).toContain(new URL(trackingUri("mlflow")).host);
  });

  it("serves on a Service whose selector and port match the pods", () => {
    const svc = mlflowService("mlflow");
    expect(svc.spec.selector).toEqual(deployment.spec.template.metadata.labels);
    expect(svc.spec.ports[0].targetPort).toBe(container.ports[0].name);
  });

  it("exposes an internal ALB only, to the named networks", () => {
    const ing = mlflowIngress({
      namespace: "mlflow",
      hostname: "mlflow.example.com",
      inboundCidrs: ["10.0.0.0/19", "10.0.32.0/19"],
    });
    expect(ing.metadata.annotations["alb.ingress.kubernetes.io/scheme"]).toBe("internal");
    expect(ing.metadata.annotations["alb.ingress.kubernetes.io/inbound-cidrs"]).toBe("10.0.0.0/19,10.0.32.0/19");
    expect(ing.spec.ingressClassName).toBe("alb");
  });

  it(
    "admits clients from the serving namespace, Prometheus and the ALB's subnets and lets the server " +
      "reach only DNS, credentials, the database and HTTPS",
    () => {
      const np = mlflowNetworkPolicy({
        namespace: "mlflow",
        vpcCidr: "10.0.0.0/16",
        albSubnetCidrs: ["10.0.0.0/19", "10.0.32.0/19"],
        clientNamespaces: ["serving"],
      });
      expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
      expect(np.spec.ingress[0].from).toEqual([
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "serving" } } },
        {
          namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } },
          podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
        },
        { ipBlock: { cidr: "10.0.0.0/19" } },
        { ipBlock: { cidr: "10.0.32.0/19" } },
      ]);
      // The VPC CIDR (every pod's address, with the VPC CNI) is never an ingress peer.
      expect(JSON.stringify(np.spec.ingress)).not.toContain("10.0.0.0/16");
      expect(np.spec.egress[0]).toEqual({
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { port: 53, protocol: "UDP" },
          { port: 53, protocol: "TCP" },
        ],
      });
      const egressPorts = np.spec.egress.flatMap((e) => e.ports.map((p) => p.port)).sort((a, b) => a - b);
      expect(egressPorts).toEqual([53, 53, 80, 443, 5432]);
      expect(np.spec.egress).toContainEqual({
        to: [{ ipBlock: { cidr: "169.254.170.23/32" } }],
        ports: [{ port: 80, protocol: "TCP" }],
      });
      validateAgainstUpstreamSchema({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", ...np });
    },
  );

  it("refuses a NetworkPolicy with no ALB subnet (an ingress rule without peers admits everyone)", () => {
    expect(() =>
      mlflowNetworkPolicy({ namespace: "mlflow", vpcCidr: "10.0.0.0/16", albSubnetCidrs: [], clientNamespaces: [] }),
    ).toThrow(/albSubnetCidrs/);
  });
});
