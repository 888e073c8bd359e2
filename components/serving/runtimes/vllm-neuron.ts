import { IMAGES } from "../../versions";
import { devicesOf } from "../model-devices";
import type { ModelRuntime } from "./runtime";
import { VLLM_DRAIN, VLLM_TMP, VLLM_UID, vllmHealthProbe, vllmInFlight, vllmServingRuntime } from "./vllm";

/** vLLM's `--max-num-seqs` on the Neuron runtime: sequences one replica runs at once; more wait. */
export const VLLM_MAX_NUM_SEQS = 8;
/**
 * Startup probe of vLLM on Neuron: up to an hour (10 s x 360) for the model to be compiled for its
 * NeuronCores and loaded before liveness applies. A compile killed by a liveness probe starts over,
 * so the bound is generous; a pod that fails it is restarted, and the Neuron compile cache it keeps
 * in its /tmp emptyDir survives the container restart.
 */
export const VLLM_NEURON_STARTUP_PROBE = vllmHealthProbe(10, 360);

/**
 * Where the Neuron toolchain writes, on the container's /tmp emptyDir (the root filesystem is
 * read-only and /mnt/models is mounted read-only):
 * - `NEURON_COMPILED_ARTIFACTS`: the compiled model. Without it vllm-neuron writes it under the model
 *   directory, `<model>/neuron-compiled-artifacts/<hash>` (vllm-project/vllm-neuron
 *   vllm_neuron/worker/neuronx_distributed_model_loader.py `_get_compiled_model_path`; the DLC builds
 *   its release-0.5.3), which KServe mounts read-only; with it, vllm-neuron loads from there when a
 *   compiled model is present and compiles into it otherwise;
 * - `NEURON_COMPILE_CACHE_URL`: the compiler's cache of compiled graphs, by default
 *   /var/tmp/neuron-compile-cache on the root filesystem (AWS Neuron docs, torch-neuronx
 *   "Neuron Persistent Cache"). In the pod's emptyDir it survives a container restart, so a restart
 *   during a long compile resumes from the graphs already compiled.
 */
export const VLLM_NEURON_ENV = [
  { name: "NEURON_COMPILED_ARTIFACTS", value: `${VLLM_TMP}/neuron-compiled-artifacts` },
  { name: "NEURON_COMPILE_CACHE_URL", value: `${VLLM_TMP}/neuron-compile-cache` },
];

/**
 * Why adapters are refused on Neuron. The DLC builds vllm-project/vllm-neuron release-0.5.3, which the
 * kit cannot read; every version of the plugin that can be read either raises "Multi-lora is not yet
 * supported on the Neuron plugin" when LoRA is enabled (tag 0.2.0, vllm_neuron/worker/
 * neuronx_distributed_model_runner.py `load_model` and neuronx_distributed_model_loader.py
 * `get_neuron_model`) or compiles the adapters into the model from `--additional-config`'s
 * `override_neuron_config.lora_modules` rather than `--lora-modules` (later snapshots,
 * `_get_nxdi_lora_config`), and AWS's multi-LoRA guide for vLLM on Neuron lists Trn2 and Trn3, not
 * the kit's Inf2. Serving them there is not shown to work, so the plan refuses them.
 */
export const VLLM_NEURON_NO_LORA =
  "the vllm-neuron plugin the pinned Neuron DLC builds (release-0.5.3) is not shown to serve " +
  "them on Inf2 (the readable releases refuse LoRA, AWS documents multi-LoRA for Trn2/Trn3 only)";

