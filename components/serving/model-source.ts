/**
 * Where a model's files come from: an S3 prefix, or a version or alias of a model in the MLflow
 * registry. Both end up as files in the model directory before the server starts.
 */
export type ModelSource =
  | { kind: "s3"; uri: string; bucket: string; prefix: string }
  | { kind: "mlflow"; uri: string; model: string; version?: number; alias?: string };

// Prefixes use S3's safe key characters only: no IAM wildcards (* ?) that would widen the reader's policy.
const S3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/([\w!.'()=+/-]*[\w!.'()=+-])\/?$/;
const MLFLOW = /^models:\/([A-Za-z0-9][\w.-]{0,254})(?:\/(\d+)|@([A-Za-z][\w-]{0,254}))$/;

/** The rule a source URI must follow, for error messages. */
export const MODEL_SOURCE_RULE = "must be s3://<bucket>/<prefix>, models:/<name>/<version> or models:/<name>@<alias>";

/** Parses a model source URI; undefined when it is malformed. */
export function parseModelSource(uri: string): ModelSource | undefined {
  const s3 = S3.exec(uri);
  if (s3) return { kind: "s3", uri: `s3://${s3[1]}/${s3[2]}`, bucket: s3[1], prefix: s3[2] };
  const m = MLFLOW.exec(uri);
  if (m) return { kind: "mlflow", uri, model: m[1], ...(m[2] ? { version: Number(m[2]) } : { alias: m[3] }) };
  return undefined;
}

/**
 * The source every replica loads. An alias (`models:/name@alias`) is resolved by each pod that
 * starts, so after a scale-out or a spot replacement replicas could serve different versions;
 * with the version the alias pointed to when the rollout was planned (`pinnedVersion`), all
 * replicas load `models:/name/<version>`. Other sources are returned as they are.
 */
export function servedSource(source: string, pinnedVersion?: number): string {
  const parsed = parseModelSource(source);
  if (pinnedVersion === undefined || parsed?.kind !== "mlflow" || parsed.alias === undefined) return source;
  return `models:/${parsed.model}/${pinnedVersion}`;
}

/** The registry version a source serves, when it names one (`models:/name/7`); undefined for S3 or an alias. */
export function servedVersion(source: string): number | undefined {
  const parsed = parseModelSource(source);
  return parsed?.kind === "mlflow" ? parsed.version : undefined;
}
