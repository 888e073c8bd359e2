import { IMAGES } from "../versions";
import type { PullThroughMirror } from "../cluster/pull-through-cache";
import { pulledImageRef } from "../cluster/pull-through-cache";
import { REGISTRY_CREDENTIALS_SECRET } from "../common/names";
import { restrictedContainerSecurityContext } from "../common/pod-security";

/**
 * Downloads a model (s3:// or models:/) into a directory with the MLflow client, then lifts
 * the files to the directory's root. It is given `<uri> <destination>` as arguments, the
 * contract KServe uses for storage initializers, so one image serves both paths. The root
 * filesystem is read-only and KServe mounts only the destination into a storage initializer, so
 * every scratch file (temporary files, HOME) goes under a download directory inside the
 * destination, set before MLflow is imported, and is removed at the end.
 */
export const MODEL_FETCH_SCRIPT = [
  "import os, shutil, sys, tempfile",
  "uri, dst = sys.argv[1], sys.argv[2]",
  "os.makedirs(dst, exist_ok=True)",
  "tmp = tempfile.mkdtemp(dir=dst, prefix='.download-')",
  "tempfile.tempdir = os.environ['TMPDIR'] = os.environ['HOME'] = tmp",
  "import mlflow.artifacts",
  "files = os.path.join(tmp, 'files')",
  "os.makedirs(files)",
  "local = mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=files)",
  "entries = [local] if os.path.isfile(local) else [os.path.join(local, e) for e in os.listdir(local)]",
  "for path in entries:",
  "    shutil.move(path, os.path.join(dst, os.path.basename(path)))",
  "shutil.rmtree(tmp, ignore_errors=True)",
  "print(f'downloaded {uri} to {dst}')",
].join("\n");

export interface ModelFetcherInput {
  /** In-cluster MLflow tracking URI; set when the source (or canary) is a models:/ reference. */
  trackingUri?: string;
  region: string;
  /** The stack's pull-through cache, when it has one (the fetcher's image is pulled through it). Default: none. */
  mirror?: PullThroughMirror;
}

/** Environment of the fetcher: registry address and credentials (from a Secret) and the AWS region. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

export function modelFetcherEnv(input: ModelFetcherInput): EnvVar[] {
  const env: EnvVar[] = [
    { name: "AWS_DEFAULT_REGION", value: input.region },
    { name: "HOME", value: "/tmp" },
  ];
  if (input.trackingUri) {
    env.push(
      { name: "MLFLOW_TRACKING_URI", value: input.trackingUri },
      {
        name: "MLFLOW_TRACKING_USERNAME",
        valueFrom: { secretKeyRef: { name: REGISTRY_CREDENTIALS_SECRET, key: "username" } },
      },
      {
        name: "MLFLOW_TRACKING_PASSWORD",
        valueFrom: { secretKeyRef: { name: REGISTRY_CREDENTIALS_SECRET, key: "password" } },
      },
    );
  }
  return env;
}

/** The fetcher as a container; `args` are the URI and the destination. */
export function modelFetcherContainer(name: string, input: ModelFetcherInput, args?: [string, string]) {
  return {
    name,
    image: pulledImageRef(IMAGES.mlflow, input.mirror),
    command: ["python", "-c", MODEL_FETCH_SCRIPT],
    ...(args ? { args } : {}),
    env: modelFetcherEnv(input),
    resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "4Gi" } },
    // Scratch files go under the destination (MODEL_FETCH_SCRIPT), so the root filesystem stays read-only.
    securityContext: fetcherSecurityContext(),
  };
}

/** The MLflow image's user is root; any non-root uid reads its Python packages (uid 1000, restricted). */
export function fetcherSecurityContext() {
  return { ...restrictedContainerSecurityContext(), runAsUser: 1000 };
}
