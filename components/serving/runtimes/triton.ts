import { IMAGES } from "../../versions";
import { pulledImageRef } from "../../cluster/pull-through-cache";
import { KSERVE_HTTP_PORT } from "../ports";
import { restrictedContainerSecurityContext } from "../../common/pod-security";
import { preStopPause } from "../drain";
import {
  TRITON_DRAIN,
  TRITON_PORTS,
  TRITON_SHM_SIZE,
  TRITON_TMP,
  TRITON_UID,
  tritonArgs,
  tritonProbes,
} from "../triton-builders";
import type { ModelRuntime } from "./runtime";
import { KSERVE_SERVER_CONTAINER } from "../../common/names";

/**
 * Triton's own start: loading the model repository's models through their backends. It depends on
 * the backend and the model more than on anything the kit sets, from seconds to many minutes
 * (triton-inference-server/server#6014: 4 s for TensorRT plans on 22.05, 65 s on 23.05, 205-750 s for
 * ONNX models with TensorRT optimization), so the floor has no figure for it.
 *
 * No published figure fits the pinned 26.07 with a model of about 1 GiB (what was found, 2026-12):
 * - #6014 (2023-07): five models in one container, sizes not given, 22.05 to 23.05 only;
 * - #8516 (2025-11, 2.58.0): single-file ONNX models of about 400 MB load "under 1 min" (a bound,
 *   not a measurement), and a 5 GB multi-file ONNX model takes about 45 minutes;
 * - #5349 and #4234: small ONNX models load in 0.2-0.7 s (22.x/23.x, sizes not given);
 * - #5045 (22.04, Python and ONNX backends, 2 GB environment): about 10 minutes on first launch.
 * A second search (2026-12) for a whole start, Triton's first log line to "Started GRPCInferenceService",
 * of an ONNX model on a GPU at 24.x-26.x found none in an issue: the published 24.x logs show the
 * model's load only, e.g. #7906 (2024-12, TRITONBACKEND API 1.19, a MIG slice, model size not given),
 * `"loading: onnx:1"` at 10:41:12.667006 to `"successfully loaded 'onnx'"` at 10:41:14.331226, 1.7 s.
 * The least published ONNX load on a GPU is under a second (#5349: 'VehicleREID_onnx' on GPU device 0,
 * 10:50:06.556296 to 10:50:07.212686, TRITONBACKEND API 1.10, a 22.x release): as a floor it counts
 * nothing, and counted it would call a replacement "within" the notice whatever the model's size. Any
 * one of these as the floor would say more than its source: a model's start is the backend's and the
 * model's, so a stack states the measured one (`serving.models[].serverStartSeconds`).
 *
 * Triton measures it: since triton-inference-server/core#397 (2024-10) every model reports the gauge
 * `nv_model_load_duration_secs{model,version}` on the metrics port, created whatever the metrics
 * configuration and set once the model has loaded (core src/metric_model_reporter.cc `InitializeGauges`:
 * "Always setup these inference request metrics, regardless of config"; src/model_repository_manager/
 * model_lifecycle.cc `CalculateAndReportLoadTime`; in core r26.06 and on main at 73aad7c, 2026-06-09).
 * The kit scrapes that port (kserve-builders.ts runtimePodMonitor), so each replica's load is in Prometheus.
 */
export const TRITON_SERVER_START = {
  uncached: {
    basis:
      "loading the model repository's models through their backends: no figure for a given model " +
      "(triton-inference-server/server#6014: 4 s to 750 s by backend and release); Triton reports each " +
      "model's load as nv_model_load_duration_secs on its metrics port",
  },
} as const;

/**
 * NVIDIA Triton on GPUs (or CPUs): the pinned Triton image (KServe's bundled one is 23.05),
 * metrics on 8002, scaled on queue time per request or requests in its queue.
 */
export const TRITON: ModelRuntime = {
  id: "triton",
  title: "NVIDIA Triton Inference Server",
  servingRuntimeName: "triton-gpu",
  modelFormat: "triton",
  image: IMAGES.tritonServer,
  accelerators: ["nvidia", "cpu"],
  servers: ["triton", "kserve"],
  runAsUser: TRITON_UID,
  metricsExporter: "triton",
  metricsPort: "metrics",
  healthPath: "/v2/health/ready",
  drain: TRITON_DRAIN,
  serverStart: TRITON_SERVER_START,
  defaultAutoscaling: { metric: "queue-time", target: 20 },
  scalingQueries: {
    // Average queue time per request in ms over the last minute, from Triton's cumulative
    // counters (queue microseconds, successful requests).
    "queue-time": (sel) => ({
      query: `sum(rate(nv_inference_queue_duration_us${sel}[1m])) / clamp_min(sum(rate(nv_inference_request_success${sel}[1m])), 0.001) / 1000`,
      metricType: "Value",
    }),
    // Requests waiting in Triton's queue, per replica.
    "in-flight": (sel) => ({ query: `sum(nv_inference_pending_request_count${sel})`, metricType: "AverageValue" }),
  },
  /**
   * Triton's flags on KServe's ports (8080 HTTP, 9000 gRPC) and metrics on 8002, with the probes,
   * preStop pause and memory-backed /dev/shm of the kit's Triton Deployment.
   */
  servingRuntime: (namespace, mirror) => ({
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ServingRuntime",
    metadata: { name: TRITON.servingRuntimeName, namespace },
    spec: {
      supportedModelFormats: [
        { name: "triton", version: "2", autoSelect: true, priority: 2 },
        { name: "onnx", version: "1", autoSelect: true, priority: 2 },
        { name: "tensorrt", version: "8", autoSelect: true, priority: 2 },
        { name: "pytorch", version: "1", autoSelect: false },
      ],
      protocolVersions: ["v2", "grpc-v2"],
      multiModel: false,
      containers: [
        {
          name: KSERVE_SERVER_CONTAINER,
          image: pulledImageRef(IMAGES.tritonServer, mirror),
          command: ["tritonserver"],
          args: tritonArgs("/mnt/models").map((a) =>
            a.startsWith("--http-port=")
              ? `--http-port=${KSERVE_HTTP_PORT}`
              : a.startsWith("--grpc-port=")
                ? "--grpc-port=9000"
                : a,
          ),
          ports: [
            { name: "http", containerPort: KSERVE_HTTP_PORT, protocol: "TCP" },
            { name: "metrics", containerPort: TRITON_PORTS.metrics, protocol: "TCP" },
          ],
          ...tritonProbes(KSERVE_HTTP_PORT),
          lifecycle: preStopPause(),
          env: [{ name: "HOME", value: TRITON_TMP }],
          resources: { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } },
          securityContext: { ...restrictedContainerSecurityContext(), runAsUser: TRITON_UID },
          volumeMounts: [
            { name: "dshm", mountPath: "/dev/shm" },
            { name: "tmp", mountPath: TRITON_TMP },
          ],
        },
      ],
      volumes: [
        { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: TRITON_SHM_SIZE } },
        { name: "tmp", emptyDir: {} },
      ],
    },
  }),
};
