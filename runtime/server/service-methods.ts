// A service as typed functions, one per method of its generated descriptor, which both transports
// adapt: grpc-js on the gRPC port (grpc-adapter.ts) and Connect on the HTTP port
// (http/connect-adapter.ts). A method missing from an implementation fails to type-check.
import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";

/**
 * A unary method may answer with its response already encoded (bytes a transport sends as they
 * are), and a server stream may yield either; a stream ends when its iterable does or the signal
 * aborts (the client went away). A client stream reads its requests as they arrive. Every failure
 * is a RuntimeError the transports map to one status (call-status.ts).
 */
export type ServiceMethods<S extends DescService> = {
  [K in keyof S["method"]]: S["method"][K] extends { methodKind: "unary"; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? (request: MessageShape<I>) => Promise<MessageShape<O> | Uint8Array>
    : S["method"][K] extends { methodKind: "server_streaming"; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? (request: MessageShape<I>, signal: AbortSignal) => AsyncIterable<MessageShape<O> | Uint8Array>
      : S["method"][K] extends { methodKind: "client_streaming"; input: infer I extends DescMessage; output: infer O extends DescMessage }
        ? (requests: AsyncIterable<MessageShape<I>>, signal: AbortSignal) => Promise<MessageShape<O>>
        : never;
};
