/**
 * Weights read in place from S3 (issue 14, item 4): instead of every pod start downloading the model
 * into a throwaway emptyDir (KServe's storage initializer or the kit's fetcher, through the MLflow
 * server, onto the node's gp3 root volume at its 125 MiB/s), the model's S3 prefix is mounted
 * read-only into the server with the Mountpoint for Amazon S3 CSI driver (EKS add-on
 * `aws-mountpoint-s3-csi-driver`), and KServe mounts that claim at /mnt/models (`pvc://<claim>`:
 * kserve v0.20.0 pkg/webhook/admission/pod/storage_initializer_injector.go mounts a PVC source
 * directly, read-only, with no storage initializer). The server reads the bytes it loads straight
 * from S3 at the node's network rate; nothing is written to disk first.
 *
 * Where the prefix comes from:
 * - `s3://bucket/prefix`: that prefix, read with the model's own pod identity (the model reader).
 * - `models:/name/<version>` (or an alias pinned with `pinnedVersion`): the registry resolves a
 *   version to files only through its API, so a Job stages the version's files once per rollout
 *   into the registry's bucket under `mlserving-weights/<namespace>/<name>/<version>/`, marking the
 *   prefix done; a later Job for the same version (a re-run, another track) finds the mark and exits.
 *   The servers mount that prefix. An alias that is not pinned cannot be staged: its files change
 *   when the alias moves, which is the mixed-version problem item 5 removes.
 *
 * Facts at the pinned driver (awslabs/mountpoint-s3-csi-driver v2.7.0, docs/CONFIGURATION.md and
 * examples/kubernetes/static_provisioning): static provisioning only, `csi.driver: s3.csi.aws.com`,
 * a unique `volumeHandle`, `volumeAttributes.bucketName`, access mode ReadOnlyMany (the driver then
 * mounts with --read-only), mount options are Mountpoint's flags (`region`, `prefix <p>/`, `uid`,
 * `gid`, `allow-other`); `authenticationSource: pod` makes the Mountpoint pod use the workload pod's
 * own credentials (EKS Pod Identity or IRSA), so each model reads only what its role may. Region is
 * set explicitly: the kit's nodes keep IMDS hop limit 1, which the driver's region lookup needs at 2.
 * No Mountpoint cache is configured: its emptyDir cache lives on the same gp3 volume whose
 * throughput is the bottleneck this removes, and a memory cache would take the server's memory.
 *
 * Pure: no Pulumi imports.
 */
import { createHash } from "node:crypto";
import { policyDocument, type PolicyDocument, type PolicyStatement } from "../common/iam";
import { MODEL_POD_LABEL } from "../common/names";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../common/pod-security";
import { SYSTEM_NODE_SELECTOR } from "../common/labels";
import { IMAGES } from "../versions";
import type { PullThroughMirror } from "../cluster/pull-through-cache";
import { pulledImageRef } from "../cluster/pull-through-cache";
import { modelFetcherEnv } from "./model-fetcher";
import { parseModelSource } from "./model-source";

/** The CSI driver name of Mountpoint for Amazon S3 (`CSIDriver` object of the v2.7.0 chart). */
export const MOUNTPOINT_S3_CSI_DRIVER = "s3.csi.aws.com";
/** Prefix of the registry bucket where staged registry versions live (outside MLflow's own artifact prefix). */
export const STAGED_WEIGHTS_PREFIX = "mlserving-weights";
/** Tag value (`mlserving.io/purpose`) of the staging Jobs' roles: the policy pack lets them write under {@link STAGED_WEIGHTS_PREFIX} only. */
export const WEIGHTS_STAGER_PURPOSE = "weights-stager";
/** Object written last under a staged prefix: the version's files are all there. */
export const STAGED_MARK = ".mlserving-staged";
/** The staging Jobs' service account in the model's namespace. */
export function weightsStagerServiceAccount(model: string): string {
  return `${model}-weights`;
}

