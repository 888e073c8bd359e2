/**
 * vLLM's torch.compile cache kept across replica starts (issue 28): a Job compiles each served
 * version once per device type and uploads the cache to the registry's bucket; every replica restores
 * it into its own emptyDir before vLLM starts, and starts compiling as before when there is none yet.
 * Generic over runtimes that declare `compileCache` (the env variable naming their cache directory):
 * vLLM on NVIDIA GPUs (below) and vLLM on Neuron, whose compiled model in NEURON_COMPILED_ARTIFACTS
 * is kept the same way, one device type per model (runtimes/vllm-neuron.ts).
 *
 * What the pinned vLLM (v0.16.0, vllm/vllm-openai) does, read in vllm-project/vllm. The tag's tree is
 * over the fetch limit; these files were read in stored versions from around v0.16.0 (they agree on
 * each point below):
 * - Where: `VLLM_CACHE_ROOT`, default `$XDG_CACHE_HOME/vllm` or `~/.cache/vllm` (vllm/envs.py
 *   `get_default_cache_root`). The compiled graphs go to
 *   `<VLLM_CACHE_ROOT>/torch_compile_cache/<hash>/rank_<rank>_<dp rank>/<prefix>/` (vllm/compilation/
 *   backends.py `VllmBackend.__call__`). With the standalone Inductor compile, on by default
 *   (`VLLM_USE_STANDALONE_COMPILE` "1" in vllm/envs.py), each artifact is saved whole there, Triton
 *   kernels included (`InductorStandaloneAdaptor.compile` saves to `cache_dir/key` in the `binary`
 *   format, `VLLM_COMPILE_CACHE_SAVE_FORMAT`'s default); the older adaptor points TORCHINDUCTOR_CACHE_DIR
 *   and TRITON_CACHE_DIR under the same directory "then users only need to copy the cache_dir to another
 *   machine to reuse the cache" (vllm/compilation/compiler_interface.py `InductorAdaptor.initialize_cache`).
 *   With torch 2.10 (vLLM's AOT compile is on by default from it: vllm/envs.py `use_aot_compile`), Dynamo's
 *   output goes to `<VLLM_CACHE_ROOT>/torch_compile_cache/torch_aot_compile/<hash>/` (vllm/compilation/
 *   decorators.py). Everything is under VLLM_CACHE_ROOT, so that one directory is what is kept.
 * - What the hash covers: the env factors, the vLLM config (model, parallelism, limits), the traced
 *   source files, and the compiler's factors (`get_inductor_factors`: torch's `CacheBase.get_system()`,
 *   which holds the GPU's name, the CUDA version and Triton's key, with `torch_key()`;
 *   pytorch torch/_inductor/codecache.py). A cache made on an L4 is a different directory from one made
 *   on an A10G, so the caches of several GPU types sit side by side and vLLM picks its own. The AOT
 *   directory's hash holds no device factor, but what it keeps is the Dynamo graph: loading it "reruns
 *   the compiler backend which should result in a cache hit" (vllm/compilation/caching.py
 *   `VllmSerializableFunction.deserialize_compile_artifacts`), i.e. the per-device directory above.
 * - Whether a hit writes: the backend creates its directories and writes `cache_key_factors.json` and
 *   `computation_graph.py` only when absent, but a shape or config that misses compiles and saves into
 *   the same tree. So replicas get a writable copy in their own emptyDir, never a shared volume.
 *
 * Trust: a serving pod never writes the cache (a compromised replica must not plant compiled code that
 * other replicas load). Only the compile Job's role, tagged {@link COMPILE_CACHE_WRITER_PURPOSE}, may
 * put objects, and only under {@link COMPILE_CACHE_PREFIX}; models read it with their model-reader role.
 *
 * Pure: no Pulumi imports.
 */
