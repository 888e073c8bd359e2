/**
 * The files the offline plan writes into its --out folder, by name: the planner writes them under
 * these names and `--help` lists them from here (this module loads nothing, as --help must not).
 * Besides these, manifests/ holds one YAML file per kind of Kubernetes object the kit authors.
 */
export const PLAN_FILES = {
  resources: "resources.json",
  policyReport: "policy-report.json",
  helmReleases: "manifests/helm-releases.yaml",
  crdManifests: "manifests/crd-manifests.yaml",
  /** A platform stack's only (one that sets mlserving:environment), as are the two below. */
  cost: "cost.json",
  policyPackConfig: "policy-pack-config.json",
  coldStart: "cold-start.json",
} as const;

/** The files only a platform stack's plan writes. */
export const PLATFORM_PLAN_FILES: readonly string[] = [
  PLAN_FILES.cost,
  PLAN_FILES.coldStart,
  PLAN_FILES.policyPackConfig,
];
