import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { checkStackFile } from "../../cli/stack-check";
import { ciphertextProblem, loadStackFile, MAX_STACK_FILE_BYTES } from "../../cli/stack-file";
import { CAPACITY_LIST_LIMITS } from "../../components/capacity/rules";
import { CLUSTER_LIST_LIMITS } from "../../components/cluster/rules";
import { hideSecretValues } from "../../components/common/secret-values";
import { MAX_USER_TAGS } from "../../components/common/tags";
import { ENVIRONMENT_DEFAULTS } from "../../components/platform/defaults";
import { PRICED_REGIONS, regionPrices } from "../../components/common/pricing";
import {
  isKnownRdsClass,
  nearestRdsClasses,
  RDS_CLASSES_ENGINE,
  RDS_INSTANCE_CLASSES,
} from "../../components/registry/rds-classes";
import { registryProblems } from "../../components/registry/rules";
import { NETWORK_LIST_LIMITS } from "../../components/network/rules";
import { MODEL_LIST_LIMIT } from "../../components/serving/model-spec";
import { POSTGRES_MAJOR_VERSION } from "../../components/versions";
import { CONFIG_NAMESPACE, listLimitProblems, resolvePlatformSpec } from "../../stacks/config";
import { secretStandIn, secretTopLevelKeyProblem, secretValuesOf } from "../../stacks/secret-config";
import { planCommand } from "../plan-command";

