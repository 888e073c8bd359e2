import { describe, expect, it } from "vitest";
import { chartImages } from "../../policies/rules/serving";
import {
  databasePortsNotOpenToWorld,
  databaseSecurityGroupsClosed,
  eksEndpointNotOpenToWorld,
  grafanaNotPublic,
  imagesPinnedAndAllowed,
  inferenceWorkloadsHardened,
  modelReadersLeastPrivilege,
  noInternetFacingModelEndpoints,
  prometheusAlertmanagerNotPublished,
  rdsSecure,
  s3AccessNamesBuckets,
  s3BucketsSecure,
  statefulResourcesProtected,
  volumesEncrypted,
} from "../../policies/rules";
import { grafanaSettingEnabled } from "../../policies/rules/monitoring";
import { helmTruthy } from "../../policies/rules/helm";
import { opensToWorld } from "../../policies/rules/network";
import { s3Access } from "../../policies/rules/iam";
import { existingMonitoring } from "../../components/common/handles";
import { ServingPlatform, TritonServer } from "../../components/serving";
import { TRITON_GPU_MODEL } from "../fixtures/models";
import { modelServerBase, runComponent, testCluster } from "../harness";
import { resource, violations } from "./policy-harness";

// Insecure resources users can build beside the kit's components (issue 11): each rule with
// constructs it must refuse, the evasions around them, and what it must accept.

const doc = (...Statement: Record<string, unknown>[]) => ({ Version: "2012-10-17", Statement });
const iamPolicy = (policy: unknown, name = "p") => resource("aws:iam/policy:Policy", { policy }, { name });

