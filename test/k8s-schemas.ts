import Ajv, { ValidateFunction } from "ajv";
import clusterStorageContainer from "./schemas/kserve-clusterstoragecontainer.json";
import inferenceServiceSchema from "./schemas/kserve-inferenceservice.json";
import servingRuntime from "./schemas/kserve-servingruntime.json";
import nodeOverlay from "./schemas/karpenter-nodeoverlay.json";
import nodePool from "./schemas/karpenter-nodepool.json";
import ec2NodeClass from "./schemas/karpenter-ec2nodeclass.json";
import scaledObjectSchema from "./schemas/keda-scaledobject.json";
import serviceMonitor from "./schemas/prometheus-operator-servicemonitor.json";
import podMonitor from "./schemas/prometheus-operator-podmonitor.json";
import prometheusRule from "./schemas/prometheus-operator-prometheusrule.json";
import gatewaySchema from "./schemas/gateway-api-gateway.json";
import httpRouteSchema from "./schemas/gateway-api-httproute.json";
import inferencePoolSchema from "./schemas/inference-extension-inferencepool.json";
import destinationRuleSchema from "./schemas/istio-destinationrule.json";
import requestAuthenticationSchema from "./schemas/istio-requestauthentication.json";
import authorizationPolicySchema from "./schemas/istio-authorizationpolicy.json";
import kubernetes from "./schemas/kubernetes.json";

/**
 * Every schema is upstream's, committed as derived data in test/schemas/ (each file names its source
 * repository, tag and path; test/schemas/extract.ts writes them from the versions pinned in
 * components/versions.ts):
 * - Kubernetes' own kinds: the definitions of the Kubernetes release the cluster runs (OpenAPI v2);
 * - custom resources: each CRD's openAPIV3Schema at the pinned chart or release.
 * Objects are closed where the schema lists properties, so a misspelt field fails instead of being
 * pruned (or refused) by the API server.
 */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === "properties" || k === "definitions"
        ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, closeObjects(pv)]))
        : closeObjects(v),
    ]),
  );
  if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"])
    out.additionalProperties = false;
  if (typeof out.pattern === "string") out.pattern = re2Pattern(out.pattern);
  return out;
}

/**
 * CRD patterns are Go (RE2) regular expressions. The one RE2 construct in these schemas that
 * JavaScript lacks is a leading case-insensitive flag, `(?i)` (prometheus-operator's
 * `partial_response_strategy`: `^(?i)(abort|warn)?$`): spelled here as a class per letter.
 */
function re2Pattern(pattern: string): string {
  const m = /^(\^?)\(\?i\)(.*)$/.exec(pattern);
  if (!m) return pattern;
  const body = m[2]!;
  if (/[[\\]/.test(body)) throw new Error(`pattern ${pattern}: (?i) with a class or escape is not translated`);
  return m[1] + body.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);
}

const META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
/**
 * The OpenAPI v2 document types two apimachinery values as plain strings where the API server's
 * JSON decoding accepts more (and so do CRD schemas, with `x-kubernetes-int-or-string`):
 * - `IntOrString` (format `int-or-string`): a string or an int32 (apimachinery pkg/util/intstr);
 * - `Quantity`: a number or a string in the quantity grammar (apimachinery pkg/api/resource,
 *   `ParseQuantity`; the pattern is the one controller-gen writes into CRDs for it).
 * Integers of format int32 are bounded, as the decoder bounds them.
 */
const QUANTITY_PATTERN =
  "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
const INT32 = { minimum: -(2 ** 31), maximum: 2 ** 31 - 1 };
function kubernetesDefinitions(definitions: Record<string, unknown>): Record<string, unknown> {
  const fix = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(fix);
    if (node === null || typeof node !== "object") return node;
    const n = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fix(v)])) as Record<string, unknown>;
    if (n.type === "string" && n.format === "int-or-string")
      return { anyOf: [{ type: "integer", ...INT32 }, { type: "string" }] };
    if (n.type === "integer" && n.format === "int32") return { ...n, ...INT32 };
    return n;
  };
  return {
    ...(fix(definitions) as Record<string, unknown>),
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {
      anyOf: [{ type: "number" }, { type: "string", pattern: QUANTITY_PATTERN }],
    },
  };
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(
  { $id: "kubernetes", definitions: closeObjects(kubernetesDefinitions(kubernetes.definitions)) },
  "kubernetes",
);
const SCHEMAS: Record<string, ValidateFunction> = {
  ...Object.fromEntries(
    Object.entries(kubernetes.kinds).map(([kind, definition]) => [
      kind,
      ajv.compile({ $ref: `kubernetes#/definitions/${definition}` }),
    ]),
  ),
  ...Object.fromEntries(
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
      nodePool,
      ec2NodeClass,
      scaledObjectSchema,
      serviceMonitor,
      podMonitor,
      prometheusRule,
    ].map((doc) => {
      const schema = closeObjects(doc.schema) as Record<string, unknown>;
      // A CRD's openAPIV3Schema leaves metadata to the API server, which reads it as ObjectMeta.
      (schema.properties as Record<string, unknown>).metadata = { $ref: `kubernetes#/definitions/${META}` };
      return [`${doc.apiVersion}/${doc.kind}`, ajv.compile(schema)];
    }),
  ),
};

/** Validates one object against its upstream schema; throws for a kind with no known schema. */
export function validateAgainstUpstreamSchema(obj: Record<string, unknown>): void {
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const validate = SCHEMAS[key];
  if (!validate) throw new Error(`no upstream schema registered for ${key}; add it to test/k8s-schemas.ts`);
  const name = (obj.metadata as { name?: string } | undefined)?.name;
  if (!validate(withSecretMapsFilledIn(obj)))
    throw new Error(`${key} ${JSON.stringify(name)}: ${ajv.errorsText(validate.errors)}`);
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