import { createHash } from "node:crypto";
import { combinedPolicy, type PolicyDocument } from "../common/iam";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../common/pod-security";
import { IMAGES, imageRef } from "../versions";
import type { PullThroughMirror } from "../cluster/pull-through-cache";
import { pulledImageRef } from "../cluster/pull-through-cache";
import { KSERVE_HTTP_PORT } from "./ports";
import type { ModelSpec } from "./model-types";
import { runtimeOf } from "./runtimes";
import { servingRuntimePod, type ModelRuntime } from "./runtimes/runtime";
import { modelReaderPolicy, placementFor, resourcesFor } from "./triton-builders";
import { prefixWriterStatements, type WeightsLocation } from "./mounted-weights";
import { adapterMountPath, adapterVolumeName } from "./adapters";
import { fetcherSecurityContext, modelFetcherEnv } from "./model-fetcher";
import { ACCELERATORS, isAcceleratorKind, type AcceleratorKindRecord } from "../common/accelerators";

/** Prefix of the registry bucket where compile caches live (beside the staged weights, outside MLflow's own). */
export const COMPILE_CACHE_PREFIX = "mlserving-compile-cache";
/** Tag value (`mlserving.io/purpose`) of the compile Jobs' roles: the policy pack lets them write under {@link COMPILE_CACHE_PREFIX} only. */
export const COMPILE_CACHE_WRITER_PURPOSE = "compile-cache-writer";
/**
 * File the Job's check leaves in the cache directory when the device's cache is already kept: the
 * compile step then exits without starting a server. Only where the mark is, so never uploaded.
 */
export const COMPILE_CACHE_DONE = ".mlserving-kept";
/**
 * Longest a compile Job runs (Kubernetes' `activeDeadlineSeconds`): a node of the device, the images,
 * the weights and the server's start with its compile (on Neuron up to the hour its startup probe
 * allows), the upload. Past it the Job fails with DeadlineExceeded and frees its device; Pulumi waits
 * 5 minutes longer, so `pulumi up` reports the Job's own failure.
 */
export const COMPILE_JOB_DEADLINE_SECONDS = 85 * 60;
/** Object written last under one GPU type's prefix: the cache is all there. */
export const COMPILE_CACHE_MARK = ".mlserving-compiled";
/** Label of compile Job pods, valued with the model's name (not the model's own label: they serve nothing). */
export const COMPILE_CACHE_LABEL = "mlserving.io/compile-cache-of";
/** Where the cache directory is mounted, in the Job and in every replica (an emptyDir; the runtime's cache env points at it). */
export const COMPILE_CACHE_DIR = "/var/cache/mlserving-compile";
/** The emptyDir volume holding the cache. */
export const COMPILE_CACHE_VOLUME = "compile-cache";

/** The compile Jobs' service account in the model's namespace. */
export function compileCacheServiceAccount(model: string): string {
  return `${model}-compile`;
}

/** One track's compile: the exact command and environment of its replicas, and where its cache is kept. */
export interface CompileCacheTrack {
  /** The InferenceService the cache is for (its track's `--served-model-name`). */
  isvc: string;
  namespace: string;
  model: string;
  /** The server's whole command line, as its replicas run it: the ServingRuntime's command and args, then the predictor's. */
  command: string[];
  /** The server's environment that is the same in every replica (the ServingRuntime's plain values). */
  env: { name: string; value: string }[];
  /** The image the server runs. */
  image: string;
  /** Key prefix (no trailing slash) holding one directory per device type, `<prefix>/<device>/`. */
  prefix: string;
}

/**
 * The command a replica of `isvc` runs: the ServingRuntime's `command` and `args` (KServe substitutes
 * `{{.Name}}` with the InferenceService's name) followed by the predictor's args.
 */
export function serverCommand(
  runtime: ModelRuntime,
  namespace: string,
  isvc: string,
  predictorArgs: readonly string[],
): string[] {
  const { container } = servingRuntimePod(runtime, namespace);
  return [...container.command, ...container.args.map((a) => a.replaceAll("{{.Name}}", isvc)), ...predictorArgs];
}

/** The ServingRuntime's plain env values (those every replica has), which the Job repeats. */
function runtimeEnv(runtime: ModelRuntime, namespace: string): { name: string; value: string }[] {
  return servingRuntimePod(runtime, namespace).container.env.flatMap((e) =>
    e.value !== undefined ? [{ name: e.name, value: e.value }] : [],
  );
}

/**
 * Where one track's cache lives: `mlserving-compile-cache/<namespace>/<model>/<key>`, the key naming
 * the image, the command, the env and the weights' prefix, so any change to what is compiled gets a
 * new, empty prefix (the old one is never read again) instead of a cache whose mark is already there.
 */
