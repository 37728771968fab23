// Typed gRPC client for the runtime's AdminService: every call has a deadline, and every failure
// becomes a `WeirClientError` whose message says what was wrong and what to do about it. TLS and
// the token come in as a ChannelSecurity (channel-security.ts).
import { once } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { create, type DescMessage, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { AdminService, decodeExecutionEvent, grpcServiceDefinition } from "../proto/index.ts";
import { PLAINTEXT, callMetadata, channelCredentials, diagnoseTlsFailure, type ChannelSecurity } from "./channel-security.ts";

export interface ClientOptions {
  address: string;
  deadlineMs: number;
  /** Deadline of a whole client-streaming call (an artifact upload). */
  uploadDeadlineMs: number;
  connectTimeoutMs: number;
  /** TLS and the token; plaintext without a token by default. */
  security: ChannelSecurity;
}

export const CLIENT_DEFAULTS: Readonly<ClientOptions> = Object.freeze({
  /** Where `weir server` listens unless told otherwise. */
  address: "127.0.0.1:7070",
  /** Deadline of one unary call. */
  deadlineMs: 30_000,
  /** Ten minutes: a 1 GiB upload over a slow link. */
  uploadDeadlineMs: 600_000,
  /** How long to wait for the channel to connect before calling the runtime unreachable. */
  connectTimeoutMs: 5_000,
  security: PLAINTEXT,
});

/** Stable codes of client failures; scripts branch on these, never on the prose. */
export type ClientErrorCode =
  | "UNREACHABLE"
  | "TLS_FAILED"
  | "UNAUTHENTICATED"
  | "INVALID_ARGUMENT"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "FAILED_PRECONDITION"
  | "DEADLINE_EXCEEDED"
  | "CANCELLED"
  | "INTERNAL";

export class WeirClientError extends Error {
  override readonly name = "WeirClientError";
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    /** The gRPC status code, when the error came from a call. */
    readonly grpcCode?: grpc.status,
  ) {
    super(message);
  }
}

type AdminShape = typeof AdminService extends { method: infer M } ? M : never;
type MethodsOfKind<Kind extends string> = {
  [K in keyof AdminShape]: AdminShape[K] extends { methodKind: Kind } ? K : never;
}[keyof AdminShape];
type In<K extends keyof AdminShape> = AdminShape[K] extends { input: infer I extends DescMessage } ? I : never;
type Out<K extends keyof AdminShape> = AdminShape[K] extends { output: infer O extends DescMessage } ? O : never;

type UnaryCalls = {
  [K in MethodsOfKind<"unary">]: (request: MessageInitShape<In<K>>, options?: { deadlineMs?: number }) => Promise<MessageShape<Out<K>>>;
};
type StreamCalls = {
  [K in MethodsOfKind<"server_streaming">]: (request: MessageInitShape<In<K>>, options?: { signal?: AbortSignal }) => AsyncIterable<MessageShape<Out<K>>>;
};

type ClientStreamCalls = {
  [K in MethodsOfKind<"client_streaming">]: (
    requests: AsyncIterable<MessageInitShape<In<K>>> | Iterable<MessageInitShape<In<K>>>,
    options?: { deadlineMs?: number },
  ) => Promise<MessageShape<Out<K>>>;
};

/** One typed method per AdminService RPC, plus `close()`. */
export type AdminClient = UnaryCalls &
  StreamCalls &
  ClientStreamCalls & {
    readonly address: string;
    /** Resolves once the channel is up; rejects with UNREACHABLE after `connectTimeoutMs`. */
    waitForReady(timeoutMs?: number): Promise<void>;
    close(): void;
  };

const adminDefinition = grpcServiceDefinition(AdminService);
const AdminClientConstructor = grpc.makeGenericClientConstructor(
  {
    ...adminDefinition,
    // A follower of a large execution reads thousands of events: field by field, not by reflection.
    watchExecution: { ...adminDefinition.watchExecution!, responseDeserialize: decodeExecutionEvent },
  },
  "weir.v1.AdminService",
);

/** Resolves the address from an explicit flag, then `$WEIR_SERVER`, then the default. */
export function resolveServerAddress(flag?: string): string {
  return flag || process.env.WEIR_SERVER || CLIENT_DEFAULTS.address;
}

