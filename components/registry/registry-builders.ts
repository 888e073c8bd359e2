import { policyDocument, PolicyDocument } from "../common/iam";
import { imageRef, IMAGES } from "../versions";
import { SYSTEM_NODE_SELECTOR } from "../common/labels";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../common/pod-security";
import {
  dnsEgressRule,
  namespacePeer,
  podIdentityAgentEgressRule,
  prometheusPeer,
  tcp,
} from "../common/network-policy";
import { MONITORING_NAMESPACE } from "../common/names";

import { REGISTRY_NAMESPACE } from "../common/names";
import { albSubnetsAnnotation, INBOUND_CIDRS_ANNOTATION } from "../cluster/load-balancer-controller-values";
export { REGISTRY_NAMESPACE };
export const MLFLOW_PORT = 5000;
export const MLFLOW_SERVICE_ACCOUNT = "mlflow";
export const MLFLOW_DATABASE = "mlflow";
export const MLFLOW_DB_USER = "mlflow";
/** RDS storage autoscaling may grow the database to this multiple of its allocated storage. */
export const DB_MAX_STORAGE_FACTOR = 5;
/** Prefix under which the server stores artifacts in the bucket. */
export const ARTIFACT_PREFIX = "artifacts";
/** Keys of the Secret that holds the server's credentials. */
export const MLFLOW_SECRET_KEYS = {
  backendStoreUri: "backend-store-uri",
  authConfig: "basic_auth.ini",
  flaskSecretKey: "flask-secret-key",
  adminUsername: "admin-username",
  adminPassword: "admin-password",
} as const;

const labels = { "app.kubernetes.io/name": "mlflow", "app.kubernetes.io/part-of": "mlserving" };
export const MLFLOW_LABELS = labels;

/** In-cluster tracking URI of the registry. */
export function trackingUri(namespace = REGISTRY_NAMESPACE): string {
  return `http://mlflow.${namespace}.svc.cluster.local:${MLFLOW_PORT}`;
}

/** Bucket policy: nothing reaches the artifacts without TLS. */
export function artifactBucketPolicy(bucketArn: string): PolicyDocument {
  return policyDocument({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": false } },
  });
}

/**
 * The MLflow server's permissions: read, write and delete objects under the artifact prefix,
 * list only that prefix, and use the bucket's KMS key. Nothing else.
 */
export function mlflowServerPolicy(bucketArn: string, keyArn: string): PolicyDocument {
  return policyDocument(
    {
      Sid: "ReadWriteArtifacts",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
      Resource: `${bucketArn}/${ARTIFACT_PREFIX}/*`,
    },
    {
      Sid: "ListArtifacts",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": [`${ARTIFACT_PREFIX}/*`, ARTIFACT_PREFIX] } },
    },
    {
      Sid: "UseArtifactKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: keyArn,
    },
  );
}

/** SQLAlchemy URI of the backend store: psycopg2, TLS required. The password must be URL-safe. */
export function backendStoreUri(args: { host: string; port: number; password: string }): string {
  return `postgresql+psycopg2://${MLFLOW_DB_USER}:${encodeURIComponent(args.password)}@${args.host}:${args.port}/${MLFLOW_DATABASE}?sslmode=require`;
}

/**
 * basic_auth.ini of MLflow's basic-auth app: users in the same database (its tables have their
 * own alembic version table), signed-in users may read, admin credentials come from the
 * environment (MLFLOW_AUTH_ADMIN_USERNAME/PASSWORD, MLflow >= 3.16.1).
 */
export function authConfigIni(databaseUri: string): string {
  return [
    "[mlflow]",
    "default_permission = READ",
    `database_uri = ${databaseUri}`,
    "authorization_function = mlflow.server.auth:authenticate_request_basic_auth",
    "",
  ].join("\n");
}

