import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  MODEL_POD_LABEL,
  SERVING_NAMESPACE,
  COMPILE_CACHE_PREFIX,
  COMPILE_CACHE_WRITER_PURPOSE,
  STAGED_WEIGHTS_PREFIX,
  VLLM_ENV_TRUE_VALUES,
  VLLM_RUNTIME_LORA_UPDATING,
  WEIGHTS_STAGER_PURPOSE,
} from "./kit-facts";
import { policyStatements, statementS3Access, wildcardBucketResources } from "./iam";
import { containersOf, modelSpecOf } from "./pods";
import { kitConfig, kitConfigSchema } from "./config";
import { chartName, chartValues, isMap } from "./helm";
import { MAX_PUBLIC_ADDRESSES, publicAddressCount, validateCidr } from "./vendor/cidr";
import type { Props } from "./props";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const SERVING_RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
/** The AWS Load Balancer Controller's IngressClassParams, any API version (v1beta1 at chart 3.5.0). */
const INGRESS_CLASS_PARAMS = /^kubernetes:elbv2\.k8s\.aws\/[^:]+:IngressClassParams$/;

/** An inference workload with what the rule needs: its pods' labels, containers, replica floor. */
interface InferenceWorkload {
  resource: PolicyResource;
  namespace: string;
  podLabels: Record<string, string>;
  containers: Props[];
  /** The containers that must have a readiness probe. Default: every container. */
  probed?: Props[];
  minReplicas: number | undefined;
}

/** The KEDA ScaledObject that scales the Deployment `name` in `namespace`, if one does. */
function scaledObjectFor(resources: PolicyResource[], namespace: string, name: unknown): PolicyResource | undefined {
  return resources.find(
    (s) =>
      s.type === SCALED_OBJECT &&
      (s.props.metadata?.namespace ?? "default") === namespace &&
      s.props.spec?.scaleTargetRef?.name === name &&
      (s.props.spec?.scaleTargetRef?.kind ?? "Deployment") === "Deployment",
  );
}

/**
 * The fewest replicas a ScaledObject leaves running: minReplicaCount (KEDA's default is 0), or
 * less when it scales idle targets to idleReplicaCount or is paused at paused-replicas.
 */
export function scalerFloor(scaler: PolicyResource): number {
  const spec = scaler.props.spec ?? {};
  const floors = [Number(spec.minReplicaCount ?? 0)];
  if (spec.idleReplicaCount !== undefined && spec.idleReplicaCount !== null) floors.push(Number(spec.idleReplicaCount));
  const paused = scaler.props.metadata?.annotations?.["autoscaling.keda.sh/paused-replicas"];
  if (paused !== undefined) floors.push(Number(paused));
  return Math.min(...floors.map((n) => (Number.isFinite(n) ? n : 0)));
}

