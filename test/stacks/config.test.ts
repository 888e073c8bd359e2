import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configKeys } from "../../cli/config-reference";
import { checkStackFile } from "../../cli/stack-check";
import { loadStackFile } from "../../cli/stack-file";
import { ENVIRONMENT_DEFAULTS } from "../../components/platform/defaults";
import { CONFIG_NAMESPACE, resolvePlatformSpec } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";
import { isOpenToWorld } from "../../components/common/cidr";

/** A public endpoint admitting one (documentation) network: the deployer can reach the API. */
const REACHABLE = { deployerAccess: "public", publicAccessCidrs: ["203.0.113.0/24"] };

const fixtures = join(__dirname, "..", "fixtures", "bad-stacks");
const stacks = join(__dirname, "..", "..", "stacks");

/** What the plan reports for a stack file, as `npm run plan` checks it before exiting 2. */
function problemsOf(file: string) {
  const checked = checkStackFile(file);
  if (checked.ok) throw new Error(`${file} was accepted`);
  return checked.problems;
}

/** Each bad stack file and the config key paths its errors must name. */
const BAD_STACKS: [string, string[], RegExp?][] = [
  ["unknown-top-level-key.yaml", ["mlserving:clustr"], /unknown key/],
  ["unknown-nested-key.yaml", ["mlserving:cluster.systemNodes.maxSzie"], /unknown key/],
  ["bad-environment.yaml", ["mlserving:environment"], /dev, staging, prod/],
  ["missing-team-and-region.yaml", ["aws:region", "mlserving:team"], /required/],
  ["world-open-endpoint.yaml", ["mlserving:cluster.publicAccessCidrs[1]"], /0\.0\.0\.0\/0/],
  ["bad-cidr.yaml", ["mlserving:network.cidrBlock"], /IPv4 CIDR/],
  ["min-above-max.yaml", ["mlserving:cluster.systemNodes"], /minSize <= desiredSize <= maxSize/],
  ["bad-admin-arn.yaml", ["mlserving:cluster.adminPrincipalArns[1]"], /IAM role or user ARN/],
  ["prod-single-nat.yaml", ["mlserving:network.natGateways"], /onePerAz/],
  ["prod-delete-volumes.yaml", ["mlserving:cluster.storageReclaimPolicy"], /Retain/],
  ["bad-log-retention.yaml", ["mlserving:cluster.logRetentionDays"], /retention/],
  ["bad-region.yaml", ["aws:region"], /AWS region[\s\S]*"xx-fake-9" is not one of/],
  ["wrong-type.yaml", ["mlserving:network.availabilityZoneCount"], /number/],
  ["existing-vpc-one-subnet.yaml", ["mlserving:network.existing.privateSubnetIds"], /at least 2/],
  [
    "wrong-instance-type-for-kind.yaml",
    ["mlserving:capacity.pools[0].instanceTypes[1]"],
    /inf2\.xlarge is a neuron instance type/,
  ],
  ["both-autoscalers.yaml", ["mlserving:capacity"], /choose one node autoscaler/],
  ["pool-min-above-max.yaml", ["mlserving:capacity.pools[0].minNodes"], /must not exceed maxNodes/],
  ["unknown-accelerator-kind.yaml", ["mlserving:capacity.pools[0].kind"], /nvidia, neuron/],
  ["prod-registry-unsafe.yaml", ["mlserving:registry.dbInstanceClass"], /RDS instance class/],
  ["alert-key-in-plaintext.yaml", ["mlserving:alertSlackWebhookUrl"], /must be stored as a secret/],
  ["prod-without-receiver.yaml", ["mlserving:alertPagerdutyRoutingKey"], /at least one alert receiver/],
  ["prod-pagerduty-only.yaml", ["mlserving:alertSlackWebhookUrl"], /non-paging receiver for warnings/],
  ["prod-without-heartbeat.yaml", ["mlserving:alertHeartbeatUrl"], /heartbeat receiver \(alertHeartbeatUrl/],
  ["retention-shorter-than-slo-window.yaml", ["mlserving:monitoring.retention"], /longest alert window \(72h/],
  ["spot-too-few-types.yaml", ["mlserving:capacity.pools[0].instanceTypes"], /at least 3 instance types/],
  [
    "model-too-many-gpus.yaml",
    ["mlserving:serving.models[0].resources.gpus"],
    /model resnet50 asks 8 GPUs per replica/,
  ],
  ["model-too-much-cpu.yaml", ["mlserving:serving.models[0].resources.cpu"], /model resnet50 asks 4 CPUs per replica/],
  // GPU time-slicing: what shares of one GPU cannot give (issue 22).
  [
    "time-slicing-multi-gpu-and-vllm.yaml",
    ["mlserving:serving.models[0].resources.gpus", "mlserving:serving.models[1].runtime"],
    /capacity\.gpuTimeSlicingReplicas: 4/,
  ],
  [
    "time-slicing-bottlerocket-node-group.yaml",
    ["mlserving:capacity.gpuTimeSlicingReplicas"],
    /Bottlerocket node groups[\s\S]*pools\[0\]\.os: al2023/,
  ],
  [
    "gateway-jwt-and-wake.yaml",
    [
      "mlserving:serving.gateway.jwt.issuer",
      "mlserving:serving.gateway.jwt.jwksUri",
      "mlserving:serving.gateway.jwt.audiences",
      "mlserving:serving.models[0].wakeTimeoutSeconds",
      "mlserving:serving.models[1].wakeTimeoutSeconds",
    ],
    /https:\/\/ URL of the token issuer[\s\S]*from 60 to 900[\s\S]*scales from zero[\s\S]*only the LLM gateway holds/,
  ],
  [
    "bad-budget.yaml",
    ["mlserving:budget.monthlyCeilingUsd", "mlserving:budget.enforcement"],
    /positive|mandatory or advisory/,
  ],
  // Rules that once lived only inside components, now reported by their config key.
  ["network-too-small.yaml", ["mlserving:network.cidrBlock"], /prefix from \/16 to \/20/],
  ["pool-name-too-long.yaml", ["mlserving:capacity.pools[0].name"], /at most 32 characters/],
  ["existing-vpc-world-cidr.yaml", ["mlserving:network.existing.cidrBlock"], /VPC's own IPv4 CIDR/],
  [
    "capacity-bad-tuning.yaml",
    ["mlserving:capacity.gpuTimeSlicingReplicas", "mlserving:capacity.clusterAutoscaler.scaleDownUnneededTime"],
    /at most 48|duration/,
  ],
  ["no-api-path.yaml", ["mlserving:cluster.deployerAccess"], /no network path[\s\S]*publicAccessCidrs/],
  [
    "private-vpn-into-new-vpc.yaml",
    ["mlserving:cluster.deployerAccess"],
    /exists before the first pulumi up[\s\S]*network\.existing/,
  ],
  ["public-without-cidrs.yaml", ["mlserving:cluster.publicAccessCidrs"], /egress CIDR/],
  [
    "autoscaler-mixed-shapes.yaml",
    ["mlserving:capacity.pools[0].instanceTypes[2]"],
    /g6e\.xlarge \(4 vCPU, 32 GiB, 1 device\) differs[\s\S]*one instance shape/,
  ],
  // Networks judged by what they cover (issue 11).
  ["cidr-leading-zeros.yaml", ["mlserving:network.cidrBlock"], /IPv4 CIDR/],
  ["cidr-prefix-double-zero.yaml", ["mlserving:cluster.publicAccessCidrs[0]"], /IPv4 CIDR/],
  ["cidr-host-bits.yaml", ["mlserving:network.cidrBlock"], /host bits set; write 10\.0\.0\.0\/16/],
  ["world-open-in-pieces.yaml", ["mlserving:cluster.publicAccessCidrs"], /more than a \/8/],
  [
    "existing-vpc-same-subnet-twice.yaml",
    ["mlserving:network.existing.privateSubnetIds[1]"],
    /repeats privateSubnetIds\[0\]/,
  ],
  ["existing-vpc-half-the-world.yaml", ["mlserving:network.existing.cidrBlock"], /\/16 to \/28/],
  // Names (issue 11).
  [
    "model-name-collides-with-generated.yaml",
    ["mlserving:serving.models[1].name"],
    /must not end with -predictor[\s\S]*collide with resnet50's/,
  ],
  ["tag-key-aws-prefix.yaml", ['mlserving:tags["aws:cost-center"]'], /must not start with aws:/],
  ["model-host-too-long.yaml", ["mlserving:serving.models[0].name"], /of 256 characters; a DNS name holds at most 253/],
  ["ingress-domain-label-too-long.yaml", ["mlserving:serving.ingressDomain"], /1 to 63 characters \(found one of 64\)/],
  // Values that exist nowhere (issue 11).
  // Values that disable what they set (issue 11).
  ["model-memory-zero.yaml", ["mlserving:serving.models[0].resources.memory"], /more than 0 memory/],
  ["model-queue-time-unreachable.yaml", ["mlserving:serving.models[0].autoscaling.target"], /at most 60000 ms/],
  ["retention-zero.yaml", ["mlserving:monitoring.retention"], /longer than the longest alert window/],
  [
    "kubernetes-version-unpinned.yaml",
    ["mlserving:cluster.kubernetesVersion"],
    /must be 1\.35, the version the kit pins/,
  ],
  [
    "system-node-type-misspelt.yaml",
    ["mlserving:cluster.systemNodes.instanceTypes[1]"],
    /m7i\.lrge is not in the kit's instance-type catalogue[\s\S]*m7i\.large/,
  ],
  [
    "rds-class-unknown.yaml",
    ["mlserving:registry.dbInstanceClass"],
    /db\.q99\.mega is not an RDS for PostgreSQL 17 instance class[\s\S]*nearest: /,
  ],
  ["rds-class-misspelt.yaml", ["mlserving:registry.dbInstanceClass"], /nearest: db\.m7g\.large/],
  ["registry-host-label-too-long.yaml", ["mlserving:registry.hostname"], /1 to 63 characters \(found one of 64\)/],
  ["tag-key-empty.yaml", ['mlserving:tags[""]'], /tag keys must be 1-128 letters/],
  // Secrets (issue 11): a malformed ciphertext, and secure: on a value Pulumi cannot hide.
  [
    "secure-number.yaml",
    ["mlserving:registry.hostname"],
    /ciphertext written by pulumi config set --secret[\s\S]*found a number/,
  ],
  ["secure-empty.yaml", ["mlserving:alertWebhookUrl"], /found an empty string/],
  ["secure-list.yaml", ['mlserving:tags["cost-center"]'], /found a list/],
  ["secure-map.yaml", ["mlserving:registry.certificateArn"], /found a map/],
  [
    "secure-plaintext.yaml",
    ["mlserving:alertSlackWebhookUrl"],
    /neither v1:\.\.\. nor base64 \(a value in plain text\?\)/,
  ],
  ["secure-bad-v1.yaml", ["mlserving:alertPagerdutyRoutingKey"], /not v1:<base64 12-byte nonce>:<base64 ciphertext>/],
  [
    "secure-on-a-name.yaml",
    ["mlserving:serving.models[0].name"],
    /cannot be a secret: it shapes what the kit builds[\s\S]*secure: is accepted on [\s\S]*serving\.models\[\]\.source/,
  ],
  // Numbers YAML reads as infinity or not-a-number (issue 11).
  ["number-infinite.yaml", ["mlserving:registry.dbStorageGiB"], /must be a finite number, not \.inf/],
  ["number-nan.yaml", ["mlserving:serving.models[0].autoscaling.target"], /must be a finite number, not \.nan/],
  // Size (issue 11): every list has a bound, checked before anything else.
  [
    "too-many-admin-arns.yaml",
    ["mlserving:cluster.adminPrincipalArns"],
    /lists at most 100 principal ARNs[\s\S]*\(found 101\)/,
  ],
  ["too-many-public-cidrs.yaml", ["mlserving:cluster.publicAccessCidrs"], /lists at most 40 CIDRs[\s\S]*\(found 41\)/],
  ["too-many-tags.yaml", ["mlserving:tags"], /lists at most 40 tags[\s\S]*\(found 41\)/],
  // Sizes the hardware cannot hold (issue 24).
  [
    "llm-context-beyond-kv-cache.yaml",
    ["mlserving:serving.models[0].llm.maxModelLen"],
    /1048576 tokens needs 128 GiB of KV cache \(128 KiB a token, an 8B-class model's; set llm\.kvCacheBytesPerToken[\s\S]*at most 2\.1 GiB[\s\S]*lower llm\.maxModelLen/,
  ],
  [
    "llm-long-context-8b.yaml",
    ["mlserving:serving.models[0].llm.maxModelLen"],
    /131072 tokens needs 16 GiB of KV cache \(128 KiB a token\)[\s\S]*lower llm\.maxModelLen to at most 4\d{4}\b/,
  ],
  [
    "llm-kv-bytes-out-of-range.yaml",
    ["mlserving:serving.models[0].llm.kvCacheBytesPerToken"],
    /whole number from 1024/,
  ],
  ["llm-weights-leave-no-kv-cache.yaml", ["mlserving:serving.models[0].llm.maxModelLen"], /leave no KV cache/],
  [
    "model-weights-beyond-gpu-memory.yaml",
    ["mlserving:serving.models[0].weightsGiB"],
    /weights \(60 GiB\) exceed the GPU memory[\s\S]*at most 22\.4 GiB/,
  ],
  [
    "model-weights-beyond-node-disk.yaml",
    ["mlserving:serving.models[0].weightsGiB"],
    /downloaded to the node's disk[\s\S]*at most 50 GiB/,
  ],
  // Values AWS refuses at apply time (issue 24).
  ["tag-value-bad-characters.yaml", ['mlserving:tags["owner"]'], /characters AWS and IAM accept/],
  ["aws-default-tags-bad-characters.yaml", ['aws:defaultTags.tags["cost-center"]'], /characters AWS and IAM accept/],
  [
    "pool-node-group-name-too-long.yaml",
    ["mlserving:capacity.pools[0].name"],
    /mlserving-vision-inference-a10g-on-demand- is 42 characters[\s\S]*at most 37/,
  ],
  ["certificate-other-region.yaml", ["mlserving:serving.certificateArn"], /of us-east-1, but[\s\S]*in us-west-2/],
  [
    "canary-fractional-percent.yaml",
    ["mlserving:serving.models[0].canary.trafficPercent"],
    /whole number from 1 to 50/,
  ],
  // Durations that overflow, which their programs refuse at start (issue 24).
  ["retention-overflow.yaml", ["mlserving:monitoring.retention"], /about 292 years/],
  ["scale-down-time-overflow.yaml", ["mlserving:capacity.clusterAutoscaler.scaleDownUnneededTime"], /about 292 years/],
  // Files the Pulumi CLI itself refuses (issue 24).
  ["key-without-namespace.yaml", ["team"], /has no namespace[\s\S]*write mlserving:team/],
  ["key-with-two-colons.yaml", ["mlserving:registry:hostname"], /has 2 colons/],
  ["not-utf8.yaml", ["(file)"], /is not UTF-8: byte 0xe9 on line 7/],
  ["nesting-too-deep.yaml", ["mlserving:tags"], /more than 32 levels deep[\s\S]*\(line 7\)/],
];

describe("bad stack files are rejected with their key paths", () => {
  it.each(BAD_STACKS)("%s", (file, paths, message) => {
    const problems = problemsOf(join(fixtures, file));
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(paths));
    if (message)
      expect(
        problems
          .filter((p) => paths.includes(p.path))
          .map((p) => p.message)
          .join(" | "),
      ).toMatch(message);
  });

  it("holds prod's registry to Multi-AZ and 30 days of backups", () => {
    const spec = () =>
      resolvePlatformSpec(
        { environment: "prod", team: "ml-platform", registry: { multiAz: false, backupRetentionDays: 7 } },
        "us-east-1",
      );
    expect(spec).toThrow(/registry\.backupRetentionDays: prod keeps at least 30 days[\s\S]*registry\.multiAz/);
  });

  it("names keys that exist: every problem's path is a key of the configuration reference, or holds one", () => {
    const keys = configKeys().map((k) => k.path);
    const named = (path: string) => {
      const key = path
        .replace(/^mlserving:/, "")
        .replace(/\[\d+\]/g, "[]")
        .replace(/\["[^"]*"\]/g, "")
        .replace(/\[\]$/, "");
      return keys.some((k) => k === key || k.startsWith(`${key}.`) || k.startsWith(`${key}[]`));
    };
    for (const [file] of BAD_STACKS)
      for (const p of problemsOf(join(fixtures, file)))
        if (
          p.path.startsWith("mlserving:") &&
          !/unknown key|cannot be a secret|ciphertext|colons|no namespace/.test(p.message)
        )
          expect(named(p.path), `${file}: ${p.path}`).toBe(true);
  });

  it("lists every problem at once, whichever phase finds it: loader, schema, rules", () => {
    const problems = problemsOf(join(fixtures, "malformed-ciphertext-with-other-problems.yaml"));
    expect(problems.map((p) => p.path)).toEqual([
      "mlserving:alertWebhookUrl",
      "mlserving:registyr",
      "mlserving:cluster.logRetentionDays",
      "mlserving:monitoring.retention",
    ]);
  });

  it("says nesting is too deep, by key, at any depth, not with a stack overflow", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "stack-")), "Pulumi.deep.yaml");
    for (const text of [
      `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
      `${"{a: ".repeat(20_000)}1${"}".repeat(20_000)}`,
    ]) {
      writeFileSync(file, `config:\n  aws:region: us-west-2\n  mlserving:serving: ${text}\n`);
      expect(problemsOf(file)).toEqual([
        { path: "mlserving:serving", message: expect.stringMatching(/more than 32 levels deep/) },
      ]);
    }
    // Aliases nest what the file's own structure does not: each of 5 anchors holds the one before 8 lists deep.
    const anchors = Array.from(
      { length: 5 },
      (_, i) => `    a${i}: &a${i} ${"[".repeat(8)}${i === 0 ? "x" : `*a${i - 1}`}${"]".repeat(8)}`,
    );
    writeFileSync(
      file,
      `config:\n  aws:region: us-west-2\n  mlserving:team: ml-platform\n  mlserving:tags:\n${anchors.join("\n")}\n`,
    );
    expect(problemsOf(file)).toContainEqual({
      path: expect.stringMatching(/^mlserving:tags\.a4(\[0\])+$/),
      message: expect.stringMatching(/more than 32 levels deep/),
    });
  });

  it("refuses aliases that expand without bound as a file problem, not a crash", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "stack-")), "Pulumi.laughs.yaml");
    const laughs = Array.from({ length: 12 }, (_, i) =>
      i === 0 ? "    l0: &l0 [lol, lol]" : `    l${i}: &l${i} [*l${i - 1}, *l${i - 1}, *l${i - 1}]`,
    );
    writeFileSync(file, `config:\n  mlserving:tags:\n${laughs.join("\n")}\n`);
    expect(problemsOf(file)).toEqual([{ path: "(file)", message: expect.stringMatching(/aliases expanding/) }]);
  });

  it("lists every problem at once, not just the first", () => {
    const problems = problemsOf(join(fixtures, "missing-team-and-region.yaml"));
    expect(problems.length).toBeGreaterThanOrEqual(2);
  });
});

describe("stack files resolve with per-environment defaults", () => {
  const spec = (env: string) => {
    const { config, secretKeys } = loadStackFile(join(stacks, `Pulumi.${env}.yaml`), CONFIG_NAMESPACE);
    const { raw, region } = rawConfigFromPulumi(config);
    return resolvePlatformSpec(raw, region, new Set(secretKeys));
  };

  it("dev is cheap: one NAT gateway and a small system group", () => {
    const dev = spec("dev");
    expect(dev.network.natGateways).toBe("single");
    expect(dev.cluster.systemNodes.maxSize).toBeLessThanOrEqual(3);
    expect(dev.clusterName).toBe("mlserving-dev");
  });

  it("prod is highly available, admits the API only from listed networks and keeps its volumes", () => {
    const prod = spec("prod");
    expect(prod.network.natGateways).toBe("onePerAz");
    expect(prod.network.availabilityZoneCount).toBeGreaterThanOrEqual(3);
    // The deployer needs a path to the API (issue 9); the shipped file lists a placeholder network only.
    expect(prod.cluster.publicAccessCidrs.length).toBeGreaterThan(0);
    expect(prod.cluster.publicAccessCidrs.some(isOpenToWorld)).toBe(false);
    expect(prod.cluster.storageReclaimPolicy).toBe("Retain");
    expect(prod.cluster.systemNodes.minSize).toBeGreaterThanOrEqual(3);
    expect(prod.tags).toEqual({ "cost-center": "ml-serving" });
  });

  it("dev scales accelerators to zero with Cluster Autoscaler; staging and prod use Karpenter with on-demand fallback", () => {
    const dev = spec("dev").capacity;
    expect(dev.autoscaler).toBe("cluster-autoscaler");
    // The shipped dev stack gives the GPU pool a third node for chat-llm (woken from zero).
    expect(dev.pools.map((p) => [p.kind, p.minNodes, p.maxNodes])).toEqual([
      ["nvidia", 0, 3],
      ["neuron", 0, 1],
    ]);
    for (const env of ["staging", "prod"]) {
      const c = spec(env).capacity;
      expect(c.autoscaler).toBe("karpenter");
      expect(c.pools.every((p) => p.onDemandFallback)).toBe(true);
      expect(c.pools.map((p) => p.kind).sort()).toEqual(["neuron", "nvidia"]);
    }
  });

  it("switches autoscaler when only the other one is enabled", () => {
    const s = resolvePlatformSpec(
      { environment: "dev", team: "ml-platform", cluster: REACHABLE, capacity: { karpenter: { enabled: true } } },
      "us-west-2",
    );
    expect(s.capacity.autoscaler).toBe("karpenter");
  });

  it("has a default for every environment", () => {
    expect(Object.keys(ENVIRONMENT_DEFAULTS).sort()).toEqual(["dev", "prod", "staging"]);
  });

  it("raises the desired size with a larger minimum instead of failing", () => {
    const s = resolvePlatformSpec(
      { environment: "dev", team: "ml-platform", cluster: { ...REACHABLE, systemNodes: { minSize: 3 } } },
      "us-west-2",
    );
    expect(s.cluster.systemNodes).toMatchObject({ minSize: 3, desiredSize: 3, maxSize: 3 });
  });
});

describe("capacity choices for a first deploy", () => {
  const resolve = (capacity: Record<string, unknown>) =>
    resolvePlatformSpec({ environment: "dev", team: "ml-platform", cluster: REACHABLE, capacity }, "us-west-2");

  it("leaves the EC2 Spot service-linked role out by default (creating it fails where the account has it), and creates it on request", () => {
    expect(resolve({ karpenter: { enabled: true } }).capacity.createSpotServiceLinkedRole).toBe(false);
    expect(resolve({}).capacity.createSpotServiceLinkedRole).toBe(false);
    for (const env of ["staging", "prod"] as const)
      expect(ENVIRONMENT_DEFAULTS[env].capacity.createSpotServiceLinkedRole, env).toBe(false);
    expect(
      resolve({ karpenter: { enabled: true }, createSpotServiceLinkedRole: true }).capacity.createSpotServiceLinkedRole,
    ).toBe(true);
  });

  it("lets an on-demand pool list a single instance type, and still wants 3 for spot", () => {
    const pool = { name: "inf", kind: "neuron", instanceTypes: ["inf2.xlarge"], maxNodes: 1 };
    expect(resolve({ pools: [{ ...pool, spot: false }] }).capacity.pools[0].spot).toBe(false);
    expect(() => resolve({ pools: [pool] })).toThrow(/pools\[0\]\.instanceTypes: spot capacity needs at least 3/);
  });

  it("takes capacity reservations on Karpenter pools, ODCR by default, and names a bad one by its key path", () => {
    const gpu = { name: "gpu", kind: "nvidia", instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"], maxNodes: 2 };
    const odcr = { id: "cr-0123456789abcdef0", instanceType: "g6.xlarge", instances: 1 };
    expect(
      resolve({ karpenter: { enabled: true }, pools: [{ ...gpu, reservations: [odcr] }] }).capacity.pools[0]
        .reservations,
    ).toEqual([{ ...odcr, type: "odcr" }]);
    expect(() => resolve({ pools: [{ ...gpu, reservations: [odcr] }] })).toThrow(
      /mlserving:capacity\.pools\[0\]\.reservations: capacity reservations are used through Karpenter's reserved capacity type/,
    );
    expect(() =>
      resolve({
        karpenter: { enabled: true },
        pools: [{ ...gpu, reservations: [{ ...odcr, type: "capacity-block" }] }],
      }),
    ).toThrow(/mlserving:capacity\.pools\[0\]\.reservations\[0\]\.endsAt: a Capacity Block needs its end/);
    const prod = (onDemandFallback: boolean) =>
      resolvePlatformSpec(
        {
          environment: "prod",
          team: "ml-platform",
          cluster: REACHABLE,
          capacity: {
            karpenter: { enabled: true },
            pools: [
              {
                ...gpu,
                onDemandFallback,
                reservations: [{ ...odcr, type: "capacity-block", endsAt: "2026-12-31T11:30:00Z" }],
              },
            ],
          },
        },
        "us-west-2",
      );
    expect(() => prod(false)).toThrow(
      /mlserving:capacity\.pools\[0\]\.onDemandFallback: a prod pool whose only reservations/,
    );
    // (This bare prod stack also lacks alert receivers; only the reservation rule matters here.)
    const message = (f: () => unknown) => {
      try {
        f();
        return "";
      } catch (e) {
        return String(e);
      }
    };
    expect(message(() => prod(true))).not.toContain("onDemandFallback");
  });

  it("bounds warm nodes by maxNodes and gp3 throughput by 125-1000 MiB/s, by key path, instance store on Karpenter only", () => {
    const gpu = { name: "gpu", kind: "nvidia", instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"], maxNodes: 2 };
    const ok = resolve({
      karpenter: { enabled: true },
      pools: [{ ...gpu, warmNodes: 1, volumeThroughputMiBps: 500, instanceStore: true }],
    }).capacity.pools[0];
    expect(ok).toMatchObject({ warmNodes: 1, volumeThroughputMiBps: 500, instanceStore: true });
    expect(() => resolve({ karpenter: { enabled: true }, pools: [{ ...gpu, warmNodes: 3 }] })).toThrow(
      /mlserving:capacity\.pools\[0\]\.warmNodes: must be at most 2: warm nodes count against maxNodes/,
    );
    expect(() => resolve({ karpenter: { enabled: true }, pools: [{ ...gpu, volumeThroughputMiBps: 2000 }] })).toThrow(
      /mlserving:capacity\.pools\[0\]\.volumeThroughputMiBps: must be at most 1000/,
    );
    expect(() => resolve({ pools: [{ ...gpu, instanceStore: true }] })).toThrow(
      /mlserving:capacity\.pools\[0\]\.instanceStore: is set in Karpenter's AL2023 EC2NodeClass/,
    ); // Node groups take gp3 throughput too (their launch templates), but not the FSR flag without a snapshot.
    const single = { name: "gpu", kind: "nvidia", instanceTypes: ["g6.xlarge"], maxNodes: 2, spot: false };
    expect(
      resolve({ pools: [{ ...single, volumeThroughputMiBps: 500 }] }).capacity.pools[0].volumeThroughputMiBps,
    ).toBe(500);
    expect(() => resolve({ karpenter: { enabled: true }, pools: [{ ...gpu, imageCacheFastRestore: true }] })).toThrow(
      /mlserving:capacity\.pools\[0\]\.imageCacheFastRestore: restores the pool's image-cache snapshot/,
    );
  });

  it("leaves mixed shapes to Karpenter, which picks a type per pod", () => {
    const pools = [
      { name: "gpu", kind: "nvidia", instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"], maxNodes: 2 },
    ];
    expect(resolve({ karpenter: { enabled: true }, pools }).capacity.pools).toHaveLength(1);
  });
});

describe("the models' private hosted zone", () => {
  const serving = (s: Record<string, unknown>) =>
    resolvePlatformSpec({ environment: "dev", team: "ml-platform", cluster: REACHABLE, serving: s }, "us-west-2");

  it("is on unless serving.privateZone is false, and the key takes only a boolean", () => {
    expect(serving({}).serving.privateZone).toBeUndefined();
    expect(serving({ privateZone: false }).serving.privateZone).toBe(false);
    expect(() => serving({ privateZone: "no" })).toThrow(/serving\.privateZone/);
  });
});

describe("what Pulumi, AWS and Kubernetes accept, the kit accepts", () => {
  const good = join(__dirname, "..", "fixtures", "good-stacks");
  const specOf = (file: string) => {
    const checked = checkStackFile(join(good, file));
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
    return checked.spec;
  };

  it("decimal-SI and exponent quantities, Go and Prometheus durations, a <ns>:config:<name> key, whole secrets", () => {
    const spec = specOf("accepted-forms.yaml");
    expect(spec.team).toBe("ml-platform");
    expect(spec.serving.models.map((m) => m.resources.memory)).toEqual(["12G", "12000000000"]);
    expect(spec.teams?.[0].quota.memory).toBe("64G");
    expect(spec.capacity.scaleDownUnneededTime).toBe("1h30m");
    expect(spec.monitoring.retention).toBe("2w3d");
    expect(spec.cluster.adminPrincipalArns).toHaveLength(1);
  });

  it("a small model's long context, with the KV cache a token it states", () => {
    const spec = specOf("llm-small-model-long-context.yaml");
    expect(spec.serving.models[0].llm).toEqual({ maxModelLen: 262144, maxNumSeqs: 16, kvCacheBytesPerToken: 12288 });
  });

  it("tag keys and values in any script with the characters IAM takes", () => {
    expect(Object.keys(specOf("unicode-tags.yaml").tags)).toEqual(["Coût centre", "プロジェクト"]);
  });
});

describe("stack file loading", () => {
  it("turns secure values into secrets with a placeholder, and reads a bare key as the project's while refusing it", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "stack-"));
    const file = join(dir, "Pulumi.x.yaml");
    writeFileSync(
      file,
      "config:\n  team: ml\n  mlserving:alerting:\n    slackWebhookUrl:\n      secure: AAABAJ0xplaceholderciphertextA==\n  aws:region: us-west-2\n",
    );
    const loaded = loadStackFile(file, CONFIG_NAMESPACE);
    expect(loaded.config["mlserving:team"]).toBe("ml");
    expect(loaded.problems).toContainEqual({ path: "team", message: expect.stringMatching(/write mlserving:team/) });
    expect(loaded.secretKeys).toEqual(["mlserving:alerting"]);
    expect(loaded.config["mlserving:alerting"]).not.toContain("AAABAJ0x");
  });
});
