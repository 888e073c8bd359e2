import { CAPACITY_DEFAULTS } from "../components/capacity/rules";
import { TEAM_NAME_RULE } from "../components/common/tags";

/** A pool's defaults, as `withPoolDefaults` applies them. */
const POOL = CAPACITY_DEFAULTS.pool;

/**
 * What each `mlserving:` key of a stack file means, by key path (`[]` marks list items). The README's
 * configuration reference is generated from these and the schema (`npm run docs`); a test fails when
 * a key of the schema has no description here, or the README is stale.
 */
export const CONFIG_KEY_DOCS: Readonly<Record<string, string>> = {
  environment: "Required. `dev`, `staging` or `prod`: picks the defaults below and the rules prod must meet.",
  team: `Required. Owning team, put in the \`team\` tag of every AWS resource; it ${TEAM_NAME_RULE}.`,
  clusterName: "Name of the EKS cluster and prefix of other physical names. Default: `mlserving-<environment>`.",
  tags:
    "Extra tags on every AWS resource (the required tags are always added): keys of 1-128 and values " +
    "of at most 256 letters, digits, spaces and `_ . : / = + - @` (what IAM accepts), keys not " +
    "starting with `aws:`; `aws:defaultTags` is held to the same rules.",
  "network.cidrBlock": "IPv4 CIDR of the VPC the kit creates, a /16 to a /20.",
  "network.availabilityZoneCount": "Availability zones of the new VPC (2 to 6); prod spans at least 3.",
  "network.natGateways": "`single` (cheap) or `onePerAz` (survives a zone outage; required in prod).",
  "network.existing.vpcId": "Use this VPC instead of creating one (`vpc-...`).",
  "network.existing.cidrBlock": "The existing VPC's own CIDR (the API and the registry admit it).",
  "network.existing.privateSubnetIds": "Private subnets of the existing VPC, in at least 2 zones.",
  "network.existing.publicSubnetIds": "Public subnets of the existing VPC, for internet-facing load balancers.",
  "cluster.kubernetesVersion": "Kubernetes minor version of the control plane.",
  "cluster.deployerAccess":
    "How the machine running `pulumi up` reaches the API: `public` (endpoint open to `publicAccessCidrs` " +
    "only) or `private` (only with `network.existing`: a VPC your runner or VPN reaches before " +
    "the first run). Default: `public` when public CIDRs are listed, else `private`.",
  "cluster.publicAccessCidrs":
    "Networks allowed to reach the public API endpoint (`0.0.0.0/0` is refused). The shipped files hold a documentation-range placeholder to replace.",
  "cluster.privateAccessCidrs": "Networks (VPN, peered VPCs) allowed to reach the private endpoint, besides the VPC.",
  "cluster.adminPrincipalArns": "IAM roles or users given cluster admin through EKS access entries.",
  "cluster.logRetentionDays": "Days CloudWatch keeps control-plane logs (a CloudWatch retention value).",
  "cluster.systemNodes.instanceTypes": "On-demand instance types of the system node group.",
  "cluster.systemNodes.minSize": "Fewest system nodes.",
  "cluster.systemNodes.desiredSize": "System nodes at creation (Cluster Autoscaler owns it afterwards).",
  "cluster.systemNodes.maxSize": "Most system nodes.",
  "cluster.systemNodes.diskSizeGiB": "Root volume of a system node, GiB.",
  "cluster.storageReclaimPolicy":
    "What happens to a volume when its claim goes: `Delete`, or `Retain` (required in prod).",
  "cluster.networkPolicyEnforcingMode":
    "How the VPC CNI treats a pod before its NetworkPolicies apply: `standard` (allows all until " +
    "then) or `strict` (denies all until then; a pod no NetworkPolicy selects stays denied, kube-system " +
    "is admitted by the kit). Default: `strict` in prod.",
  "loadBalancerController.replicas": "AWS Load Balancer Controller replicas.",
  "capacity.clusterAutoscaler.enabled": "Scale accelerator node groups with Cluster Autoscaler (the dev default).",
  "capacity.clusterAutoscaler.scaleDownUnneededTime":
    "Idle time before Cluster Autoscaler removes a node: a Go duration such as `10m` or `1h30m`, within Go's ~292 years.",
  "capacity.karpenter.enabled": "Provision accelerator nodes with Karpenter NodePools (the staging and prod default).",
  "capacity.gpuDevicePlugin": "`device-plugin` (NVIDIA's k8s-device-plugin) or `gpu-operator`.",
  "capacity.gpuTimeSlicingReplicas":
    "Share each GPU among this many pods (CUDA time-slicing, 2 to 48); fit, cost and both autoscalers " +
    "count the shares. Refused with models asking more than one GPU, vLLM models and Bottlerocket " +
    "node groups. Default: off.",
  "capacity.neuronScheduler": "Install the Neuron scheduler extension.",
  "capacity.createSpotServiceLinkedRole":
    "Create the account's EC2 Spot service-linked role in this stack (kept on destroy); fails where " +
    "the account has it. Without it, EC2 creates the role on Karpenter's first spot launch.",
  "capacity.pools[].name": "Pool name, a DNS label of at most 32 characters.",
  "capacity.pools[].kind": "Accelerator kind: `nvidia` or `neuron`.",
  "capacity.pools[].instanceTypes":
    "Instance types of the pool, all of its kind; at least 3 for spot; one shape under Cluster Autoscaler.",
  "capacity.pools[].minNodes": `Fewest nodes (node groups only; Karpenter pools start empty). Default: ${POOL.minNodes}.`,
  "capacity.pools[].maxNodes": "Most nodes. Required.",
  "capacity.pools[].maxDevices": "Karpenter `limits` on devices. Default: maxNodes × the largest type's devices.",
  "capacity.pools[].onDemandFallback": "Allow on-demand when spot is short. Default: false in dev, true elsewhere.",
  "capacity.pools[].spot": `Run on spot. Default: ${POOL.spot}; false makes an on-demand pool, which may list one type.`,
  "capacity.pools[].diskSizeGiB": `Image volume of an accelerator node, GiB. Default: ${POOL.diskSizeGiB}.`,
  "capacity.pools[].os": `\`al2023\` or \`bottlerocket\` (NVIDIA node groups only). Default: \`${POOL.os}\`.`,
  "capacity.pools[].imageCacheSnapshotId":
    "Karpenter NVIDIA pools: EBS snapshot of a Bottlerocket data volume with the pool's images " +
    "pre-pulled; build it with `npm run image-cache -- --stack <stack>`.",
  "capacity.pools[].imageCacheFastRestore":
    "With `imageCacheSnapshotId`: fast snapshot restore is enabled on that snapshot in the cluster's " +
    "zones (you enable it: `aws ec2 enable-fast-snapshot-restores`), so new nodes' image volumes " +
    "are fully initialized at creation; priced per zone-hour in cost.json. Default: false (volumes " +
    "load lazily from S3).",
  "capacity.pools[].fastImagePull":
    "Karpenter AL2023 pools: nodeadm's FastImagePull gate (containerd pulls and unpacks layers " +
    "in parallel through SOCI; experimental at the pinned AMI); needs volumeThroughputMiBps of " +
    "at least 600 (or instanceStore) and types of at least 4 vCPUs and 7 GiB. Default: false.",
  "capacity.pools[].imageCacheImages":
    "The images the snapshot holds, as `npm run image-cache` prints them; the plan refuses a snapshot " +
    "whose images differ from what the pool's pods pull (re-run it when versions.ts changes an image).",
  "capacity.pools[].warmNodes":
    "Nodes held warm by low-priority placeholder pods (each the pool's largest replica), so a replacement " +
    "replica starts on a running node; priced in cost.json. Default: 0.",
  "capacity.pools[].volumeThroughputMiBps":
    "gp3 throughput of the nodes' volumes, MiB/s (125-1000), with the IOPS it needs (Bottlerocket: " +
    "the OS volume and the image volume); the cold-start floor reads it. Default: 125.",
  "capacity.pools[].instanceStore":
    "Karpenter AL2023 pools: kubelet and containerd on instance-store NVMe (`instanceStorePolicy: RAID0`) where the type has it. Default: false.",
  "capacity.pools[].reservations[].id":
    "Karpenter pools: a reservation launched into first (`reserved` capacity, then spot, on-demand): " +
    "ODCR or Capacity Block id (`cr-...`); exclusive with `tags`.",
  "capacity.pools[].reservations[].tags": "ODCRs selected by tags (every matching reservation the account can use).",
  "capacity.pools[].reservations[].type":
    "`odcr` (billed at the on-demand rate, used or not) or `capacity-block` (paid up front). Default: `odcr`.",
  "capacity.pools[].reservations[].instanceType":
    "The reserved instance type, one of the pool's. Required (priced in cost.json).",
  "capacity.pools[].reservations[].instances": "Instances reserved. Required (priced in cost.json).",
  "capacity.pools[].reservations[].endsAt":
    "Capacity Blocks: the block's end, UTC (`2026-12-31T11:30:00Z`). Required for them.",
  "monitoring.retention":
    "How long Prometheus keeps samples: a Prometheus duration such as `15d` or `2w3d`, over 72h (the longest alert window) and within ~292 years.",
  "monitoring.storageGiB": "Prometheus volume per replica, GiB.",
  "monitoring.replicas": "Prometheus replicas.",
  "monitoring.grafanaStorageGiB": "Grafana's volume, GiB.",
  "monitoring.alertmanagerStorageGiB": "Alertmanager's volume, GiB.",
  "registry.replicas": "MLflow servers; 2 or more get a PodDisruptionBudget.",
  "registry.dbInstanceClass": "RDS instance class of the registry's PostgreSQL.",
  "registry.dbStorageGiB": "Allocated database storage, GiB (grows automatically).",
  "registry.backupRetentionDays": "Days of automated database backups (7 to 35; prod at least 30).",
  "registry.multiAz": "Multi-AZ database (required in prod).",
  "registry.noncurrentVersionDays": "Days old artifact versions stay in the bucket.",
  "registry.hostname": "Host of the registry's internal Ingress.",
  "registry.certificateArn": "ACM certificate for HTTPS on the registry's Ingress, in the stack's region.",
  "serving.ingressDomain": "Models answer at `<model>.<ingressDomain>`. Default: `models.<environment>.internal`.",
  "serving.certificateArn": "ACM certificate for HTTPS on the models' internal ALB, in the stack's region.",
  "serving.privateZone":
    "Create the Route 53 private hosted zone `<ingressDomain>` in the VPC, with ExternalDNS writing " +
    "each model's host into it. Default: `true`; false when your DNS serves the domain.",
  "serving.allowedCidrs":
    "Networks allowed to call model endpoints (the ALB's `inbound-cidrs`; `0.0.0.0/0` refused). Default: the private subnets' CIDRs (public subnets excluded).",
  "serving.oidc.issuer":
    "OIDC issuer URL (https); with `serving.oidc` the ALB authenticates every call (needs `serving.certificateArn`).",
  "serving.oidc.authorizationEndpoint": "OIDC authorization endpoint (https).",
  "serving.oidc.tokenEndpoint": "OIDC token endpoint (https).",
  "serving.oidc.userInfoEndpoint": "OIDC user-info endpoint (https).",
  "serving.oidc.clientId": "OIDC client id; its secret is `servingOidcClientSecret`.",
  "serving.oidc.onUnauthenticatedRequest":
    "`authenticate` (redirect to the identity provider) or `deny` (401) for a call without a session. Default: `authenticate`.",
  "serving.gateway.replicas":
    "Set `serving.gateway` to route LLMs through the inference gateway (Istio, InferencePools); its proxies, 1 to 6. Default: 2.",
  "serving.gateway.jwt.issuer":
    "With `serving.gateway.jwt`, callers of the gateway must also send `Authorization: Bearer <JWT>` " +
    "from this issuer (its https:// URL, the token's `iss`); others get 401/403.",
  "serving.gateway.jwt.jwksUri": "https:// URL of the issuer's signing keys (JWKS); istiod fetches them.",
  "serving.gateway.jwt.audiences": "Accepted `aud` values, 1 to 16. Default: any audience.",
  "serving.models[].name": "Model name, a DNS label; names its objects and host.",
  "serving.models[].allowedCidrs":
    "Networks allowed to call this model instead of `serving.allowedCidrs`; the model gets an internal ALB of its own.",
  "serving.models[].server": "`triton` (the kit's Triton Deployment) or `kserve` (an InferenceService).",
  "serving.models[].accelerator": "`nvidia`, `neuron` or `cpu`.",
  "serving.models[].runtime":
    "Model server from the runtime registry (`triton`, `vllm-neuron`, ...). Default: the first that runs on the accelerator.",
  "serving.models[].source": "`s3://bucket/prefix`, `models:/name/version` or `models:/name@alias`.",
  "serving.models[].replicas.min":
    "Fewest replicas (0 only in dev; prod at least 2). At 0 an LLM behind `serving.gateway` scales " +
    "from zero on its first request; any other model stays parked. Default: 1, prod 2.",
  "serving.models[].wakeTimeoutSeconds":
    "An LLM behind `serving.gateway` with `replicas.min: 0`: how long the gateway holds a request while the model wakes, 60 to 900 s; then 503. Default: 600.",
  "serving.models[].replicas.max": "Most replicas. Default: 2, prod 6.",
  "serving.models[].autoscaling.metric":
    "What KEDA scales on: `queue-time`, `in-flight` or `gpu-utilization`, as the runtime reports. Default: the runtime's.",
  "serving.models[].autoscaling.target": "Target of the metric per replica (ms, requests or percent).",
  "serving.models[].resources.gpus": "GPUs per replica (nvidia). Default: 1.",
  "serving.models[].resources.neuronDevices": "Neuron devices per replica (neuron). Default: 1.",
  "serving.models[].resources.cpu":
    "CPU request per replica, any Kubernetes quantity (`2`, `500m`, `1.5`). Default: 2.",
  "serving.models[].resources.memory":
    "Memory request and limit per replica, any Kubernetes quantity (`8Gi`, `16G`, `1.2e10`). Default: 8Gi.",
  "serving.models[].pinnedVersion":
    "Registry version a `models:/name@alias` source resolves to for this rollout; every replica serves it (required outside dev).",
  "serving.models[].weightsGiB":
    "Size of the model's files (weights), GiB; the plan's cold-start estimate reads it, and the " +
    "model is refused when its weights exceed the accelerator memory a replica reaches or the node's " +
    "disk (unless mounted). Default: none (that phase is left out).",
  "serving.models[].serverStartSeconds":
    "Seconds the server takes to start with this model once its weights are on the node, as you " +
    "measured it (`mlserving:server_start_seconds:max24h` in Prometheus, or its log); the cold-start floor " +
    "counts it instead of the runtime's published figure (with `mountWeights`, the weights read during " +
    "that start are counted in it, not again). " +
    "Default: the runtime's figure, or unknown (Triton, vLLM on Neuron).",
  "serving.models[].mountWeights":
    "Read the weights in place from S3 (a read-only Mountpoint volume, KServe models) instead of " +
    "downloading them at every pod start; a `models:/` version is staged once per rollout into " +
    "the registry's bucket. Default: false.",
  "serving.models[].compileCache":
    "Keep the server's compiled artifacts across replica starts (vLLM's torch.compile cache on NVIDIA, " +
    "vLLM-Neuron's compiled model; with `mountWeights`, Karpenter): a Job compiles each served version once per device type of the pool and " +
    "uploads the cache to the registry's bucket; replicas restore it, and the cold-start floor counts the " +
    "cached start. Default: false (every replica compiles).",
  "serving.models[].llm.maxModelLen":
    "vLLM `--max-model-len`: longest context. Default: what the pool's smallest GPU holds. Refused " +
    "when one sequence's KV cache (`llm.kvCacheBytesPerToken` a token) cannot fit 90% of the GPU " +
    "memory less `weightsGiB`.",
  "serving.models[].llm.kvCacheBytesPerToken":
    "KV cache a token takes, bytes: 2 x layers x KV heads x head dim x 2 (bf16), from the model's " +
    "config.json; the plan's fit check of `maxModelLen` reads it. Default: 131072 (an 8B-class " +
    "model, as the default limits assume).",
  "serving.models[].llm.maxNumSeqs":
    "vLLM `--max-num-seqs`: sequences batched per replica. Default: from the GPU memory.",
  "serving.models[].canary.pinnedVersion": "The canary's pinned registry version, as `pinnedVersion`.",
  "serving.models[].canary.source": "Source of a second version taking a share of traffic (KServe only).",
  "serving.models[].canary.trafficPercent": "The canary's share of traffic, a whole percent from 1 to 50.",
  "serving.models[].abTest.source": "LLMs through the gateway: a variant served to requests carrying `abTest.header`.",
  "serving.models[].abTest.pinnedVersion": "The variant's pinned registry version, as `pinnedVersion`.",
  "serving.models[].abTest.header.name": "Header that selects the variant, e.g. `x-cohort`.",
  "serving.models[].abTest.header.value":
    "Requests whose header equals this value go to the variant; others to stable.",
  "serving.models[].shadow.source":
    "LLMs through the gateway: a version sent a copy of the requests; its answers are dropped.",
  "serving.models[].shadow.pinnedVersion": "The shadow's pinned registry version, as `pinnedVersion`.",
  "serving.models[].shadow.mirrorPercent":
    "Share of requests mirrored to the shadow, a whole 1 to 100 percent. Default: 100.",
  "serving.models[].adapters[].name":
    "A LoRA adapter (at most 16 a model) served on this model's base by its own vLLM replicas (`runtime: " +
    "vllm` on NVIDIA; refused on Neuron), every track included: clients send this name as the request's " +
    "`model` at the model's host. A DNS label of at most 42 characters, unlike every model's and " +
    "other adapter's name on the platform. Default: no adapters.",
  "serving.models[].adapters[].source":
    "The adapter's directory (adapter_config.json and weights): `s3://bucket/prefix`, read in place " +
    "with the model's pod identity, or `models:/<name>/<version>` (no alias), staged once into " +
    "the registry's bucket; mounted read-only like `mountWeights`.",
  "serving.models[].adapters[].rank":
    "The adapter's LoRA rank (`r` in adapter_config.json), 1 to 512; vLLM's `--max-lora-rank` is " +
    "the smallest of 1, 8, 16, 32, 64, 128, 256, 320, 512 that holds the largest.",
  "teams[].name":
    "A model team's namespace, created by this stack (3-40 lowercase letters, digits or '-'; not " +
    "a namespace of the kit or Kubernetes). The team deploys its models into it from its own stack " +
    "through `PlatformReference` (README: Model teams).",
  "teams[].quota.cpu": "CPU all the team's pods may request together, e.g. `64` (a ResourceQuota; more than 0).",
  "teams[].quota.memory": "Memory all the team's pods may request together, e.g. `256Gi` (more than 0).",
  "teams[].quota.gpus": "NVIDIA GPUs the team's pods may request together (0 to 1024). Default: 0.",
  "teams[].quota.neuronDevices": "Neuron devices the team's pods may request together (0 to 1024). Default: 0.",
  "teams[].quota.pods": "Pods in the team's namespace at most (1 to 5000).",
  "teams[].runtimes":
    "KServe runtimes offered in the team's namespace (a ServingRuntime each; installs KServe). Default: none (Triton Deployments only).",
  "teams[].models":
    "Model names the team may deploy (each a host on the shared ALB, owned once across the platform). Default: any name not taken.",
  "alerting.slackChannel": "Slack channel for alerts, e.g. `#ml-alerts`.",
  "images.pullThroughCache.repositoryPrefix":
    "Set `images.pullThroughCache` to pull the accelerator nodes' images (Docker Hub, GHCR, ECR " +
    "Public, registry.k8s.io, Quay; not nvcr.io) through ECR pull-through cache rules in the stack's " +
    "account and Region; the cached repositories' namespace, at most 19 characters. Default: the cluster name.",
  "images.pullThroughCache.dockerHubCredentialArn":
    "ARN of a Secrets Manager secret named `ecr-pullthroughcache/...` in the stack's Region holding " +
    "a Docker Hub `username` and `accessToken`; required when an image comes from Docker Hub (vLLM).",
  "images.pullThroughCache.githubCredentialArn":
    "ARN of a Secrets Manager secret named `ecr-pullthroughcache/...` in the stack's Region holding " +
    "a GitHub `username` and `accessToken` (`read:packages`); required when an image comes from " +
    "ghcr.io (the MLflow fetcher).",
  "budget.monthlyCeilingUsd": "Monthly budget in USD the plan's cost ceiling is held to.",
  "budget.enforcement": "`mandatory` (the plan fails above budget) or `advisory` (it warns).",
  alertSlackWebhookUrl: "Secret. Slack incoming-webhook URL; every severity goes there.",
  alertPagerdutyRoutingKey: "Secret. PagerDuty Events v2 routing key; critical alerts page.",
  alertWebhookUrl: "Secret. Generic webhook URL; every severity goes there.",
  alertHeartbeatUrl:
    "Secret. Dead man's switch URL (e.g. a healthchecks.io ping URL) Alertmanager's Watchdog pings every 5 minutes. Required in prod.",
  servingOidcClientSecret: "Secret. The OIDC client's secret (required with `serving.oidc`).",
};