/**
 * Label of staging Job pods, valued with the model's name. They do not carry the model's own label
 * (`mlserving.io/model`): alerts count the pods with it as the model's replicas (ModelMetricsMissing),
 * and a staging pod serves nothing. The namespace's NetworkPolicies select every pod alike.
 */
export const WEIGHTS_STAGER_LABEL = "mlserving.io/weights-of";

/** The S3 prefix a model's weights are mounted from. */
export interface WeightsLocation {
  /** The S3 source's bucket; undefined for a staged registry version, which lives in the registry's bucket. */
  bucket?: string;
  /** Key prefix without a trailing slash. */
  prefix: string;
  /** The registry version staged there (`models:/` sources); undefined for an S3 source read in place. */
  staged?: { uri: string; model: string; version: number };
}

/** Why a source cannot be mounted, or undefined when it can. */
export function mountableSourceProblem(source: string): string | undefined {
  const parsed = parseModelSource(source);
  if (!parsed || parsed.kind === "s3") return undefined;
  if (parsed.version === undefined)
    return "mountWeights stages one registry version per rollout: name the version (models:/<name>/<version>) or pin the alias (pinnedVersion)";
  return undefined;
}

/**
 * Where the weights of `source` (as served: an alias already pinned) are mounted from. Throws for a
 * source that cannot be mounted (see {@link mountableSourceProblem}, which validation runs first).
 */
export function weightsLocation(source: string, namespace: string): WeightsLocation {
  const parsed = parseModelSource(source);
  if (!parsed) throw new Error(`not a model source: ${source}`);
  if (parsed.kind === "s3") return { bucket: parsed.bucket, prefix: parsed.prefix };
  const problem = mountableSourceProblem(source);
  if (problem || parsed.version === undefined) throw new Error(`${source}: ${problem}`);
  return {
    prefix: `${STAGED_WEIGHTS_PREFIX}/${namespace}/${parsed.model}/${parsed.version}`,
    staged: { uri: `models:/${parsed.model}/${parsed.version}`, model: parsed.model, version: parsed.version },
  };
}

/** Eight hex digits naming what is mounted, so a new version gets new objects (PV and PVC specs are immutable). */
function locationHash(at: WeightsLocation): string {
  return createHash("sha256")
    .update(`${at.bucket ?? "(registry)"}/${at.prefix}`)
    .digest("hex")
    .slice(0, 8);
}

/**
 * Names of one track's weight objects: the claim and the staging Job in its namespace share one
 * (at most 49 + 4 + 8 = 61 characters: a Job's name must also be a label value, at most 63), the
 * cluster-scoped volume is prefixed with the namespace. A model's LoRA adapters use the infix
 * `lora` on the model's name (42 + 6 + 8 = 56), which no track's `-wt-` name can equal.
 */
export function weightsObjectNames(isvc: string, namespace: string, at: WeightsLocation, infix: "wt" | "lora" = "wt") {
  const claim = `${isvc}-${infix}-${locationHash(at)}`;
  return { claim, volume: `${namespace}-${claim}`, job: claim };
}

export interface WeightsVolumeInput {
  /** The InferenceService the volume serves. */
  isvc: string;
  namespace: string;
  model: string;
  at: WeightsLocation;
  /** The bucket mounted: the S3 source's, or the registry's for a staged version. */
  bucket: string;
  region: string;
  /** Uid and gid the server runs as; the mount shows files as theirs. Default: the driver's. */
  uid?: number;
  /** Name infix ({@link weightsObjectNames}): `lora` for a model's adapters. Default: `wt`. */
  infix?: "wt" | "lora";
}

/**
 * A read-only PersistentVolume on Mountpoint for the model's prefix, and the claim bound to it
 * (static provisioning: storage class "", the claim names the volume and the volume the claim).
 */