function inferenceWorkloads(resources: PolicyResource[]): InferenceWorkload[] {
  const out: InferenceWorkload[] = [];
  for (const r of resources) {
    if (r.type === DEPLOYMENT) {
      const podLabels = (r.props.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
      if (!podLabels[MODEL_POD_LABEL]) continue;
      const namespace = r.props.metadata?.namespace ?? "default";
      const scaler = scaledObjectFor(resources, namespace, r.props.metadata?.name);
      out.push({
        resource: r,
        namespace,
        podLabels,
        containers: r.props.spec?.template?.spec?.containers ?? [],
        minReplicas: scaler ? scalerFloor(scaler) : r.props.spec?.replicas,
      });
    }
    if (r.type === ISVC) {
      const predictor = r.props.spec?.predictor ?? {};
      const namespace = r.props.metadata?.namespace ?? "default";
      const scaler = scaledObjectFor(resources, namespace, `${r.props.metadata?.name}-predictor`);
      out.push({
        resource: r,
        namespace,
        podLabels: predictor.labels ?? {},
        ...predictorContainers(resources, namespace, predictor),
        // KServe names the predictor Deployment <name>-predictor; the kit sets autoscalerClass
        // external and scales it with its own ScaledObject, whose floor is the one that holds.
        minReplicas: scaler ? scalerFloor(scaler) : (predictor.minReplicas ?? 1),
      });
    }
  }
  return out;
}

/**
 * The containers of an InferenceService's predictor pods, as KServe v0.20.0 builds them
 * (pkg/controller/v1beta1/inferenceservice/components/predictor.go at v0.20.0). The model form
 * (`model`, or a framework field such as `sklearn`) merges the model's container fields over its
 * ServingRuntime's first container. The custom-container form (`spec.predictor.containers`, no
 * model) runs those containers as written; the model server is the one named kserve-container
 * (else the first: predictor_custom.go GetContainer) and is the one whose readiness probe gates traffic.
 */
export function predictorContainers(
  resources: PolicyResource[],
  namespace: string,
  predictor: Props,
): { containers: Props[]; probed: Props[] } {
  const custom = (Array.isArray(predictor.containers) ? predictor.containers : []).filter(
    (c: unknown): c is Props => c !== null && typeof c === "object",
  );
  const model = modelSpecOf(predictor)?.spec;
  if (custom.length > 0 && !model) {
    const server = custom.find((c) => c.name === "kserve-container") ?? custom[0];
    return { containers: custom, probed: [server] };
  }
  const runtime = resources.find(
    (s) =>
      s.type === SERVING_RUNTIME &&
      s.props.metadata?.name === model?.runtime &&
      s.props.metadata?.namespace === namespace,
  );
  const runtimeContainer = (runtime?.props.spec?.containers ?? [])[0] ?? {};
  const merged = {
    ...runtimeContainer,
    ...model,
    readinessProbe: model?.readinessProbe ?? runtimeContainer.readinessProbe,
  };
  return { containers: [merged], probed: [merged] };
}

function selects(pdb: PolicyResource, w: InferenceWorkload): boolean {
  const match = (pdb.props.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
  return (
    pdb.props.metadata?.namespace === w.namespace &&
    Object.keys(match).length > 0 &&
    Object.entries(match).every(([k, v]) => w.podLabels[k] === v)
  );
}

export const inferenceWorkloadsHardened: StackValidationPolicy = {
  name: "inference-workloads-hardened",
  description:
    "Model servers set resource limits and readiness probes, have a PodDisruptionBudget, and run at least 2 replicas in prod.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const prod = kitConfig(args).environment === "prod";
    const pdbs = args.resources.filter((r) => r.type === PDB);
    for (const w of inferenceWorkloads(args.resources)) {
      for (const c of w.containers) {
        if (!c.resources?.limits || Object.keys(c.resources.limits).length === 0)
          report(`container ${c.name ?? "(model)"} has no resource limits.`, w.resource.urn);
        if (!c.readinessProbe && (w.probed ?? w.containers).includes(c))
          report(`container ${c.name ?? "(model)"} has no readiness probe.`, w.resource.urn);
      }
      if (!pdbs.some((p) => selects(p, w)))
        report("no PodDisruptionBudget selects this model server's pods.", w.resource.urn);
      if (prod && !(Number(w.minReplicas ?? 1) >= 2))
        report(`runs a minimum of ${w.minReplicas ?? 1} replica(s); prod needs at least 2.`, w.resource.urn);
    }
  },
};

/** Images of every container a Kubernetes object runs (workloads, KServe runtimes, storage containers, InferenceServices). */
export function containerImages(type: string, props: Props): string[] {
  return containersOf(type, props)
    .map(({ container }) => String(container.image ?? ""))
    .filter((i) => i.length > 0);
}

/** Why an image reference is not pinned, or undefined when it is (a tag other than latest, or a digest). */
export function unpinnedReason(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  if (!lastSegment.includes(":")) return "has no tag";
  if (lastSegment.endsWith(":latest")) return "uses the latest tag";
  return undefined;
}

/** An image a chart's values set, with the values path that sets it and what is known of it. */
export interface ChartImage {
  path: string;
  /** The reference to judge, as far as the values name it (`registry/repository:tag@digest`). */
  ref: string;
  /** Whether the values choose where the image comes from (registry or repository), not only its tag. */
  redirects: boolean;
  /** The tag the values set, if only the tag. */
  tag?: string;
}

const hasHost = (repository: string) => /^[^/]*[.:]/.test(repository) || repository.startsWith("localhost/");

/**
 * Images a chart's values set, at any depth: `image`/`*Image` keys holding a reference string
 * (with a sibling `tag`, as kserve's chart writes them) or a map of `registry`, `repository`,
 * `tag` and `digest`/`sha` (`@sha256:` is added to a bare sha, as the charts do), and registries
 * set for every image (`imageRegistry`, `global.image.registry`).
 */
export function chartImages(values: unknown, path = ""): ChartImage[] {
  if (values === null || typeof values !== "object") return [];
  if (Array.isArray(values)) return values.flatMap((v, i) => chartImages(v, `${path}[${i}]`));
  const out: ChartImage[] = [];
  const map = values as Props;
  for (const [key, v] of Object.entries(map)) {
    const here = path ? `${path}.${key}` : key;
    if (/^(image|[a-zA-Z0-9]+Image)$/.test(key) && typeof v === "string") {
      const tag =
        typeof map.tag === "string" && map.tag.length > 0 && !/[:@]/.test(v.split("/").pop()!) ? `:${map.tag}` : "";
      out.push({ path: here, ref: `${v}${tag}`, redirects: true });
      continue;
    }
    if (key === "imageRegistry" && typeof v === "string" && v.length > 0) {
      out.push({ path: here, ref: `${v.replace(/\/+$/, "")}/`, redirects: true, tag: undefined });
      continue;
    }
    if (/^(image|[a-zA-Z0-9]+Image)$/.test(key) && v !== null && typeof v === "object" && !Array.isArray(v)) {
      const img = v as Props;
      const str = (x: unknown) => (typeof x === "string" || typeof x === "number" ? String(x) : "");
      const registry = str(img.registry).replace(/\/+$/, "");
      const repository = str(img.repository);
      const tag = str(img.tag);
      const digestValue = str(img.digest) || str(img.sha);
      const digest = digestValue ? `@${digestValue.includes(":") ? digestValue : `sha256:${digestValue}`}` : "";
      if (repository || registry) {
        const name = repository
          ? registry && !hasHost(repository)
            ? `${registry}/${repository}`
            : repository
          : `${registry}/`;
        out.push({ path: here, ref: repository ? `${name}${tag ? `:${tag}` : ""}${digest}` : name, redirects: true });
      } else if ("tag" in img || digest) {
        out.push({ path: here, ref: "", redirects: false, tag: digest ? `${tag}${digest}` : tag });
      }
      out.push(
        ...chartImages(
          Object.fromEntries(
            Object.entries(img).filter(([k]) => !["registry", "repository", "tag", "digest", "sha"].includes(k)),
          ),
          here,
        ),
      );
      continue;
    }
    out.push(...chartImages(v, here));
  }
  return out;
}

function allowedRegistry(image: string, allowedRegistries: string[]): boolean {
  return allowedRegistries.some((r) => new RegExp(`^${r.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]+")}`).test(image));
}

export const imagesPinnedAndAllowed: ResourceValidationPolicy = {
  name: "images-pinned-and-allowed",
  description:
    "Container images carry a fixed tag or digest (never latest) and come from allowed registries, " +
    "in workloads, KServe runtimes and images set in Helm chart values at any depth.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    const { allowedRegistries } = kitConfig(args);
    for (const image of containerImages(args.type, args.props)) {
      const reason = unpinnedReason(image);
      if (reason) report(`image ${image} ${reason}; pin a version.`);
      if (!allowedRegistry(image, allowedRegistries))
        report(`image ${image} is not from an allowed registry (${allowedRegistries.join(", ")}).`);
    }
    const values = chartValues(args.type, args.props);
    if (!values) return;
    for (const image of chartImages(values)) {
      if (!image.redirects) {
        // Only the tag changes; the chart's (pinned) default image stays.
        const tag = image.tag ?? "";
        if (/(^|:)latest$/.test(tag.split("@")[0]))
          report(`chart values ${image.path} set the latest tag; pin a version.`);
        continue;
      }
      if (!image.ref.endsWith("/")) {
        const reason = unpinnedReason(image.ref);
        if (reason)
          report(`chart values ${image.path} set image ${image.ref}, which ${reason}; pin a version or digest.`);
      }
      if (!allowedRegistry(image.ref, allowedRegistries))
        report(
          `chart values ${image.path} set image ${image.ref}, which is not from an allowed registry (${allowedRegistries.join(", ")}); name the registry.`,
        );
    }
  },
};

