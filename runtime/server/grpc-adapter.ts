// A service's typed methods (service-methods.ts: AdminService, ArtifactService) over grpc-js: the thin
// adapter from gRPC calls to them. Requests arrive decoded by tolerantDefinition (one refused as it
// was read answers at once), responses already encoded go out as they are, a server stream is
// written message by message, waiting for the client to read (a slow one holds one message of the
// runtime's memory), until it ends, its client cancels or the runtime stops, and a client stream's
// messages are read as they arrive.
import type { DescService } from "@bufbuild/protobuf";
import type { sendUnaryData, ServerReadableStream, ServerWritableStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import type { Logger } from "../log.ts";
import { requestRefusal, toServiceError, unary } from "./handlers.ts";
import type { ServiceMethods } from "./service-methods.ts";

type Unary = (req: unknown) => Promise<unknown>;
type ServerStreaming = (req: unknown, signal: AbortSignal) => AsyncIterable<unknown>;
type ClientStreaming = (requests: AsyncIterable<unknown>, signal: AbortSignal) => Promise<unknown>;

export function grpcService<S extends DescService>(desc: S, methods: ServiceMethods<S>, log: Logger): UntypedServiceImplementation {
  const service: UntypedServiceImplementation = {};
  for (const m of desc.methods) {
    const fn = methods[m.localName as keyof ServiceMethods<S>];
    if (m.methodKind === "unary") service[m.localName] = unary(log, m.name, fn as Unary);
    else if (m.methodKind === "server_streaming") service[m.localName] = serverStreaming(log, m.name, fn as ServerStreaming);
    else if (m.methodKind === "client_streaming") service[m.localName] = clientStreaming(log, m.name, fn as ClientStreaming);
  }
  return service;
}

function serverStreaming(log: Logger, method: string, fn: ServerStreaming) {
  return (call: ServerWritableStream<unknown, unknown>): void => {
    const bad = requestRefusal(call.request);
    if (bad !== undefined) return void call.emit("error", toServiceError(bad, log, method));
    const cancelled = cancelSignal(call);
    void (async () => {
      try {
        for await (const message of fn(call.request, cancelled)) {
          if (cancelled.aborted) return;
          if (!call.write(message)) await drained(call, cancelled);
        }
        if (!cancelled.aborted) call.end();
      } catch (err) {
        if (!cancelled.aborted) call.emit("error", toServiceError(err, log, method));
      }
    })();
  };
}

function clientStreaming(log: Logger, method: string, fn: ClientStreaming) {
  return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
    fn(admitted(call), cancelSignal(call)).then(
      (res) => callback(null, res),
      (err) => callback(toServiceError(err, log, method)),
    );
  };
}

/** A client stream's messages; one refused as it was read ends the call with its refusal. */
async function* admitted(call: AsyncIterable<unknown>): AsyncIterable<unknown> {
  for await (const req of call) {
    const bad = requestRefusal(req);
    if (bad !== undefined) throw bad;
    yield req;
  }
}

/** Resolves when the call can take more (or was cancelled). */
function drained(call: ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((ok) => {
    const done = () => {
      call.off("drain", done);
      signal.removeEventListener("abort", done);
      ok();
    };
    call.once("drain", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Aborted when the client cancels the call (grpc-js sets `cancelled` and emits it together). */
function cancelSignal(call: { on(event: "cancelled", listener: () => void): unknown }): AbortSignal {
  const cancelled = new AbortController();
  call.on("cancelled", () => cancelled.abort());
  return cancelled.signal;
}
