import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { FakeCloud, type RecordedStackOutputs } from "./fake-cloud";

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
}

/** A secret input in the clear: where it sits in `inputs` and its value. */
export interface RevealedSecret {
  path: (string | number)[];
  value: unknown;
}

/**
 * The secrets of each recorded resource in the clear, for the policies only (as `pulumi preview
 * --policy-pack` hands them secrets): kept beside the record, never in it, so no artifact or
 * serialised record can carry them.
 */
const REVEALED = new WeakMap<RecordedResource, RevealedSecret[]>();

/** The secrets of a resource recorded by {@link runOnMocks}, in the clear; none for any other object. */
export function revealedSecrets(r: RecordedResource): readonly RevealedSecret[] {
  return REVEALED.get(r) ?? [];
}

export const SECRET_PLACEHOLDER = "[secret]";

// Signatures the Pulumi wire format uses for secrets, resource references and unknowns.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Converts a deserialised wire value into plain JSON, redacting secrets; each secret met is added,
 * in the clear, to `revealed` when given.
 */
export function toPlainJson(value: unknown, revealed?: RevealedSecret[]): unknown {
  const plain = (v: unknown, path: (string | number)[], reveal: boolean): unknown => {
    if (v === UNKNOWN) return "[unknown]";
    if (Array.isArray(v)) return v.map((x, i) => plain(x, [...path, i], reveal));
    if (v !== null && typeof v === "object") {
      const obj = v as Record<string, unknown>;
      const sig = obj[SIG_KEY];
      const secret = sig === SECRET_SIG || (sig === OUTPUT_SIG && Boolean(obj.secret));
      if (secret && !reveal) {
        if (revealed) revealed.push({ path, value: plain(obj.value, path, true) });
        return SECRET_PLACEHOLDER;
      }
      if (sig === SECRET_SIG || sig === OUTPUT_SIG) return plain(obj.value, path, reveal);
      if (sig === RESOURCE_SIG) return obj.urn ?? null;
      return Object.fromEntries(Object.entries(obj).map(([k, x]) => [k, plain(x, [...path, k], reveal)]));
    }
    return v;
  };
  return plain(value, [], false);
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
      const revealed: RevealedSecret[] = [];
      const inputs = toPlainJson(req.getObject()?.toJavaScript() ?? {}, revealed) as Record<string, unknown>;
      const recorded: RecordedResource = {
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
      };
      this.recorded.push(recorded);
      if (revealed.length > 0) REVEALED.set(recorded, revealed);
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
  /** Recorded outputs of the stacks the program reads with `pulumi.StackReference`, by stack name. */
  stackReferences?: Record<string, RecordedStackOutputs>;
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
  const cloud = new FakeCloud({ region: opts.region, stackReferences: opts.stackReferences });
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
