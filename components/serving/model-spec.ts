import type { ModelTrack } from "./tracks";
import { allowedCidrsProblems } from "./callers";
import type { Environment } from "../common/tags";
import {
  ACCELERATOR_KINDS,
  ACCELERATOR_REGISTRY,
  ACCELERATORS,
  type AcceleratorKind,
  DEVICE_FIELDS,
} from "../common/accelerators";
import { INSTANCE_TYPES } from "../common/instance-types";
import { DEFAULT_GPU_MEMORY_GIB, defaultLlmLimits, LLM_LIMIT_BOUNDS, LlmLimits } from "./llm-limits";
import { modelBoundsProblems } from "./model-bounds";
import { adapterProblems, loraSlotsGiB } from "./adapters";
import { generatedNameProblem } from "./model-names";
import { MODEL_SOURCE_RULE, parseModelSource, servedSource } from "./model-source";
import { mountableSourceProblem } from "./mounted-weights";
import { defaultRuntimeFor, isRuntimeId, MODEL_RUNTIMES, routedByGateway, RUNTIME_IDS, TRITON } from "./runtimes";
import { wakeTimeoutProblem } from "./gateway/scale-from-zero";
import { modelTracks, rolloutKeyProblems } from "./tracks";
import type { ModelSpec, ScalingMetric } from "./model-types";

export {
  MODEL_ACCELERATORS,
  MODEL_SERVERS,
  SCALING_METRICS,
  type ModelAccelerator,
  type ModelServer,
  type ModelSpec,
  type ScalingMetric,
} from "./model-types";

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `a, b or c`: how messages list choices. */
export function oneOf(choices: readonly string[]): string {
  return choices.length < 2 ? choices.join("") : `${choices.slice(0, -1).join(", ")} or ${choices[choices.length - 1]}`;
}
/** Metrics whose target is a percentage (at most 100). */
const PERCENT_METRICS: readonly ScalingMetric[] = ["kv-cache", "gpu-utilization"];

/** Largest `serverStartSeconds` accepted: an hour, the vLLM-Neuron startup probe's bound (10 s x 360). */
export const MAX_SERVER_START_SECONDS = 3600;

/**
 * Largest `weightsGiB` accepted: the most accelerator memory any catalogued instance type holds
 * (p5.48xlarge, 8 x 80 GiB), since a model's weights must fit its devices.
 */
export const MAX_WEIGHTS_GIB = Math.max(
  ...INSTANCE_TYPES.map((t) => (t.accelerator ? (t.accelerator.count * t.accelerator.memoryMiBEach) / 1024 : 0)),
);

/** How many models one platform serves at most (each is a Deployment or InferenceService, an Ingress rule, monitors and a scaler). */
export const MODEL_LIST_LIMIT = {
  max: 256,
  what: "models",
  hint: "split the models across platforms or teams",
} as const;

const DNS_LABEL = /^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/;

