import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { kitConfig, kitConfigSchema } from "./config";
import { chartValues } from "./helm";
import { containersOf } from "./pods";
import type { Props } from "./props";

const BUCKET = "aws:s3/bucket:Bucket";
/** Every bucket type a program can build: `Bucket` and the (deprecated alias) `BucketV2`. */
const BUCKET_TYPES = [BUCKET, "aws:s3/bucketV2:BucketV2"];
/** Each bucket setting and its V2 alias, which carries the same properties. */
const SSE_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const VERSIONING_TYPES = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];

/**
 * Resources of one of `types` that refer to the bucket `target`: through a dependency (`bucket:
 * b.id`), or by the bucket's literal name (`bucket: "my-models"`), which makes no dependency.
 */
function dependents(resources: PolicyResource[], target: PolicyResource, types: string | string[]): PolicyResource[] {
  const wanted = typeof types === "string" ? [types] : types;
  const name = target.props.bucket;
  return resources.filter(
    (r) =>
      wanted.includes(r.type) &&
      (r.dependencies.some((d) => d.urn === target.urn) || (typeof name === "string" && r.props.bucket === name)),
  );
}

export const s3BucketsSecure: StackValidationPolicy = {
  name: "s3-buckets-secure",
  description: "S3 buckets are encrypted (SSE-KMS or SSE-S3), versioned and block all public access.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    for (const bucket of args.resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      const sse = dependents(args.resources, bucket, SSE_TYPES);
      const encrypted = sse.some((r) =>
        ((r.props.rules ?? []) as Props[]).some((rule) =>
          ["aws:kms", "aws:kms:dsse", "AES256"].includes(rule.applyServerSideEncryptionByDefault?.sseAlgorithm),
        ),
      );
      if (!encrypted)
        report("bucket has no default server-side encryption (BucketServerSideEncryptionConfiguration).", bucket.urn);
      const versioned = dependents(args.resources, bucket, VERSIONING_TYPES).some(
        (r) => r.props.versioningConfiguration?.status === "Enabled",
      );
      if (!versioned)
        report(
          "bucket versioning is not Enabled (BucketVersioning), so an overwrite or delete loses artifacts.",
          bucket.urn,
        );
      const blocks = dependents(args.resources, bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
      const blocked = blocks.some((r) =>
        ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every(
          (k) => r.props[k] === true,
        ),
      );
      if (!blocked)
        report(
          "bucket does not block all public access (BucketPublicAccessBlock with all four settings true).",
          bucket.urn,
        );
    }
  },
};

export const rdsSecure: ResourceValidationPolicy = {
  name: "rds-secure",
  description:
    "RDS databases are encrypted, private (Aurora cluster instances included), backed up, and in " +
    "prod deletion-protected and never destroyed without a final snapshot (skipFinalSnapshot).",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    const p = args.props;
    // Aurora's public access is set per cluster instance, not on the cluster.
    if (args.type === "aws:rds/clusterInstance:ClusterInstance") {
      if (p.publiclyAccessible === true || p.publiclyAccessible === "true")
        report("publiclyAccessible must not be true.");
      return;
    }
    if (args.type !== "aws:rds/instance:Instance" && args.type !== "aws:rds/cluster:Cluster") return;
    if (p.storageEncrypted !== true) report("storageEncrypted must be true.");
    if (p.publiclyAccessible === true || p.publiclyAccessible === "true")
      report("publiclyAccessible must not be true.");
    if (!(Number(p.backupRetentionPeriod ?? 0) >= 7))
      report(`backupRetentionPeriod must be at least 7 days (got ${p.backupRetentionPeriod ?? "unset"}).`);
    if (kitConfig(args).environment === "prod") {
      if (p.deletionProtection !== true) report("deletionProtection must be true in prod.");
      // The provider's default is false (take a final snapshot, named by finalSnapshotIdentifier).
      if (p.skipFinalSnapshot === true || p.skipFinalSnapshot === "true")
        report(
          "skipFinalSnapshot must not be true in prod: deleting or replacing the database would leave no snapshot; set a finalSnapshotIdentifier.",
        );
    }
  },
};

const STATEFUL_TYPES = new Set([...BUCKET_TYPES, "aws:rds/instance:Instance", "aws:rds/cluster:Cluster"]);

