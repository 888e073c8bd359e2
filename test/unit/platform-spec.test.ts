import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ENVIRONMENT_DEFAULTS, InvalidArgsError, platformSpec, platformSpecProblems } from "../../components";
import { CAPACITY_DEFAULTS } from "../../components/capacity/rules";
import { withPoolDefaults } from "../../components/platform/defaults";
import { GATEWAY_DEFAULT_REPLICAS } from "../../components/serving/gateway/gateway-builders";
import { resolvePlatformSpec, StackConfigError } from "../../stacks/config";

const reach = { deployerAccess: "public" as const, publicAccessCidrs: ["198.51.100.0/24"] };

describe("platformSpec", () => {
  it.each(["dev", "staging", "prod"] as const)("%s: the environment's defaults make a valid spec", (env) => {
    // prod also needs alert receivers and a heartbeat, which no default can supply.
    const alerting =
      env === "prod"
        ? {
            pagerdutyRoutingKey: pulumi.secret("key"),
            slackWebhookUrl: pulumi.secret("https://hooks.slack.com/services/T/B/x"),
            heartbeatUrl: pulumi.secret("https://hc-ping.com/0000"),
          }
        : undefined;
    const spec = platformSpec(env, { team: "ml-platform", region: "us-west-2", cluster: reach, alerting });
    expect(platformSpecProblems(spec)).toEqual([]);
    expect(spec.capacity).toEqual(ENVIRONMENT_DEFAULTS[env].capacity);
    expect(spec.clusterName).toBe(`mlserving-${env}`);
    expect(spec.serving).toEqual({ ingressDomain: `models.${env}.internal`, models: [] });
  });

  it("merges objects key by key and replaces arrays whole", () => {
    const spec = platformSpec("staging", {
      team: "ml-platform",
      region: "eu-west-1",
      cluster: { ...reach, systemNodes: { instanceTypes: ["m7i.xlarge"] } },
    });
    expect(spec.cluster.systemNodes).toEqual({
      ...ENVIRONMENT_DEFAULTS.staging.cluster.systemNodes,
      instanceTypes: ["m7i.xlarge"],
    });
    expect(spec.cluster.publicAccessCidrs).toEqual(["198.51.100.0/24"]);
    expect(spec.region).toBe("eu-west-1");
    expect(ENVIRONMENT_DEFAULTS.staging.cluster.systemNodes.instanceTypes).toEqual(["m7i.large", "m6i.large"]);
  });

  it("keeps the API endpoint private unless public CIDRs are listed, and says what to do", () => {
    expect(() => platformSpec("dev", { team: "ml-platform", region: "us-west-2" })).toThrow(/cluster\.deployerAccess/);
    const spec = platformSpec("dev", {
      team: "ml-platform",
      region: "us-west-2",
      cluster: { publicAccessCidrs: ["198.51.100.0/24"] },
    });
    expect(spec.cluster.deployerAccess).toBe("public");
  });

  it("refuses a spec that breaks a rule, naming the key path", () => {
    expect(() =>
      platformSpec("prod", {
        team: "ml-platform",
        region: "us-west-2",
        cluster: { ...reach, storageReclaimPolicy: "Delete" },
      }),
    ).toThrow(InvalidArgsError);
    expect(() =>
      platformSpec("prod", {
        team: "ml-platform",
        region: "us-west-2",
        cluster: { ...reach, storageReclaimPolicy: "Delete" },
      }),
    ).toThrow(/cluster\.storageReclaimPolicy/);
  });
});

