import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Service } from "kubernetes-models/v1/Service";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import { LimitRange } from "kubernetes-models/v1/LimitRange";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { PersistentVolume } from "kubernetes-models/v1/PersistentVolume";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { PriorityClass } from "kubernetes-models/scheduling.k8s.io/v1/PriorityClass";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { NodePool } from "@kubernetes-models/karpenter/karpenter.sh/v1/NodePool";
import { EC2NodeClass } from "@kubernetes-models/karpenter/karpenter.k8s.aws/v1/EC2NodeClass";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import Ajv, { ValidateFunction } from "ajv";
import clusterStorageContainer from "./schemas/kserve-clusterstoragecontainer.json";
import inferenceServiceSchema from "./schemas/kserve-inferenceservice.json";
import servingRuntime from "./schemas/kserve-servingruntime.json";
import nodeOverlay from "./schemas/karpenter-nodeoverlay.json";
import gatewaySchema from "./schemas/gateway-api-gateway.json";
import httpRouteSchema from "./schemas/gateway-api-httproute.json";
import inferencePoolSchema from "./schemas/inference-extension-inferencepool.json";
import destinationRuleSchema from "./schemas/istio-destinationrule.json";
import requestAuthenticationSchema from "./schemas/istio-requestauthentication.json";
import authorizationPolicySchema from "./schemas/istio-authorizationpolicy.json";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

/** Upstream schema of every Kubernetes kind the kit authors, keyed by `apiVersion/kind`. */
const MODELS: Record<string, ModelClass> = {
  "storage.k8s.io/v1/StorageClass": StorageClass as unknown as ModelClass,
  "apps/v1/Deployment": Deployment as unknown as ModelClass,
  "apps/v1/DaemonSet": DaemonSet as unknown as ModelClass,
  "v1/Service": Service as unknown as ModelClass,
  "v1/ConfigMap": ConfigMap as unknown as ModelClass,
  "v1/Secret": Secret as unknown as ModelClass,
  "v1/Namespace": Namespace as unknown as ModelClass,
  "v1/ResourceQuota": ResourceQuota as unknown as ModelClass,
  "v1/LimitRange": LimitRange as unknown as ModelClass,
  "v1/ServiceAccount": ServiceAccount as unknown as ModelClass,
  "v1/PersistentVolume": PersistentVolume as unknown as ModelClass,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim as unknown as ModelClass,
  "batch/v1/Job": Job as unknown as ModelClass,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget as unknown as ModelClass,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy as unknown as ModelClass,
  "networking.k8s.io/v1/Ingress": Ingress as unknown as ModelClass,
  "scheduling.k8s.io/v1/PriorityClass": PriorityClass as unknown as ModelClass,
  "rbac.authorization.k8s.io/v1/Role": Role as unknown as ModelClass,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding as unknown as ModelClass,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor as unknown as ModelClass,
  "monitoring.coreos.com/v1/PodMonitor": PodMonitor as unknown as ModelClass,
  "monitoring.coreos.com/v1/PrometheusRule": PrometheusRule as unknown as ModelClass,
  "karpenter.sh/v1/NodePool": NodePool as unknown as ModelClass,
  "karpenter.k8s.aws/v1/EC2NodeClass": EC2NodeClass as unknown as ModelClass,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject as unknown as ModelClass,
};

/**
 * KServe, Gateway API, the Inference Extension and Istio have no models package here, and the pinned
 * Karpenter package predates NodeOverlay: their schemas come from the CRDs at the pinned versions
 * (test/schemas/*.json, each CRD's openAPIV3Schema). Objects are closed where the CRD
 * lists properties, so a misspelt field fails instead of being pruned by the API server.
 */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === "properties"
        ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, closeObjects(pv)]))
        : closeObjects(v),
    ]),
  );
  if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"])
    out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const CRD_SCHEMAS: Record<string, ValidateFunction> = Object.fromEntries(
  [
    clusterStorageContainer,
    inferenceServiceSchema,
    servingRuntime,
    gatewaySchema,
    httpRouteSchema,
    inferencePoolSchema,
    destinationRuleSchema,
    requestAuthenticationSchema,
    authorizationPolicySchema,
    nodeOverlay,
  ].map((doc) => {
    const schema = closeObjects(doc.schema) as Record<string, unknown>;
    (schema.properties as Record<string, unknown>).metadata = { type: "object" };
    return [`${doc.apiVersion}/${doc.kind}`, ajv.compile(schema)];
  }),
);

/** Validates one object against its upstream schema; throws for a kind with no known schema. */
export function validateAgainstUpstreamSchema(obj: Record<string, unknown>): void {
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const crd = CRD_SCHEMAS[key];
  if (crd) {
    const name = (obj.metadata as { name?: string } | undefined)?.name;
    const valid: boolean = crd(obj);
    if (!valid) throw new Error(`${key} ${JSON.stringify(name)}: ${ajv.errorsText(crd.errors)}`);
    return;
  }
  const Model = MODELS[key];
  if (!Model) throw new Error(`no upstream schema registered for ${key}; add it to test/k8s-schemas.ts`);
  new Model(withSecretMapsFilledIn(obj) as never).validate();
}

/**
 * The plan redacts a Secret's whole `data`/`stringData` map to "[secret]"; validate the rest of
 * the object with a map of the right shape in its place.
 */
function withSecretMapsFilledIn(obj: Record<string, unknown>): Record<string, unknown> {
  if (obj.kind !== "Secret") return obj;
  const out = { ...obj };
  for (const key of ["data", "stringData"])
    if (out[key] === "[secret]") out[key] = { redacted: key === "data" ? "cmVkYWN0ZWQ=" : "redacted" };
  return out;
}