export function connectAdmin(address: string, options: Partial<ClientOptions> = {}): AdminClient {
  const settings = { ...CLIENT_DEFAULTS, ...options };
  const { security } = settings;
  const raw = new AdminClientConstructor(address, channelCredentials(security), {
    // Fail fast when nothing listens: a CLI user wants an answer, not a hang.
    "grpc.initial_reconnect_backoff_ms": 200,
    "grpc.max_reconnect_backoff_ms": 1_000,
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
  }) as unknown as grpc.Client & Record<string, Function>;

  const client: Record<string, unknown> = {
    address,
    close: () => raw.close(),
    waitForReady: (timeoutMs = settings.connectTimeoutMs) =>
      new Promise<void>((resolve, reject) => {
        raw.waitForReady(Date.now() + timeoutMs, (err) =>
          err ? void diagnoseTlsFailure(address, security).then((tls) => reject(tls ? tlsFailed(tls) : unreachable(address))) : resolve(),
        );
      }),
  };

  for (const method of AdminService.methods) {
    const name = method.localName;
    if (method.methodKind === "unary") {
      client[name] = (request: object, callOptions: { deadlineMs?: number } = {}) =>
        new Promise((resolve, reject) => {
          const deadline = Date.now() + (callOptions.deadlineMs ?? settings.deadlineMs);
          raw[name]!.call(
            raw,
            create(method.input, request as never),
            callMetadata(security),
            { deadline, waitForReady: false },
            (err: grpc.ServiceError | null, response: unknown) =>
              err ? void explainError(err, address, method.name, security).then(reject) : resolve(response),
          );
        });
    } else if (method.methodKind === "server_streaming") {
      client[name] = (request: object, callOptions: { signal?: AbortSignal } = {}) =>
        streamToIterable(
          () => raw[name]!.call(raw, create(method.input, request as never), callMetadata(security), {}) as grpc.ClientReadableStream<unknown>,
          address,
          method.name,
          security,
          callOptions.signal,
        );
    } else if (method.methodKind === "client_streaming") {
      client[name] = (requests: AsyncIterable<object> | Iterable<object>, callOptions: { deadlineMs?: number } = {}) =>
        new Promise((resolve, reject) => {
          const deadline = Date.now() + (callOptions.deadlineMs ?? settings.uploadDeadlineMs);
          // Once the server answers (an early refusal included), stop waiting for the stream to drain.
          const answered = new AbortController();
          const call = raw[name]!.call(raw, callMetadata(security), { deadline }, (err: grpc.ServiceError | null, response: unknown) => {
            answered.abort();
            if (err) void explainError(err, address, method.name, security).then(reject);
            else resolve(response);
          }) as grpc.ClientWritableStream<unknown>;
          void (async () => {
            try {
              for await (const request of requests) {
                if (answered.signal.aborted) return;
                if (!call.write(create(method.input, request as never))) await once(call, "drain", { signal: answered.signal });
              }
              call.end();
            } catch (err) {
              if (answered.signal.aborted) return;
              // The requests themselves failed (a file could not be read): nothing may be stored.
              call.cancel();
              reject(err);
            }
          })();
        });
    }
  }
  return client as unknown as AdminClient;
}

/** Adapts a grpc-js server stream to an async iterable that ends when the server ends it. */
async function* streamToIterable(
  open: () => grpc.ClientReadableStream<unknown>,
  address: string,
  rpc: string,
  security: ChannelSecurity,
  signal?: AbortSignal,
): AsyncIterable<never> {
  const call = open();
  const onAbort = () => call.cancel();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const message of call) yield message as never;
  } catch (err) {
    const status = err as grpc.ServiceError;
    if (status.code === grpc.status.CANCELLED && signal?.aborted) return;
    throw await explainError(status, address, rpc, security);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    call.cancel();
  }
}

function unreachable(address: string): WeirClientError {
  return new WeirClientError(
    "UNREACHABLE",
    `cannot reach the weir runtime at ${address} — start it with \`weir server\`, or pass --server host:port (or set WEIR_SERVER)`,
    grpc.status.UNAVAILABLE,
  );
}

function tlsFailed(message: string): WeirClientError {
  return new WeirClientError("TLS_FAILED", message, grpc.status.UNAVAILABLE);
}

/** toClientError, except that an unreachable runtime is checked for a TLS mismatch first. */
export async function explainError(err: grpc.ServiceError, address: string, rpc: string, security: ChannelSecurity): Promise<WeirClientError> {
  if (err.code !== grpc.status.UNAVAILABLE) return toClientError(err, address, rpc);
  const tls = await diagnoseTlsFailure(address, security, err.details || err.message);
  return tls ? tlsFailed(tls) : unreachable(address);
}

/** Maps a gRPC status to a client error; the server's own details are kept verbatim. */
export function toClientError(err: grpc.ServiceError, address: string, rpc: string): WeirClientError {
  const details = err.details || err.message;
  switch (err.code) {
    case grpc.status.UNAVAILABLE:
      return unreachable(address);
    case grpc.status.DEADLINE_EXCEEDED:
      return new WeirClientError(
        "DEADLINE_EXCEEDED",
        `the weir runtime at ${address} did not answer ${rpc} in time — check that it is healthy (\`weir workers\`) and retry`,
        err.code,
      );
    case grpc.status.UNAUTHENTICATED:
      return new WeirClientError("UNAUTHENTICATED", `the weir runtime at ${address} refused ${rpc}: ${details}`, err.code);
    case grpc.status.INVALID_ARGUMENT:
      return new WeirClientError("INVALID_ARGUMENT", details, err.code);
    case grpc.status.NOT_FOUND:
      return new WeirClientError("NOT_FOUND", details, err.code);
    case grpc.status.ALREADY_EXISTS:
      return new WeirClientError("ALREADY_EXISTS", details, err.code);
    case grpc.status.FAILED_PRECONDITION:
      return new WeirClientError("FAILED_PRECONDITION", details, err.code);
    case grpc.status.CANCELLED:
      return new WeirClientError("CANCELLED", `${rpc} was cancelled: ${details}`, err.code);
    default:
      return new WeirClientError("INTERNAL", `${rpc} failed on the runtime at ${address}: ${details}`, err.code);
  }
}