/** Every problem with one model spec, as `field: rule` pairs relative to the model. */
export function modelSpecProblems(m: ModelSpec, environment: Environment): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  if (!DNS_LABEL.test(m.name)) add("name", "must be a DNS label of at most 42 characters starting with a letter");
  const generated = generatedNameProblem(m.name);
  if (generated) add("name", generated);
  if (!parseModelSource(m.source)) add("source", MODEL_SOURCE_RULE);
  if (m.replicas.min > m.replicas.max)
    add("replicas", `min must not exceed max (${m.replicas.min} > ${m.replicas.max})`);
  if (m.replicas.min === 0 && environment !== "dev")
    add("replicas.min", "scale to zero is allowed in dev only; keep at least 1 replica");
  if (environment === "prod" && m.replicas.min < 2) add("replicas.min", "prod serves from at least 2 replicas");
  if (m.wakeTimeoutSeconds !== undefined) {
    const problem = wakeTimeoutProblem(m.wakeTimeoutSeconds);
    if (problem) add("wakeTimeoutSeconds", problem);
    if (m.replicas.min !== 0)
      add("wakeTimeoutSeconds", "applies to a model that scales from zero: set replicas.min to 0, or remove it");
    if (!routedByGateway(m))
      add(
        "wakeTimeoutSeconds",
        `only the LLM gateway holds a request while a model wakes (${oneOf(RUNTIME_IDS.filter((r) => MODEL_RUNTIMES[r].inferencePool))} ` +
          `with server: kserve); another model at 0 replicas stays parked`,
      );
  }
  if (m.replicas.min === 0 && m.shadow)
    add(
      "shadow",
      "a shadow gets mirrored copies that no endpoint picker holds, so nothing wakes it from zero: keep replicas.min at 1 or more, or remove the shadow",
    );
  const asked = ACCELERATOR_KINDS.filter((k) => m.resources[ACCELERATORS[k].deviceField] !== undefined);
  if (m.accelerator === "cpu" && asked.length > 0)
    add("resources", `a cpu model requests neither ${DEVICE_FIELDS.join(" nor ")}`);
  else if (m.accelerator !== "cpu")
    for (const k of asked.filter((k) => k !== m.accelerator)) {
      const own = ACCELERATORS[m.accelerator as AcceleratorKind];
      add(
        `resources.${ACCELERATORS[k].deviceField}`,
        `${own.article} ${m.accelerator} model requests ${own.deviceField}, not ${ACCELERATORS[k].device.many}`,
      );
    }
  const runtime = isRuntimeId(m.runtime) ? MODEL_RUNTIMES[m.runtime] : undefined;
  if (!runtime) add("runtime", `must be ${oneOf(RUNTIME_IDS)}`);
  else if (m.server === "triton" && !TRITON.accelerators.includes(m.accelerator)) {
    // A kind no runtime targets yet (a new record without its runtime) has nothing to offer instead.
    const served = RUNTIME_IDS.some((r) => MODEL_RUNTIMES[r].accelerators.includes(m.accelerator));
    add(
      "server",
      served
        ? `Triton has no ${capitalised(m.accelerator)} build; serve ${m.accelerator} models with server: ` +
            `kserve (${MODEL_RUNTIMES[defaultRuntimeFor(m.accelerator)].title})`
        : `Triton has no ${capitalised(m.accelerator)} build, and no runtime of the kit runs on ${m.accelerator} (runtimes list their accelerators)`,
    );
  } else {
    if (!runtime.accelerators.includes(m.accelerator))
      add("runtime", `${runtime.title} runs on ${oneOf(runtime.accelerators)}, not ${m.accelerator}`);
    if (!runtime.servers.includes(m.server))
      add("server", `${runtime.title} is served with server: ${oneOf(runtime.servers)}`);
    if (m.autoscaling.metric === "gpu-utilization") {
      // Device utilisation comes from a kind's exporter (its record's metrics), not from the runtime.
      const metric = m.autoscaling.metric;
      const kinds = ACCELERATOR_KINDS.filter((k) => ACCELERATOR_REGISTRY.record(k).metrics.scalingMetric === metric);
      if (!(kinds as readonly string[]).includes(m.accelerator))
        add(
          "autoscaling.metric",
          `${metric} needs ${kinds.map((k) => `${ACCELERATORS[k].article} ${k}`).join(" or ")} model`,
        );
    } else if (!runtime.scalingQueries[m.autoscaling.metric])
      add(
        "autoscaling.metric",
        `${runtime.title} reports ${Object.keys(runtime.scalingQueries).join(", ")}, not ${m.autoscaling.metric}`,
      );
  }
  if (!(m.autoscaling.target > 0)) add("autoscaling.target", "must be greater than 0");
  // The runtime's own rules (its check hook), e.g. vLLM-Neuron's in-flight target below its batch size.
  for (const p of runtime?.modelProblems?.(m) ?? []) add(p.field, p.message);
  if (PERCENT_METRICS.includes(m.autoscaling.metric) && m.autoscaling.target > 100)
    add("autoscaling.target", `${m.autoscaling.metric} is a percentage (at most 100)`);
  if (m.llm) {
    if (runtime && !runtime.llmLimits)
      add(
        "llm",
        `${runtime.title} takes no llm limits; they apply to ${oneOf(RUNTIME_IDS.filter((r) => MODEL_RUNTIMES[r].llmLimits))}`,
      );
    for (const key of ["maxModelLen", "maxNumSeqs", "kvCacheBytesPerToken"] as const) {
      const { min, max } = LLM_LIMIT_BOUNDS[key];
      const v = m.llm[key];
      if (v === undefined && key === "kvCacheBytesPerToken") continue;
      if (!Number.isInteger(v) || v! < min || v! > max)
        add(`llm.${key}`, `must be a whole number from ${min} to ${max}`);
    }
  }
  if (m.weightsGiB !== undefined && !(m.weightsGiB > 0 && m.weightsGiB <= MAX_WEIGHTS_GIB))
    add("weightsGiB", `must be more than 0 and at most ${MAX_WEIGHTS_GIB} (GiB of model files)`);
  if (
    m.serverStartSeconds !== undefined &&
    !(
      Number.isInteger(m.serverStartSeconds) &&
      m.serverStartSeconds > 0 &&
      m.serverStartSeconds <= MAX_SERVER_START_SECONDS
    )
  )
    add("serverStartSeconds", `must be a whole number of seconds from 1 to ${MAX_SERVER_START_SECONDS}`);
  if (m.allowedCidrs) for (const p of allowedCidrsProblems(m.allowedCidrs)) add(`allowedCidrs${p.path}`, p.message);
  for (const { field, source, pinnedVersion: pinned } of modelTracks(m)) {
    const parsed = parseModelSource(source);
    if (!parsed) continue;
    const alias = parsed.kind === "mlflow" ? parsed.alias : undefined;
    if (pinned !== undefined) {
      if (alias === undefined)
        add(`${field}pinnedVersion`, "pins an alias source (models:/<name>@<alias>); this source names no alias");
      else if (!Number.isInteger(pinned) || pinned < 1)
        add(`${field}pinnedVersion`, "must be a registry version (1 or more)");
    } else if (alias !== undefined && environment !== "dev")
      add(
        `${field}pinnedVersion`,
        `an alias is resolved by every pod that starts, so replicas could serve different versions; ` +
          `outside dev pin the version ${parsed.kind === "mlflow" ? parsed.model : ""}@${alias} points ` +
          `to now (MLflow UI, or GET /api/2.0/mlflow/registered-models/alias?name=...&alias=...)`,
      );
  }
  if (m.mountWeights) {
    if (m.server !== "kserve")
      add("mountWeights", "weights are mounted through KServe's pvc:// storage; serve the model with server: kserve");
    for (const t of modelTracks(m)) {
      const problem = mountableSourceProblem(servedSource(t.source, t.pinnedVersion));
      if (problem) add(`${t.field}source`, problem);
    }
  }
  if (m.compileCache && runtime) {
    if (!runtime.compileCache)
      add(
        "compileCache",
        `${runtime.title} keeps no compile cache the kit can restore; it is offered for ` +
          oneOf(RUNTIME_IDS.filter((r) => MODEL_RUNTIMES[r].compileCache)),
      );
    else if (m.server !== "kserve")
      add("compileCache", "the compile cache is restored into KServe predictors; serve the model with server: kserve");
    else if (!m.mountWeights)
      add("compileCache", "the compile Job reads the weights from the model's mounted prefix: set mountWeights: true");
  }
  for (const p of modelBoundsProblems(m)) add(p.field, p.message);
  if (m.canary) {
    if (m.server !== "kserve") add("canary", "canaries are offered for kserve models");
    if (!parseModelSource(m.canary.source)) add("canary.source", MODEL_SOURCE_RULE);
    // A whole percent: the load balancer controller reads target-group weights as integers (a
    // fractional weight never updates the route), and KServe's canaryTrafficPercent is an int64.
    if (!(Number.isInteger(m.canary.trafficPercent) && m.canary.trafficPercent >= 1 && m.canary.trafficPercent <= 50))
      add("canary.trafficPercent", "must be a whole number from 1 to 50");
  }
  for (const [key, track] of [
    ["abTest", m.abTest],
    ["shadow", m.shadow],
  ] as const) {
    if (!track) continue;
    if (!routedByGateway(m))
      add(
        key,
        `is offered for LLMs (${oneOf(RUNTIME_IDS.filter((r) => MODEL_RUNTIMES[r].inferencePool))} with server: kserve), routed by the LLM gateway`,
      );
    if (!parseModelSource(track.source)) add(`${key}.source`, MODEL_SOURCE_RULE);
  }
  for (const p of rolloutKeyProblems(m)) add(p.field, p.message);
  for (const p of adapterProblems(m, runtime)) add(p.field, p.message);
  return problems;
}

