// The weir.v1 messages and service descriptors only, with no gRPC library behind them: the face
// the SDK imports (sdk/ must not pull in @grpc/*).
export * from "./gen/weir/v1/types_pb.ts";
export * from "./gen/weir/v1/literals_pb.ts";
export * from "./gen/weir/v1/spec_pb.ts";
export * from "./gen/weir/v1/execution_pb.ts";
export * from "./gen/weir/v1/admin_pb.ts";
export * from "./gen/weir/v1/worker_pb.ts";
export * from "./gen/weir/v1/artifacts_pb.ts";
