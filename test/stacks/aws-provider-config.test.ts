import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPlan } from "../../cli/planner";
import { loadStackFile } from "../../cli/stack-file";
import { CONFIG_NAMESPACE, resolvePlatformSpec, StackConfigError } from "../../stacks/config";
import { rawConfigFromPulumi } from "../../stacks/stack-config";

// Issue 22, item 10: the kubeconfig's aws eks get-token acts as the stack's AWS provider, and the
// VPC CNI's enforcing mode is strict in prod.

const stackFile = (env: string) => join(__dirname, "..", "..", "stacks", `Pulumi.${env}.yaml`);

/** A shipped stack's config as Pulumi hands it to the program, with extra `aws:` keys. */
function resolve(env: string, extra: Record<string, string> = {}) {
  const { config, secretKeys } = loadStackFile(stackFile(env), CONFIG_NAMESPACE);
  const { raw, region, awsProvider } = rawConfigFromPulumi({ ...config, ...extra });
  return resolvePlatformSpec(raw, region, new Set(secretKeys), { awsProvider });
}

function problems(env: string, extra: Record<string, string>) {
  try {
    resolve(env, extra);
  } catch (e) {
    if (e instanceof StackConfigError) return e.problems;
    throw e;
  }
  throw new Error("accepted");
}

describe("the AWS provider's credentials reach the kubeconfig", () => {
  it("leaves the AWS CLI's default chain when the stack sets neither aws:profile nor aws:assumeRoles", () => {
    expect(resolve("dev").cluster.kubeconfigCredentials).toBeUndefined();
  });

  it("reads aws:profile and the one role of aws:assumeRoles", () => {
    const spec = resolve("staging", {
      "aws:profile": "ml-staging",
      "aws:assumeRoles": JSON.stringify([{ roleArn: "arn:aws:iam::123456789012:role/deployer", sessionName: "ci" }]),
    });
    expect(spec.cluster.kubeconfigCredentials).toEqual({
      profile: "ml-staging",
      roleArn: "arn:aws:iam::123456789012:role/deployer",
    });
  });

  it("refuses a chain of roles and an external id, which aws eks get-token cannot express", () => {
    const arn = (n: string) => `arn:aws:iam::123456789012:role/${n}`;
    expect(
      problems("dev", { "aws:assumeRoles": JSON.stringify([{ roleArn: arn("a") }, { roleArn: arn("b") }]) }),
    ).toEqual([
      expect.objectContaining({ path: "aws:assumeRoles", message: expect.stringMatching(/chain.*aws:profile/) }),
    ]);
    expect(problems("dev", { "aws:assumeRoles": JSON.stringify([{ roleArn: arn("a"), externalId: "x" }]) })).toEqual([
      expect.objectContaining({
        path: "aws:assumeRoles[0].externalId",
        message: expect.stringMatching(/no external id/),
      }),
    ]);
    expect(problems("dev", { "aws:assumeRoles": JSON.stringify([{ roleArn: "deployer" }]) })).toEqual([
      expect.objectContaining({ path: "aws:assumeRoles[0].roleArn" }),
    ]);
  });
});

describe("the VPC CNI's network policy enforcing mode", () => {
  it("is strict in prod and standard elsewhere by default", () => {
    expect(resolve("prod").cluster.networkPolicyEnforcingMode).toBe("strict");
    expect(resolve("staging").cluster.networkPolicyEnforcingMode).toBe("standard");
    expect(resolve("dev").cluster.networkPolicyEnforcingMode).toBe("standard");
  });

  it("takes cluster.networkPolicyEnforcingMode, and names the key for a bad value", () => {
    const cluster = (mode: string) => {
      const { config } = loadStackFile(stackFile("dev"), CONFIG_NAMESPACE);
      return {
        "mlserving:cluster": JSON.stringify({
          ...JSON.parse(config["mlserving:cluster"]),
          networkPolicyEnforcingMode: mode,
        }),
      };
    };
    expect(resolve("dev", cluster("strict")).cluster.networkPolicyEnforcingMode).toBe("strict");
    expect(problems("dev", cluster("enforcing"))).toEqual([
      expect.objectContaining({
        path: "mlserving:cluster.networkPolicyEnforcingMode",
        message: expect.stringMatching(/standard or strict/),
      }),
    ]);
  });
});

describe("the prod plan", () => {
  it("runs the VPC CNI's network policy agent strict, with kube-system admitted", async () => {
    const outcome = await runPlan({ stack: "prod", configPath: stackFile("prod") });
    if (outcome.kind !== "planned") throw new Error(JSON.stringify(outcome));
    const cni = outcome.resources.find((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "vpc-cni")!;
    expect(JSON.parse(cni.inputs.configurationValues as string).env.NETWORK_POLICY_ENFORCING_MODE).toBe("strict");
    expect(
      outcome.resources.filter(
        (r) =>
          r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" &&
          (r.inputs.metadata as { namespace?: string }).namespace === "kube-system",
      ),
    ).toHaveLength(1);
  });
});