const root = join(__dirname, "..", "..");
const REACHABLE = { deployerAccess: "public", publicAccessCidrs: ["203.0.113.0/24"] };
const base = { environment: "dev", team: "ml-platform", cluster: REACHABLE };
const arns = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::123456789012:role/admin-${i}`);

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "stack-")), name);
  writeFileSync(file, text);
  return file;
}

/** A stack file listing `n` admin principals (about 75 bytes each). */
function adminArnsFile(n: number): string {
  const lines = [
    "config:",
    "  aws:region: us-west-2",
    "  mlserving:environment: dev",
    "  mlserving:team: ml-platform",
    "  mlserving:cluster:",
    "    deployerAccess: public",
    "    publicAccessCidrs: [203.0.113.0/24]",
    "    adminPrincipalArns:",
    ...arns(n).map((a) => `      - ${a}-platform-administrators`),
  ];
  return tempFile(`Pulumi.arns-${n}.yaml`, lines.join("\n") + "\n");
}

describe("every list of the config has a bound", () => {
  const problems = (raw: Record<string, unknown>) => listLimitProblems({ ...base, ...raw });
  const pool = (instanceTypes: string[]) => ({ name: "gpu", kind: "nvidia", instanceTypes, maxNodes: 1 });

  it.each([
    [
      "cluster.adminPrincipalArns",
      { cluster: { adminPrincipalArns: arns(CLUSTER_LIST_LIMITS.adminPrincipalArns.max + 1) } },
    ],
    ["cluster.privateAccessCidrs", { cluster: { privateAccessCidrs: Array(41).fill("10.1.0.0/16") } }],
    ["cluster.systemNodes.instanceTypes", { cluster: { systemNodes: { instanceTypes: Array(11).fill("m7i.large") } } }],
    [
      "network.existing.privateSubnetIds",
      { network: { existing: { privateSubnetIds: Array(NETWORK_LIST_LIMITS.privateSubnetIds.max + 1).fill("x") } } },
    ],
    ["network.existing.publicSubnetIds", { network: { existing: { publicSubnetIds: Array(17).fill("x") } } }],
    ["capacity.pools", { capacity: { pools: Array(CAPACITY_LIST_LIMITS.pools.max + 1).fill(pool(["g6.xlarge"])) } }],
    [
      "capacity.pools[1].instanceTypes",
      { capacity: { pools: [pool(["g6.xlarge"]), pool(Array(21).fill("g6.xlarge"))] } },
    ],
    ["serving.models", { serving: { models: Array(MODEL_LIST_LIMIT.max + 1).fill({}) } }],
    ["tags", { tags: Object.fromEntries(Array.from({ length: MAX_USER_TAGS + 1 }, (_, i) => [`t${i}`, "v"])) }],
  ])("%s", (path, raw) => {
    const found = problems(raw);
    expect(found).toEqual([
      { path: `${CONFIG_NAMESPACE}:${path}`, message: expect.stringMatching(/^lists at most \d+ .*\(found \d+\)$/) },
    ]);
  });

  it("accepts every list at its bound", () => {
    const spec = resolvePlatformSpec(
      {
        ...base,
        cluster: { ...REACHABLE, adminPrincipalArns: arns(CLUSTER_LIST_LIMITS.adminPrincipalArns.max) },
        tags: Object.fromEntries(Array.from({ length: MAX_USER_TAGS }, (_, i) => [`t${i}`, "v"])),
      },
      "us-west-2",
    );
    expect(spec.cluster.adminPrincipalArns).toHaveLength(100);
    expect(Object.keys(spec.tags)).toHaveLength(40);
    expect(listLimitProblems({ ...base, cluster: { publicAccessCidrs: Array(40).fill("203.0.113.0/24") } })).toEqual(
      [],
    );
  });

  it("refuses a runaway list by its bound alone, not entry by entry", () => {
    const bad = Array(5000).fill("not-an-arn");
    expect(() =>
      resolvePlatformSpec({ ...base, cluster: { ...REACHABLE, adminPrincipalArns: bad } }, "us-west-2"),
    ).toThrow(
      /^invalid stack configuration:\n {2}- mlserving:cluster\.adminPrincipalArns: lists at most 100 principal ARNs[^\n]*\(found 5000\)$/,
    );
  });

  it("refuses the 72,000-ARN file (5 MiB) before parsing it, and a 1 MiB one by the list's bound", () => {
    const huge = adminArnsFile(72_000);
    const checked = checkStackFile(huge);
    expect(checked.ok).toBe(false);
    if (!checked.ok)
      expect(checked.problems).toEqual([
        { path: "(file)", message: expect.stringMatching(/is 5\.\d MiB; a stack file is at most 1 MiB/) },
      ]);
    const n = Math.floor(MAX_STACK_FILE_BYTES / 80);
    const large = checkStackFile(adminArnsFile(n));
    expect(large.ok).toBe(false);
    if (!large.ok)
      expect(large.problems).toEqual([
        {
          path: "mlserving:cluster.adminPrincipalArns",
          message: expect.stringMatching(new RegExp(`lists at most 100 principal ARNs.*\\(found ${n}\\)`)),
        },
      ]);
  });

  it("exits 2 on the 72,000-ARN file, and on each new kind of bad input, naming the key", async () => {
    const fixtures = join(root, "test", "fixtures", "bad-stacks");
    const out = mkdtempSync(join(tmpdir(), "plan-"));
    const cases: [string, RegExp][] = [
      [adminArnsFile(72_000), /\(file\): .* is 5\.\d MiB/],
      [join(fixtures, "too-many-admin-arns.yaml"), /mlserving:cluster\.adminPrincipalArns: lists at most 100/],
      [join(fixtures, "secure-plaintext.yaml"), /mlserving:alertSlackWebhookUrl: secure: must hold a ciphertext/],
      [join(fixtures, "number-infinite.yaml"), /mlserving:registry\.dbStorageGiB: must be a finite number, not \.inf/],
      [join(fixtures, "rds-class-unknown.yaml"), /mlserving:registry\.dbInstanceClass: db\.q99\.mega is not an RDS/],
      [join(fixtures, "secure-on-a-name.yaml"), /mlserving:serving\.models\[0\]\.name: cannot be a secret/],
      // Files the Pulumi CLI refuses (issue 24): exit 2 before the SDKs load, by key, no stack trace.
      [join(fixtures, "not-utf8.yaml"), /\(file\): .* is not UTF-8: byte 0xe9 on line 7/],
      [join(fixtures, "nesting-too-deep.yaml"), /mlserving:tags: nests collections more than 32 levels deep/],
      [join(fixtures, "key-without-namespace.yaml"), /team: has no namespace/],
    ];
    for (const [file, message] of cases) {
      const run = await planCommand("--stack", "bad", "--config", file, "--out", out);
      expect(run.status, file).toBe(2);
      expect(run.stderr, file).toMatch(message);
      expect(run.stderr, file).not.toMatch(/\n\s+at /);
    }
  });
});

describe("tags the AWS provider adds", () => {
  it("share the bound with the kit's tags (the provider merges them into every resource's)", () => {
    const tags = (prefix: string, n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, "v"]));
    const resolve = (defaultTags: Record<string, string>) => () =>
      resolvePlatformSpec({ ...base, tags: tags("k", 30) }, "us-west-2", new Set(), {
        awsDefaultTags: { tags: defaultTags },
      });
    expect(resolve(tags("k", 40))).not.toThrow();
    expect(resolve(tags("d", 10))).not.toThrow();
    expect(resolve(tags("d", 11))).toThrow(/aws:defaultTags\.tags: with mlserving:tags makes 41 tags/);
  });
});

describe("secure: values", () => {
  it("accepts the ciphertexts the Pulumi CLI writes: v1:<nonce>:<ciphertext> and service base64", () => {
    const nonce = Buffer.alloc(12, 7).toString("base64");
    const sealed = Buffer.alloc(40, 9).toString("base64");
    expect(ciphertextProblem(`v1:${nonce}:${sealed}`)).toBeUndefined();
    expect(ciphertextProblem(Buffer.alloc(33, 1).toString("base64"))).toBeUndefined();
    // A nonce of the wrong size, a tag-less ciphertext, a short base64 word.
    expect(ciphertextProblem(`v1:${Buffer.alloc(8).toString("base64")}:${sealed}`)).toMatch(/12-byte nonce/);
    expect(ciphertextProblem(`v1:${nonce}:${Buffer.alloc(4).toString("base64")}`)).toMatch(/12-byte nonce/);
    expect(ciphertextProblem("password")).toMatch(/plain text/);
  });

  it("reads another namespace's secret (aws:secretKey) without judging it", () => {
    const file = tempFile(
      "Pulumi.x.yaml",
      "config:\n  aws:secretKey:\n    secure: v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n",
    );
    const loaded = loadStackFile(file, CONFIG_NAMESPACE);
    expect(loaded.problems).toEqual([]);
    expect(loaded.secretKeys).toEqual(["aws:secretKey"]);
  });

  it("stand in, in the plan, with values of the shape the rules expect, and are refused where they would shape the build", () => {
    expect(secretStandIn(["serving", "models", 0, "source"], {}, 1)).toEqual({ value: "s3://plan-secret-0001/model" });
    expect(secretStandIn(["serving", "models", 0, "source"], { pinnedVersion: 3 }, 2)).toEqual({
      value: "models:/plan-secret-0002@secret",
    });
    expect(secretStandIn(["registry", "dbInstanceClass"], {}, 3)).toEqual({ value: "db.m7g.large" });
    expect(secretStandIn(["environment"], {}, 4)).toEqual({ problem: expect.stringMatching(/cannot be a secret/) });
    expect(secretStandIn(["capacity", "pools", 0, "name"], {}, 5)).toHaveProperty("problem");
  });

  it("are refused in the program when Pulumi holds a whole key the kit cannot hide as a secret", () => {
    expect(secretTopLevelKeyProblem("environment", "dev")).toMatch(/cannot be a secret/);
    expect(secretTopLevelKeyProblem("alertWebhookUrl", "https://hooks.example/x")).toBeUndefined();
    // Inside an object the program cannot see which value was secure; the plan checks those.
    expect(secretTopLevelKeyProblem("registry", { hostname: "x" })).toBeUndefined();
    expect(() =>
      resolvePlatformSpec({ ...base, environment: "dev" }, "us-west-2", new Set(["mlserving:environment"])),
    ).toThrow(/mlserving:environment: cannot be a secret/);
  });

  it("make every value under a secret key that may be secret a secret value, with the parts derived values carry", () => {
    const raw = {
      environment: "dev",
      tags: { a: "x-1", b: "x-2" },
      serving: {
        models: [
          { name: "m", source: "s3://private-bucket/models/m" },
          { name: "n", source: "models:/registered@champion" },
        ],
      },
      registry: { hostname: "mlflow.example" },
    };
    const values = secretValuesOf(raw, new Set(["mlserving:tags", "mlserving:serving"]), CONFIG_NAMESPACE);
    expect(values).toEqual(
      expect.arrayContaining([
        "x-1",
        "x-2",
        "s3://private-bucket/models/m",
        "arn:aws:s3:::private-bucket",
        "models:/registered@champion",
        "models:/registered/",
      ]),
    );
    // Names are not secret values; nor is what sits under keys that are not secret.
    expect(values).not.toContain("m");
    expect(values).not.toContain("mlflow.example");
  });

  it("turn every input that contains one into a secret, inside outputs too, and leave the rest alone", async () => {
    const hidden = hideSecretValues(
      {
        plain: "nothing here",
        uri: "s3://private-bucket/m",
        nested: { list: ["a", "arn:aws:s3:::private-bucket/*"] },
        later: pulumi.output({ policy: "arn:aws:s3:::private-bucket" }),
        number: 3,
      },
      ["private-bucket"],
    );
    const isSecret = (v: unknown) => (v as { isSecret: Promise<boolean> }).isSecret;
    expect(hidden.plain).toBe("nothing here");
    expect(hidden.number).toBe(3);
    expect(await isSecret(hidden.uri)).toBe(true);
    expect(hidden.nested.list[0]).toBe("a");
    expect(await isSecret(hidden.nested.list[1])).toBe(true);
    expect(await isSecret(hidden.later)).toBe(true);
  });
});

describe("the registry database's RDS class", () => {
  it("is pinned for the registry's engine version", () => {
    expect(RDS_CLASSES_ENGINE).toEqual({ engine: "postgres", majorVersion: POSTGRES_MAJOR_VERSION });
  });

  it("accepts every catalogued class, every environment's default and every priced class", () => {
    for (const c of RDS_INSTANCE_CLASSES) expect(registryProblems({ dbInstanceClass: c }), c).toEqual([]);
    for (const d of Object.values(ENVIRONMENT_DEFAULTS)) expect(isKnownRdsClass(d.registry.dbInstanceClass)).toBe(true);
    for (const region of PRICED_REGIONS)
      for (const c of Object.keys(regionPrices(region)!.rdsPostgresInstanceHour))
        expect(isKnownRdsClass(c), c).toBe(true);
  });

  it("refuses a class that exists nowhere, naming the nearest", () => {
    expect(registryProblems({ dbInstanceClass: "db.q99.mega" })).toEqual([
      {
        path: "dbInstanceClass",
        message: expect.stringMatching(/db\.q99\.mega is not an RDS for PostgreSQL 17 instance class/),
      },
    ]);
    expect(nearestRdsClasses("db.r7g.xlarg")[0]).toBe("db.r7g.xlarge");
    expect(nearestRdsClasses("db.t4g.mediun")[0]).toBe("db.t4g.medium");
  });
});