describe("platformSpec's models in the stack file's short form", () => {
  const shortModels = [
    {
      name: "support-llm",
      server: "kserve" as const,
      accelerator: "nvidia" as const,
      runtime: "vllm",
      source: "models:/support-llm/3",
    },
    {
      name: "resnet50",
      server: "triton" as const,
      accelerator: "nvidia" as const,
      source: "s3://models/resnet50/1",
      replicas: { min: 1, max: 3 },
    },
  ];

  it("completes them exactly as the stack program completes the same entries", () => {
    const spec = platformSpec("staging", {
      team: "ml-platform",
      region: "us-west-2",
      cluster: reach,
      serving: { models: shortModels },
    });
    const fromStackFile = resolvePlatformSpec(
      { environment: "staging", team: "ml-platform", cluster: reach, serving: { models: shortModels } },
      "us-west-2",
    );
    expect(spec.serving.models).toEqual(fromStackFile.serving.models);
    // Defaults filled in: resources, autoscaling, the vLLM limits sized to the pools' GPUs.
    expect(spec.serving.models[0].llm).toEqual(fromStackFile.serving.models[0].llm);
    expect(spec.serving.models[0].llm?.maxModelLen).toBeGreaterThan(0);
    expect(spec.serving.models[1].replicas).toEqual({ min: 1, max: 3 });
    expect(spec.serving.ingressDomain).toBe("models.staging.internal");
  });

  it("refuses a short-form model that breaks a rule, naming its key", () => {
    expect(() =>
      platformSpec("dev", {
        team: "ml-platform",
        region: "us-west-2",
        cluster: reach,
        serving: { models: [{ ...shortModels[1], replicas: { min: 3, max: 1 } }] },
      }),
    ).toThrow(/serving\.models\[0\]\.replicas/);
  });

  it("keeps a model's compile cache only where Karpenter labels nodes with their GPU, naming the key", () => {
    const kept = { ...shortModels[0], mountWeights: true, compileCache: true };
    const staging = platformSpec("staging", {
      team: "ml-platform",
      region: "us-west-2",
      cluster: reach,
      serving: { models: [kept] },
    });
    expect(staging.capacity.autoscaler).toBe("karpenter");
    expect(platformSpecProblems(staging)).toEqual([]);
    // dev's pools are node groups under Cluster Autoscaler: no karpenter.k8s.aws/instance-gpu-name label.
    expect(() =>
      platformSpec("dev", { team: "ml-platform", region: "us-west-2", cluster: reach, serving: { models: [kept] } }),
    ).toThrow(/serving\.models\[0\]\.compileCache: .*set capacity\.autoscaler: karpenter/);
  });

  it("keeps a Neuron model's compiled model only where its pool offers one device type", () => {
    const assistant = {
      name: "assistant",
      server: "kserve" as const,
      accelerator: "neuron" as const,
      source: "models:/assistant/4",
      mountWeights: true,
      compileCache: true,
    };
    const inputs = (types: string[]) => ({
      team: "ml-platform",
      region: "us-west-2",
      cluster: reach,
      serving: { models: [assistant] },
      capacity: {
        pools: [
          {
            name: "gpu",
            kind: "nvidia",
            instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"],
            maxNodes: 2,
            maxDevices: 2,
          },
          { name: "inferentia", kind: "neuron", instanceTypes: types, maxNodes: 2, maxDevices: 2, spot: false },
        ],
      },
    });
    expect(platformSpecProblems(platformSpec("staging", inputs(["inf2.xlarge", "inf2.8xlarge"]) as any))).toEqual([]);
    expect(() => platformSpec("staging", inputs(["inf2.xlarge", "trn1.2xlarge"]) as any)).toThrow(
      /serving\.models\[0\]\.compileCache: vLLM on AWS Neuron keeps one compiled model, not one per device, .*inferentia2, trainium/,
    );
  });
});

describe("the owning team's name: one rule for the stack file and platformSpec", () => {
  it.each(["ML_Platform", "ml", "ml-", "9ml", "a".repeat(41)])(
    "refuses %j from a library program as the stack file refuses it, naming the key",
    (team) => {
      let fromLibrary: InvalidArgsError | undefined;
      try {
        platformSpec("dev", { team, region: "us-west-2", cluster: reach });
      } catch (e) {
        fromLibrary = e as InvalidArgsError;
      }
      expect(fromLibrary).toBeInstanceOf(InvalidArgsError);
      const rule = `must be 3-40 lowercase letters, digits or '-', starting with a letter and ending with a letter or digit, not ${JSON.stringify(team)}`;
      expect(fromLibrary?.problems).toEqual([`team: ${rule}`]);
      let fromStackFile: StackConfigError | undefined;
      try {
        resolvePlatformSpec({ environment: "dev", team, cluster: reach }, "us-west-2");
      } catch (e) {
        fromStackFile = e as StackConfigError;
      }
      expect(fromStackFile?.problems).toEqual([{ path: "mlserving:team", message: rule }]);
    },
  );

  it("accepts the names the stack file accepts", () => {
    for (const team of ["ml-platform", "abc", "a1-b2", "a".repeat(40)]) {
      expect(platformSpec("dev", { team, region: "us-west-2", cluster: reach }).team).toBe(team);
      expect(resolvePlatformSpec({ environment: "dev", team, cluster: reach }, "us-west-2").team).toBe(team);
    }
  });
});