export function compileCacheTrack(
  model: ModelSpec,
  input: { isvc: string; namespace: string; predictorArgs: readonly string[]; weights: WeightsLocation },
): CompileCacheTrack {
  const runtime = runtimeOf(model);
  if (!runtime.compileCache) throw new Error(`${runtime.title} keeps no compile cache`);
  const command = serverCommand(runtime, input.namespace, input.isvc, input.predictorArgs);
  // The cache env replaces the runtime's own value of it (vLLM-Neuron sets NEURON_COMPILED_ARTIFACTS on /tmp).
  const cacheEnv = runtime.compileCache.env;
  const env = [
    ...runtimeEnv(runtime, input.namespace).filter((e) => e.name !== cacheEnv),
    { name: cacheEnv, value: COMPILE_CACHE_DIR },
  ];
  const image = imageRef(runtime.image);
  const key = createHash("sha256")
    .update(
      JSON.stringify({
        image,
        command,
        env,
        weights: `${input.weights.bucket ?? "(registry)"}/${input.weights.prefix}`,
      }),
    )
    .digest("hex")
    .slice(0, 12);
  return {
    isvc: input.isvc,
    namespace: input.namespace,
    model: model.name,
    command,
    env,
    image,
    prefix: `${COMPILE_CACHE_PREFIX}/${input.namespace}/${model.name}/${key}`,
  };
}

/** The Job's name for one device type: `<isvc>-cc-<8 hex>` (at most 49 + 4 + 8 = 61 characters, a label value). */
export function compileJobName(t: Pick<CompileCacheTrack, "isvc" | "prefix">, device: string): string {
  const h = createHash("sha256").update(`${t.prefix}/${device}`).digest("hex").slice(0, 8);
  return `${t.isvc}-cc-${h}`;
}

/**
 * Runs the server (its command line as arguments) until it answers /health, then stops it: by then
 * vLLM has compiled and saved every graph it serves with and captured its CUDA graphs. Exits non-zero
 * when the server stops first. Python's standard library only (the vLLM image ships python3).
 */
export const COMPILE_SCRIPT = [
  "import os, signal, subprocess, sys, time, urllib.request",
  `if os.path.exists(os.path.join(os.environ["MLSERVING_COMPILE_DIR"], '${COMPILE_CACHE_DONE}')):`,
  "    sys.exit(print('a compile cache is already kept for this device: nothing to compile'))",
  "server = subprocess.Popen(sys.argv[1:])",
  "while True:",
  "    code = server.poll()",
  "    if code is not None:",
  "        sys.exit(f'the server exited ({code}) before it served')",
  "    try:",
  `        if urllib.request.urlopen('http://127.0.0.1:${KSERVE_HTTP_PORT}/health', timeout=5).status == 200:`,
  "            break",
  "    except Exception:",
  "        pass",
  "    time.sleep(5)",
  "server.send_signal(signal.SIGTERM)",
  "try:",
  "    server.wait(timeout=120)",
  "except subprocess.TimeoutExpired:",
  "    server.kill()",
  "    server.wait()",
  `print(f'compiled into {os.environ["MLSERVING_COMPILE_DIR"]}')`,
].join("\n");

/** Python that defines `marked()`: whether the device's prefix holds the mark. Given `<bucket> <prefix> <directory>`. */
const MARK_CHECK = [
  "import os, sys",
  "bucket, prefix, root = sys.argv[1], sys.argv[2].rstrip('/') + '/', sys.argv[3]",
  "import boto3",
  "from botocore.exceptions import ClientError",
  "s3 = boto3.client('s3')",
  `mark = prefix + '${COMPILE_CACHE_MARK}'`,
  "def marked():",
  "    try:",
  "        s3.head_object(Bucket=bucket, Key=mark)",
  "        return True",
  "    except ClientError as e:",
  "        if e.response.get('Error', {}).get('Code') not in ('404', 'NoSuchKey', 'NotFound'):",
  "            raise",
  "        return False",
];

/**
 * Runs first in the Job: where the device's cache is already kept (a re-run, a Job replaced for a
 * change that leaves the cache as it is), it leaves {@link COMPILE_CACHE_DONE} in the directory, so
 * the compile step starts no server and the upload sends nothing. boto3, in the MLflow image.
 */
