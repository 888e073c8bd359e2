import type { PullThroughMirror } from "../../cluster/pull-through-cache";
import type { ImagePin } from "../../versions";
import type { RuntimeDrain } from "../drain";
import type { ModelAccelerator, ModelServer, ModelSpec, ScalingMetric } from "../model-types";

/** PromQL an autoscaler tracks, and how the HPA compares it with the target. */
export interface ScalingQuery {
  query: string;
  /**
   * `Value`: the query is already per request or an average, compared to the target as is.
   * `AverageValue`: the query is a total, divided by replicas before comparing.
   */
  metricType: "Value" | "AverageValue";
}

/** A figure of a server's start: the least seconds a source gives, or none when no figure is published. */
export interface ServerStartFigure {
  readonly seconds?: number;
  readonly basis: string;
}

/** How long a runtime takes to start serving once its weights are on the node: see {@link ModelRuntime.serverStart}. */
export interface ServerStart {
  /** A start that compiles (no compile cache, or an empty one). */
  readonly uncached: ServerStartFigure;
  /** A start that finds its compiled artifacts in a cache; absent when the runtime has no such cache. */
  readonly cached?: ServerStartFigure;
}

/**
 * One model server the kit can run, behind one interface: everything serving, monitoring and
 * autoscaling need to know about it. Adding a runtime is one module implementing this, one line
 * in `MODEL_RUNTIMES` and its image pin in `versions.ts`.
 */
