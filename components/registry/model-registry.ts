import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClusterHandle, MonitoringHandle, RegistryHandle } from "../common/handles";
import { throwIfProblems } from "../common/problems";
import { REGISTRY_DEFAULTS, registryProblems } from "./rules";
import { POD_READINESS_GATE_NAMESPACE_LABEL } from "../cluster/load-balancer-controller-values";
import { PodIdentityRole } from "../common/pod-identity";
import { serviceMonitor } from "../common/monitors";
import { POSTGRES_MAJOR_VERSION } from "../versions";
import {
  DB_MAX_STORAGE_FACTOR,
  artifactBucketPolicy,
  authConfigIni,
  backendStoreUri,
  MLFLOW_DB_USER,
  MLFLOW_DATABASE,
  MLFLOW_LABELS,
  MLFLOW_PORT,
  MLFLOW_SECRET_KEYS,
  MLFLOW_SERVICE_ACCOUNT,
  mlflowDeployment,
  mlflowIngress,
  mlflowNetworkPolicy,
  mlflowPodDisruptionBudget,
  mlflowServerPolicy,
  mlflowService,
  REGISTRY_NAMESPACE,
  trackingUri,
} from "./registry-builders";
import { kitNamespacePodSecurityLabels } from "../common/pod-security";
import { defaultDenyPolicy } from "../common/network-policy";

export interface ModelRegistryArgs {
  /** The cluster the server runs on; the database admits its security group. Required. */
  cluster: ClusterHandle;
  /** VPC CIDR: the database admits it on 5432 only from the cluster security group; the ALB reaches pods from it. Required. */
  vpcCidr: pulumi.Input<string>;
  /**
   * CIDRs of the subnets the registry's internal ALB lives in (the private subnets); its NetworkPolicy
   * admits them on the server's port. Default: the VPC CIDR (wider: every subnet of the VPC).
   */
  albSubnetCidrs?: pulumi.Input<string[]>;
  /** Namespaces allowed to call the registry (serving pulls models). Default: `["serving"]`. */
  clientNamespaces?: string[];
  /** Server replicas; 2 or more get a PodDisruptionBudget. Default: 1. */
  replicas?: number;
  /** RDS instance class. Default: `db.t4g.medium`. */
  dbInstanceClass?: string;
  /** Allocated storage in GiB (grows automatically up to 5x). Default: 20. */
  dbStorageGiB?: number;
  /** Days of automated backups (7 to 35). Default: 7. */
  backupRetentionDays?: number;
  /** Multi-AZ database. Default: false. */
  multiAz?: boolean;
  /**
   * Production safety: RDS deletion protection and a final snapshot, Pulumi `protect` on the
   * database, and `protect` plus `retainOnDelete` on the bucket (with every bucket setting) and
   * its key (see `retainDatabase` for the database). Without it the bucket is emptied on
   * destroy (`forceDestroy`). Default: false.
   */
  protectState?: boolean;
  /**
   * Keep the database on destroy (`retainOnDelete`), with what it still uses: its subnet group,
   * security group and parameter group. Only sound when the VPC outlives the stack (an existing
   * VPC): kept resources inside a VPC the stack created would stop its deletion. Otherwise, with
   * `protectState`, a deliberate destroy deletes the database after its final snapshot (encrypted
   * with the kept registry key). Default: `protectState`.
   */
  retainDatabase?: boolean;
  /** Days to keep noncurrent versions of artifacts. Default: 90. */
  noncurrentVersionDays?: number;
  /** DNS name of the internal Ingress (also allowed as Host header). Default: none (the ALB's own name). */
  hostname?: string;
  /** ACM certificate for HTTPS on the internal ALB. Default: HTTP inside the VPC. */
  certificateArn?: string;
  /** Resources ServiceMonitors wait for (the Prometheus operator's CRDs). Required. */
  monitoring: MonitoringHandle;
  /** Resources the Ingress waits for (the AWS Load Balancer Controller and its webhook). Default: none. */
  ingressReady?: pulumi.Resource[];
}