export const CHECK_CACHE_SCRIPT = [
  ...MARK_CHECK,
  "if marked():",
  `    open(os.path.join(root, '${COMPILE_CACHE_DONE}'), 'w').close()`,
  "    print(f'a compile cache is already at s3://{bucket}/{prefix}')",
].join("\n");

/**
 * Uploads every file of the cache directory under the GPU type's prefix, then the mark; exits at once
 * when the mark is there (a re-run, or another Job's since the check). Given `<bucket> <prefix>
 * <directory>`. boto3, in the MLflow image.
 */
export const UPLOAD_CACHE_SCRIPT = [
  ...MARK_CHECK,
  "if marked():",
  "    sys.exit(print(f'a compile cache is already at s3://{bucket}/{prefix}'))",
  "count = 0",
  "for d, _, files in os.walk(root):",
  "    for f in files:",
  "        path = os.path.join(d, f)",
  "        s3.upload_file(path, bucket, prefix + os.path.relpath(path, root))",
  "        count += 1",
  "if count == 0:",
  "    sys.exit(f'the server wrote no compile cache under {root}')",
  "s3.put_object(Bucket=bucket, Key=mark, Body=b'')",
  "print(f'uploaded {count} files to s3://{bucket}/{prefix}')",
].join("\n");

/**
 * Copies into the directory every GPU type's cache whose mark is there, merged (their hash directories
 * differ by device; see the module's notes). Never fails the pod: with no cache, or on any error (the
 * partial copy removed), the server starts and compiles as it would without one. Given
 * `<bucket> <prefix> <directory>`. boto3, in the MLflow image.
 */
export const RESTORE_CACHE_SCRIPT = [
  "import os, shutil, sys",
  "bucket, prefix, dst = sys.argv[1], sys.argv[2].rstrip('/') + '/', sys.argv[3]",
  "try:",
  "    import boto3",
  "    s3 = boto3.client('s3')",
  "    pages = s3.get_paginator('list_objects_v2').paginate(Bucket=bucket, Prefix=prefix)",
  "    keys = [o['Key'] for p in pages for o in p.get('Contents', [])]",
  `    done = [k[: -len('${COMPILE_CACHE_MARK}')] for k in keys if k.endswith('/${COMPILE_CACHE_MARK}')]`,
  "    count = 0",
  "    for key in keys:",
  "        gpu = next((g for g in done if key.startswith(g)), None)",
  `        if gpu is None or key.endswith('/${COMPILE_CACHE_MARK}'):`,
  "            continue",
  "        path = os.path.join(dst, key[len(gpu):])",
  "        os.makedirs(os.path.dirname(path), exist_ok=True)",
  "        s3.download_file(bucket, key, path)",
  "        count += 1",
  "    print(f'restored {count} files of {len(done)} compile cache(s) from s3://{bucket}/{prefix}' if done else 'no compile cache yet: the server compiles')",
  "except Exception as e:",
  "    for entry in os.listdir(dst):",
  "        p = os.path.join(dst, entry)",
  "        shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)",
  "    print(f'compile cache not restored ({e}): the server compiles')",
].join("\n");

/** The boto3 containers' environment: the region, and HOME on their scratch /tmp. */
export interface CompileJobInput {
  track: CompileCacheTrack;
  model: ModelSpec;
  /** The device's name (the value of its kind's `karpenterDeviceNameLabel`) this Job compiles on. */
  device: string;
  /** The scheduler the model's replicas use (the Neuron scheduler extension for Neuron models). Default: the default scheduler. */
  schedulerName?: string;
  /** The registry's bucket, where the cache is kept. */
  bucket: string;
  /** The claim of the track's mounted weights (the same read-only volume its replicas mount at /mnt/models). */
  weightsClaim: string;
  /**
   * The claim of each of the model's LoRA adapters, by name: mounted where the replicas mount them, since
   * the server loads them at start (and they are part of what vLLM compiles for). Required for a model with adapters.
   */
  adapterClaims?: Readonly<Record<string, string>>;
  region: string;
  /** The stack's pull-through cache, when it has one. Default: the images' own registries. */
  mirror?: PullThroughMirror;
}