export interface ModelRuntime {
  /** Registry key and the `runtime` a stack file names, e.g. `triton`. */
  readonly id: string;
  readonly title: string;
  /** Name of its KServe ServingRuntime and value of the runtime pod label. */
  readonly servingRuntimeName: string;
  /** KServe model format the InferenceService asks for. */
  readonly modelFormat: string;
  readonly image: ImagePin;
  /** Accelerators it runs on; the first runtime listing an accelerator is that accelerator's default. */
  readonly accelerators: readonly ModelAccelerator[];
  /** How it may be deployed: the kit's own Deployment (`triton`) and/or a KServe InferenceService. */
  readonly servers: readonly ModelServer[];
  /**
   * The exporter its metrics are catalogued under (`exporter` of `METRIC_CATALOG` entries,
   * components/monitoring/metrics-catalog.ts), e.g. `vllm`. A test parses every scaling query and
   * fails on a metric the catalogue does not list for this exporter.
   */
  readonly metricsExporter: string;
  /** Container port name serving Prometheus metrics in KServe predictor pods. */
  readonly metricsPort: string;
  /**
   * Non-root uid its pods run as (pod securityContext of KServe predictors; the owner of mounted
   * weights). Model namespaces enforce Pod Security `restricted`: a runtime that needs root cannot run.
   */
  readonly runAsUser: number;
  /** Readiness endpoint (the ALB health-checks it). */
  readonly healthPath: string;
  /**
   * How its pods drain (serving/drain.ts): the longest request a replica may hold when it stops
   * taking new ones. Sets the predictor's termination grace period; its ServingRuntime container
   * carries the matching preStop hook.
   */
  readonly drain: RuntimeDrain;
  /** Autoscaling when the model names none. */
  readonly defaultAutoscaling: { metric: ScalingMetric; target: number };
  /**
   * Queries for the scaling metrics it reports, given a label selector on the model (and track).
   * `gpu-utilization` comes from DCGM and needs no runtime support.
   */
  readonly scalingQueries: Partial<
    Record<Exclude<ScalingMetric, "gpu-utilization">, (selector: string) => ScalingQuery>
  >;
  /**
   * KServe ServingRuntime (serving.kserve.io/v1alpha1) in the serving namespace; its image pulled
   * through `mirror` when the stack has an ECR pull-through cache (serving/model-images.ts `pulledImageRef`).
   */
  servingRuntime(
    namespace: string,
    mirror?: PullThroughMirror,
  ): {
    apiVersion: "serving.kserve.io/v1alpha1";
    kind: "ServingRuntime";
    metadata: { name: string; namespace: string };
    spec: Record<string, unknown>;
  };
  /** Takes the model's `llm` limits (context length, batch size); models on other runtimes may not set them. */
  readonly llmLimits?: true;
  /**
   * How the server reads weights mounted from S3 (`mountWeights`, Mountpoint): the arguments that make
   * it read each file whole and in order, and the source saying so. The cold-start floor counts a
   * mounted model's weights at the network rate only with this; without it (a server that memory-maps
   * the files, whose random reads a network mount serves slowly) the weights phase is left unknown.
   * Default: none.
   */
  readonly mountedWeightsLoad?: { readonly args: readonly string[]; readonly basis: string };
  /**
   * The server's own start once its weights are on the node, read by the plan's cold-start floor:
   * loading onto the devices and compiling (torch.compile, CUDA graphs, a Neuron compile), without and
   * with a compile cache, each the least published figure with its source, or no seconds where none is
   * published (the floor then lists the phase as unknown). Default: unknown.
   */
  readonly serverStart?: ServerStart;
  /**
   * Keeps its compiled artifacts in one directory read from an env variable, which a replica may be
   * given filled (`serving.models[].compileCache`, serving/compile-cache.ts): a Job compiles once per
   * version and GPU type and uploads the directory; replicas restore it before the server starts, and
   * the cold-start floor then counts `serverStart.cached`. Default: none (compileCache is refused).
   */
  readonly compileCache?: {
    /** The env variable naming the directory the server reads (and writes) its compiled artifacts in. */
    readonly env: string;
    /**
     * Whether what it keeps there is keyed by the device it was compiled on, so that the caches of
     * several device types can sit in one directory and the server picks its own (vLLM's torch.compile
     * cache); otherwise the model's pool may offer one device type only.
     */
    readonly perDevice: boolean;
    readonly basis: string;
  };
  /**
   * Serves the OpenAI-compatible API and reports the vLLM metrics the LLM gateway's endpoint picker
   * scores on (queue, KV cache, prefix cache): with `serving.gateway` its models are routed through it.
   */
  readonly inferencePool?: true;
  /**
   * Serves LoRA adapters on the model's base (`serving.models[].adapters`): the runtime's `modelArgs`
   * then carry the adapters' arguments (adapters.ts `loraArgs`), and the kit mounts each adapter
   * read-only at `adapterMountPath`. Default: adapters are refused, with {@link noLoraReason}.
   */
  readonly loraAdapters?: true;
  /** Why a runtime without `loraAdapters` serves none, for the error. Default: none given. */
  readonly noLoraReason?: string;
  /**
   * Rules of its own on a model that runs on it, as `field: rule` pairs relative to the model, checked
   * with the rest of the model (`modelSpecProblems`: the stack file, the components, the policies).
   * Default: none.
   */
  modelProblems?(model: ModelSpec): { field: string; message: string }[];
  /** Extra server arguments of one model on KServe (e.g. parallelism from its devices). Default: none. */
  modelArgs?(model: ModelSpec): string[];
}

/** The server container of a runtime's ServingRuntime, as far as the kit reads it. */
export interface ServingRuntimeContainer {
  command: string[];
  args: string[];
  env: { name: string; value?: string }[];
  workingDir?: string;
  volumeMounts: { name: string; mountPath: string }[];
  readinessProbe?: Record<string, unknown>;
}

/** The server container and volumes of the runtime's ServingRuntime, which every replica runs. */
export function servingRuntimePod(runtime: ModelRuntime, namespace: string) {
  const spec = runtime.servingRuntime(namespace).spec as {
    containers: ServingRuntimeContainer[];
    volumes?: { name: string; emptyDir: { medium?: string; sizeLimit?: string } }[];
  };
  return { container: spec.containers[0], volumes: spec.volumes ?? [] };
}
