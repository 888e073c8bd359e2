import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { FakeCloud } from "./fake-cloud";

/** One registered resource as the offline plan records it. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  custom: boolean;
  provider: string | null;
  dependsOn: string[];
  protect: boolean;
  retainOnDelete: boolean;
  /** Plain JSON; every secret value is the string "[secret]". */
  inputs: Record<string, unknown>;
  /**
   * The inputs with secrets in the clear, as `pulumi preview --policy-pack` hands them to the
   * policies; only for resources holding a secret, and never written to an artifact.
   */
  policyInputs?: Record<string, unknown>;
}

export const SECRET_PLACEHOLDER = "[secret]";

// Signatures the Pulumi wire format uses for secrets, resource references and unknowns.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Converts a deserialised wire value into plain JSON, redacting secrets (or, with `reveal`, keeping
 * their values). `seen.secret` is set when a secret was met.
 */
export function toPlainJson(value: unknown, reveal = false, seen: { secret: boolean } = { secret: false }): unknown {
  const plain = (v: unknown): unknown => {
    if (v === UNKNOWN) return "[unknown]";
    if (Array.isArray(v)) return v.map(plain);
    if (v !== null && typeof v === "object") {
      const obj = v as Record<string, unknown>;
      const sig = obj[SIG_KEY];
      if (sig === SECRET_SIG) {
        seen.secret = true;
        return reveal ? plain(obj.value) : SECRET_PLACEHOLDER;
      }
      if (sig === RESOURCE_SIG) return obj.urn ?? null;
      if (sig === OUTPUT_SIG) {
        if (obj.secret) seen.secret = true;
        return obj.secret && !reveal ? SECRET_PLACEHOLDER : plain(obj.value);
      }
      return Object.fromEntries(Object.entries(obj).map(([k, x]) => [k, plain(x)]));
    }
    return v;
  };
  return plain(value);
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getDependenciesList(): string[];
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

type Callback = (err: unknown, response: { getUrn(): string } | undefined) => void;

/** The SDK's mock monitor, plus a record of every registration with its options. */
class RecordingMonitor extends MockMonitor {
  readonly recorded: RecordedResource[] = [];

  async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
    const record = (urn: string) => {
      const provider = req.getProvider();
      const wire = req.getObject()?.toJavaScript() ?? {};
      const seen = { secret: false };
      const inputs = toPlainJson(wire, false, seen) as Record<string, unknown>;
      this.recorded.push({
        urn,
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent() || null,
        custom: req.getCustom(),
        provider: provider ? provider.split("::").slice(0, -1).join("::") || provider : null,
        dependsOn: [...new Set(req.getDependenciesList())],
        protect: Boolean(req.getProtect()),
        retainOnDelete: Boolean(req.getRetainondelete()),
        inputs,
        ...(seen.secret ? { policyInputs: toPlainJson(wire, true) as Record<string, unknown> } : {}),
      });
    };
    return super.registerResource(req, (err: unknown, response: { getUrn(): string } | undefined) => {
      if (!err && response) record(response.getUrn());
      callback(err, response);
    });
  }
}

export interface MockRunOptions {
  project: string;
  stack: string;
  region: string;
  /** Config as Pulumi passes it to a program: `namespace:key` -> string (objects as JSON). */
  config?: Record<string, string>;
  /** Config keys whose values are secrets. */
  secretKeys?: string[];
}

export interface MockRunResult<T> {
  resources: RecordedResource[];
  result: T;
}

/**
 * Runs `program` inside a root stack on Pulumi's mock runtime, backed by {@link FakeCloud},
 * and resolves once every registration and output has settled.
 */
export async function runOnMocks<T>(opts: MockRunOptions, program: () => T | Promise<T>): Promise<MockRunResult<T>> {
  const cloud = new FakeCloud({ region: opts.region });
  // Failures inside the runtime (a refused invoke, a throwing apply) surface as unhandled
  // rejections, as in a real `pulumi up`; collect them so the run fails with their message.
  const failures: unknown[] = [];
  const remember = <R>(fn: () => R): R => {
    try {
      return fn();
    } catch (e) {
      failures.push(e);
      throw e;
    }
  };
  const monitor = new RecordingMonitor({
    call: (args) => remember(() => cloud.call(args)),
    newResource: (args) => remember(() => cloud.newResource(args)),
  });
  const onRejection = (reason: unknown) => {
    failures.push(reason);
  };
  process.on("unhandledRejection", onRejection);
  const config: Record<string, string> = { "aws:region": opts.region, ...(opts.config ?? {}) };
  pulumi.runtime.setAllConfig(config, opts.secretKeys);
  await pulumi.runtime.setMocks(monitor.mocks, opts.project, opts.stack, false);
  // setMocks installs its own MockMonitor; swap in the recording one with the same store flags.
  pulumi.runtime.setMockOptions(monitor, opts.project, opts.stack, false);

  let result: T | undefined;
  let failure: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      result = await program();
    } catch (e) {
      failure = e;
    }
    return undefined;
  });
  try {
    await waitForRegistrations();
    // Let rejections raised while the last registrations settled reach the handler.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("unhandledRejection", onRejection);
  }
  if (failure !== undefined) throw failure;
  if (failures.length > 0) {
    const first = failures.find((f) => f instanceof Error && f.message) ?? failures[0];
    throw first instanceof Error ? first : new Error(String(first));
  }
  return { resources: monitor.recorded, result: result as T };
}

async function waitForRegistrations(): Promise<void> {
  const settings = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof settings.waitForRPCs !== "function")
    throw new Error("this @pulumi/pulumi has no waitForRPCs; cannot wait for registrations");
  await settings.waitForRPCs();
}
