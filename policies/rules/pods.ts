import type { Props } from "./props";

// Where each kind of Kubernetes object keeps the pods and containers it runs: one extractor for
// every rule that judges pods (hardening, secrets, images, devices), so a new pod-bearing kind is
// added once. Paths are the Kubernetes 1.35 API's (a CronJob's pod template is inside its job
// template) and KServe v0.20.0's (test/schemas/kserve-inferenceservice.json).

/** A pod template: the pod spec, the pods' labels, and the object's kind. */
export interface PodTemplate {
  kind: string;
  spec: Props;
  labels: Record<string, string>;
}

const TEMPLATE = (p: Props) => p.spec?.template;

/** Every pod-bearing kind, with where its pod template (metadata and spec) is. */
export const POD_TEMPLATE_KINDS: Readonly<Record<string, { kind: string; template: (p: Props) => Props | undefined }>> =
  {
    "kubernetes:core/v1:Pod": { kind: "Pod", template: (p) => p },
    "kubernetes:core/v1:ReplicationController": { kind: "ReplicationController", template: TEMPLATE },
    "kubernetes:apps/v1:Deployment": { kind: "Deployment", template: TEMPLATE },
    "kubernetes:apps/v1:StatefulSet": { kind: "StatefulSet", template: TEMPLATE },
    "kubernetes:apps/v1:DaemonSet": { kind: "DaemonSet", template: TEMPLATE },
    "kubernetes:apps/v1:ReplicaSet": { kind: "ReplicaSet", template: TEMPLATE },
    "kubernetes:batch/v1:Job": { kind: "Job", template: TEMPLATE },
    "kubernetes:batch/v1:CronJob": { kind: "CronJob", template: (p) => p.spec?.jobTemplate?.spec?.template },
  };

/** The pod template of a pod-bearing object (any kind of {@link POD_TEMPLATE_KINDS}), if it has one. */
export function podTemplateOf(type: string, props: Props): PodTemplate | undefined {
  const known = POD_TEMPLATE_KINDS[type];
  const template = known?.template(props);
  if (!known || !template?.spec) return undefined;
  const labels = template.metadata?.labels;
  return {
    kind: known.kind,
    spec: template.spec,
    labels: labels !== null && typeof labels === "object" ? (labels as Record<string, string>) : {},
  };
}

export const INFERENCE_SERVICE = "kubernetes:serving.kserve.io/v1beta1:InferenceService";
const RUNTIME_TYPES = [
  "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
  "kubernetes:serving.kserve.io/v1alpha1:ClusterServingRuntime",
];

/**
 * KServe's model-format predictor fields (v0.20.0 PredictorSpec): each is a container spec for a
 * runtime KServe picks, as `model` is for the runtime it names.
 */
export const PREDICTOR_FRAMEWORKS = [
  "sklearn",
  "xgboost",
  "tensorflow",
  "pytorch",
  "triton",
  "onnx",
  "huggingface",
  "pmml",
  "lightgbm",
  "paddle",
] as const;

/** The model container spec of an InferenceService component (`model`, or a framework field), if it has one. */
export function modelSpecOf(component: Props | undefined): { field: string; spec: Props } | undefined {
  if (!component) return undefined;
  for (const field of ["model", ...PREDICTOR_FRAMEWORKS])
    if (component[field] !== null && typeof component[field] === "object") return { field, spec: component[field] };
  return undefined;
}

/**
 * The pod specs of an InferenceService: predictor, transformer, explainer, and the predictor's
 * `workerSpec` (the worker pods of multi-node serving, a pod spec of their own in KServe v0.20.0).
 */
export function inferenceServiceComponents(props: Props): { name: string; spec: Props }[] {
  const isSpec = (v: unknown): v is Props => v !== null && typeof v === "object" && !Array.isArray(v);
  const components = (["predictor", "transformer", "explainer"] as const)
    .filter((c) => isSpec(props.spec?.[c]))
    .map((c) => ({ name: c as string, spec: props.spec[c] as Props }));
  const workers = props.spec?.predictor?.workerSpec;
  return isSpec(workers) ? [...components, { name: "predictor.workerSpec", spec: workers }] : components;
}

const array = (v: unknown): Props[] =>
  Array.isArray(v) ? v.filter((x): x is Props => x !== null && typeof x === "object") : [];

/** A container an object runs, with where it is written. */
export interface ContainerAt {
  where: string;
  container: Props;
}

/**
 * Every container an object runs: init and app containers of pod templates, the containers of
 * KServe runtimes and storage containers, and an InferenceService's model containers (`model` or
 * a framework field) and custom containers (`containers`, `initContainers`) of each component.
 */
export function containersOf(type: string, props: Props): ContainerAt[] {
  const template = podTemplateOf(type, props);
  if (template)
    return [
      ...array(template.spec.initContainers).map((c) => ({ where: `initContainer ${c.name}`, container: c })),
      ...array(template.spec.containers).map((c) => ({ where: `container ${c.name}`, container: c })),
    ];
  if (RUNTIME_TYPES.includes(type))
    return array(props.spec?.containers).map((c) => ({ where: `container ${c.name}`, container: c }));
  if (type === "kubernetes:serving.kserve.io/v1alpha1:ClusterStorageContainer" && props.spec?.container)
    return [{ where: `container ${props.spec.container.name}`, container: props.spec.container }];
  if (type === INFERENCE_SERVICE)
    return inferenceServiceComponents(props).flatMap(({ name, spec }) => {
      const model = modelSpecOf(spec);
      return [
        ...(model ? [{ where: `spec.${name}.${model.field}`, container: model.spec }] : []),
        ...array(spec.initContainers).map((c) => ({ where: `spec.${name} initContainer ${c.name}`, container: c })),
        ...array(spec.containers).map((c) => ({ where: `spec.${name} container ${c.name}`, container: c })),
      ];
    });
  return [];
}