/**
 * Fewest replicas a canary keeps when the stable track keeps at least as many: two, so one replica
 * lost (a spot reclaim, a drain) does not leave the canary's share of traffic on an empty target
 * group, which the ALB's weighted forward still sends requests to; and prod's floor of 2 per model
 * server (policy `inference-workloads-hardened`) holds for the canary too.
 */
export const CANARY_MIN_REPLICAS = 2;

/**
 * Replica bounds of one KServe track. The stable track keeps the model's; a canary is sized from its
 * traffic share, not the stable track's size: its maximum is its share of the stable maximum
 * (rounded up), its minimum its share of the stable minimum but at least
 * {@link CANARY_MIN_REPLICAS} (never more than the stable minimum, so a parked dev model's canary
 * is parked too), and the maximum never below the minimum. A 10% canary of { min: 2, max: 8 } keeps
 * { min: 2, max: 2 }, not { min: 2, max: 8 }.
 */
export function trackReplicas(
  m: Pick<ModelSpec, "replicas" | "canary">,
  track: ModelTrack,
): { min: number; max: number } {
  if (track !== "canary" || !m.canary) return { ...m.replicas };
  const share = m.canary.trafficPercent / 100;
  const min = Math.max(Math.ceil(m.replicas.min * share), Math.min(m.replicas.min, CANARY_MIN_REPLICAS));
  return { min, max: Math.max(min, Math.ceil(m.replicas.max * share)) };
}

