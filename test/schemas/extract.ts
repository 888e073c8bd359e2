/**
 * Regenerates upstream schemas in this folder from the upstream files at the versions pinned in
 * components/versions.ts. The JSON files are derived data: each records its source (repository,
 * tag, path) and is rewritten only by this script.
 *
 *     npx tsx test/schemas/extract.ts <owner/name>=<git dir> [<owner/name>=<git dir> ...]
 *
 * Each `<git dir>` is a clone (bare or not) of that repository with the pinned tag; only the
 * schemas whose repository is given are rewritten. test/unit/k8s-schemas.test.ts checks that every
 * schema's source tag is the pinned one.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { CHARTS, KUBERNETES_VERSION } from "../../components/versions";

/** Where one schema comes from. */
export interface SchemaSource {
  readonly repository: string;
  readonly tag: string;
  readonly path: string;
}

/** A CRD version's openAPIV3Schema, written to `<file>`. */
interface CrdSchema {
  readonly file: string;
  readonly source: SchemaSource;
  readonly kind: string;
  readonly version: string;
}

const karpenter = (path: string): SchemaSource => ({
  repository: "aws/karpenter-provider-aws",
  tag: `v${CHARTS.karpenter.version}`,
  path,
});
// kube-prometheus-stack's CRD subchart: what the kit installs (through prometheus-operator-crds of the same operator version).
const prometheusOperator = (path: string): SchemaSource => ({
  repository: "prometheus-community/helm-charts",
  tag: `kube-prometheus-stack-${CHARTS.kubePrometheusStack.version}`,
  path: `charts/kube-prometheus-stack/charts/crds/crds/${path}`,
});

export const CRD_SCHEMAS: readonly CrdSchema[] = [
  {
    file: "karpenter-nodepool.json",
    source: karpenter("pkg/apis/crds/karpenter.sh_nodepools.yaml"),
    kind: "NodePool",
    version: "v1",
  },
  {
    file: "karpenter-ec2nodeclass.json",
    source: karpenter("pkg/apis/crds/karpenter.k8s.aws_ec2nodeclasses.yaml"),
    kind: "EC2NodeClass",
    version: "v1",
  },
  {
    file: "keda-scaledobject.json",
    source: { repository: "kedacore/keda", tag: `v${CHARTS.keda.version}`, path: "config/crd/bases/keda.sh_scaledobjects.yaml" },
    kind: "ScaledObject",
    version: "v1alpha1",
  },
  {
    file: "prometheus-operator-servicemonitor.json",
    source: prometheusOperator("crd-servicemonitors.yaml"),
    kind: "ServiceMonitor",
    version: "v1",
  },
  {
    file: "prometheus-operator-podmonitor.json",
    source: prometheusOperator("crd-podmonitors.yaml"),
    kind: "PodMonitor",
    version: "v1",
  },
  {
    file: "prometheus-operator-prometheusrule.json",
    source: prometheusOperator("crd-prometheusrules.yaml"),
    kind: "PrometheusRule",
    version: "v1",
  },
];

/**
 * Kubernetes' own kinds the kit writes, from the OpenAPI (v2) document of the Kubernetes release the
 * cluster runs. kubernetes-client/javascript 2.0.0 keeps that document unmodified as
 * `src/gen/swagger.json.unprocessed`, generated from Kubernetes v1.35.0 (its `settings`:
 * KUBERNETES_BRANCH="v1.35.0").
 */
export const KUBERNETES_SCHEMA = {
  file: "kubernetes.json",
  kubernetes: { repository: "kubernetes/kubernetes", tag: "v1.35.0", path: "api/openapi-spec/swagger.json" },
  source: { repository: "kubernetes-client/javascript", tag: "2.0.0", path: "src/gen/swagger.json.unprocessed" },
  kinds: [
    "storage.k8s.io/v1/StorageClass",
    "apps/v1/Deployment",
    "apps/v1/DaemonSet",
    "v1/Service",
    "v1/ConfigMap",
    "v1/Secret",
    "v1/Namespace",
    "v1/ResourceQuota",
    "v1/LimitRange",
    "v1/ServiceAccount",
    "v1/PersistentVolume",
    "v1/PersistentVolumeClaim",
    "batch/v1/Job",
    "policy/v1/PodDisruptionBudget",
    "networking.k8s.io/v1/NetworkPolicy",
    "networking.k8s.io/v1/Ingress",
    "scheduling.k8s.io/v1/PriorityClass",
    "rbac.authorization.k8s.io/v1/Role",
    "rbac.authorization.k8s.io/v1/RoleBinding",
  ],
} as const;