export function weightsVolume(input: WeightsVolumeInput) {
  const names = weightsObjectNames(input.isvc, input.namespace, input.at, input.infix);
  const labels = { [MODEL_POD_LABEL]: input.model };
  // Mountpoint ignores the size; Kubernetes requires one and binds the claim only to a volume at least as large.
  const storage = "1Gi";
  return {
    volume: {
      apiVersion: "v1" as const,
      kind: "PersistentVolume" as const,
      metadata: { name: names.volume, labels },
      spec: {
        capacity: { storage },
        accessModes: ["ReadOnlyMany"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "",
        claimRef: { namespace: input.namespace, name: names.claim },
        mountOptions: [
          `region ${input.region}`,
          `prefix ${input.at.prefix}/`,
          // The server's uid is not the Mountpoint pod's: FUSE refuses other users without allow-other.
          "allow-other",
          ...(input.uid !== undefined ? [`uid=${input.uid}`, `gid=${input.uid}`] : []),
        ],
        csi: {
          driver: MOUNTPOINT_S3_CSI_DRIVER,
          volumeHandle: names.volume,
          volumeAttributes: { bucketName: input.bucket, authenticationSource: "pod" },
        },
      },
    },
    claim: {
      apiVersion: "v1" as const,
      kind: "PersistentVolumeClaim" as const,
      metadata: { name: names.claim, namespace: input.namespace, labels },
      spec: {
        accessModes: ["ReadOnlyMany"],
        storageClassName: "",
        volumeName: names.volume,
        resources: { requests: { storage } },
      },
    },
  };
}

/** The storage URI KServe mounts the claim from: the whole volume (the prefix is the mount's root) at /mnt/models. */
export function weightsStorageUri(claim: string): string {
  return `pvc://${claim}`;
}

/**
 * Reads the version's files from the registry one at a time and uploads each under the prefix,
 * then writes the mark; exits at once when the mark is there. Given `<models:/ uri> <bucket>
 * <prefix>`. A file is removed once uploaded, so the scratch directory holds one file at most.
 * (mlflow `ArtifactRepository.list_artifacts` gives paths relative to the model's root, and
 * `download_artifacts(path, dst_path)` returns the local file's path.)
 */
export const STAGE_WEIGHTS_SCRIPT = [
  "import os, shutil, sys, tempfile",
  "uri, bucket, prefix = sys.argv[1], sys.argv[2], sys.argv[3].rstrip('/') + '/'",
  "work = os.environ['WORK_DIR']",
  "tempfile.tempdir = os.environ['TMPDIR'] = os.environ['HOME'] = work",
  "import boto3",
  "from botocore.exceptions import ClientError",
  "from mlflow.store.artifact.models_artifact_repo import ModelsArtifactRepository",
  "s3 = boto3.client('s3')",
  `mark = prefix + '${STAGED_MARK}'`,
  "try:",
  "    s3.head_object(Bucket=bucket, Key=mark)",
  "    print(f'{uri} is already staged at s3://{bucket}/{prefix}')",
  "    sys.exit(0)",
  "except ClientError as e:",
  "    if e.response.get('Error', {}).get('Code') not in ('404', 'NoSuchKey', 'NotFound'):",
  "        raise",
  "repo = ModelsArtifactRepository(uri)",
  "def files(path):",
  "    for info in repo.list_artifacts(path):",
  "        if info.is_dir:",
  "            yield from files(info.path)",
  "        else:",
  "            yield info.path",
  "count = 0",
  "for path in files(None):",
  "    scratch = tempfile.mkdtemp(dir=work)",
  "    s3.upload_file(repo.download_artifacts(path, dst_path=scratch), bucket, prefix + path)",
  "    shutil.rmtree(scratch)",
  "    count += 1",
  "if count == 0:",
  "    sys.exit(f'{uri} has no files')",
  "s3.put_object(Bucket=bucket, Key=mark, Body=uri.encode())",
  "print(f'staged {count} files of {uri} at s3://{bucket}/{prefix}')",
].join("\n");

export interface StagingJobInput {
  isvc: string;
  namespace: string;
  model: string;
  at: WeightsLocation;
  /** The registry's bucket, where the version is staged. */
  bucket: string;
  serviceAccountName: string;
  trackingUri: string;
  region: string;
  /** Size of the model's files, GiB, when known: the scratch space is capped at it (plus one GiB). */
  weightsGiB?: number;
  /** Name infix ({@link weightsObjectNames}): `lora` for a model's adapters. Default: `wt`. */
  infix?: "wt" | "lora";
  /** The stack's pull-through cache, when it has one. Default: the image's own registry. */
  mirror?: PullThroughMirror;
}

/**
 * The Job that stages one registry version under its prefix, on the system nodes, non-root with a
 * read-only root filesystem; Pulumi waits for it to complete before the InferenceService moves.
 */
export function weightsStagingJob(input: StagingJobInput) {
  const { at } = input;
  if (!at.staged) throw new Error(`s3://${at.bucket}/${at.prefix} is read in place; only registry versions are staged`);
  const names = weightsObjectNames(input.isvc, input.namespace, at, input.infix);
  const labels = { [WEIGHTS_STAGER_LABEL]: input.model };
  return {
    apiVersion: "batch/v1" as const,
    kind: "Job" as const,
    metadata: {
      name: names.job,
      namespace: input.namespace,
      labels,
      annotations: { "mlserving.io/model-source": at.staged.uri },
    },
    spec: {
      backoffLimit: 3,
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: input.serviceAccountName,
          automountServiceAccountToken: false,
          restartPolicy: "Never",
          nodeSelector: { ...SYSTEM_NODE_SELECTOR },
          securityContext: restrictedPodSecurityContext(1000),
          containers: [
            {
              name: "stage",
              image: pulledImageRef(IMAGES.mlflow, input.mirror),
              command: ["python", "-c", STAGE_WEIGHTS_SCRIPT],
              args: [at.staged.uri, input.bucket, `${at.prefix}/`],
              env: [
                ...modelFetcherEnv({ trackingUri: input.trackingUri, region: input.region }).filter(
                  (e) => e.name !== "HOME",
                ),
                { name: "WORK_DIR", value: "/work" },
              ],
              resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "4Gi" } },
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [{ name: "work", mountPath: "/work" }],
            },
          ],
          volumes: [
            {
              name: "work",
              emptyDir: input.weightsGiB !== undefined ? { sizeLimit: `${Math.ceil(input.weightsGiB) + 1}Gi` } : {},
            },
          ],
        },
      },
    },
  };
}

