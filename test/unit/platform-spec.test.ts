import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ENVIRONMENT_DEFAULTS, InvalidArgsError, platformSpec, platformSpecProblems } from "../../components";
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