describe("one path resolves defaults: the stack program and platformSpec", () => {
  // The same platform written as a stack file's mlserving: keys and as platformSpec's overrides, in
  // the short forms: pools by name, kind, types and maxNodes; a team by name and quota; a budget
  // without its level; a gateway without replicas; a system group by its minimum only.
  const shortForm = {
    team: "ml-platform",
    cluster: { ...reach, systemNodes: { minSize: 4 } },
    capacity: {
      pools: [
        { name: "gpu", kind: "nvidia" as const, instanceTypes: ["g6.xlarge", "g5.xlarge", "g6e.xlarge"], maxNodes: 3 },
        {
          name: "inferentia",
          kind: "neuron" as const,
          instanceTypes: ["inf2.xlarge", "inf2.8xlarge", "inf2.24xlarge"],
          maxNodes: 2,
          reservations: [{ id: "cr-0123456789abcdef0", instanceType: "inf2.xlarge", instances: 1 }],
        },
      ],
    },
    monitoring: { storageGiB: 80 },
    budget: { monthlyCeilingUsd: 90000 },
    serving: {
      gateway: {},
      models: [
        {
          name: "support-llm",
          server: "kserve" as const,
          accelerator: "nvidia" as const,
          runtime: "vllm",
          source: "models:/support-llm/3",
        },
      ],
    },
    teams: [{ name: "fraud", quota: { cpu: "16", memory: "64Gi", pods: 20 } }],
  };

  // staging: Karpenter pools (several shapes, reservations); dev's Cluster Autoscaler takes one shape a pool.
  it("staging: a stack file and platformSpec resolve the same short forms to the same spec", () => {
    const env = "staging";
    const fromStackFile = resolvePlatformSpec({ environment: env, ...shortForm }, "us-west-2");
    const fromLibrary = platformSpec(env, { ...shortForm, region: "us-west-2" });
    expect(fromLibrary).toEqual({ ...fromStackFile, secretValues: undefined });
    // The defaults were applied once, on both paths.
    const gpu = fromLibrary.capacity.pools[0];
    expect(gpu).toMatchObject({ ...CAPACITY_DEFAULTS.pool, maxDevices: 3, onDemandFallback: true });
    expect(fromLibrary.capacity.pools[1].reservations).toEqual([
      { id: "cr-0123456789abcdef0", instanceType: "inf2.xlarge", instances: 1, type: "odcr" },
    ]);
    expect(fromLibrary.cluster.systemNodes).toMatchObject({ minSize: 4, desiredSize: 4, maxSize: 4 });
    expect(fromLibrary.budget).toEqual({ monthlyCeilingUsd: 90000, enforcement: "mandatory" });
    expect(fromLibrary.serving.gateway).toEqual({ replicas: GATEWAY_DEFAULT_REPLICAS });
    expect(fromLibrary.teams?.[0]).toMatchObject({ name: "fraud", runtimes: [], quota: { gpus: 0 } });
    expect(fromLibrary.monitoring).toEqual({ ...ENVIRONMENT_DEFAULTS[env].monitoring, storageGiB: 80 });
  });

  it("a pool's defaults are CAPACITY_DEFAULTS.pool, whoever writes the pool", () => {
    const pool = withPoolDefaults({ name: "gpu", kind: "nvidia", instanceTypes: ["g6.12xlarge"], maxNodes: 2 }, "prod");
    expect(pool).toMatchObject({ ...CAPACITY_DEFAULTS.pool, maxDevices: 8, onDemandFallback: true });
    for (const env of ["dev", "staging", "prod"] as const)
      for (const p of ENVIRONMENT_DEFAULTS[env].capacity.pools)
        expect(p, `${env} ${p.name}`).toMatchObject({
          minNodes: CAPACITY_DEFAULTS.pool.minNodes,
          diskSizeGiB: CAPACITY_DEFAULTS.pool.diskSizeGiB,
          os: CAPACITY_DEFAULTS.pool.os,
        });
  });
});

describe("the stack file's own inputs on the one path", () => {
  it("keeps the AWS provider's credentials for the kubeconfig when the stack file sets no cluster key", () => {
    const network = {
      existing: {
        vpcId: "vpc-0123456789abcdef0",
        cidrBlock: "10.50.0.0/16",
        privateSubnetIds: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
      },
    };
    const spec = resolvePlatformSpec({ environment: "dev", team: "ml-platform", network }, "us-west-2", new Set(), {
      awsProvider: { profile: "ml-dev" },
    });
    expect(spec.cluster.kubeconfigCredentials).toEqual({ profile: "ml-dev" });
    expect(spec.cluster.deployerAccess).toBe("private");
    expect(spec.network.existing?.publicSubnetIds).toEqual([]);
  });
});