/** Host headers the server accepts (MLflow's security middleware replaces its defaults with this list). */
export function allowedHosts(namespace: string, extraHosts: string[]): string[] {
  const names = ["mlflow", `mlflow.${namespace}`, `mlflow.${namespace}.svc`, `mlflow.${namespace}.svc.cluster.local`];
  return [...names.flatMap((n) => [n, `${n}:${MLFLOW_PORT}`]), "localhost:*", "127.0.0.1:*", ...extraHosts];
}

export interface MlflowDeploymentInput {
  namespace: string;
  region: string;
  replicas: number;
  bucket: string;
  secretName: string;
  extraAllowedHosts: string[];
}

/**
 * The MLflow tracking server and registry: proxied artifact access to the bucket (clients never
 * need S3 rights), the backend URI, auth config and admin credentials only from the Secret (never
 * in args or plain env values), probes on /health (open under basic auth), Prometheus metrics,
 * non-root, spread across zones.
 */
export function mlflowDeployment(input: MlflowDeploymentInput) {
  const fromSecret = (name: string, key: string) => ({
    name,
    valueFrom: { secretKeyRef: { name: input.secretName, key } },
  });
  return {
    metadata: { name: "mlflow", namespace: input.namespace, labels },
    spec: {
      replicas: input.replicas,
      selector: { matchLabels: labels },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: MLFLOW_SERVICE_ACCOUNT,
          // The server never calls the Kubernetes API (Pod Identity mounts its own token).
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(1000),
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "topology.kubernetes.io/zone",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: labels },
            },
          ],
          nodeSelector: { ...SYSTEM_NODE_SELECTOR },
          containers: [
            {
              name: "mlflow",
              image: imageRef(IMAGES.mlflow),
              command: ["mlflow", "server"],
              args: [
                "--host",
                "0.0.0.0",
                "--port",
                String(MLFLOW_PORT),
                "--workers",
                "2",
                "--artifacts-destination",
                `s3://${input.bucket}/${ARTIFACT_PREFIX}`,
                "--app-name",
                "basic-auth",
                "--expose-prometheus",
                "/tmp/prometheus",
                "--allowed-hosts",
                allowedHosts(input.namespace, input.extraAllowedHosts).join(","),
              ],
              env: [
                fromSecret("MLFLOW_BACKEND_STORE_URI", MLFLOW_SECRET_KEYS.backendStoreUri),
                fromSecret("MLFLOW_FLASK_SERVER_SECRET_KEY", MLFLOW_SECRET_KEYS.flaskSecretKey),
                fromSecret("MLFLOW_AUTH_ADMIN_USERNAME", MLFLOW_SECRET_KEYS.adminUsername),
                fromSecret("MLFLOW_AUTH_ADMIN_PASSWORD", MLFLOW_SECRET_KEYS.adminPassword),
                { name: "MLFLOW_AUTH_CONFIG_PATH", value: `/etc/mlflow/${MLFLOW_SECRET_KEYS.authConfig}` },
                { name: "HOME", value: "/tmp" },
                { name: "AWS_REGION", value: input.region },
                { name: "AWS_DEFAULT_REGION", value: input.region },
              ],
              ports: [{ name: "http", containerPort: MLFLOW_PORT, protocol: "TCP" }],
              startupProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 5, failureThreshold: 60 },
              readinessProbe: { httpGet: { path: "/health", port: "http" }, periodSeconds: 10, failureThreshold: 3 },
              livenessProbe: {
                httpGet: { path: "/health", port: "http" },
                periodSeconds: 20,
                failureThreshold: 3,
                timeoutSeconds: 5,
              },
              resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
              // Read-only root: the server writes only under /tmp (HOME, the Prometheus multiprocess
              // directory, worker temporary files), an emptyDir; the stores are RDS and S3.
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [
                { name: "auth-config", mountPath: "/etc/mlflow", readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            {
              name: "auth-config",
              secret: {
                secretName: input.secretName,
                items: [{ key: MLFLOW_SECRET_KEYS.authConfig, path: MLFLOW_SECRET_KEYS.authConfig }],
              },
            },
            { name: "tmp", emptyDir: {} },
          ],
        },
      },
    },
  };
}

