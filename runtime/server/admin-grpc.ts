// AdminService over grpc-js: the thin adapter from gRPC calls to the typed methods (admin-service.ts).
// Requests arrive decoded by tolerantDefinition (one refused as it was read answers at once),
// responses already encoded go out as they are, a watch is written event by event until it ends,
// its client cancels or the runtime stops, and an upload's messages are read as they arrive.
import type { sendUnaryData, ServerReadableStream, ServerWritableStream, UntypedServiceImplementation } from "@grpc/grpc-js";
import { AdminService } from "../../proto/index.ts";
import type { Logger } from "../log.ts";
import type { AdminMethods } from "./admin-service.ts";
import { requestRefusal, toServiceError, unary } from "./handlers.ts";

type Unary = (req: unknown) => Promise<unknown>;
type ServerStreaming = (req: unknown, signal: AbortSignal) => AsyncIterable<Uint8Array>;
type ClientStreaming = (requests: AsyncIterable<unknown>, signal: AbortSignal) => Promise<unknown>;

export function grpcAdminService(methods: AdminMethods, log: Logger): UntypedServiceImplementation {
  const service: UntypedServiceImplementation = {};
  for (const m of AdminService.methods) {
    const fn = methods[m.localName as keyof AdminMethods];
    if (m.methodKind === "unary") service[m.localName] = unary(log, m.name, fn as Unary);
    else if (m.methodKind === "server_streaming") service[m.localName] = serverStreaming(log, m.name, fn as ServerStreaming);
    else if (m.methodKind === "client_streaming") service[m.localName] = clientStreaming(log, m.name, fn as ClientStreaming);
  }
  return service;
}

function serverStreaming(log: Logger, method: string, fn: ServerStreaming) {
  return (call: ServerWritableStream<unknown, Uint8Array>): void => {
    const bad = requestRefusal(call.request);
    if (bad !== undefined) return void call.emit("error", toServiceError(bad, log, method));
    const cancelled = cancelSignal(call);
    void (async () => {
      try {
        for await (const event of fn(call.request, cancelled)) call.write(event);
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

/** Aborted when the client cancels the call (grpc-js sets `cancelled` and emits it together). */
function cancelSignal(call: { on(event: "cancelled", listener: () => void): unknown }): AbortSignal {
  const cancelled = new AbortController();
  call.on("cancelled", () => cancelled.abort());
  return cancelled.signal;
}