/**
 * vLLM's own start on Neuron: it compiles the model for its NeuronCores (neuronx-cc, one NEFF per
 * bucket) unless it finds compiled artifacts. Each replica compiles, NEURON_COMPILED_ARTIFACTS and the
 * compile cache being in the pod's emptyDir (VLLM_NEURON_ENV), unless the model keeps its compiled
 * artifacts (`compileCache`, serving/compile-cache.ts), restored into NEURON_COMPILED_ARTIFACTS.
 *
 * The compiling start's floor is AWS's own statement for this DLC: the Neuron docs' DLC quickstart at
 * the 2.31.0 release (aws-neuron/aws-neuron-sdk tag v2.31.0, deploy/environments/quickstart-deploy-dlc.rst)
 * runs `public.ecr.aws/neuron/pytorch-inference-vllm-neuronx:0.16.0-neuronx-py312-sdk2.31.0-ubuntu24.04`
 * on a trn1.32xlarge serving TinyLlama-1.1B-Chat at `--tensor-parallel-size=2 --max-model-len=128
 * --max-num-seqs=4` with `enable_bucketing: false`, and says "Server startup typically takes 5-10
 * minutes". The floor takes the lower end, 300 s. What differs, all of it making the kit's compile
 * longer, not shorter (so the floor holds for models of at least TinyLlama's 1.1B parameters; a
 * smaller one states its own start, `serving.models[].serverStartSeconds`):
 * - the pinned tag is sdk2.31.1, whose only change is the aws-neuron-tools package (Neuron 2.31.1
 *   release notes), not the compiler or the plugin;
 * - the kit serves `--max-model-len 4096 --max-num-seqs 8` (modelArgs below) with buckets on, which
 *   the plugin's default Neuron config sets (vllm-project/vllm-neuron
 *   vllm_neuron/worker/neuronx_distributed_model_loader.py, `"enable_bucketing": True`): more and
 *   longer graphs than the quickstart's two;
 * - prod's model is Llama 3.2 3B (3.2 B parameters), not 1.1 B;
 * - neuronx-cc runs on the host's CPUs: inf2.xlarge has 4 vCPUs, trn1.32xlarge 128 (instance-types.ts;
 *   only inf2.48xlarge has more, 192, and there the extra compile work above remains);
 * - the quickstart's start also downloads TinyLlama from the Hugging Face Hub, which the kit's weights
 *   phase counts separately: the two overlap by that download of TinyLlama's weights, small beside the
 *   extra compile work above.
 * The DLC table lists inf2 among the pinned tag's instance types (versions.ts), and the vLLM user guide
 * of plugin 0.5.0 lists "Supported AWS instances: Inf2, Trn1/Trn1n, Trn2"; AWS's NxD Inference 2.29
 * release notes, under "NxD Inference no longer supports NKI kernels on Trn1/Inf2 hardware", add "NxD
 * Inference models are now only supported on Trn2 and newer hardware" and point Inf2 users who need
 * those kernels to release 2.28: serving on inf2 is AWS's claim, not a measurement here.
 *
 * Loading compiled artifacts (a cache hit) has no published figure for NxD Inference on inf2 (what was
 * searched, 2026-12): the Neuron docs' weights-sharding guide gives 108-187 s for Llama 3.1 405B on
 * trn2.48xlarge only; aws-neuron/transformers-neuronx#80 (2024-04) about 40 s for Llama 2 7B on
 * trn1.32xlarge with transformers-neuronx, a library the DLC does not run; no vllm-neuron or
 * aws-neuron-sdk issue shows an inf2 start with vLLM's timestamps. A model that keeps its compiled
 * artifacts (`compileCache`) skips the compile, but the floor cannot count its start until a load time
 * on inf2 is published or measured (`serving.models[].serverStartSeconds`).
 */
export const VLLM_NEURON_SERVER_START = {
  uncached: {
    seconds: 300,
    basis:
      "compiling the model with neuronx-cc at every start (the compiled artifacts are in the pod's emptyDir): " +
      "AWS's DLC quickstart (Neuron docs v2.31.0, 'Quickstart: Configure and deploy a vLLM server using Neuron " +
      "Deep Learning Container') says 'Server startup typically takes 5-10 minutes' for the vLLM 0.16.0 DLC " +
      "serving TinyLlama-1.1B at tensor parallel 2, 128 tokens, 4 sequences and no buckets on a 128-vCPU " +
      "trn1.32xlarge; the kit compiles more (4096 tokens, 8 sequences, buckets), on inf2.xlarge with 4 vCPUs, so " +
      "the lower end, 300 s, is the floor for models of at least 1.1 B parameters",
  },
  cached: {
    basis: "loading cached NEFFs onto the NeuronCores: no figure is published for NxD Inference on inf2",
  },
} as const;

/** Default in-flight target for vLLM: three quarters of a full batch, so replicas are added before requests wait. */
export const VLLM_IN_FLIGHT_TARGET = 6;