/** Who stages (writes) and who reads a staged prefix: the bucket, the prefix and the registry's key. */
export interface StagedPrefixAccess {
  bucket: string;
  prefix: string;
  /** KMS key the registry bucket encrypts with. */
  keyArn: string;
}

/**
 * What a Job that fills one prefix of the registry bucket may do there: check and write objects under
 * the prefix, list only it, encrypt with the registry's key (a multipart upload also decrypts its
 * parts). The staging Jobs' (`StagedWeights`) and the compile Jobs' (`CompileCache`) permissions.
 */
export function prefixWriterStatements(partition: string, access: StagedPrefixAccess, what: string): PolicyStatement[] {
  const bucketArn = `arn:${partition}:s3:::${access.bucket}`;
  return [
    {
      Sid: `Write${what}`,
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
      Resource: `${bucketArn}/${access.prefix}/*`,
    },
    // Without ListBucket, S3 answers a missing mark 403 rather than 404 (S3 API HeadObject, "Permissions").
    {
      Sid: `List${what}`,
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": [`${access.prefix}/*`, access.prefix] } },
    },
    { Sid: "UseRegistryKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: access.keyArn },
  ];
}

/** The staging Job's permissions: check and write objects under its prefix, list it, encrypt with the registry's key. */
export function weightsStagerPolicy(partition: string, access: StagedPrefixAccess): PolicyDocument {
  return policyDocument(...prefixWriterStatements(partition, access, "StagedWeights"));
}

/** What a model's pod identity adds to read a staged prefix: decrypting with the registry's key. */
export function stagedWeightsKeyStatement(keyArn: string) {
  return { Sid: "DecryptStagedWeights", Effect: "Allow" as const, Action: "kms:Decrypt", Resource: keyArn };
}