const ROLE = "aws:iam/role:Role";

/** Whether a resource refers to a role: through a dependency, or by the role's literal name or ARN. */
function refersTo(r: PolicyResource, role: PolicyResource, key: string): boolean {
  if (r.dependencies.some((d) => d.urn === role.urn)) return true;
  const name = role.props.name;
  if (typeof name !== "string") return false;
  let value: unknown;
  try {
    value = r.props[key];
  } catch {
    // Unknown during preview: the value comes from a resource of this stack, which makes a dependency.
    return false;
  }
  return typeof value === "string" && (value === name || value.endsWith(`:role/${name}`));
}

/** Whether a trust policy lets pods of the serving namespace assume the role (Pod Identity or IRSA). */
function trustsServingPods(assumeRolePolicy: unknown): boolean {
  return policyStatements(assumeRolePolicy).statements.some((st) =>
    Object.values((st.Condition ?? {}) as Record<string, Record<string, unknown>>).some((test) =>
      Object.entries(test ?? {}).some(([key, value]) =>
        [value]
          .flat()
          .map(String)
          .some(
            (v) =>
              (key.endsWith("/kubernetes-namespace") && v === SERVING_NAMESPACE) ||
              (key.endsWith(":sub") && v.startsWith(`system:serviceaccount:${SERVING_NAMESPACE}:`)),
          ),
      ),
    ),
  );
}