/** A model as a stack file or a program gives it: only name, server, accelerator and source are required. */
export type ModelInput = Pick<ModelSpec, "name" | "server" | "accelerator" | "source"> &
  Partial<
    Pick<
      ModelSpec,
      | "runtime"
      | "replicas"
      | "wakeTimeoutSeconds"
      | "autoscaling"
      | "canary"
      | "abTest"
      | "shadow"
      | "pinnedVersion"
      | "weightsGiB"
      | "serverStartSeconds"
      | "mountWeights"
      | "compileCache"
      | "allowedCidrs"
      | "adapters"
    >
  > & {
    resources?: Partial<ModelSpec["resources"]>;
    llm?: Partial<LlmLimits>;
  };

/** What defaults may depend on beyond the environment. */
export interface ModelDefaultsContext {
  /** Smallest memory per device (GiB) of each kind among the instance types its pools list. */
  deviceMemoryGiB?: Partial<Record<AcceleratorKind, number>>;
}

/** Defaults of a model's optional fields; replicas depend on the environment (prod serves from 2). */
export const MODEL_DEFAULTS = {
  replicas: (environment: Environment) => (environment === "prod" ? { min: 2, max: 6 } : { min: 1, max: 2 }),
  cpu: "2",
  memory: "8Gi",
};

/** A model with every default applied: its runtime from the accelerator, autoscaling from the runtime. */
export function withModelDefaults(
  m: ModelInput,
  environment: Environment,
  context: ModelDefaultsContext = {},
): ModelSpec {
  const runtime = m.runtime ?? defaultRuntimeFor(m.accelerator);
  const takesLlm = isRuntimeId(runtime) && MODEL_RUNTIMES[runtime].llmLimits === true;
  const llm =
    takesLlm || m.llm
      ? {
          ...defaultLlmLimits(
            context.deviceMemoryGiB?.[m.accelerator as AcceleratorKind] ?? DEFAULT_GPU_MEMORY_GIB,
            ACCELERATOR_REGISTRY.deviceRequest(m.accelerator, m.resources ?? {})?.count ?? 1,
            Array.isArray(m.adapters) ? loraSlotsGiB(m.adapters) : 0,
          ),
          ...definedLlm(m.llm),
        }
      : undefined;
  return {
    name: m.name,
    server: m.server,
    accelerator: m.accelerator,
    runtime,
    source: m.source,
    ...(m.pinnedVersion !== undefined ? { pinnedVersion: m.pinnedVersion } : {}),
    ...(m.weightsGiB !== undefined ? { weightsGiB: m.weightsGiB } : {}),
    ...(m.serverStartSeconds !== undefined ? { serverStartSeconds: m.serverStartSeconds } : {}),
    ...(m.mountWeights ? { mountWeights: true } : {}),
    ...(m.compileCache ? { compileCache: true } : {}),
    replicas: m.replicas ?? MODEL_DEFAULTS.replicas(environment),
    ...(m.wakeTimeoutSeconds !== undefined ? { wakeTimeoutSeconds: m.wakeTimeoutSeconds } : {}),
    autoscaling: m.autoscaling ?? {
      ...(isRuntimeId(runtime) ? MODEL_RUNTIMES[runtime] : TRITON).defaultAutoscaling,
    },
    resources: {
      ...Object.fromEntries(
        DEVICE_FIELDS.flatMap((f) => (m.resources?.[f] !== undefined ? [[f, m.resources[f]]] : [])),
      ),
      cpu: m.resources?.cpu ?? MODEL_DEFAULTS.cpu,
      memory: m.resources?.memory ?? MODEL_DEFAULTS.memory,
    },
    ...(m.canary ? { canary: m.canary } : {}),
    ...(m.abTest ? { abTest: m.abTest } : {}),
    ...(m.shadow ? { shadow: m.shadow } : {}),
    ...(llm ? { llm } : {}),
    ...(m.allowedCidrs ? { allowedCidrs: m.allowedCidrs } : {}),
    ...(m.adapters ? { adapters: m.adapters } : {}),
  };
}

function definedLlm(llm: Partial<LlmLimits> | undefined): Partial<LlmLimits> {
  return Object.fromEntries(Object.entries(llm ?? {}).filter(([, v]) => v !== undefined));
}
