import { Problem, ProblemList, wholeNumberProblem } from "../common/problems";
import { rdsClassProblem } from "./rds-classes";
import { DNS_NAME, dnsLengthProblem } from "../common/dns";

/** Defaults of a registry built without an environment's defaults (`ModelRegistry` used on its own). */
export const REGISTRY_DEFAULTS = {
  replicas: 1,
  dbInstanceClass: "db.t4g.medium",
  dbStorageGiB: 20,
  backupRetentionDays: 7,
  multiAz: false,
  protectState: false,
  noncurrentVersionDays: 90,
};

/** Bounds AWS and the kit set: RDS keeps 1-35 days of backups (the kit wants a week at least). */
export const REGISTRY_LIMITS = {
  replicas: { min: 1, max: 5 },
  dbStorageGiB: { min: 20, max: 10000 },
  backupRetentionDays: { min: 7, max: 35 },
  noncurrentVersionDays: { min: 1, max: 3650 },
} as const;

export const RDS_INSTANCE_CLASS = /^db\.[a-z0-9]+\.[a-z0-9]+$/;
export const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;
export { DNS_NAME };

/**
 * Why an ALB in `region` cannot use the ACM certificate `arn`, or undefined: a load balancer's
 * listener takes certificates of its own region only (ACM certificates are regional; the ALB
 * refuses another region's at apply time, CertificateNotFound). `region` may be empty (unknown).
 */
export function certificateRegionProblem(arn: string, region: string): string | undefined {
  const m = ACM_CERTIFICATE_ARN.exec(arn) && /^arn:[^:]+:acm:([^:]+):/.exec(arn);
  if (!m || region === "" || m[1] === region) return undefined;
  return (
    `is an ACM certificate of ${m[1]}, but the stack's load balancers are in ${region} (aws:region): ` +
    `an ALB takes certificates of its own region only; request or import the certificate in ${region}`
  );
}

/** What the registry rules look at: the fields of `ModelRegistryArgs` and of a stack's `registry` key. */
export interface RegistryRuleInput {
  replicas?: number;
  dbInstanceClass?: string;
  dbStorageGiB?: number;
  backupRetentionDays?: number;
  noncurrentVersionDays?: number;
  hostname?: string;
  certificateArn?: string;
}

/** Problems with the registry's settings, by field. */
export function registryProblems(r: RegistryRuleInput): Problem[] {
  const problems = new ProblemList();
  for (const field of Object.keys(REGISTRY_LIMITS) as (keyof typeof REGISTRY_LIMITS)[]) {
    const { min, max } = REGISTRY_LIMITS[field];
    const p = wholeNumberProblem(r[field] ?? REGISTRY_DEFAULTS[field], min, max);
    if (p) problems.add(field, p);
  }
  const dbClass = r.dbInstanceClass ?? REGISTRY_DEFAULTS.dbInstanceClass;
  if (!RDS_INSTANCE_CLASS.test(dbClass))
    problems.add("dbInstanceClass", "must be an RDS instance class such as db.t4g.medium");
  else {
    const unknown = rdsClassProblem(dbClass);
    if (unknown) problems.add("dbInstanceClass", unknown);
  }
  if (r.certificateArn !== undefined)
    problems.check(ACM_CERTIFICATE_ARN.test(r.certificateArn), "certificateArn", "must be an ACM certificate ARN");
  if (r.hostname !== undefined) {
    const tooLong = dnsLengthProblem(r.hostname);
    if (!DNS_NAME.test(r.hostname)) problems.add("hostname", "must be a DNS name");
    else if (tooLong) problems.add("hostname", tooLong);
  }
  return problems.list;
}