export const statefulResourcesProtected: ResourceValidationPolicy = {
  name: "stateful-resources-protected",
  description: "In prod, buckets and databases are protected by Pulumi (protect) so no update or destroy deletes them.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (!STATEFUL_TYPES.has(args.type) || kitConfig(args).environment !== "prod") return;
    if (args.opts.protect !== true)
      report("set the Pulumi resource option protect (and retainOnDelete) on stateful resources in prod.");
  },
};

/** Names that mark a value as a credential. */
export const SECRET_NAME = /(pass(word|wd)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential)/i;

/**
 * A URL with a password in its user info (`scheme://user:password@host`, any scheme, the user may
 * be empty as in `redis://:password@host`), as RFC 3986 section 3.2.1 writes it. A password that is
 * only a reference Kubernetes or a shell expands at run time (`$(DB_PASSWORD)`, `${DB_PASSWORD}`)
 * is not a literal credential.
 */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:([^@\s/]+)@/gi;
const EXPANDED_REFERENCE = /^(\$\([A-Za-z_][A-Za-z0-9_]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*)$/;

/** Whether a text embeds a literal password in a URL. */
export function embedsUrlCredentials(text: string): boolean {
  return [...text.matchAll(URL_WITH_PASSWORD)].some((m) => !EXPANDED_REFERENCE.test(m[1]));
}

/** Paths of the strings, at any depth of Helm values, that embed a password in a URL. */
export function urlCredentialPaths(values: unknown, path = ""): string[] {
  if (typeof values === "string") return embedsUrlCredentials(values) ? [path] : [];
  if (values === null || typeof values !== "object") return [];
  if (Array.isArray(values)) return values.flatMap((v, i) => urlCredentialPaths(v, `${path}[${i}]`));
  return Object.entries(values).flatMap(([k, v]) => urlCredentialPaths(v, path ? `${path}.${k}` : k));
}

function plaintextSecretsIn(container: Props): string[] {
  const found: string[] = [];
  for (const e of (Array.isArray(container.env) ? container.env : []) as Props[]) {
    if (e === null || typeof e !== "object" || e.value === undefined || e.value === null || e.valueFrom !== undefined)
      continue;
    if (SECRET_NAME.test(String(e.name))) found.push(`env ${e.name} has a literal value`);
    else if (embedsUrlCredentials(String(e.value))) found.push(`env ${e.name} embeds credentials in a URL`);
  }
  // An InferenceService model's storageUri (KServe v0.20.0 PredictorExtensionSpec) is a URL too.
  if (typeof container.storageUri === "string" && embedsUrlCredentials(container.storageUri))
    found.push("storageUri embeds credentials in a URL");
  for (const arg of [...[container.command ?? []].flat(), ...[container.args ?? []].flat()]) {
    const text = String(arg);
    if (/[=:]/.test(text) && SECRET_NAME.test(text.split(/[=:]/)[0]) && text.split(/[=:]/).slice(1).join("").length > 0)
      found.push(`argument "${text.split(/[=:]/)[0]}=..." carries a value`);
    if (embedsUrlCredentials(text)) found.push("an argument embeds credentials in a URI");
  }
  return found;
}

export const noPlaintextSecretsInContainers: ResourceValidationPolicy = {
  name: "no-plaintext-secrets-in-containers",
  description:
    "Passwords, tokens and keys reach containers only through Secret references, never literal " +
    "env values or arguments, nor a password in a URL (scheme://user:password@host) in any env " +
    "value, argument, ConfigMap value or Helm chart value; in every pod-bearing kind (Pod, Deployment, " +
    "StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), KServe runtimes and InferenceService containers " +
    "(model and custom-container forms).",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    for (const { where, container } of containersOf(args.type, args.props))
      for (const problem of plaintextSecretsIn(container)) report(`${where}: ${problem}; use valueFrom.secretKeyRef.`);
    const values = chartValues(args.type, args.props);
    if (values)
      for (const path of urlCredentialPaths(values))
        report(
          `chart values ${path} embed credentials in a URL; pass them from a Secret (the chart's existingSecret or valueFrom).`,
        );
    if (args.type === "kubernetes:core/v1:ConfigMap")
      for (const [key, value] of Object.entries((args.props.data ?? {}) as Record<string, unknown>))
        if (embedsUrlCredentials(String(value)))
          report(`data.${key} embeds credentials in a URL; keep them in a Secret and reference it.`);
  },
};