/**
 * The Job that fills one GPU type's cache for one track: on a node of that GPU (Karpenter's label), the
 * server's image, command, env, resources and weights exactly as its replicas have them, compiling into
 * an emptyDir (init container); then the MLflow image uploads the directory and writes the mark. Its
 * pods run as the compile service account, whose role writes only under the track's prefix.
 */
export function compileCacheJob(input: CompileJobInput) {
  const { track, model } = input;
  const runtime = runtimeOf(model);
  const labels = { [COMPILE_CACHE_LABEL]: model.name };
  const placement = placementFor(model.accelerator);
  const name = compileJobName(track, input.device);
  const server = servingRuntimePod(runtime, track.namespace);
  const adapters = model.adapters ?? [];
  const missing = adapters.filter((a) => !input.adapterClaims?.[a.name]).map((a) => a.name);
  if (missing.length > 0) throw new Error(`model ${model.name}: no claim for adapter(s) ${missing.join(", ")}`);
  // The MLflow image's boto3 on the device's prefix: the check before the compile, the upload after it.
  const cacheS3Container = (
    name: string,
    script: string,
    size: { cpu: string; memory: string; limit: string },
    readOnlyCache: boolean,
  ) => ({
    name,
    image: pulledImageRef(IMAGES.mlflow, input.mirror),
    command: ["python", "-c", script],
    args: [input.bucket, `${track.prefix}/${input.device}/`, COMPILE_CACHE_DIR],
    env: modelFetcherEnv({ region: input.region }),
    resources: { requests: { cpu: size.cpu, memory: size.memory }, limits: { memory: size.limit } },
    securityContext: fetcherSecurityContext(),
    volumeMounts: [
      { name: COMPILE_CACHE_VOLUME, mountPath: COMPILE_CACHE_DIR, ...(readOnlyCache ? { readOnly: true } : {}) },
      { name: "upload-tmp", mountPath: "/tmp" },
    ],
  });
  return {
    apiVersion: "batch/v1" as const,
    kind: "Job" as const,
    metadata: {
      name,
      namespace: track.namespace,
      labels,
      annotations: { "mlserving.io/compile-cache": `${track.prefix}/${input.device}/` },
    },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: COMPILE_JOB_DEADLINE_SECONDS,
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: compileCacheServiceAccount(model.name),
          automountServiceAccountToken: false,
          restartPolicy: "Never",
          ...(input.schedulerName ? { schedulerName: input.schedulerName } : {}),
          nodeSelector: { ...placement.nodeSelector, [deviceLabel(model.accelerator)]: input.device },
          ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
          securityContext: restrictedPodSecurityContext(runtime.runAsUser),
          initContainers: [
            cacheS3Container("check", CHECK_CACHE_SCRIPT, { cpu: "100m", memory: "256Mi", limit: "512Mi" }, false),
            {
              name: "compile",
              image: pulledImageRef(runtime.image, input.mirror),
              command: ["python3", "-c", COMPILE_SCRIPT, ...track.command],
              env: [...track.env, { name: "MLSERVING_COMPILE_DIR", value: COMPILE_CACHE_DIR }],
              ...(server.container.workingDir ? { workingDir: server.container.workingDir } : {}),
              resources: resourcesFor(model),
              securityContext: {
                ...restrictedContainerSecurityContext(),
                runAsUser: runtime.runAsUser,
                runAsGroup: runtime.runAsUser,
              },
              // The replica's own mounts (its /tmp, its /dev/shm), the weights where KServe mounts them, the cache.
              volumeMounts: [
                ...server.container.volumeMounts,
                { name: "weights", mountPath: "/mnt/models", readOnly: true },
                ...adapters.map((a) => ({
                  name: adapterVolumeName(a.name),
                  mountPath: adapterMountPath(a.name),
                  readOnly: true,
                })),
                { name: COMPILE_CACHE_VOLUME, mountPath: COMPILE_CACHE_DIR },
              ],
            },
          ],
          containers: [
            cacheS3Container("upload", UPLOAD_CACHE_SCRIPT, { cpu: "500m", memory: "1Gi", limit: "2Gi" }, true),
          ],
          volumes: [
            ...server.volumes,
            { name: "weights", persistentVolumeClaim: { claimName: input.weightsClaim, readOnly: true } },
            ...adapters.map((a) => ({
              name: adapterVolumeName(a.name),
              persistentVolumeClaim: { claimName: input.adapterClaims![a.name], readOnly: true },
            })),
            { name: COMPILE_CACHE_VOLUME, emptyDir: {} },
            { name: "upload-tmp", emptyDir: {} },
          ],
        },
      },
    },
  };
}