const PURPOSE_TAG = "mlserving.io/purpose";

/**
 * Roles that write under one prefix of a named bucket, by their purpose tag: the Jobs that stage
 * registry versions for mounted weights, and the Jobs that fill vLLM's compile cache. Each may put
 * objects under its own prefix only.
 */
const PREFIX_WRITERS: Readonly<Record<string, { prefix: string; what: string }>> = {
  [WEIGHTS_STAGER_PURPOSE]: { prefix: STAGED_WEIGHTS_PREFIX, what: "weights stager" },
  [COMPILE_CACHE_WRITER_PURPOSE]: { prefix: COMPILE_CACHE_PREFIX, what: "compile-cache writer" },
};

/** The prefix writer a role is (by its mlserving.io/purpose tag), if it is one. */
function prefixWriterOf(role: PolicyResource): { prefix: string; what: string } | undefined {
  const purpose = role.props.tags?.[PURPOSE_TAG];
  return typeof purpose === "string" && Object.hasOwn(PREFIX_WRITERS, purpose) ? PREFIX_WRITERS[purpose] : undefined;
}

/** Whether every resource of a statement is an object under `prefix` of a named bucket. */
function onlyObjectsUnder(st: Props, prefix: string): boolean {
  const resources = [st.Resource ?? []].flat().map(String);
  const under = new RegExp(`^arn:[^:]+:s3:::[^/*?]+/${prefix}/`);
  return resources.length > 0 && resources.every((r) => under.test(r));
}

/**
 * Roles that read models: the kit's (tagged mlserving.io/purpose=model-reader), and any role that
 * pods of the serving namespace assume, through a pod identity association or a trust policy,
 * except the prefix writers (weights stagers, compile-cache writers: checked by their own rule below).
 */
export function modelReaderRoles(resources: PolicyResource[]): PolicyResource[] {
  const associations = resources.filter(
    (r) =>
      r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && r.props.namespace === SERVING_NAMESPACE,
  );
  return resources.filter(
    (r) =>
      r.type === ROLE &&
      prefixWriterOf(r) === undefined &&
      (r.props.tags?.[PURPOSE_TAG] === "model-reader" ||
        associations.some((a) => refersTo(a, r, "roleArn")) ||
        trustsServingPods(r.props.assumeRolePolicy)),
  );
}

