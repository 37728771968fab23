// The worker's ArtifactService client, for a worker that does not share the runtime's disk: StatBlob,
// DownloadBlob as one stream of bytes that resumes from what it already yielded when a call breaks,
// and UploadBlob from a local blob, each retried on transient failures (transfer-retries.ts). Its
// own connection (a local subchannel pool), so bulk bytes never queue ahead of the Connect stream's
// heartbeats and results; the same TLS and token as that stream.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  ArtifactService,
  DownloadBlobRequestSchema,
  StatBlobRequestSchema,
  UploadBlobRequestSchema,
  grpcServiceDefinition,
  type DownloadBlobResponse,
  type StatBlobResponse,
  type UploadBlobResponse,
} from "../../proto/index.ts";
import { callMetadata, channelCredentials, type ChannelSecurity } from "../channel-security.ts";
import type { Logger } from "../log.ts";
import { TransferExhausted, backoffMs, pause, retrying, transient, type TransferPolicy } from "./transfer-retries.ts";

export interface ArtifactClientOptions {
  address: string;
  security: ChannelSecurity;
  policy: TransferPolicy;
  statTimeoutMs: number;
  log: Logger;
}

const METHODS = grpcServiceDefinition(ArtifactService);

export class ArtifactClient {
  private readonly client: grpc.Client;
  private readonly options: ArtifactClientOptions;

  constructor(options: ArtifactClientOptions) {
    this.options = options;
    this.client = new grpc.Client(options.address, channelCredentials(options.security), {
      "grpc.use_local_subchannel_pool": 1,
      "grpc.keepalive_time_ms": 10_000,
      "grpc.keepalive_timeout_ms": 5_000,
      // Reconnect about as fast as the Connect stream does; our own tries back off on top.
      "grpc.initial_reconnect_backoff_ms": 100,
      "grpc.max_reconnect_backoff_ms": 500,
      "grpc.enable_retries": 0,
    });
  }

  /** Whether the runtime holds a blob, its size and its URI there. */
  stat(sha256: string, signal?: AbortSignal): Promise<StatBlobResponse> {
    const m = METHODS.statBlob!;
    return retrying(this.options.policy, signal, () =>
      this.cancellable(signal, (metadata, done) =>
        this.client.makeUnaryRequest(
          m.path,
          m.requestSerialize,
          m.responseDeserialize as (b: Buffer) => StatBlobResponse,
          create(StatBlobRequestSchema, { sha256 }),
          metadata,
          { deadline: Date.now() + this.options.statTimeoutMs },
          done,
        ),
      ),
    );
  }

  /**
   * A blob's bytes in order. A call that breaks is made again from the bytes already yielded (at
   * most policy.tries times in a row without progress), so the consumer sees one unbroken stream;
   * it must check the hash (the cache's putStream does).
   */
  async *download(sha256: string, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
    const m = METHODS.downloadBlob!;
    const { policy, log } = this.options;
    let received = 0n;
    let failures = 0;
    for (;;) {
      const call: grpc.ClientReadableStream<DownloadBlobResponse> = this.client.makeServerStreamRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize as (b: Buffer) => DownloadBlobResponse,
        create(DownloadBlobRequestSchema, { sha256, offset: received }),
        callMetadata(this.options.security),
      );
      const cancel = () => call.cancel();
      signal?.addEventListener("abort", cancel, { once: true });
      try {
        for await (const message of call as AsyncIterable<DownloadBlobResponse>) {
          if (message.offset !== received) {
            throw Object.assign(new Error(`the runtime sent bytes from ${message.offset} where ${received} were expected`), { code: grpc.status.INTERNAL });
          }
          if (message.data.byteLength === 0) continue;
          received += BigInt(message.data.byteLength);
          failures = 0;
          yield message.data;
        }
        return;
      } catch (err) {
        if (signal?.aborted || !transient(err)) throw err;
        failures++;
        if (failures >= policy.tries) throw new TransferExhausted(err, failures);
        log.info({ sha256, offset: Number(received), failure: failures, err: (err as Error).message }, "artifact download broke; resuming");
        await pause(backoffMs(policy, failures), signal);
      } finally {
        signal?.removeEventListener("abort", cancel);
        // A consumer that stopped early (or a failure) leaves nothing running.
        call.cancel();
      }
    }
  }

  /** Sends a blob (`open` reads it from the start, again on each try); answered at once when the runtime holds it. */
  upload(sha256: string, size: number, open: () => Promise<AsyncIterable<Uint8Array>>, signal?: AbortSignal): Promise<UploadBlobResponse> {
    return retrying(this.options.policy, signal, (progressed) => this.uploadOnce(sha256, size, open, progressed, signal));
  }

  private uploadOnce(
    sha256: string,
    size: number,
    open: () => Promise<AsyncIterable<Uint8Array>>,
    progressed: () => void,
    signal: AbortSignal | undefined,
  ): Promise<UploadBlobResponse> {
    const m = METHODS.uploadBlob!;
    let answered = false;
    let call!: grpc.ClientWritableStream<unknown>;
    const response = this.cancellable<UploadBlobResponse>(signal, (metadata, done) => {
      call = this.client.makeClientStreamRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize as (b: Buffer) => UploadBlobResponse,
        metadata,
        (err, res) => {
          answered = true;
          done(err, res);
        },
      );
      return call;
    });
    const send = async (): Promise<void> => {
      call.write(create(UploadBlobRequestSchema, { part: { case: "header", value: { sha256, size: BigInt(size) } } }));
      const chunks = await open();
      for await (const data of chunks) {
        if (answered) break;
        if (!call.write(create(UploadBlobRequestSchema, { part: { case: "data", value: data } }))) await drainedOr(call, response);
        progressed();
      }
      if (!answered) call.end();
    };
    // A failure to read the local blob ends the call; the response then rejects with CANCELLED,
    // which would be retried, so it is reported instead.
    const sent = send().catch((err: unknown) => {
      call.cancel();
      throw err;
    });
    return Promise.all([response, sent]).then(([res]) => res);
  }

  /** Starts a call with the token's metadata and cancels it when `signal` aborts. */
  private cancellable<T>(
    signal: AbortSignal | undefined,
    start: (metadata: grpc.Metadata, done: (err: grpc.ServiceError | null, res?: T) => void) => { cancel(): void },
  ): Promise<T> {
    return new Promise<T>((ok, fail) => {
      const call = start(callMetadata(this.options.security), (err, res) => {
        signal?.removeEventListener("abort", cancel);
        if (err) fail(err);
        else ok(res as T);
      });
      const cancel = () => call.cancel();
      if (signal?.aborted) cancel();
      else signal?.addEventListener("abort", cancel, { once: true });
    });
  }

  close(): void {
    this.client.close();
  }
}

/** Resolves when the call takes more, or once it was answered. */
function drainedOr(call: grpc.ClientWritableStream<unknown>, answered: Promise<unknown>): Promise<void> {
  return new Promise((ok) => {
    const done = () => {
      call.off("drain", done);
      ok();
    };
    call.once("drain", done);
    answered.then(done, done);
  });
}