/**
 * MLflow model registry: artifacts in a versioned, KMS-encrypted, private, TLS-only S3 bucket;
 * metadata in encrypted RDS PostgreSQL reachable only from the cluster; the server on EKS with
 * basic auth, proxied artifact access through a pod identity scoped to the bucket prefix,
 * probes, an internal ALB, NetworkPolicies and a ServiceMonitor.
 */
export class ModelRegistry extends pulumi.ComponentResource {
  readonly handle: RegistryHandle;
  readonly bucket: aws.s3.Bucket;
  /** KMS key of the bucket and the database. */
  readonly key: aws.kms.Key;
  readonly database: aws.rds.Instance;
  readonly adminPassword: pulumi.Output<string>;

  constructor(name: string, args: ModelRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    const d = REGISTRY_DEFAULTS;
    const replicas = args.replicas ?? d.replicas;
    const backupDays = args.backupRetentionDays ?? d.backupRetentionDays;
    const storage = args.dbStorageGiB ?? d.dbStorageGiB;
    throwIfProblems(`ModelRegistry "${name}"`, registryProblems(args));
    super("mlserving:registry:ModelRegistry", name, {}, opts);
    const { cluster } = args;
    const tags = cluster.tags;
    const protect = args.protectState ?? d.protectState;
    // The bucket, its key and every setting that keeps the bucket private, encrypted and
    // versioned stay on destroy in prod; elsewhere the bucket goes, with its objects.
    const stateful = { parent: this, protect, retainOnDelete: protect };
    const retainDatabase = args.retainDatabase ?? protect;
    const database = { parent: this, protect, retainOnDelete: retainDatabase };
    const databaseNeeds = { parent: this, protect: retainDatabase, retainOnDelete: retainDatabase };
    const clientNamespaces = args.clientNamespaces ?? ["serving"];

    // Artifacts: private, versioned, SSE-KMS, TLS-only, old versions expire.
    const key = (this.key = new aws.kms.Key(
      `${name}-artifacts`,
      {
        description: `MLflow artifacts and database of ${cluster.name}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      stateful,
    ));
    this.bucket = new aws.s3.Bucket(
      `${name}-artifacts`,
      { bucketPrefix: `${cluster.name}-mlflow-`, forceDestroy: !protect, tags },
      stateful,
    );
    const bucketId = this.bucket.id;
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-artifacts`,
      {
        bucket: bucketId,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      stateful,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-artifacts`,
      { bucket: bucketId, rule: { objectOwnership: "BucketOwnerEnforced" } },
      stateful,
    );
    new aws.s3.BucketVersioning(
      `${name}-artifacts`,
      { bucket: bucketId, versioningConfiguration: { status: "Enabled" } },
      stateful,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-artifacts`,
      {
        bucket: bucketId,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      stateful,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-artifacts`,
      {
        bucket: bucketId,
        rules: [
          {
            id: "expire-noncurrent-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays ?? d.noncurrentVersionDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      stateful,
    );
    new aws.s3.BucketPolicy(
      `${name}-artifacts`,
      {
        bucket: bucketId,
        policy: this.bucket.arn.apply((arn) => JSON.stringify(artifactBucketPolicy(arn))),
      },
      { ...stateful, dependsOn: [publicAccess] },
    );

    // Metadata: RDS PostgreSQL in private subnets, reachable on 5432 only from the cluster's security group.
    const dbSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-db`,
      {
        description: `MLflow database of ${cluster.name}: PostgreSQL from the cluster only`,
        vpcId: cluster.vpcId,
        tags,
      },
      databaseNeeds,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-db-from-cluster`,
      {
        securityGroupId: dbSecurityGroup.id,
        referencedSecurityGroupId: cluster.clusterSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        description: "PostgreSQL from EKS nodes and pods",
        tags,
      },
      { parent: this },
    );
    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-db`,
      { subnetIds: cluster.privateSubnetIds, tags },
      databaseNeeds,
    );
    const parameterGroup = new aws.rds.ParameterGroup(
      `${name}-db`,
      {
        family: `postgres${POSTGRES_MAJOR_VERSION}`,
        parameters: [{ name: "rds.force_ssl", value: "1" }],
        tags,
      },
      databaseNeeds,
    );
    const dbPassword = new random.RandomPassword(`${name}-db`, { length: 32, special: false }, { parent: this });
    this.database = new aws.rds.Instance(
      `${name}-db`,
      {
        identifier: `${cluster.name}-mlflow`,
        engine: "postgres",
        engineVersion: POSTGRES_MAJOR_VERSION,
        autoMinorVersionUpgrade: true,
        instanceClass: args.dbInstanceClass ?? d.dbInstanceClass,
        allocatedStorage: storage,
        maxAllocatedStorage: storage * DB_MAX_STORAGE_FACTOR,
        storageType: "gp3",
        storageEncrypted: true,
        kmsKeyId: key.arn,
        dbName: MLFLOW_DATABASE,
        username: MLFLOW_DB_USER,
        password: dbPassword.result,
        dbSubnetGroupName: subnetGroup.name,
        parameterGroupName: parameterGroup.name,
        vpcSecurityGroupIds: [dbSecurityGroup.id],
        publiclyAccessible: false,
        multiAz: args.multiAz ?? d.multiAz,
        backupRetentionPeriod: backupDays,
        copyTagsToSnapshot: true,
        deletionProtection: protect,
        skipFinalSnapshot: !protect,
        finalSnapshotIdentifier: protect ? `${cluster.name}-mlflow-final` : undefined,
        caCertIdentifier: "rds-ca-rsa2048-g1",
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: key.arn,
        tags,
      },
      database,
    );

    // The server on EKS.
    const k8sOpts = { parent: this, provider: cluster.provider };
    const namespace = REGISTRY_NAMESPACE;
    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      // The server's Ingress targets pod IPs: rollouts wait for new pods to be healthy in the ALB.
      {
        metadata: {
          name: namespace,
          labels: { ...POD_READINESS_GATE_NAMESPACE_LABEL, ...kitNamespacePodSecurityLabels(namespace) },
        },
      },
      { ...k8sOpts, dependsOn: cluster.workloadReady },
    );
    const sa = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { name: MLFLOW_SERVICE_ACCOUNT, namespace } },
      { ...k8sOpts, dependsOn: [ns] },
    );
    const role = new PodIdentityRole(
      `${name}-server`,
      {
        cluster,
        namespace,
        serviceAccount: MLFLOW_SERVICE_ACCOUNT,
        policy: pulumi.all([this.bucket.arn, key.arn]).apply(([b, k]) => mlflowServerPolicy(b, k)),
        tags,
      },
      { parent: this },
    );

    const adminPassword = new random.RandomPassword(`${name}-admin`, { length: 32, special: false }, { parent: this });
    const flaskSecret = new random.RandomPassword(`${name}-flask`, { length: 48, special: false }, { parent: this });
    this.adminPassword = adminPassword.result;
    const uri = pulumi.secret(
      pulumi
        .all([this.database.address, this.database.port, dbPassword.result])
        .apply(([host, port, password]) => backendStoreUri({ host, port, password })),
    );
    const secretName = "mlflow-server";
    const secret = new k8s.core.v1.Secret(
      `${name}-server`,
      {
        metadata: { name: secretName, namespace },
        type: "Opaque",
        stringData: {
          [MLFLOW_SECRET_KEYS.backendStoreUri]: uri,
          [MLFLOW_SECRET_KEYS.authConfig]: uri.apply(authConfigIni),
          [MLFLOW_SECRET_KEYS.flaskSecretKey]: flaskSecret.result,
          [MLFLOW_SECRET_KEYS.adminUsername]: "admin",
          [MLFLOW_SECRET_KEYS.adminPassword]: adminPassword.result,
        },
      },
      { ...k8sOpts, dependsOn: [ns] },
    );

    const extraAllowedHosts = [
      ...(args.hostname ? [args.hostname, `${args.hostname}:*`] : []),
      "*.elb.amazonaws.com",
      "*.elb.amazonaws.com:*",
    ];
    const deploymentFor = (bucket: string) =>
      mlflowDeployment({ namespace, region: cluster.region, replicas, bucket, secretName, extraAllowedHosts });
    const deployment = new k8s.apps.v1.Deployment(
      `${name}-server`,
      {
        metadata: deploymentFor("").metadata,
        spec: this.bucket.bucket.apply((bucket) => deploymentFor(bucket).spec),
      },
      { ...k8sOpts, dependsOn: [sa, secret, role, this.database] },
    );
    const albSubnets = pulumi.output(args.albSubnetCidrs ?? pulumi.output(args.vpcCidr).apply((c) => [c]));
    const service = new k8s.core.v1.Service(`${name}-server`, mlflowService(namespace), {
      ...k8sOpts,
      dependsOn: [ns],
    });
    // Callers are named as for model endpoints: the ALB admits only the ALB subnets' networks (the private subnets).
    const ingressInput = { namespace, hostname: args.hostname, certificateArn: args.certificateArn };
    new k8s.networking.v1.Ingress(
      `${name}-server`,
      {
        // The ALB sits in the cluster's private subnets, named (the NetworkPolicy admits `albSubnetCidrs`).
        metadata: pulumi
          .all([albSubnets, cluster.privateSubnetIds])
          .apply(([inboundCidrs, subnetIds]) => mlflowIngress({ ...ingressInput, inboundCidrs, subnetIds }).metadata),
        spec: mlflowIngress({ ...ingressInput, inboundCidrs: [] }).spec,
      },
      { ...k8sOpts, dependsOn: [service, ...(args.ingressReady ?? [])] },
    );
    if (replicas >= 2)
      new k8s.policy.v1.PodDisruptionBudget(`${name}-server`, mlflowPodDisruptionBudget(namespace), {
        ...k8sOpts,
        dependsOn: [ns],
      });
    const networkPolicyFor = (vpcCidr: string, albSubnetCidrs: string[]) =>
      mlflowNetworkPolicy({ namespace, vpcCidr, albSubnetCidrs, clientNamespaces });
    // Nothing else in the namespace is reached or reaches out (the server's own policy opens its paths).
    new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, defaultDenyPolicy(namespace), {
      ...k8sOpts,
      dependsOn: [ns],
    });
    new k8s.networking.v1.NetworkPolicy(
      `${name}-server`,
      {
        metadata: networkPolicyFor("", ["0.0.0.0/32"]).metadata,
        spec: pulumi.all([args.vpcCidr, albSubnets]).apply(([vpcCidr, cidrs]) => networkPolicyFor(vpcCidr, cidrs).spec),
      },
      { ...k8sOpts, dependsOn: [ns] },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-server`,
      serviceMonitor({
        name: "mlflow",
        namespace,
        serviceLabels: MLFLOW_LABELS,
        port: "http",
        basicAuthSecret: {
          name: secretName,
          usernameKey: MLFLOW_SECRET_KEYS.adminUsername,
          passwordKey: MLFLOW_SECRET_KEYS.adminPassword,
        },
      }),
      { ...k8sOpts, dependsOn: [service, deployment, ...args.monitoring.ready] },
    );

    this.handle = {
      trackingUri: trackingUri(namespace),
      credentials: { username: pulumi.output("admin"), password: this.adminPassword },
      clientNamespaces,
      server: { namespace, podLabels: MLFLOW_LABELS, port: MLFLOW_PORT },
      weightsStore: { bucket: this.bucket.bucket, keyArn: key.arn },
    };
    this.registerOutputs({
      trackingUri: this.handle.trackingUri,
      bucketName: this.bucket.bucket,
      databaseAddress: this.database.address,
    });
  }
}