export type CompileCacheRestore = ReturnType<typeof compileCacheRestore>;

/**
 * What a replica adds to restore the cache: an init container (the MLflow image, the model's own pod
 * identity, which reads the prefix) filling an emptyDir, mounted where the runtime's cache env points.
 */
export function compileCacheRestore(input: {
  track: CompileCacheTrack;
  bucket: string;
  region: string;
  envName: string;
  mirror?: PullThroughMirror;
}) {
  return {
    initContainers: [
      {
        name: "restore-compile-cache",
        image: pulledImageRef(IMAGES.mlflow, input.mirror),
        command: ["python", "-c", RESTORE_CACHE_SCRIPT],
        args: [input.bucket, `${input.track.prefix}/`, COMPILE_CACHE_DIR],
        env: modelFetcherEnv({ region: input.region }),
        resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
        securityContext: fetcherSecurityContext(),
        volumeMounts: [
          { name: COMPILE_CACHE_VOLUME, mountPath: COMPILE_CACHE_DIR },
          { name: "compile-cache-tmp", mountPath: "/tmp" },
        ],
      },
    ],
    volumes: [
      { name: COMPILE_CACHE_VOLUME, emptyDir: {} },
      { name: "compile-cache-tmp", emptyDir: {} },
    ],
    volumeMounts: [{ name: COMPILE_CACHE_VOLUME, mountPath: COMPILE_CACHE_DIR }],
    env: [{ name: input.envName, value: COMPILE_CACHE_DIR }],
  };
}

/** Who writes a track's cache: the bucket, the track's prefix, the registry's key, and the weights it reads. */
export interface CompileCacheAccess {
  bucket: string;
  /** The track's prefix (no trailing slash); the Jobs write `<prefix>/<device>/...`. */
  prefix: string;
  keyArn: string;
  /**
   * The S3 prefixes the Job mounts, read with its own credentials (Mountpoint's `authenticationSource:
   * pod`): the track's weights and the model's adapters.
   */
  reads: readonly { bucket: string; prefix: string }[];
}

/**
 * The compile Job's permissions: read what it mounts, write objects under its prefix (GetObject for the
 * upload's check of the mark), list only that prefix, encrypt with the registry's key; no write elsewhere.
 */
export function compileCacheWriterPolicy(partition: string, access: CompileCacheAccess): PolicyDocument {
  const read = access.reads.flatMap(
    (r) =>
      modelReaderPolicy(partition, {
        kind: "s3",
        uri: `s3://${r.bucket}/${r.prefix}`,
        bucket: r.bucket,
        prefix: r.prefix,
      }).Statement,
  );
  return combinedPolicy([...read, ...prefixWriterStatements(partition, access, "CompileCache")]);
}

/** What a model's reader role adds to restore a track's cache: list and get under its prefix (decrypting is granted with the staged weights). */
export function compileCacheReadStatements(partition: string, bucket: string, prefix: string) {
  return modelReaderPolicy(partition, { kind: "s3", uri: `s3://${bucket}/${prefix}`, bucket, prefix }).Statement;
}

/** The device names of the instance types of an accelerator kind (Karpenter's label values), in order, each once. */
export function deviceNamesOf(
  types: readonly { accelerator?: { kind: string; name: string } }[],
  kind: string,
): string[] {
  return [...new Set(types.flatMap((t) => (t.accelerator?.kind === kind ? [t.accelerator.name] : [])))];
}

/** Karpenter's label for the device name of an accelerator kind (its record's); throws for a kind that is not one. */
export function deviceLabel(kind: string): string {
  if (!isAcceleratorKind(kind)) throw new Error(`no Karpenter label names the devices of kind ${kind}`);
  return (ACCELERATORS[kind] as AcceleratorKindRecord).karpenterDeviceNameLabel;
}
