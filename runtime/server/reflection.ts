// gRPC server reflection, from the weir.v1 .proto files, so `grpcurl -plaintext host:port list` works.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { Server } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";

export const PROTO_ROOT = fileURLToPath(new URL("../../proto/", import.meta.url));

export function addReflection(server: Server): void {
  const dir = join(PROTO_ROOT, "weir", "v1");
  const files = readdirSync(dir).filter((f) => f.endsWith(".proto")).map((f) => `weir/v1/${f}`);
  const definition = loadSync(files, { includeDirs: [PROTO_ROOT], keepCase: true, longs: String, enums: String, defaults: true });
  new ReflectionService(definition).addToServer(server);
}