describe("s3-access-names-buckets", () => {
  it("classifies S3 action patterns as IAM reads them (case-insensitive globs)", () => {
    expect(s3Access("s3:GetObject")).toEqual({ read: true, write: false });
    expect(s3Access("S3:GETOBJECT")).toEqual({ read: true, write: false });
    expect(s3Access("s3:Get*")).toEqual({ read: true, write: false });
    expect(s3Access("s3:L*")).toEqual({ read: true, write: false });
    expect(s3Access("s3:ListAllMyBuckets")).toEqual({ read: false, write: false });
    expect(s3Access("s3:Put*")).toEqual({ read: false, write: true });
    expect(s3Access("s3:D*")).toEqual({ read: false, write: true });
    expect(s3Access("s3:*Object")).toEqual({ read: true, write: true });
    expect(s3Access("s3:*")).toEqual({ read: true, write: true });
    expect(s3Access("*")).toEqual({ read: true, write: true });
    expect(s3Access("ec2:*")).toEqual({ read: false, write: false });
  });

  it("flags S3 reads on every bucket, as a JSON string or an object, in every kind of IAM policy", async () => {
    for (const r of ["arn:aws:s3:::*/*", "arn:aws:s3:::*", "*", "arn:*:s3:::*/models/*", "arn:aws:s3:::models-*/*"]) {
      const read = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: r });
      expect(await violations(s3AccessNamesBuckets, [iamPolicy(JSON.stringify(read))]), r).toEqual([
        expect.stringMatching(/allows S3 reads on .*covers buckets it does not name/),
      ]);
      expect(await violations(s3AccessNamesBuckets, [iamPolicy(read)]), `${r} as an object`).toHaveLength(1);
    }
    const statement = { Effect: "Allow", Action: ["s3:List*"], Resource: ["arn:aws:s3:::*"] };
    expect(
      await violations(s3AccessNamesBuckets, [
        resource("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: JSON.stringify(doc(statement)) }),
        resource("aws:iam/userPolicy:UserPolicy", { user: "u", policy: JSON.stringify(doc(statement)) }, { name: "u" }),
        resource(
          "aws:iam/role:Role",
          { inlinePolicies: [{ name: "models", policy: JSON.stringify({ Statement: statement }) }] },
          { name: "role" },
        ),
      ]),
    ).toHaveLength(3);
  });

  it("flags writes, NotResource and NotAction, which grant what they do not name", async () => {
    expect(
      await violations(s3AccessNamesBuckets, [
        iamPolicy(doc({ Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::*/*" })),
      ]),
    ).toEqual([expect.stringMatching(/allows S3 writes/)]);
    expect(
      await violations(s3AccessNamesBuckets, [
        iamPolicy(doc({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::secret/*" })),
      ]),
    ).toEqual([expect.stringMatching(/NotResource/)]);
    expect(
      await violations(s3AccessNamesBuckets, [iamPolicy(doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }))]),
    ).toHaveLength(1);
  });

  it("flags attached AWS managed policies that read every bucket, and a document it cannot read", async () => {
    expect(
      await violations(s3AccessNamesBuckets, [
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
          role: "r",
          policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        }),
        resource(
          "aws:iam/role:Role",
          { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
          { name: "admin" },
        ),
      ]),
    ).toEqual([expect.stringMatching(/AmazonS3ReadOnlyAccess/), expect.stringMatching(/AdministratorAccess/)]);
    expect(await violations(s3AccessNamesBuckets, [iamPolicy("{not json")])).toEqual([
      expect.stringMatching(/cannot be judged/),
    ]);
  });

  it("accepts named buckets, S3 calls that take no bucket, other services on *, and Deny statements", async () => {
    expect(
      await violations(s3AccessNamesBuckets, [
        iamPolicy(
          JSON.stringify(
            doc(
              { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::models/vision/*" },
              { Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::models" },
              { Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" },
              { Effect: "Allow", Action: "ec2:Describe*", Resource: "*" },
              { Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": false } } },
            ),
          ),
        ),
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
          role: "r",
          policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        }),
      ]),
    ).toEqual([]);
  });
});

describe("model-readers-least-privilege: who is a model reader, and what it may not have", () => {
  const trust = (condition: Record<string, unknown>) =>
    JSON.stringify(doc({ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Condition: condition }));
  const rolePolicy = (role: ReturnType<typeof resource>, statement: Record<string, unknown>, byName = false) =>
    resource(
      "aws:iam/rolePolicy:RolePolicy",
      { role: byName ? role.inputs.name : "x", policy: JSON.stringify(doc(statement)) },
      { name: `${role.name}-policy`, dependsOn: byName ? [] : [role.urn] },
    );
  const read = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::models/vision/*" };

  it("recognises the kit's tag, a pod identity association in the serving namespace, and an IRSA trust", async () => {
    const tagged = resource("aws:iam/role:Role", { tags: { "mlserving.io/purpose": "model-reader" } }, { name: "t" });
    const associated = resource("aws:iam/role:Role", { name: "serving-reader" }, { name: "a" });
    const association = resource(
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      { namespace: "serving", serviceAccount: "m", roleArn: "arn:aws:iam::123456789012:role/serving-reader" },
      { name: "assoc" },
    );
    const podIdentity = resource(
      "aws:iam/role:Role",
      { assumeRolePolicy: trust({ StringEquals: { "aws:RequestTag/kubernetes-namespace": "serving" } }) },
      { name: "pi" },
    );
    const irsa = resource(
      "aws:iam/role:Role",
      {
        assumeRolePolicy: trust({
          StringLike: { "oidc.eks.us-west-2.amazonaws.com/id/ABC:sub": "system:serviceaccount:serving:*" },
        }),
      },
      { name: "irsa" },
    );
    const write = { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::models/vision/*" };
    const msgs = await violations(modelReadersLeastPrivilege, [
      tagged,
      associated,
      association,
      podIdentity,
      irsa,
      rolePolicy(tagged, write),
      rolePolicy(associated, write, true),
      rolePolicy(podIdentity, write),
      rolePolicy(irsa, write),
    ]);
    expect(msgs).toEqual(Array(4).fill(expect.stringMatching(/which writes; a model reader only reads/)));
    const other = resource("aws:iam/role:Role", { name: "ci" }, { name: "ci" });
    expect(await violations(modelReadersLeastPrivilege, [other, rolePolicy(other, write)])).toEqual([]);
  });

  it("lets a weights stager put objects under mlserving-weights/ of a named bucket, and nothing more", async () => {
    const stager = resource(
      "aws:iam/role:Role",
      { tags: { "mlserving.io/purpose": "weights-stager" } },
      { name: "stager" },
    );
    const staged = "arn:aws:s3:::registry/mlserving-weights/serving/chat/3/*";
    expect(
      await violations(modelReadersLeastPrivilege, [
        stager,
        rolePolicy(stager, { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: staged }),
      ]),
    ).toEqual([]);
    const refused = [
      { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::registry/mlflow-artifacts/*" },
      { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::*/mlserving-weights/*" },
      { Effect: "Allow", Action: "s3:DeleteObject", Resource: staged },
      { Effect: "Allow", Action: "s3:*", Resource: staged },
    ];
    for (const st of refused)
      expect(
        await violations(modelReadersLeastPrivilege, [stager, rolePolicy(stager, st)]),
        JSON.stringify(st),
      ).toContainEqual(expect.stringMatching(/a weights stager only puts objects under mlserving-weights\//));
  });

  it("lets a compile-cache writer put objects under mlserving-compile-cache/ only, and no other role write there", async () => {
    const writer = resource(
      "aws:iam/role:Role",
      { tags: { "mlserving.io/purpose": "compile-cache-writer" } },
      { name: "compile-writer" },
    );
    const cache = "arn:aws:s3:::registry/mlserving-compile-cache/serving/chat/0123456789ab/*";
    expect(
      await violations(modelReadersLeastPrivilege, [
        writer,
        rolePolicy(writer, { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: cache }),
      ]),
    ).toEqual([]);
    // The writer writing elsewhere: the staged weights, MLflow's artifacts, every bucket, deleting.
    const refused = [
      { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::registry/mlserving-weights/serving/chat/3/*" },
      { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::registry/mlflow-artifacts/*" },
      { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::*/mlserving-compile-cache/*" },
      { Effect: "Allow", Action: "s3:DeleteObject", Resource: cache },
    ];
    for (const st of refused)
      expect(
        await violations(modelReadersLeastPrivilege, [writer, rolePolicy(writer, st)]),
        JSON.stringify(st),
      ).toContainEqual(
        expect.stringMatching(/a compile-cache writer only puts objects under mlserving-compile-cache\//),
      );
    // A serving role (a model reader) and a weights stager may not write the cache replicas load.
    const reader = resource("aws:iam/role:Role", { tags: { "mlserving.io/purpose": "model-reader" } }, { name: "r" });
    const stager = resource("aws:iam/role:Role", { tags: { "mlserving.io/purpose": "weights-stager" } }, { name: "s" });
    const put = { Effect: "Allow", Action: "s3:PutObject", Resource: cache };
    expect(await violations(modelReadersLeastPrivilege, [reader, rolePolicy(reader, put)])).toEqual([
      expect.stringMatching(/which writes; a model reader only reads/),
    ]);
    expect(await violations(modelReadersLeastPrivilege, [stager, rolePolicy(stager, put)])).toEqual([
      expect.stringMatching(/a weights stager only puts objects under mlserving-weights\//),
    ]);
  });

  it("refuses writes (s3:Put*, s3:Delete*), every bucket, bucket wildcards and NotResource to a reader", async () => {
    const role = resource("aws:iam/role:Role", { tags: { "mlserving.io/purpose": "model-reader" } }, { name: "r" });
    const refused = [
      { Effect: "Allow", Action: "s3:Delete*", Resource: "arn:aws:s3:::models/vision/*" },
      { Effect: "Allow", Action: "s3:Put*", Resource: "arn:aws:s3:::models/vision/*" },
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*/*" },
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::model*/vision/*" },
      { Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::other/*" },
    ];
    for (const st of refused)
      expect(
        await violations(modelReadersLeastPrivilege, [role, rolePolicy(role, st)]),
        JSON.stringify(st),
      ).toHaveLength(1);
    const inline = resource(
      "aws:iam/role:Role",
      {
        tags: { "mlserving.io/purpose": "model-reader" },
        inlinePolicies: [{ name: "x", policy: JSON.stringify(doc({ ...read, Action: "s3:*" })) }],
        managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
      },
      { name: "inline" },
    );
    expect(await violations(modelReadersLeastPrivilege, [inline])).toEqual([
      expect.stringMatching(/attached \(managed\) policies/),
      expect.stringMatching(/which writes/),
    ]);
    expect(await violations(modelReadersLeastPrivilege, [role, rolePolicy(role, read)])).toEqual([]);
  });
});

describe("grafana-not-public: anonymous access however it is written", () => {
  const kps = (grafana: Record<string, unknown>) =>
    resource("kubernetes:helm.sh/v3:Release", { chart: "kube-prometheus-stack", values: { grafana } });
  const anonymous = (enabled: unknown) => ({ "grafana.ini": { "auth.anonymous": { enabled } } });
  it('reads enabled as Grafana\'s ini reader does (true, "true", "1", "on"), and the env override', async () => {
    expect(["true", "True", "1", "on", "yes", 1, true].every(grafanaSettingEnabled)).toBe(true);
    expect(["false", "0", "off", "", 0, false, undefined].some(grafanaSettingEnabled)).toBe(false);
    for (const v of [true, "true", "1", "on"])
      expect(await violations(grafanaNotPublic, [kps(anonymous(v))]), String(v)).toEqual([
        expect.stringMatching(/enables anonymous access/),
      ]);
    expect(await violations(grafanaNotPublic, [kps({ env: { GF_AUTH_ANONYMOUS_ENABLED: "true" } })])).toHaveLength(1);
  });
  it("judges the standalone grafana chart (any repository form) and the v4 Chart resource too", async () => {
    expect(
      await violations(grafanaNotPublic, [
        resource("kubernetes:helm.sh/v3:Release", {
          chart: "oci://ghcr.io/grafana-community/helm-charts/grafana",
          values: anonymous("true"),
        }),
        resource(
          "kubernetes:helm.sh/v4:Chart",
          { chart: "grafana/grafana", values: { service: { type: "NodePort" } } },
          { name: "g4" },
        ),
      ]),
    ).toEqual([expect.stringMatching(/^grafana\.ini \[auth\.anonymous\]/), expect.stringMatching(/NodePort/)]);
  });
  it('accepts anonymous access off (false, "false") and a ClusterIP service', async () => {
    expect(
      await violations(grafanaNotPublic, [
        kps({ ...anonymous("false"), service: { type: "ClusterIP" } }),
        kps(anonymous(false)),
      ]),
    ).toEqual([]);
  });
});

describe("prometheus-alertmanager-not-published", () => {
  const kps = (values: Record<string, unknown>) =>
    resource("kubernetes:helm.sh/v3:Release", { chart: "prometheus-community/kube-prometheus-stack", values });
  it("flags services, ingresses and routes that publish Prometheus, Alertmanager or Thanos Ruler", async () => {
    const published = [
      { prometheus: { service: { type: "LoadBalancer" } } },
      { prometheus: { service: { type: "NodePort" } } },
      { prometheus: { ingress: { enabled: true } } },
      { prometheus: { thanosServiceExternal: { enabled: true } } },
      { prometheus: { thanosIngress: { enabled: true } } },
      { alertmanager: { ingress: { enabled: true, hosts: ["am.example.com"] } } },
      // Helm's `if` reads the string "false" as true: this creates the Ingress.
      { alertmanager: { ingress: { enabled: "false" } } },
      { alertmanager: { route: { main: { enabled: true } } } },
      { alertmanager: { servicePerReplica: { enabled: true, type: "LoadBalancer" } } },
      { alertmanager: { service: { externalIPs: ["203.0.113.7"] } } },
      { thanosRuler: { ingress: { enabled: true } } },
    ];
    for (const values of published)
      expect(await violations(prometheusAlertmanagerNotPublished, [kps(values)]), JSON.stringify(values)).toEqual([
        expect.stringMatching(/no authentication/),
      ]);
  });
  it("judges the standalone prometheus and alertmanager charts", async () => {
    expect(
      await violations(prometheusAlertmanagerNotPublished, [
        resource("kubernetes:helm.sh/v3:Release", {
          chart: "prometheus",
          values: { server: { ingress: { enabled: true } } },
        }),
        resource(
          "kubernetes:helm.sh/v3:Release",
          { chart: "alertmanager", values: { service: { type: "LoadBalancer" } } },
          { name: "am" },
        ),
      ]),
    ).toHaveLength(2);
  });
  it("accepts ClusterIP, internal load balancers, disabled ingresses and components that are not installed", async () => {
    expect(helmTruthy("false")).toBe(true);
    expect(
      await violations(prometheusAlertmanagerNotPublished, [
        kps({
          prometheus: {
            service: {
              type: "LoadBalancer",
              annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" },
            },
            ingress: { enabled: false },
          },
          alertmanager: { enabled: false, ingress: { enabled: true } },
          thanosRuler: { service: { type: "ClusterIP" } },
        }),
      ]),
    ).toEqual([]);
  });
});

describe("images-pinned-and-allowed: images set in chart values", () => {
  const release = (values: Record<string, unknown>) =>
    resource("kubernetes:helm.sh/v3:Release", { chart: "some-chart", values });
  it("also judges CronJobs and ReplicaSets, whose pods are built from templates", async () => {
    const pod = { containers: [{ name: "c", image: "nvcr.io/nvidia/cuda:latest" }] };
    expect(
      await violations(imagesPinnedAndAllowed, [
        resource("kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: { spec: pod } } } } }),
        resource("kubernetes:apps/v1:ReplicaSet", { spec: { template: { spec: pod } } }, { name: "rs" }),
      ]),
    ).toEqual([expect.stringMatching(/latest tag/), expect.stringMatching(/latest tag/)]);
  });
  it("finds image overrides at any depth, in every layout charts use", () => {
    expect(
      chartImages({
        image: { tag: "v1.35.0" },
        a: { b: [{ sidecar: { image: { registry: "quay.io", repository: "x/y", tag: "1", sha: "f".repeat(64) } } }] },
        controller: { image: "kserve/kserve-controller", tag: "v0.20.0" },
        global: { imageRegistry: "docker.io" },
      }),
    ).toEqual([
      { path: "image", ref: "", redirects: false, tag: "v1.35.0" },
      { path: "a.b[0].sidecar.image", ref: `quay.io/x/y:1@sha256:${"f".repeat(64)}`, redirects: true },
      { path: "controller.image", ref: "kserve/kserve-controller:v0.20.0", redirects: true },
      { path: "global.imageRegistry", ref: "docker.io/", redirects: true, tag: undefined },
    ]);
  });
  it("flags latest, missing tags and registries outside the allow-list, however deep", async () => {
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ image: { tag: "latest" } }, /latest tag/],
      [{ deep: { deeper: { image: { registry: "public.ecr.aws", repository: "x/y" } } } }, /has no tag/],
      [{ image: { repository: "docker.io/library/nginx", tag: "1.27" } }, /not from an allowed registry/],
      [{ image: { registry: "quay.io", repository: "prometheus/prometheus", tag: "v3.5.0" } }, /not from an allowed/],
      [{ sidecars: [{ image: "nvcr.io/nvidia/cuda:latest" }] }, /latest tag/],
      [{ global: { imageRegistry: "docker.io" } }, /not from an allowed registry/],
      [{ controller: { image: "kserve/kserve-controller", tag: "v0.20.0" } }, /not from an allowed registry/],
    ];
    for (const [values, message] of refused)
      expect(await violations(imagesPinnedAndAllowed, [release(values)]), JSON.stringify(values)).toEqual([
        expect.stringMatching(message),
      ]);
  });
  it("accepts a pinned tag alone, and pinned images from allowed registries, by tag or digest", async () => {
    expect(
      await violations(imagesPinnedAndAllowed, [
        release({
          image: { tag: "v1.35.0" },
          controller: { image: { registry: "public.ecr.aws", repository: "karpenter/controller", tag: "1.14.1" } },
          server: { image: { repository: "123456789012.dkr.ecr.us-west-2.amazonaws.com/triton", sha: "a".repeat(64) } },
          imagePullPolicy: "IfNotPresent",
        }),
      ]),
    ).toEqual([]);
  });
});

describe("volumes-encrypted", () => {
  const storageClass = (provisioner: string, parameters: Record<string, unknown>) =>
    resource("kubernetes:storage.k8s.io/v1:StorageClass", { metadata: { name: "sc" }, provisioner, parameters });
  const template = (ebs: Record<string, unknown>) =>
    resource("aws:ec2/launchTemplate:LaunchTemplate", {
      blockDeviceMappings: [
        { deviceName: "/dev/xvda", ebs: { volumeSize: 80, ...ebs } },
        { deviceName: "/dev/sdb", virtualName: "ephemeral0" },
      ],
    });
  it("flags EBS StorageClasses and launch-template volumes that do not encrypt", async () => {
    for (const parameters of [{ type: "gp3" }, { type: "gp3", encrypted: "false" }, { encrypted: true }])
      expect(
        await violations(volumesEncrypted, [storageClass("ebs.csi.aws.com", parameters)]),
        JSON.stringify(parameters),
      ).toEqual([expect.stringMatching(/parameters.encrypted/)]);
    expect(await violations(volumesEncrypted, [storageClass("kubernetes.io/aws-ebs", {})])).toHaveLength(1);
    for (const ebs of [{}, { encrypted: "false" }])
      expect(await violations(volumesEncrypted, [template(ebs)]), JSON.stringify(ebs)).toEqual([
        expect.stringMatching(/blockDeviceMappings\[0\] \(\/dev\/xvda\) ebs.encrypted/),
      ]);
  });
  it("accepts encrypted ones, and ignores other provisioners and instance-store devices", async () => {
    expect(
      await violations(volumesEncrypted, [
        storageClass("ebs.csi.aws.com", { type: "gp3", encrypted: "true" }),
        storageClass("efs.csi.aws.com", { provisioningMode: "efs-ap" }),
        template({ encrypted: "true" }),
      ]),
    ).toEqual([]);
  });
});

describe("database-ports-not-open-to-world", () => {
  it("judges sources by the public space they open together, IPv4 and IPv6", () => {
    expect(opensToWorld(["0.0.0.0/0"], [])).toBe(true);
    expect(opensToWorld(["0.0.0.0/1", "128.0.0.0/1"], [])).toBe(true);
    expect(opensToWorld(["0.0.0.0/00"], [])).toBe(true);
    expect(opensToWorld([], ["::/0"])).toBe(true);
    expect(opensToWorld([], ["2000::/4", "3000::/4"])).toBe(true);
    expect(opensToWorld(["10.0.0.0/8", "203.0.113.0/24"], ["2001:db8::/64"])).toBe(false);
  });
  it("flags the world on database ports and on every port, in all three rule resources", async () => {
    const msgs = await violations(databasePortsNotOpenToWorld, [
      resource("aws:ec2/securityGroup:SecurityGroup", {
        ingress: [
          { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] },
          { protocol: "tcp", fromPort: 3306, toPort: 3306, ipv6CidrBlocks: ["::/0"] },
        ],
      }),
      resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-1" },
        { name: "all" },
      ),
      resource(
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        { type: "ingress", protocol: "tcp", fromPort: 5000, toPort: 6500, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] },
        { name: "pieces" },
      ),
    ]);
    expect(msgs).toEqual([
      expect.stringMatching(/ingress\[0\] admits 0.0.0.0\/0 on database port\(s\) 5432/),
      expect.stringMatching(/ingress\[1\] admits ::\/0 on database port\(s\) 3306/),
      expect.stringMatching(/every port/),
      expect.stringMatching(/database port\(s\) 5432, 6379/),
    ]);
  });
  it("accepts the VPC or a security group on database ports, the world on HTTPS, and egress", async () => {
    expect(
      await violations(databasePortsNotOpenToWorld, [
        resource("aws:ec2/securityGroup:SecurityGroup", {
          ingress: [
            { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.30.0.0/16"] },
            { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
          ],
          egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
        }),
        resource(
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
          { ipProtocol: "tcp", fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-2" },
          { name: "sg" },
        ),
        resource(
          "aws:ec2/securityGroupRule:SecurityGroupRule",
          { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] },
          { name: "egress" },
        ),
      ]),
    ).toEqual([]);
  });
});

describe("database-security-groups-closed", () => {
  const sg = resource("aws:ec2/securityGroup:SecurityGroup", { description: "db" }, { name: "db-sg" });
  const rule = (name: string, inputs: Record<string, unknown>) =>
    resource(
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      { ipProtocol: "tcp", securityGroupId: "sg-1", ...inputs },
      { name, dependsOn: [sg.urn] },
    );
  const db = resource(
    "aws:rds/instance:Instance",
    { vpcSecurityGroupIds: ["sg-1"] },
    { name: "db", dependsOn: [sg.urn] },
  );
  it("flags a database port opened to the world in pieces across rules of one group", async () => {
    const pieces = [0, 1, 2].map((i) =>
      rule(`piece-${i}`, { fromPort: 5432, toPort: 5432, cidrIpv4: `${i * 64 + 1}.0.0.0/8` }),
    );
    expect(await violations(databaseSecurityGroupsClosed, [sg, ...pieces])).toEqual([
      expect.stringMatching(/together admit the world on database port\(s\) 5432/),
    ]);
    // Each piece alone is within a /8, so the per-resource rule cannot see it.
    expect(await violations(databasePortsNotOpenToWorld, pieces)).toEqual([]);
  });
  it("flags the world on any port of a group that guards a database", async () => {
    expect(
      await violations(databaseSecurityGroupsClosed, [
        sg,
        db,
        rule("app", { fromPort: 6543, toPort: 6543, cidrIpv4: "0.0.0.0/0" }),
      ]),
    ).toEqual([expect.stringMatching(/guards a database and admits the world on port\(s\) 6543-6543/)]);
  });
  it("accepts the VPC and a security group on the database port, and HTTPS to the world on a group without a database", async () => {
    expect(
      await violations(databaseSecurityGroupsClosed, [
        sg,
        db,
        rule("vpc", { fromPort: 5432, toPort: 5432, cidrIpv4: "10.30.0.0/16" }),
        rule("cluster", { fromPort: 5432, toPort: 5432, referencedSecurityGroupId: "sg-2" }),
        resource(
          "aws:ec2/securityGroup:SecurityGroup",
          { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] },
          { name: "web" },
        ),
      ]),
    ).toEqual([]);
  });
});

describe("rds-secure: skipFinalSnapshot in prod and Aurora instances", () => {
  const db = (type: string, extra: Record<string, unknown>) =>
    resource(type, {
      storageEncrypted: true,
      backupRetentionPeriod: 30,
      deletionProtection: true,
      ...extra,
    });
  it("flags skipFinalSnapshot on an instance or a cluster in prod, and a public Aurora instance", async () => {
    for (const type of ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"])
      expect(await violations(rdsSecure, [db(type, { skipFinalSnapshot: true })], { environment: "prod" })).toEqual([
        expect.stringMatching(/skipFinalSnapshot must not be true in prod/),
      ]);
    expect(
      await violations(rdsSecure, [resource("aws:rds/clusterInstance:ClusterInstance", { publiclyAccessible: true })]),
    ).toEqual([expect.stringMatching(/publiclyAccessible/)]);
  });
  it("accepts a final snapshot in prod, skipping it outside prod, and a private Aurora instance", async () => {
    expect(
      await violations(
        rdsSecure,
        [db("aws:rds/instance:Instance", { skipFinalSnapshot: false, finalSnapshotIdentifier: "final" })],
        { environment: "prod" },
      ),
    ).toEqual([]);
    expect(
      await violations(rdsSecure, [db("aws:rds/cluster:Cluster", { skipFinalSnapshot: true })], { environment: "dev" }),
    ).toEqual([]);
    expect(
      await violations(rdsSecure, [resource("aws:rds/clusterInstance:ClusterInstance", { publiclyAccessible: false })]),
    ).toEqual([]);
  });
});

describe("no-internet-facing-model-endpoints", () => {
  const modelIngress = (annotations: Record<string, string>, namespace = "serving", labels = {}) =>
    resource("kubernetes:networking.k8s.io/v1:Ingress", { metadata: { namespace, labels, annotations } });
  const open = { "alb.ingress.kubernetes.io/scheme": "internet-facing" };
  it("refuses an internet-facing model endpoint in every environment the pack's config does not list", async () => {
    for (const environment of ["dev", "staging", "prod"])
      expect(
        await violations(noInternetFacingModelEndpoints, [modelIngress(open)], { environment }),
        environment,
      ).toEqual([expect.stringMatching(new RegExp(`internet-facing in ${environment}`))]);
    // Recognised by its label outside the serving namespace, and as a LoadBalancer Service.
    expect(
      await violations(
        noInternetFacingModelEndpoints,
        [
          modelIngress(open, "team-a", { "mlserving.io/model": "m" }),
          resource(
            "kubernetes:core/v1:Service",
            { metadata: { namespace: "serving" }, spec: { type: "LoadBalancer" } },
            { name: "svc" },
          ),
        ],
        { environment: "dev" },
      ),
    ).toHaveLength(2);
  });
  it("where the config allows it, still refuses an endpoint that admits anyone", async () => {
    const config = { environment: "staging", internetFacingModelEnvironments: ["staging"] };
    for (const extra of [
      {} as Record<string, string>,
      { "alb.ingress.kubernetes.io/inbound-cidrs": "0.0.0.0/1, 128.0.0.0/1" },
    ])
      expect(await violations(noInternetFacingModelEndpoints, [modelIngress({ ...open, ...extra })], config)).toEqual([
        expect.stringMatching(/admits anyone/),
      ]);
    expect(
      await violations(
        noInternetFacingModelEndpoints,
        [
          modelIngress({ ...open, "alb.ingress.kubernetes.io/inbound-cidrs": "203.0.113.0/24, 198.51.100.0/24" }),
          modelIngress({ ...open, "alb.ingress.kubernetes.io/auth-type": "oidc" }),
        ],
        config,
      ),
    ).toEqual([]);
  });
  it("reads the scheme an IngressClassParams forces on its class, whatever the Ingress's annotation says", async () => {
    const params = resource(
      "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams",
      { metadata: { name: "public" }, spec: { scheme: "internet-facing" } },
      { name: "params" },
    );
    const ingressClass = resource(
      "kubernetes:networking.k8s.io/v1:IngressClass",
      {
        metadata: { name: "public-alb" },
        spec: {
          controller: "ingress.k8s.aws/alb",
          parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: "public" },
        },
      },
      { name: "class" },
    );
    const ingress = (ingressClassName: string) =>
      resource(
        "kubernetes:networking.k8s.io/v1:Ingress",
        {
          metadata: { namespace: "serving", annotations: { "alb.ingress.kubernetes.io/scheme": "internal" } },
          spec: { ingressClassName },
        },
        { name: ingressClassName },
      );
    expect(
      await violations(noInternetFacingModelEndpoints, [params, ingressClass, ingress("public-alb"), ingress("alb")], {
        environment: "dev",
      }),
    ).toEqual([expect.stringMatching(/internet-facing in dev/)]);
  });
  it("accepts internal model endpoints and leaves other internet-facing endpoints to no-internet-facing-in-prod", async () => {
    expect(
      await violations(
        noInternetFacingModelEndpoints,
        [modelIngress({ "alb.ingress.kubernetes.io/scheme": "internal" }), modelIngress(open, "web")],
        { environment: "dev" },
      ),
    ).toEqual([]);
  });
});

describe("inference-workloads-hardened: a KServe model's floor comes from its ScaledObject", () => {
  const isvc = (minReplicas: number) =>
    resource(
      "kubernetes:serving.kserve.io/v1beta1:InferenceService",
      {
        metadata: { name: "m", namespace: "serving", annotations: { "serving.kserve.io/autoscalerClass": "external" } },
        spec: {
          predictor: {
            minReplicas,
            labels: { "mlserving.io/model": "m" },
            model: {
              image: "nvcr.io/nvidia/tritonserver:26.07-py3",
              resources: { limits: { memory: "8Gi" } },
              readinessProbe: { httpGet: { path: "/v2/health/ready", port: 8080 } },
            },
          },
        },
      },
      { name: "isvc" },
    );
  const pdb = resource(
    "kubernetes:policy/v1:PodDisruptionBudget",
    {
      metadata: { namespace: "serving" },
      spec: { maxUnavailable: 1, selector: { matchLabels: { "mlserving.io/model": "m" } } },
    },
    { name: "pdb" },
  );
  const scaler = (spec: Record<string, unknown>, annotations: Record<string, string> = {}) =>
    resource(
      "kubernetes:keda.sh/v1alpha1:ScaledObject",
      {
        metadata: { namespace: "serving", annotations },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "m-predictor" }, ...spec },
      },
      { name: "so" },
    );
  it("flags a floor of 1 in prod set on the ScaledObject although the InferenceService says 2", async () => {
    for (const [spec, annotations] of [
      [{ minReplicaCount: 1 }, {}],
      [{}, {}], // KEDA's default minReplicaCount is 0
      [{ minReplicaCount: 2, idleReplicaCount: 0 }, {}],
      [{ minReplicaCount: 2 }, { "autoscaling.keda.sh/paused-replicas": "1" }],
    ] as [Record<string, unknown>, Record<string, string>][])
      expect(
        await violations(inferenceWorkloadsHardened, [isvc(2), pdb, scaler(spec, annotations)], {
          environment: "prod",
        }),
        JSON.stringify([spec, annotations]),
      ).toEqual([expect.stringMatching(/prod needs at least 2/)]);
  });
  it("accepts a ScaledObject floor of 2 whatever the InferenceService says", async () => {
    expect(
      await violations(inferenceWorkloadsHardened, [isvc(1), pdb, scaler({ minReplicaCount: 2 })], {
        environment: "prod",
      }),
    ).toEqual([]);
  });
});

describe("evasions of older rules", () => {
  it("eks-endpoint-not-open-to-world: many small networks that together open more than a /8", async () => {
    const cluster = (publicAccessCidrs: string[]) =>
      resource("aws:eks/cluster:Cluster", { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs } });
    expect(await violations(eksEndpointNotOpenToWorld, [cluster(["1.0.0.0/8", "2.0.0.0/9", "2.128.0.0/9"])])).toEqual([
      expect.stringMatching(/more than a \/8/),
    ]);
    expect(await violations(eksEndpointNotOpenToWorld, [cluster(["1.0.0.0/8"])])).toEqual([]);
  });
  it("s3-buckets-secure: settings that name the bucket literally (no dependency) still count", async () => {
    const bucket = resource("aws:s3/bucketV2:BucketV2", { bucket: "models" }, { name: "b" });
    const setting = (type: string, inputs: Record<string, unknown>) =>
      resource(type, { bucket: "models", ...inputs }, { name: type.split(":").pop()! });
    expect(
      await violations(s3BucketsSecure, [
        bucket,
        setting("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", {
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }],
        }),
        setting("aws:s3/bucketVersioningV2:BucketVersioningV2", { versioningConfiguration: { status: "Enabled" } }),
        setting("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", {
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        }),
      ]),
    ).toEqual([]);
    expect(await violations(s3BucketsSecure, [bucket])).toHaveLength(3);
  });
  it("stateful-resources-protected: a BucketV2 in prod needs protect as a Bucket does", async () => {
    const v2 = (protect: boolean) => resource("aws:s3/bucketV2:BucketV2", {}, { protect });
    expect(await violations(statefulResourcesProtected, [v2(false)], { environment: "prod" })).toHaveLength(1);
    expect(await violations(statefulResourcesProtected, [v2(true)], { environment: "prod" })).toEqual([]);
  });
});

describe("the kit's own model reader, planned on mocks", () => {
  it("is recognised, passes both IAM rules, and is refused once its policy writes", async () => {
    const plan = await runComponent(() => {
      const c = testCluster();
      const platform = new ServingPlatform("serving", { cluster: c.handle, monitoring: existingMonitoring() });
      new TritonServer("resnet", {
        ...modelServerBase(c.handle, platform),
        model: { ...TRITON_GPU_MODEL, replicas: { min: 1, max: 2 } },
      });
    });
    const readerPolicy = plan.resources.find(
      (r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.includes("model-reader"),
    )!;
    expect(readerPolicy).toBeDefined();
    const run = async (resources: typeof plan.resources) => [
      ...(await violations(modelReadersLeastPrivilege, resources)),
      ...(await violations(s3AccessNamesBuckets, resources)),
    ];
    expect(await run(plan.resources)).toEqual([]);
    const writing = plan.resources.map((r) => {
      if (r !== readerPolicy) return r;
      const policy = JSON.parse(r.inputs.policy as string);
      policy.Statement[0].Action = ["s3:GetObject", "s3:PutObject"];
      return { ...r, inputs: { ...r.inputs, policy: JSON.stringify(policy) } };
    });
    expect(await run(writing)).toEqual([expect.stringMatching(/which writes; a model reader only reads/)]);
  });
});