export const modelReadersLeastPrivilege: StackValidationPolicy = {
  name: "model-readers-least-privilege",
  description:
    "Roles that read models (tagged mlserving.io/purpose=model-reader, or assumed by pods of the " +
    "serving namespace through pod identity or IRSA) only read named buckets: no write action (s3:Put*, " +
    "s3:Delete*, s3:*, *), no `*` resource or bucket wildcard, no NotAction/NotResource, no attached " +
    "managed policies. Roles that stage registry versions for mounted weights (mlserving.io/purpose=weights-stager) " +
    "may also put objects, only under the staging prefix (mlserving-weights/) of a named bucket, and delete nothing; " +
    "roles that fill vLLM's compile cache (mlserving.io/purpose=compile-cache-writer) likewise only under mlserving-compile-cache/.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const writers = args.resources.filter((r) => r.type === ROLE && prefixWriterOf(r) !== undefined);
    for (const role of [...modelReaderRoles(args.resources), ...writers]) {
      const writer = prefixWriterOf(role);
      const policies = args.resources.filter(
        (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && refersTo(r, role, "role"),
      );
      const attached = args.resources.filter(
        (r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && refersTo(r, role, "role"),
      );
      if (attached.length > 0 || [role.props.managedPolicyArns ?? []].flat().length > 0)
        report(
          "a model-reader role must not carry attached (managed) policies; grant the exact prefix inline.",
          role.urn,
        );
      const documents = [
        ...policies.map((p) => ({ urn: p.urn, doc: p.props.policy })),
        ...((role.props.inlinePolicies ?? []) as Props[]).map((p) => ({ urn: role.urn, doc: p?.policy })),
      ];
      for (const { urn, doc } of documents) {
        const { statements, problem } = policyStatements(doc);
        if (problem) report(`the ${writer?.what ?? "model reader"}'s policy ${problem}.`, urn);
        for (const st of statements) {
          if (st.Effect !== "Allow") continue;
          const actions = [st.Action ?? []].flat().map(String);
          if (st.NotAction !== undefined || st.NotResource !== undefined)
            report("uses NotAction or NotResource, which grants everything it does not name; list what it reads.", urn);
          const everything = actions.some((a) => a.trim() === "*" || /^s3:\*$/i.test(a.trim()));
          const deletes = actions.some((a) => /^s3:Delete/i.test(a.trim()));
          if (writer) {
            if (everything || deletes || (statementS3Access(st).write && !onlyObjectsUnder(st, writer.prefix)))
              report(
                `grants ${actions.join(", ")} on ${[st.Resource ?? []].flat().join(", ")}; a ${writer.what} ` +
                  `only puts objects under ${writer.prefix}/ of a named bucket and deletes nothing.`,
                urn,
              );
          } else if (everything || statementS3Access(st).write)
            report(
              `grants ${actions.join(", ")}, which writes; a model reader only reads (s3:GetObject, s3:ListBucket).`,
              urn,
            );
          const resources = [st.Resource ?? []].flat().map(String);
          if (
            st.NotResource === undefined &&
            (resources.some((r) => r.trim() === "*") || wildcardBucketResources(st).length > 0)
          )
            report(
              "grants access to every resource or to buckets matched by a wildcard; name the model bucket and prefix.",
              urn,
            );
        }
      }
    }
  },
};

/** Whether a Service or Ingress asks AWS for an internet-facing load balancer. */
export function internetFacing(type: string, props: Props): boolean {
  const annotations = (props.metadata?.annotations ?? {}) as Record<string, string>;
  if (type === "kubernetes:networking.k8s.io/v1:Ingress")
    return annotations["alb.ingress.kubernetes.io/scheme"] === "internet-facing";
  if (type === "kubernetes:core/v1:Service" && props.spec?.type === "LoadBalancer") {
    // Without the AWS Load Balancer Controller's scheme annotation, a LoadBalancer Service is public by default.
    return (
      annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] !== "internal" &&
      annotations["service.beta.kubernetes.io/aws-load-balancer-internal"] !== "true"
    );
  }
  return false;
}

export const APPROVED_INTERNET_FACING = "mlserving.io/internet-facing-approved";

export const noInternetFacingInProd: StackValidationPolicy = {
  name: "no-internet-facing-in-prod",
  description:
    `No internet-facing Service or Ingress in prod unless annotated ${APPROVED_INTERNET_FACING}: "true": ` +
    "an Ingress is internet-facing through its alb.ingress.kubernetes.io/scheme annotation or through the IngressClassParams its IngressClass " +
    "(named by ingressClassName, the kubernetes.io/ingress.class annotation, or the default class) refers to; " +
    "an IngressClassParams with scheme internet-facing needs the approval itself, since every Ingress of its class is published.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    if (kitConfig(args).environment !== "prod") return;
    const classSchemes = ingressClassSchemes(args.resources);
    const approved = (r: PolicyResource) => r.props.metadata?.annotations?.[APPROVED_INTERNET_FACING] === "true";
    for (const r of args.resources) {
      if (INGRESS_CLASS_PARAMS.test(r.type) && r.props.spec?.scheme === "internet-facing" && !approved(r))
        report(
          `IngressClassParams ${r.props.metadata?.name ?? r.name} makes every Ingress of its class internet-facing ` +
            `in prod; make it internal or annotate it ${APPROVED_INTERNET_FACING}: "true" after review.`,
          r.urn,
        );
      const viaClass = r.type === INGRESS && ingressSchemeFromClass(r.props, classSchemes) === "internet-facing";
      if ((internetFacing(r.type, r.props) || viaClass) && !approved(r))
        report(
          `${r.type.split(":").pop()} ${r.props.metadata?.name ?? r.name} is internet-facing in prod${viaClass ? " (through its IngressClassParams)" : ""}; ` +
            `make it internal or annotate it ${APPROVED_INTERNET_FACING}: "true" after review.`,
          r.urn,
        );
    }
  },
};

