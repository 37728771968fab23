// AdminService and ArtifactService over Connect (and gRPC-Web) on the HTTP port, for browsers: the
// second thin adapter of the same typed methods (service-methods.ts) the gRPC port serves. Each request is held to its
// method's size limit (message-limits.ts: a unary body is cut off past it with gRPC's refusal; each
// message of a stream by Connect's own readMaxBytes) and to the nesting limit, failures answer with
// the code and text gRPC gives (call-status.ts), and a response the methods hand over already
// encoded is decoded once here, since Connect writes messages itself (binary or JSON, as asked).
import type { IncomingMessage, ServerResponse } from "node:http";
import { type DescMessage, type DescMethod, type DescService, fromBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, universalRequestFromNodeRequest, universalResponseToNodeResponse } from "@connectrpc/connect-node";
import type { Logger } from "../../log.ts";
import { callStatus } from "../call-status.ts";
import { depthRefusal, messageLimit, messageTooDeep, sizeRefusal } from "../message-limits.ts";
import type { ServiceMethods } from "../service-methods.ts";

type Unary = (req: unknown) => Promise<unknown>;
type ServerStreaming = (req: unknown, signal: AbortSignal) => AsyncIterable<unknown>;
type ClientStreaming = (requests: AsyncIterable<unknown>, signal: AbortSignal) => Promise<unknown>;

/** A service and its typed methods, as the HTTP port serves it (made by `connectService`, which checks they match). */
export interface ConnectService {
  readonly desc: DescService;
  readonly methods: object;
}

export function connectService<S extends DescService>(desc: S, methods: ServiceMethods<S>): ConnectService {
  return { desc, methods };
}

/** The request path prefix of a service's methods over Connect: `/weir.v1.AdminService/`. */
export function servicePathPrefix(desc: DescService): string {
  return `/${desc.typeName}/`;
}

/**
 * A node request handler serving the services' paths over Connect and gRPC-Web (plain gRPC stays on
 * the gRPC port). The caller routes only paths under a service's prefix here.
 */
export function connectHandler(services: readonly ConnectService[], log: Logger): (req: IncomingMessage, res: ServerResponse) => void {
  const router = createConnectRouter({ connect: true, grpcWeb: true, grpc: false, acceptCompression: [compressionGzip, compressionBrotli] });
  for (const { desc, methods } of services) {
    for (const m of desc.methods) {
      const fn = (methods as Record<string, unknown>)[m.localName];
      const options = { readMaxBytes: messageLimit(`${servicePathPrefix(desc)}${m.name}`) };
      if (m.methodKind === "unary") router.rpc(m, unary(m, fn as Unary, log) as never, options);
      else if (m.methodKind === "server_streaming") router.rpc(m, serverStreaming(m, fn as ServerStreaming, log) as never, options);
      else if (m.methodKind === "client_streaming") router.rpc(m, clientStreaming(m, fn as ClientStreaming, log) as never, options);
    }
  }
  const handlers = new Map(router.handlers.map((h) => [h.requestPath, h]));
  return (req, res) => {
    const path = (req.url ?? "").split("?", 1)[0]!;
    const handler = handlers.get(path);
    if (!handler) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      return void res.end(`no method ${path.slice(path.lastIndexOf("/") + 1)} in ${path.slice(1, path.lastIndexOf("/"))}\n`);
    }
    const uReq = universalRequestFromNodeRequest(req, res, undefined, undefined);
    const limit = messageLimit(handler.requestPath);
    // A unary call's body is its one message: refused past the method's limit as gRPC refuses it.
    const declared = Number(req.headers["content-length"]) || 0;
    const body = handler.method.methodKind === "unary" && isBytes(uReq.body) ? bounded(uReq.body, handler.method.name, limit, declared) : uReq.body;
    handler({ ...uReq, body })
      .then((uRes) => universalResponseToNodeResponse(uRes, res))
      .catch((err: unknown) => {
        if (ConnectError.from(err).code !== Code.Aborted) log.warn({ err, method: handler.method.name }, "a Connect call failed in transport");
        res.destroy();
      });
  };
}

function isBytes(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body;
}

/**
 * The body's chunks, failing with the size refusal once they pass `limit` bytes (nothing more is
 * read): of the size the request declared, else of what came so far.
 */
async function* bounded(body: AsyncIterable<Uint8Array>, method: string, limit: number, declared: number): AsyncIterable<Uint8Array> {
  if (declared > limit) throw new ConnectError(sizeRefusal(method, limit, declared).message, Code.ResourceExhausted);
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limit) throw new ConnectError(sizeRefusal(method, limit, Math.max(total, declared)).message, Code.ResourceExhausted);
    yield chunk;
  }
}

function unary(m: DescMethod, fn: Unary, log: Logger) {
  return async (req: object): Promise<unknown> => {
    try {
      admit(m, req);
      return decoded(m.output, await fn(req));
    } catch (err) {
      throw connectError(err, log, m.name);
    }
  };
}

function serverStreaming(m: DescMethod, fn: ServerStreaming, log: Logger) {
  return async function* (req: object, ctx: HandlerContext): AsyncIterable<unknown> {
    try {
      admit(m, req);
      for await (const message of fn(req, ctx.signal)) yield decoded(m.output, message);
    } catch (err) {
      throw connectError(err, log, m.name);
    }
  };
}

function clientStreaming(m: DescMethod, fn: ClientStreaming, log: Logger) {
  return async (requests: AsyncIterable<object>, ctx: HandlerContext): Promise<unknown> => {
    try {
      return await fn(admitted(m, requests), ctx.signal);
    } catch (err) {
      throw connectError(err, log, m.name);
    }
  };
}

async function* admitted(m: DescMethod, requests: AsyncIterable<object>): AsyncIterable<object> {
  for await (const req of requests) {
    admit(m, req);
    yield req;
  }
}

/** The nesting check grpc-js's decoding makes (message-limits.ts); Connect has read the size limit itself. */
function admit(m: DescMethod, req: object): void {
  if (messageTooDeep(req)) throw depthRefusal(m.name);
}

function decoded(schema: DescMessage, res: unknown): unknown {
  return res instanceof Uint8Array ? fromBinary(schema, res) : res;
}

function connectError(err: unknown, log: Logger, method: string): ConnectError {
  if (err instanceof ConnectError) return err;
  const { code, message } = callStatus(err, log, method);
  return new ConnectError(message, code as Code);
}
