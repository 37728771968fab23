// gRPC server reflection, from the weir.v1 .proto files and grpc-health-check's health.proto, so
// `grpcurl -plaintext host:port list` shows every service the server answers.
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import type { Server } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";

export const PROTO_ROOT = fileURLToPath(new URL("../../proto/", import.meta.url));
/** grpc-health-check ships its health.proto (package grpc.health.v1) under proto/. */
const HEALTH_PROTO_ROOT = join(dirname(createRequire(import.meta.url).resolve("grpc-health-check/package.json")), "proto");

export function addReflection(server: Server): void {
  const dir = join(PROTO_ROOT, "weir", "v1");
  const files = readdirSync(dir).filter((f) => f.endsWith(".proto")).map((f) => `weir/v1/${f}`);
  const definition = loadSync([...files, "health/v1/health.proto"], { includeDirs: [PROTO_ROOT, HEALTH_PROTO_ROOT], keepCase: true, longs: String, enums: String, defaults: true });
  new ReflectionService(definition).addToServer(server);
}
