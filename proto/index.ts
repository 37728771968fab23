// The weir.v1 protocol: generated messages and services (messages.ts), plus the grpc-js bridge.
export * from "./messages.ts";
export { grpcServiceDefinition } from "./grpc.ts";

// gRPC's own services the runtime serves beside weir's: health and reflection (v1 and v1alpha).
export { Health } from "./gen/grpc/health/v1/health_pb.ts";
export { ServerReflection, ServerReflectionResponseSchema } from "./gen/grpc/reflection/v1/reflection_pb.ts";
export type { ServerReflectionRequest, ServerReflectionResponse } from "./gen/grpc/reflection/v1/reflection_pb.ts";
export { ServerReflection as ServerReflectionV1alpha } from "./gen/grpc/reflection/v1alpha/reflection_pb.ts";

// The hand codecs of the hot paths (Assign, Result, watch events and snapshots).
export * from "./wire/index.ts";
