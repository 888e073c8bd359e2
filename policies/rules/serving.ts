import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { MODEL_POD_LABEL } from "./kit-facts";
import { podSpecOf } from "./capacity";
import { kitConfig, kitConfigSchema } from "./config";
import type { Props } from "./props";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject";
const SERVING_RUNTIME = "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime";

/** An inference workload with what the rule needs: its pods' labels, containers, replica floor. */
interface InferenceWorkload {
  resource: PolicyResource;
  namespace: string;
  podLabels: Record<string, string>;
  containers: Props[];
  minReplicas: number | undefined;
}

function inferenceWorkloads(resources: PolicyResource[]): InferenceWorkload[] {
  const out: InferenceWorkload[] = [];
  for (const r of resources) {
    if (r.type === DEPLOYMENT) {
      const podLabels = (r.props.spec?.template?.metadata?.labels ?? {}) as Record<string, string>;
      if (!podLabels[MODEL_POD_LABEL]) continue;
      const namespace = r.props.metadata?.namespace ?? "default";
      const scaler = resources.find(
        (s) =>
          s.type === SCALED_OBJECT &&
          s.props.metadata?.namespace === namespace &&
          s.props.spec?.scaleTargetRef?.name === r.props.metadata?.name,
      );
      out.push({
        resource: r,
        namespace,
        podLabels,
        containers: r.props.spec?.template?.spec?.containers ?? [],
        minReplicas: scaler ? Number(scaler.props.spec?.minReplicaCount ?? 1) : r.props.spec?.replicas,
      });
    }
    if (r.type === ISVC) {
      const predictor = r.props.spec?.predictor ?? {};
      const namespace = r.props.metadata?.namespace ?? "default";
      const runtime = resources.find(
        (s) =>
          s.type === SERVING_RUNTIME &&
          s.props.metadata?.name === predictor.model?.runtime &&
          s.props.metadata?.namespace === namespace,
      );
      const runtimeContainer = (runtime?.props.spec?.containers ?? [])[0] ?? {};
      // KServe merges the model's container fields over the runtime's container.
      const container = {
        ...runtimeContainer,
        ...predictor.model,
        readinessProbe: predictor.model?.readinessProbe ?? runtimeContainer.readinessProbe,
      };
      out.push({
        resource: r,
        namespace,
        podLabels: predictor.labels ?? {},
        containers: [container],
        minReplicas: predictor.minReplicas ?? 1,
      });
    }
  }
  return out;
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
        if (!c.readinessProbe) report(`container ${c.name ?? "(model)"} has no readiness probe.`, w.resource.urn);
      }
      if (!pdbs.some((p) => selects(p, w)))
        report("no PodDisruptionBudget selects this model server's pods.", w.resource.urn);
      if (prod && !(Number(w.minReplicas ?? 1) >= 2))
        report(`runs a minimum of ${w.minReplicas ?? 1} replica(s); prod needs at least 2.`, w.resource.urn);
    }
  },
};

/** Images of every container a Kubernetes object runs (workloads, KServe runtimes and storage containers). */
export function containerImages(type: string, props: Props): string[] {
  const pod =
    podSpecOf(type, props) ?? (type === "kubernetes:apps/v1:DaemonSet" ? props.spec?.template?.spec : undefined);
  const containers: Props[] = pod ? [...(pod.initContainers ?? []), ...(pod.containers ?? [])] : [];
  if (type === SERVING_RUNTIME || type === "kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime")
    containers.push(...(props.spec?.containers ?? []));
  if (type === "kubernetes:serving.kserve.io/v1alpha1:ClusterStorageContainer" && props.spec?.container)
    containers.push(props.spec.container);
  if (type === ISVC && props.spec?.predictor?.model?.image) containers.push(props.spec.predictor.model);
  return containers.map((c) => String(c.image ?? "")).filter((i) => i.length > 0);
}

/** Why an image reference is not pinned, or undefined when it is (a tag other than latest, or a digest). */
export function unpinnedReason(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  if (!lastSegment.includes(":")) return "has no tag";
  if (lastSegment.endsWith(":latest")) return "uses the latest tag";
  return undefined;
}

export const imagesPinnedAndAllowed: ResourceValidationPolicy = {
  name: "images-pinned-and-allowed",
  description: "Container images carry a fixed tag or digest (never latest) and come from allowed registries.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    const { allowedRegistries } = kitConfig(args);
    for (const image of containerImages(args.type, args.props)) {
      const reason = unpinnedReason(image);
      if (reason) report(`image ${image} ${reason}; pin a version.`);
      if (
        !allowedRegistries.some((r) => new RegExp(`^${r.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]+")}`).test(image))
      ) {
        report(`image ${image} is not from an allowed registry (${allowedRegistries.join(", ")}).`);
      }
    }
  },
};

function statements(doc: unknown): Props[] {
  const parsed = typeof doc === "string" ? (JSON.parse(doc) as Props) : (doc as Props);
  const s = parsed?.Statement ?? [];
  return Array.isArray(s) ? s : [s];
}

export const modelReadersLeastPrivilege: StackValidationPolicy = {
  name: "model-readers-least-privilege",
  description:
    "Roles that read models (tagged mlserving.io/purpose=model-reader) are never granted s3:* or * resources.",
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateStack: (args, report) => {
    const readers = args.resources.filter(
      (r) => r.type === "aws:iam/role:Role" && r.props.tags?.["mlserving.io/purpose"] === "model-reader",
    );
    for (const role of readers) {
      const policies = args.resources.filter(
        (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.dependencies.some((d) => d.urn === role.urn),
      );
      const attached = args.resources.filter(
        (r) =>
          r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
          r.dependencies.some((d) => d.urn === role.urn),
      );
      if (attached.length > 0)
        report(
          "a model-reader role must not carry attached (managed) policies; grant the exact prefix inline.",
          role.urn,
        );
      for (const p of policies) {
        for (const st of statements(p.props.policy)) {
          if (st.Effect !== "Allow") continue;
          const actions = [st.Action].flat().map(String);
          const resources = [st.Resource].flat().map(String);
          if (actions.some((a) => a === "*" || a === "s3:*"))
            report(`grants ${actions.join(", ")}; list the read actions it needs.`, p.urn);
          if (resources.some((r) => r === "*" || /^arn:[^:]+:s3:::\*$/.test(r)))
            report("grants access to every resource; name the model bucket and prefix.", p.urn);
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

export const noInternetFacingInProd: ResourceValidationPolicy = {
  name: "no-internet-facing-in-prod",
  description: `No internet-facing Service or Ingress in prod unless annotated ${APPROVED_INTERNET_FACING}: "true".`,
  enforcementLevel: "mandatory",
  configSchema: kitConfigSchema,
  validateResource: (args, report) => {
    if (kitConfig(args).environment !== "prod" || !internetFacing(args.type, args.props)) return;
    if (args.props.metadata?.annotations?.[APPROVED_INTERNET_FACING] === "true") return;
    report(
      `is internet-facing in prod; make it internal or annotate it ${APPROVED_INTERNET_FACING}: "true" after review.`,
    );
  },
};
