// Artifacts for a worker that does not share the runtime's disk. Before an attempt runs, every blob
// its inputs name (files, a directory's manifest and then its files, dataframes, at any depth) is in
// the local cache and the inputs' refs point there, so the task reads local files as it would on the
// runtime's host; after it, every output blob the runtime lacks is uploaded and the outputs' refs
// name the runtime's store, the only refs a Result may carry. A transfer that fails after its
// retries fails the attempt as a system failure (ARTIFACT_TRANSFER_FAILED: the system budget).
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { LiteralSetSchema, type LiteralSet } from "../../proto/index.ts";
import { ArtifactError, parseDirManifest } from "../artifacts/index.ts";
import type { Logger } from "../log.ts";
import type { ArtifactCache } from "./artifact-cache.ts";
import type { ArtifactClient } from "./artifact-client.ts";
import type { AttemptHandle, AttemptOutcome } from "./executor.ts";
import { literalRefs, type LiteralRef } from "./literal-refs.ts";
import { TransferExhausted, describeFailure } from "./transfer-retries.ts";

/** Blobs remembered as held by the runtime (skipping their StatBlob); the oldest are forgotten past this. */
const MAX_KNOWN = 100_000;

export interface RemoteArtifactsOptions {
  cache: ArtifactCache;
  client: ArtifactClient;
  /** Blobs one attempt moves at once. */
  parallel: number;
  log: Logger;
}

export class RemoteArtifacts {
  /** The runtime's URI of each blob it is known to hold: an input it sent, an output it took. */
  private readonly atRuntime = new Map<string, string>();
  private readonly options: RemoteArtifactsOptions;

  constructor(options: RemoteArtifactsOptions) {
    this.options = options;
  }

  /** The cache directory tasks read inputs from and write outputs to. */
  get root(): string {
    return this.options.cache.store.root;
  }

  /** `start` run on the attempt with its inputs in the cache, its outputs delivered after. */
  around<A extends { inputs: Uint8Array }>(assign: A, start: (assign: A) => AttemptHandle): AttemptHandle {
    const stopped = new AbortController();
    let inner: AttemptHandle | undefined;
    const run = async (): Promise<AttemptOutcome> => {
      let inputs: Uint8Array;
      try {
        inputs = await this.inputs(assign.inputs, stopped.signal);
      } catch (err) {
        return { error: transferFailure("inputs", err) };
      }
      // Stopped while fetching: the worker has reported the attempt already.
      if (stopped.signal.aborted) return { error: { code: "CANCELLED", message: "stopped before its task started" } };
      try {
        inner = start({ ...assign, inputs });
      } catch (err) {
        return { error: { code: "TASK_FAILED", message: `could not start the attempt: ${(err as Error).message}` } };
      }
      const outcome = await inner.done;
      if ("error" in outcome) return outcome;
      try {
        return { outputs: await this.outputs(outcome.outputs, stopped.signal), workdir: outcome.workdir };
      } catch (err) {
        return { error: transferFailure("outputs", err), workdir: outcome.workdir };
      }
    };
    return {
      done: run(),
      stop: () => {
        stopped.abort(new Error("the attempt was stopped"));
        inner?.stop();
      },
    };
  }

  /** The inputs (LiteralSet bytes) with every blob they name in the cache and their refs pointing there. */
  async inputs(bytes: Uint8Array, signal?: AbortSignal): Promise<Uint8Array> {
    if (bytes.byteLength === 0) return bytes;
    const set = fromBinary(LiteralSetSchema, bytes);
    const refs = literalRefs(set);
    if (refs.length === 0) return bytes;
    const { cache, parallel } = this.options;
    const fetch = (sha256: string) => cache.ensure(sha256, signal);
    await eachLimited(distinct(refs.map((r) => r.ref.sha256)), parallel, fetch);
    await eachLimited(distinct(await this.directoryFiles(refs)), parallel, fetch);
    for (const { ref } of refs) {
      this.remember(ref.sha256, ref.uri);
      ref.uri = cache.store.uriFor(ref.sha256);
    }
    return toBinary(LiteralSetSchema, set);
  }