/** Whether a Service or Ingress serves a model: it carries the model label or lives in the serving namespace. */
export function isModelEndpoint(props: Props): boolean {
  return (
    props.metadata?.labels?.[MODEL_POD_LABEL] !== undefined ||
    (props.metadata?.namespace ?? "default") === SERVING_NAMESPACE
  );
}

const list = (v: unknown): string[] =>
  v === undefined || v === null
    ? []
    : typeof v === "string"
      ? v.split(",").map((x) => x.trim())
      : [v].flat().map(String);

/**
 * Whether an internet-facing endpoint admits only named callers: source ranges that together open
 * at most a /8 of public space, or (for an ALB) OIDC or Cognito authentication.
 */
export function callersNamed(type: string, props: Props): boolean {
  const annotations = (props.metadata?.annotations ?? {}) as Record<string, string>;
  const narrow = (cidrs: string[]) =>
    cidrs.length > 0 && cidrs.every(validateCidr) && publicAddressCount(cidrs) <= MAX_PUBLIC_ADDRESSES;
  if (type === "kubernetes:networking.k8s.io/v1:Ingress")
    return (
      ["oidc", "cognito"].includes(String(annotations["alb.ingress.kubernetes.io/auth-type"] ?? "")) ||
      narrow(list(annotations["alb.ingress.kubernetes.io/inbound-cidrs"]))
    );
  return narrow([
    ...list(props.spec?.loadBalancerSourceRanges),
    ...list(annotations["service.beta.kubernetes.io/load-balancer-source-ranges"]),
  ]);
}

/** Annotation of the IngressClass that Ingresses naming no class get (Kubernetes networking.k8s.io/v1). */
export const DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

/**
 * The ingress classes whose IngressClassParams set the scheme (`spec.scheme`): the AWS Load
 * Balancer Controller gives every Ingress of such a class that scheme, whatever its annotation
 * says. Classes and params come from Kubernetes objects of the stack or from the controller's chart
 * values. The default class (annotated is-default-class "true") is also listed under "".
 */
export function ingressClassSchemes(resources: readonly PolicyResource[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const r of resources)
    if (INGRESS_CLASS_PARAMS.test(r.type) && r.props.spec?.scheme)
      params.set(String(r.props.metadata?.name), String(r.props.spec.scheme));
  const out = new Map<string, string>();
  for (const r of resources) {
    // The AWS Load Balancer Controller's chart creates its IngressClass (values ingressClass, default
    // alb) and, from values ingressClassParams.spec, its IngressClassParams (chart 3.5.0
    // templates/ingressclass.yaml; both on by default).
    const values = chartValues(r.type, r.props);
    if (
      values &&
      chartName(r.props) === "aws-load-balancer-controller" &&
      values.createIngressClassResource !== false
    ) {
      const icp = isMap(values.ingressClassParams) ? values.ingressClassParams : {};
      const scheme =
        icp.create !== false && isMap(icp.spec) && icp.spec.scheme
          ? String(icp.spec.scheme)
          : icp.name
            ? params.get(String(icp.name))
            : undefined;
      if (scheme) {
        out.set(String(values.ingressClass ?? "alb"), scheme);
        if (isMap(values.ingressClassConfig) && values.ingressClassConfig.default === true) out.set("", scheme);
      }
    }
    const ref = r.type === "kubernetes:networking.k8s.io/v1:IngressClass" ? r.props.spec?.parameters : undefined;
    if (ref?.kind === "IngressClassParams" && params.has(String(ref.name))) {
      const scheme = params.get(String(ref.name))!;
      out.set(String(r.props.metadata?.name), scheme);
      if (String(r.props.metadata?.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION]) === "true") out.set("", scheme);
    }
  }
  return out;
}

/** The scheme an Ingress's class forces through its IngressClassParams (named class, legacy annotation, or the default class). */
export function ingressSchemeFromClass(props: Props, classSchemes: Map<string, string>): string | undefined {
  const cls = props.spec?.ingressClassName ?? props.metadata?.annotations?.["kubernetes.io/ingress.class"] ?? "";
  return classSchemes.get(String(cls));
}

