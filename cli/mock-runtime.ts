import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { deserializeProperties, serializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { createRequire } from "node:module";
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
  getImportid(): string;
  getDependenciesList(): string[];
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}

/** The fields of a `RegisterResourceResponse` the SDK reads (`runtime/resource.js`). */
interface RegisterResponse {
  getUrn(): string;
  getId(): string;
  getObject(): { toJavaScript(): Record<string, unknown> };
  getPropertydependenciesMap(): undefined;
  getResult(): number;
}

type Callback = (err: unknown, response: RegisterResponse | undefined) => void;

/**
 * What a protobuf `Struct` round trip (`Struct.fromJavaScript(v).toJavaScript()`) makes of a wire
 * value: a deep copy whose object keys are in sorted order (google-protobuf's map iterates its
 * keys sorted). Values a Struct cannot hold are refused with the error google-protobuf gives.
 */
export function structRoundTrip(value: unknown): unknown {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return value;
  if (Array.isArray(value)) return value.map(structRoundTrip);
  if (typeof value === "object") {
    const keys: string[] = [];
    for (const key in value) keys.push(key);
    keys.sort();
    const copy: Record<string, unknown> = {};
    for (const key of keys) copy[key] = structRoundTrip((value as Record<string, unknown>)[key]);
    return copy;
  }
  throw new Error("Unexpected struct type.");
}

/**
 * The SDK's mock monitor, registering resources as its `registerResource` does, plus a record of
 * every registration with its options.
 *
 * Registration is the plan's hot path (one call per resource), so it converts the request's
 * inputs from protobuf once (the SDK's own would convert them again to record them) and answers
 * with the state as plain JSON behind the two methods the SDK reads, where the SDK's builds a
 * protobuf `Struct` the SDK at once converts back. The values the program sees are the same:
 * {@link structRoundTrip} is what that round trip does to them.
 */
class RecordingMonitor extends MockMonitor {
  readonly recorded: RecordedResource[] = [];

  async registerResource(req: RegisterRequest, callback: Callback): Promise<void> {
    let response: RegisterResponse;
    let wire: Record<string, unknown>;
    try {
      wire = req.getObject()?.toJavaScript() ?? {};
      const result = await this.mocks.newResource({
        type: req.getType(),
        name: req.getName(),
        inputs: deserializeProperties({ toJavaScript: () => wire } as unknown as Parameters<
          typeof deserializeProperties
        >[0]),
        provider: req.getProvider(),
        custom: req.getCustom(),
        id: req.getImportid(),
      });
      const urn = (this as unknown as { newUrn(parent: string, type: string, name: string): string }).newUrn(
        req.getParent(),
        req.getType(),
        req.getName(),
      );
      const serializedState = await serializeProperties("", result.state);
      this.resources.set(urn, { urn, id: result.id ?? null, state: serializedState });
      const id = result.id || "";
      const object = structRoundTrip(serializedState) as Record<string, unknown>;
      response = {
        getUrn: () => urn,
        getId: () => id,
        getObject: () => ({ toJavaScript: () => object }),
        getPropertydependenciesMap: () => undefined,
        getResult: () => 0, // Result.SUCCESS
      };
    } catch (err) {
      callback(err, undefined);
      return;
    }
    const provider = req.getProvider();
    const revealed: RevealedSecret[] = [];
    const recorded: RecordedResource = {
      urn: response.getUrn(),
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent() || null,
      custom: req.getCustom(),
      provider: provider ? provider.split("::").slice(0, -1).join("::") || provider : null,
      dependsOn: [...new Set(req.getDependenciesList())],
      protect: Boolean(req.getProtect()),
      retainOnDelete: Boolean(req.getRetainondelete()),
      inputs: toPlainJson(wire, revealed) as Record<string, unknown>,
    };
    this.recorded.push(recorded);
    if (revealed.length > 0) REVEALED.set(recorded, revealed);
    callback(null, response);
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
  // Each resource's constructor captures and parses a stack trace of unlimited depth, to send the
  // engine the source position of the code that made it; no monitor here reads it. Skipping it
  // saves a tenth of the program's time and allocation on a large stack.
  const resourceClass = pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] };
  const stackTrace = resourceClass.stackTrace;
  resourceClass.stackTrace = () => [];
  // The SDK wraps each of its internal promises to report the ones still pending when the process
  // exits (a program that leaked work): a stack trace, three properties and two more promises each.
  // Here every registration is awaited before the run returns (waitForRegistrations), so the
  // wrapper is left out for the run.
  // The module's own exports object, which the SDK's modules call through (an import would give a read-only copy).
  const tracker = createRequire(__filename)("@pulumi/pulumi/runtime/debuggable") as {
    debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
  };
  const debuggablePromise = tracker.debuggablePromise;
  tracker.debuggablePromise = (p) => p;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      try {
        result = await program();
      } catch (e) {
        failure = e;
      }
      return undefined;
    });
    await waitForRegistrations();
    // Let rejections raised while the last registrations settled reach the handler.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    resourceClass.stackTrace = stackTrace;
    tracker.debuggablePromise = debuggablePromise;
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