export function mlflowService(namespace: string) {
  return {
    metadata: { name: "mlflow", namespace, labels },
    spec: {
      type: "ClusterIP",
      selector: labels,
      ports: [{ name: "http", port: MLFLOW_PORT, targetPort: "http", protocol: "TCP" }],
    },
  };
}

/** Internal ALB in front of the server (AWS Load Balancer Controller), TLS when a certificate is given. */
export function mlflowIngress(input: {
  namespace: string;
  hostname?: string;
  certificateArn?: string;
  /** Networks allowed to call the registry through its ALB (`inbound-cidrs`): the private subnets. */
  inboundCidrs: readonly string[];
  /** Subnets of the ALB: the cluster's private subnets ({@link albSubnetsAnnotation}). Default: the controller's discovery. */
  subnetIds?: readonly string[];
}) {
  const annotations: Record<string, string> = {
    "alb.ingress.kubernetes.io/scheme": "internal",
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/healthcheck-path": "/health",
    ...albSubnetsAnnotation(input.subnetIds),
    [INBOUND_CIDRS_ANNOTATION]: input.inboundCidrs.join(","),
  };
  if (input.certificateArn) {
    annotations["alb.ingress.kubernetes.io/certificate-arn"] = input.certificateArn;
    annotations["alb.ingress.kubernetes.io/listen-ports"] = JSON.stringify([{ HTTPS: 443 }]);
  }
  return {
    metadata: { name: "mlflow", namespace: input.namespace, labels, annotations },
    spec: {
      ingressClassName: "alb",
      rules: [
        {
          ...(input.hostname ? { host: input.hostname } : {}),
          http: {
            paths: [
              { path: "/", pathType: "Prefix", backend: { service: { name: "mlflow", port: { name: "http" } } } },
            ],
          },
        },
      ],
    },
  };
}

export function mlflowPodDisruptionBudget(namespace: string) {
  return {
    metadata: { name: "mlflow", namespace, labels },
    spec: { minAvailable: 1, selector: { matchLabels: labels } },
  };
}

/**
 * Who reaches the server and whom it reaches: in, on its port, from the client namespaces (model
 * pulls), Prometheus's pods and the internal ALB (target type `ip`: its interfaces in the ALB's
 * subnets call pod IPs; no selector names them); out only to the cluster DNS, the EKS Pod Identity
 * agent (credentials), PostgreSQL inside the VPC (RDS has no selector either) and HTTPS (S3
 * through the gateway endpoint, STS, KMS).
 */
export function mlflowNetworkPolicy<C = string>(input: {
  namespace: string;
  vpcCidr: C;
  /** CIDRs of the subnets the internal ALB lives in (the private subnets). */
  albSubnetCidrs: C[];
  clientNamespaces: string[];
  /** Default: `monitoring`. */
  monitoringNamespace?: string;
}) {
  if (input.albSubnetCidrs.length === 0)
    throw new Error("MLflow NetworkPolicy: albSubnetCidrs must name at least one subnet");
  return {
    metadata: { name: "mlflow", namespace: input.namespace, labels },
    spec: {
      podSelector: { matchLabels: labels },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [
            ...input.clientNamespaces.map((n) => namespacePeer(n)),
            prometheusPeer(input.monitoringNamespace ?? MONITORING_NAMESPACE),
            ...input.albSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })),
          ],
          ports: [tcp(MLFLOW_PORT)],
        },
      ],
      egress: [
        dnsEgressRule(),
        podIdentityAgentEgressRule(),
        { to: [{ ipBlock: { cidr: input.vpcCidr } }], ports: [tcp(5432)] },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [tcp(443)] },
      ],
    },
  };
}