export const noInternetFacingModelEndpoints: StackValidationPolicy = {
  name: "no-internet-facing-model-endpoints",
  description:
    "Model endpoints (Ingresses and LoadBalancer Services labelled mlserving.io/model or in the serving namespace) are internal in every environment, " +
    "whether the scheme comes from the Ingress's annotation or its class's IngressClassParams. " +
    "An environment listed in the pack's internetFacingModelEnvironments may publish them, and then only to named callers " +
    ("(inbound-cidrs or source ranges opening at most a /8 of public space, or ALB OIDC/Cognito " +
      "authentication); prod also needs the approval of no-internet-facing-in-prod. ") +
    ("Why every environment: a model endpoint has no authentication of its own, and an open one " +
      "in dev or staging burns the same GPUs and leaks the same (often unreleased) models as one " +
      "in prod, with less watching."),
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const { environment, internetFacingModelEnvironments } = kitConfig(args);
    const classSchemes = ingressClassSchemes(args.resources);
    for (const r of args.resources) {
      if (!isModelEndpoint(r.props)) continue;
      let facing = internetFacing(r.type, r.props);
      if (r.type === INGRESS) {
        // Either source saying internet-facing is enough: the pack does not guess which one wins.
        facing ||= ingressSchemeFromClass(r.props, classSchemes) === "internet-facing";
      }
      if (!facing) continue;
      if (!internetFacingModelEnvironments.includes(environment))
        report(
          `model endpoint is internet-facing in ${environment}; make it internal (alb.ingress.kubernetes.io/scheme: ` +
            `internal, and no internet-facing IngressClassParams), or list ${environment} in the pack's ` +
            `internetFacingModelEnvironments and name its callers.`,
          r.urn,
        );
      else if (!callersNamed(r.type, r.props))
        report(
          "internet-facing model endpoint admits anyone; name its callers (alb.ingress.kubernetes.io/inbound-cidrs " +
            "or loadBalancerSourceRanges of at most a /8 of public space, or alb.ingress.kubernetes.io/auth-type oidc or cognito).",
          r.urn,
        );
    }
  },
};

/**
 * No caller may load a LoRA adapter into a running vLLM: with `VLLM_ALLOW_RUNTIME_LORA_UPDATING` on,
 * vLLM serves `/v1/load_lora_adapter` and `/v1/unload_lora_adapter` to anyone who reaches the model
 * (vllm/entrypoints/serve/lora/api_router.py at v0.16.0) and loads unknown model names through its
 * LoRA resolver plugins. Adapters are the stack's (`serving.models[].adapters`), loaded at start.
 * Every container of every object is judged (a vLLM is any image that reads the variable): set to a
 * value vLLM reads as on (`1`, `true`: vllm/envs.py), or from a Secret or ConfigMap whose value the
 * pack cannot see (`valueFrom`), it is refused. Variables a container takes wholesale from a
 * ConfigMap or Secret (`envFrom`) are not judged: their keys are not in the resource.
 */
export const vllmRuntimeLoraUpdatingOff: ResourceValidationPolicy = {
  name: "vllm-runtime-lora-updating-off",
  description:
    `No container sets ${VLLM_RUNTIME_LORA_UPDATING} on (or from a value the pack cannot read): ` +
    `vLLM would then let any caller load or unload LoRA adapters at runtime.`,
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    for (const { where, container } of containersOf(args.type, args.props)) {
      const env = Array.isArray(container.env) ? (container.env as Props[]) : [];
      for (const e of env.filter((x) => x?.name === VLLM_RUNTIME_LORA_UPDATING)) {
        if (e.valueFrom !== undefined)
          report(
            `${where}: ${VLLM_RUNTIME_LORA_UPDATING} comes from valueFrom, which the pack cannot read; ` +
              `set it to 0 or leave it out (runtime adapter loading lets any caller load adapters).`,
          );
        else if (
          (VLLM_ENV_TRUE_VALUES as readonly string[]).includes(
            String(e.value ?? "")
              .trim()
              .toLowerCase(),
          )
        )
          report(
            `${where}: ${VLLM_RUNTIME_LORA_UPDATING}=${e.value} opens vLLM's /v1/load_lora_adapter to every ` +
              `caller; serve adapters from the stack (serving.models[].adapters) and set it to 0.`,
          );
      }
    }
  },
};
