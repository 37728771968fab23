// The weir.v1 protocol: generated messages and services (messages.ts), plus the grpc-js bridge.
export * from "./messages.ts";
export { grpcServiceDefinition } from "./grpc.ts";