/** The schema without `description`s (the bulk of a CRD), keys in sorted order. */
function stripDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripDescriptions);
  if (node === null || typeof node !== "object") return node;
  const entries = Object.entries(node).filter(([k, v]) => !(k === "description" && typeof v === "string"));
  return Object.fromEntries(
    entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, k === "properties" ? mapValues(v as object, stripDescriptions) : stripDescriptions(v)]),
  );
}

function mapValues(obj: object, fn: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(obj)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, fn(v)]),
  );
}

function gitShow(gitDir: string, source: SchemaSource): string {
  return execFileSync("git", ["--git-dir", gitDir, "show", `${source.tag}:${source.path}`], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
}

function crdSchema(gitDir: string, spec: CrdSchema): object {
  const docs = parseAllDocuments(gitShow(gitDir, spec.source))
    .map((d) => d.toJSON() as Record<string, any> | null)
    .filter((d) => d?.kind === "CustomResourceDefinition" && d.spec?.names?.kind === spec.kind);
  if (docs.length !== 1) throw new Error(`${spec.source.path}: expected one CRD of kind ${spec.kind}, found ${docs.length}`);
  const crd = docs[0]!;
  const version = (crd.spec.versions as any[]).find((v) => v.name === spec.version);
  if (!version?.schema?.openAPIV3Schema) throw new Error(`${spec.source.path}: no openAPIV3Schema for ${spec.version}`);
  const apiVersion = `${crd.spec.group}/${spec.version}`;
  return {
    $comment:
      `openAPIV3Schema of ${apiVersion} ${spec.kind} from ${spec.source.repository} ${spec.source.tag} ${spec.source.path} ` +
      "(descriptions removed); written by test/schemas/extract.ts",
    source: spec.source,
    apiVersion,
    kind: spec.kind,
    schema: stripDescriptions(version.schema.openAPIV3Schema),
  };
}

/** The definitions reachable from the kinds, descriptions removed. */
function kubernetesSchema(gitDir: string): object {
  const swagger = JSON.parse(gitShow(gitDir, KUBERNETES_SCHEMA.source)) as { definitions: Record<string, any> };
  const byKind = new Map<string, string>();
  for (const [name, def] of Object.entries(swagger.definitions))
    for (const gvk of (def["x-kubernetes-group-version-kind"] ?? []) as { group: string; version: string; kind: string }[])
      byKind.set(`${gvk.group ? `${gvk.group}/` : ""}${gvk.version}/${gvk.kind}`, name);
  const kinds = Object.fromEntries(
    KUBERNETES_SCHEMA.kinds.map((k) => {
      const name = byKind.get(k);
      if (!name) throw new Error(`${KUBERNETES_SCHEMA.source.path}: no definition for ${k}`);
      return [k, name];
    }),
  );
  const reachable = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") {
        const name = v.replace("#/definitions/", "");
        if (!reachable.has(name)) {
          reachable.add(name);
          visit(swagger.definitions[name]);
        }
      } else visit(v);
    }
  };
  for (const name of Object.values(kinds)) {
    reachable.add(name);
    visit(swagger.definitions[name]);
  }
  const { kubernetes, source } = KUBERNETES_SCHEMA;
  return {
    $comment:
      `definitions of Kubernetes ${kubernetes.tag} ${kubernetes.path} (EKS ${KUBERNETES_VERSION}) reachable from the kinds below, ` +
      `as kept unmodified in ${source.repository} ${source.tag} ${source.path} (descriptions removed); written by test/schemas/extract.ts`,
    kubernetes,
    source,
    kinds,
    definitions: mapValues(
      Object.fromEntries([...reachable].map((name) => [name, swagger.definitions[name]])),
      stripDescriptions,
    ),
  };
}

function main(args: readonly string[]): void {
  const gitDirs = new Map(
    args.map((a) => {
      const [repo, dir] = a.split("=");
      if (!repo || !dir) throw new Error(`expected <owner/name>=<git dir>, got ${a}`);
      return [repo, dir];
    }),
  );
  if (gitDirs.size === 0) throw new Error("usage: tsx test/schemas/extract.ts <owner/name>=<git dir> ...");
  const write = (file: string, doc: object): void => {
    writeFileSync(join(__dirname, file), `${JSON.stringify(doc)}\n`);
    console.log(`wrote test/schemas/${file}`);
  };
  for (const spec of CRD_SCHEMAS) {
    const dir = gitDirs.get(spec.source.repository);
    if (dir) write(spec.file, crdSchema(dir, spec));
  }
  const k8sDir = gitDirs.get(KUBERNETES_SCHEMA.source.repository);
  if (k8sDir) write(KUBERNETES_SCHEMA.file, kubernetesSchema(k8sDir));
}

if (require.main === module) main(process.argv.slice(2));