/**
 * vLLM on Inferentia (the AWS Neuron DLC): OpenAI-compatible API on 8080 with Prometheus metrics
 * on /metrics of the same port; the model directory is /mnt/models. No Triton build runs on Neuron.
 *
 * Non-root, like the GPU runtime, with no capability and no extra group. The Neuron device plugin
 * hands the pod its /dev/neuron* nodes, which containerd creates with the host node's mode
 * (containerd pkg/oci DeviceFromPath copies mode, uid and gid); the Neuron driver's udev rule makes
 * them `MODE="0666"` so applications need no root (aws/aws-neuron-driver README, "To enable
 * applications to access neuron devices without needing root privileges"). The Neuron runtime of
 * SDK 2.x runs in-process and needs no `IPC_LOCK` (that was SDK 1.x's separate neuron-rtd daemon).
 * Where an operator restricts the devices to a group, as AWS's Neuron security notice suggests
 * (`GROUP="neuron", MODE="0660"`), the pod needs that group's gid in its `supplementalGroups`, which
 * the `restricted` standard allows. The EKS AL2023 Neuron AMI installs the driver package and adds
 * no rule of its own (awslabs/amazon-eks-ami templates/al2023/provisioners/install-neuron-driver.sh);
 * `ls -l /dev/neuron0` on a node shows which mode applies (docs/security.md).
 */
export const VLLM_NEURON: ModelRuntime = {
  id: "vllm-neuron",
  title: "vLLM on AWS Neuron",
  servingRuntimeName: "vllm-neuron",
  modelFormat: "vllm-neuron",
  image: IMAGES.vllmNeuron,
  accelerators: ["neuron"],
  servers: ["kserve"],
  metricsExporter: "vllm",
  metricsPort: "http",
  runAsUser: VLLM_UID,
  healthPath: "/health",
  drain: VLLM_DRAIN,
  // The same vLLM release as the GPU runtime (versions.ts): the same metric names for the picker.
  inferencePool: true,
  defaultAutoscaling: { metric: "in-flight", target: VLLM_IN_FLIGHT_TARGET },
  noLoraReason: VLLM_NEURON_NO_LORA,
  scalingQueries: {
    // Requests running plus waiting, per replica.
    "in-flight": vllmInFlight,
  },
  servingRuntime: (namespace, mirror) =>
    vllmServingRuntime(namespace, {
      mirror,
      name: VLLM_NEURON.servingRuntimeName,
      modelFormat: VLLM_NEURON.modelFormat,
      image: IMAGES.vllmNeuron,
      // Neuron compiles the model at start: liveness applies once the startup probe has passed.
      startupProbe: VLLM_NEURON_STARTUP_PROBE,
      livenessFailureThreshold: 6,
      env: VLLM_NEURON_ENV,
      resources: { cpu: "2", memory: "8Gi" },
      uid: VLLM_UID,
    }),
  serverStart: VLLM_NEURON_SERVER_START,
  // The compiled model kept across replica starts (compileCache): vllm-neuron loads it from
  // NEURON_COMPILED_ARTIFACTS when it is there and compiles into it otherwise. The directory is used as
  // is, with no hash of the device or config in its path, so one device type per model.
  compileCache: {
    env: "NEURON_COMPILED_ARTIFACTS",
    perDevice: false,
    basis:
      "vllm-neuron `_get_compiled_model_path` returns NEURON_COMPILED_ARTIFACTS as is, and the loader loads " +
      "the compiled model from it, recompiling only when that fails (vllm-project/vllm-neuron " +
      "vllm_neuron/worker/neuronx_distributed_model_loader.py, in the plugin's readable versions; the DLC builds release-0.5.3)",
  },
  // vLLM takes at most VLLM_MAX_NUM_SEQS sequences at once: an in-flight target at or above it
  // scales out only once requests already wait.
  modelProblems: (model) =>
    model.autoscaling.metric === "in-flight" && model.autoscaling.target >= VLLM_MAX_NUM_SEQS
      ? [
          {
            field: "autoscaling.target",
            message:
              `must be below vLLM's --max-num-seqs (${VLLM_MAX_NUM_SEQS}): at ${VLLM_MAX_NUM_SEQS} or more per replica, ` +
              "requests already wait before it scales out",
          },
        ]
      : [],
  // Two NeuronCores per inf2 device; limits that fit inf2 (context 4096, 8 sequences).
  modelArgs: (model) => [
    "--tensor-parallel-size",
    String((devicesOf(model)?.count ?? 1) * 2),
    "--max-model-len",
    "4096",
    "--max-num-seqs",
    String(VLLM_MAX_NUM_SEQS),
  ],
};
