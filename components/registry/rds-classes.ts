/**
 * The RDS DB instance classes the registry's database may use: classes Amazon RDS for PostgreSQL
 * offers for the engine's major version the kit pins (`POSTGRES_MAJOR_VERSION`, 17), from the
 * Amazon RDS User Guide, "Supported DB engines for DB instance classes"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Support.html),
 * current-generation families only. The list is deliberately the families that guide marks as
 * supported for PostgreSQL 17 without exception; classes AWS adds later (or offers only for some
 * minor versions or Regions) are added here, one family per line. Regional availability is left
 * to AWS (`describe-orderable-db-instance-options`), as the EC2 catalogue leaves it.
 *
 * Prices are not here: the cost report prices the classes `components/common/pricing.ts` lists
 * and reports any other as unpriced.
 */
import { editDistance } from "../common/edit-distance";
import { POSTGRES_MAJOR_VERSION } from "../versions";

/** Sizes by family. */
const FAMILIES: Readonly<Record<string, readonly string[]>> = {
  // Burstable (Graviton2, Intel).
  t4g: ["micro", "small", "medium", "large", "xlarge", "2xlarge"],
  t3: ["micro", "small", "medium", "large", "xlarge", "2xlarge"],
  // General purpose.
  m8g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"],
  m7g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  m7i: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"],
  m6g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  m6i: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"],
  m5: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
  // Memory optimised.
  r8g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"],
  r7g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  r7i: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"],
  r6g: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
  r6i: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"],
  r5: ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
};

/** The engine the catalogue is for; a test fails if the registry's engine version moves without it. */
export const RDS_CLASSES_ENGINE = { engine: "postgres", majorVersion: "17" } as const;

/** Every DB instance class of the catalogue, `db.<family>.<size>`. */
export const RDS_INSTANCE_CLASSES: readonly string[] = Object.entries(FAMILIES).flatMap(([family, sizes]) =>
  sizes.map((size) => `db.${family}.${size}`),
);

const KNOWN = new Set(RDS_INSTANCE_CLASSES);

export function isKnownRdsClass(dbClass: string): boolean {
  return KNOWN.has(dbClass);
}

/** The catalogue's classes nearest to `dbClass` (same size first, then by spelling). */
export function nearestRdsClasses(dbClass: string, count = 4): string[] {
  const size = dbClass.split(".")[2];
  return [...RDS_INSTANCE_CLASSES]
    .map((c) => ({ c, d: editDistance(c, dbClass) - (size !== undefined && c.endsWith(`.${size}`) ? 2 : 0) }))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, count)
    .map((x) => x.c);
}

/** Why `dbClass` cannot be the registry's database class, or undefined. */
export function rdsClassProblem(dbClass: string): string | undefined {
  if (isKnownRdsClass(dbClass)) return undefined;
  return (
    `${dbClass} is not an RDS for PostgreSQL ${POSTGRES_MAJOR_VERSION} instance class in the kit's ` +
    `catalogue (components/registry/rds-classes.ts); nearest: ${nearestRdsClasses(dbClass).join(", ")}`
  );
}
