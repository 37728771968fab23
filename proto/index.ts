// The weir.v1 protocol: generated messages and services, plus the grpc-js bridge.
export * from "./gen/weir/v1/types_pb.ts";
export * from "./gen/weir/v1/literals_pb.ts";
export * from "./gen/weir/v1/spec_pb.ts";
export * from "./gen/weir/v1/execution_pb.ts";
export * from "./gen/weir/v1/admin_pb.ts";
export * from "./gen/weir/v1/worker_pb.ts";
export { grpcServiceDefinition } from "./grpc.ts";
