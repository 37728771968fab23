// Server reflection through a real reflection client (the v1alpha proto shipped in @grpc/reflection,
// loaded with @grpc/proto-loader): what `grpcurl -plaintext host:port list` and `describe` rely on.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { afterEach, describe, expect, it } from "vitest";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { fromBinary } from "@bufbuild/protobuf";
import type { RunningServer } from "../../../runtime/index.ts";
import { server, tempDir } from "../harness.ts";

const require = createRequire(import.meta.url);
const REFLECTION_PROTO = join(dirname(require.resolve("@grpc/reflection/package.json")), "build", "proto", "grpc", "reflection", "v1alpha", "reflection.proto");

interface ReflectionResponse {
  list_services_response?: { service: Array<{ name: string }> };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

let running: RunningServer | undefined;
let client: grpc.Client | undefined;
afterEach(async () => {
  client?.close();
  await running?.stop();
  running = client = undefined;
});

/** One request on a fresh ServerReflectionInfo stream; resolves with the single response. */
function ask(address: string, request: Record<string, string>): Promise<ReflectionResponse> {
  const definition = loadSync(REFLECTION_PROTO, { keepCase: true, longs: String, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { grpc: { reflection: { v1alpha: { ServerReflection: grpc.ServiceClientConstructor } } } };
  client ??= new pkg.grpc.reflection.v1alpha.ServerReflection(address, grpc.credentials.createInsecure());
  const call = (client as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<object, ReflectionResponse> }).ServerReflectionInfo();
  return new Promise((ok, fail) => {
    call.on("data", (res: ReflectionResponse) => (ok(res), call.end()));
    call.on("error", fail);
    call.write({ host: "", ...request });
  });
}

describe("server reflection", () => {
  it("lists AdminService, WorkerService and health, and describes AdminService by symbol", async () => {
    running = await server(tempDir());
    const listed = await ask(running.address, { list_services: "" });
    const names = listed.list_services_response!.service.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(["weir.v1.AdminService", "weir.v1.WorkerService", "grpc.health.v1.Health"]));

    const described = await ask(running.address, { file_containing_symbol: "weir.v1.AdminService" });
    expect(described.error_response).toBeUndefined();
    const files = described.file_descriptor_response!.file_descriptor_proto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
    const admin = files.find((f) => f.service.some((s) => s.name === "AdminService"));
    // @grpc/reflection regroups descriptors into one file per package (weir_v1.proto).
    expect(admin?.package).toBe("weir.v1");
    const methods = admin!.service.find((s) => s.name === "AdminService")!.method.map((m) => m.name);
    expect(methods).toEqual(expect.arrayContaining(["RegisterWorkflow", "CreateExecution", "WatchExecution", "RecoverExecution", "ClearNodes", "CreateBackfill"]));
    // The descriptors a client needs to decode AdminService's messages come along.
    const messages = files.flatMap((f) => f.messageType.map((m) => `${f.package}.${m.name}`));
    expect(messages).toEqual(expect.arrayContaining(["weir.v1.Execution", "weir.v1.CompiledWorkflow", "weir.v1.CreateBackfillRequest", "google.protobuf.Timestamp"]));
  });

  it("answers an unknown symbol with NOT_FOUND inside the stream", async () => {
    running = await server(tempDir());
    const res = await ask(running.address, { file_containing_symbol: "weir.v1.NoSuchService" });
    expect(res.error_response?.error_code).toBe(grpc.status.NOT_FOUND);
  });
});