  /** The outputs with every blob they name held by the runtime and their refs naming it there. */
  async outputs(outputs: LiteralSet | Uint8Array, signal?: AbortSignal): Promise<LiteralSet | Uint8Array> {
    const set = outputs instanceof Uint8Array ? (outputs.byteLength > 0 ? fromBinary(LiteralSetSchema, outputs) : undefined) : outputs;
    if (!set) return outputs;
    const refs = literalRefs(set);
    if (refs.length === 0) return outputs;
    const { parallel } = this.options;
    // A directory's files before its manifest: a manifest the runtime holds names only blobs it holds.
    await eachLimited(distinct(await this.directoryFiles(refs)), parallel, async (sha256) => void (await this.deliver(sha256, signal)));
    const uris = new Map<string, string>();
    await eachLimited(distinct(refs.map((r) => r.ref.sha256)), parallel, async (sha256) => void uris.set(sha256, await this.deliver(sha256, signal)));
    for (const { ref } of refs) ref.uri = uris.get(ref.sha256)!;
    return set;
  }

  /** The blobs the directories among `refs` list (their manifests must be in the cache). */
  private async directoryFiles(refs: LiteralRef[]): Promise<string[]> {
    const files: string[] = [];
    for (const { ref, directory } of refs) {
      if (!directory) continue;
      const manifest = parseDirManifest(await this.options.cache.store.get(ref.sha256), ref.sha256);
      for (const file of manifest.files) files.push(file.sha256);
    }
    return files;
  }

  /** The runtime's URI of a cached blob, uploaded first unless the runtime holds it already. */
  private async deliver(sha256: string, signal?: AbortSignal): Promise<string> {
    const known = this.atRuntime.get(sha256);
    if (known) return known;
    const { cache, client, log } = this.options;
    const there = await client.stat(sha256, signal);
    if (there.present) return this.remember(sha256, there.uri);
    const local = await cache.store.stat(sha256);
    if (!local) throw new ArtifactError("ARTIFACT_MISSING", `output blob ${sha256} is missing from the artifact cache at ${cache.store.root}`);
    const started = performance.now();
    const stored = await client.upload(sha256, local.size, () => cache.store.openRead(sha256), signal);
    log.info({ sha256, bytes: local.size, ms: Math.round(performance.now() - started), created: stored.created }, "delivered an artifact to the runtime");
    return this.remember(sha256, stored.uri);
  }

  private remember(sha256: string, uri: string): string {
    this.atRuntime.delete(sha256);
    this.atRuntime.set(sha256, uri);
    if (this.atRuntime.size > MAX_KNOWN) this.atRuntime.delete(this.atRuntime.keys().next().value!);
    return uri;
  }
}

/** What a failed transfer fails its attempt with: the runtime's refusal of an input is the input's problem; the rest is the system's. */
function transferFailure(phase: "inputs" | "outputs", err: unknown): { code: string; message: string } {
  const what = phase === "inputs" ? "fetch the attempt's inputs from" : "deliver the attempt's outputs to";
  if (err instanceof TransferExhausted) {
    return {
      code: "ARTIFACT_TRANSFER_FAILED",
      message: `could not ${what} the runtime (ArtifactService): ${err.message}; the connection kept breaking, and the attempt is retried as a system failure`,
    };
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === status.UNIMPLEMENTED) {
    return {
      code: "ARTIFACT_TRANSFER_FAILED",
      message: `could not ${what} the runtime: it does not serve ArtifactService (an older weir); upgrade the runtime, or run this worker where it shares the runtime's artifact directory`,
    };
  }
  if (phase === "inputs" && (err instanceof ArtifactError || code === status.NOT_FOUND || code === status.INVALID_ARGUMENT)) {
    return { code: "INPUT_INVALID", message: `an input's artifact could not be fetched: ${describeFailure(err)}` };
  }
  return { code: "ARTIFACT_TRANSFER_FAILED", message: `could not ${what} the runtime (ArtifactService): ${describeFailure(err)}` };
}

function distinct(items: string[]): string[] {
  return [...new Set(items)];
}

/** `fn` on every item, at most `limit` at once; the first failure stops taking more and is thrown. */
async function eachLimited(items: string[], limit: number, fn: (item: string) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      try {
        await fn(items[next++]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
