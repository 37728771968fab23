// Server reflection as clients no one here wrote use it: grpc.reflection.v1 and v1alpha spoken over
// grpc-js with the protocol's own messages, the reflected file set built with a strict descriptor
// builder (what grpcurl and Python's descriptor pool need), and the Python example client run
// against a real server where Debian's grpcio is installed.
import { execFile, execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { clone, create, createFileRegistry, fromBinary, toBinary, toJson, type DescFile, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type DescriptorProto, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { afterEach, describe, expect, it } from "vitest";
import { AdminService, CompiledWorkflowSchema, WorkerService, file_weir_v1_admin, grpcServiceDefinition } from "../../../proto/index.ts";
import {
  ServerReflection,
  file_grpc_reflection_v1_reflection,
  type ServerReflectionRequestSchema,
  type ServerReflectionResponse,
} from "../../../proto/gen/grpc/reflection/v1/reflection_pb.ts";
import {
  ServerReflection as ServerReflectionV1alpha,
  file_grpc_reflection_v1alpha_reflection,
} from "../../../proto/gen/grpc/reflection/v1alpha/reflection_pb.ts";
import type { RunningServer } from "../../../runtime/index.ts";
import { TestWorker, incTask, refNode, server, tempDir, workflowSpec } from "../harness.ts";

const VERSIONS = [
  ["v1", ServerReflection],
  ["v1alpha", ServerReflectionV1alpha],
] as const;

let running: RunningServer | undefined;
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await running?.stop();
  running = undefined;
});

/** One ServerReflectionInfo stream: each `ask` writes a request and waits for its answer. */
function reflectionStream(address: string, service: DescService, metadata = new grpc.Metadata()) {
  const method = grpcServiceDefinition(service).serverReflectionInfo!;
  const request = service.methods[0]!.input as typeof ServerReflectionRequestSchema;
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  closers.push(() => client.close());
  const call = client.makeBidiStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize as (b: Buffer) => ServerReflectionResponse,
    metadata,
  );
  closers.push(() => call.cancel());
  const waiting: Array<{ ok: (r: ServerReflectionResponse) => void; fail: (e: Error) => void }> = [];
  call.on("data", (res: ServerReflectionResponse) => waiting.shift()?.ok(res));
  call.on("error", (err: Error) => {
    for (const w of waiting.splice(0)) w.fail(err);
  });
  return {
    ask(messageRequest: MessageInitShape<typeof ServerReflectionRequestSchema>["messageRequest"]): Promise<ServerReflectionResponse> {
      return new Promise((ok, fail) => {
        waiting.push({ ok, fail });
        // Built from the version's own schema (v1alpha's messages have v1's fields under another name).
        call.write(create(request, { host: "localhost", messageRequest }));
      });
    },
  };
}

function filesOf(res: ServerReflectionResponse): FileDescriptorProto[] {
  if (res.messageResponse.case !== "fileDescriptorResponse")
    throw new Error(`expected files, got ${res.messageResponse.case}: ${JSON.stringify(res.messageResponse.value)}`);
  return res.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
}

/**
 * What a strict client does with reflected files: every import present, each file after its
 * imports, and every type a file names declared in the file itself or in one of its imports (the
 * rule protoc, grpcurl's protoreflect and Python's pool enforce; createFileRegistry alone resolves
 * names across the whole set). Throws on the first violation; returns the registry.
 */
function buildStrictly(files: FileDescriptorProto[]) {
  const byName = new Map(files.map((f) => [f.name, f]));
  const ordered: FileDescriptorProto[] = [];
  const visit = (f: FileDescriptorProto): void => {
    if (ordered.includes(f)) return;
    for (const dep of f.dependency) {
      const d = byName.get(dep);
      if (!d) throw new Error(`${f.name} imports ${dep}, which reflection did not send`);
      visit(d);
    }
    ordered.push(f);
  };
  files.forEach(visit);
  for (const f of files) {
    const visible = new Set([f, ...f.dependency.map((d) => byName.get(d)!)].flatMap(declaredTypes));
    for (const ref of referencedTypes(f)) {
      if (!visible.has(ref)) throw new Error(`${f.name} refers to ${ref}, declared in none of ${[f.name, ...f.dependency].join(", ")}`);
    }
  }
  return createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
}

function declaredTypes(f: FileDescriptorProto): string[] {
  const walk = (scope: string, messages: DescriptorProto[]): string[] =>
    messages.flatMap((m) => [`${scope}.${m.name}`, ...m.enumType.map((e) => `${scope}.${m.name}.${e.name}`), ...walk(`${scope}.${m.name}`, m.nestedType)]);
  const scope = f.package ? `.${f.package}` : "";
  return [...walk(scope, f.messageType), ...f.enumType.map((e) => `${scope}.${e.name}`)];
}

function referencedTypes(f: FileDescriptorProto): string[] {
  const walk = (messages: DescriptorProto[]): string[] => messages.flatMap((m) => [...m.field.map((x) => x.typeName).filter(Boolean), ...walk(m.nestedType)]);
  return [...walk(f.messageType), ...f.service.flatMap((s) => s.method.flatMap((m) => [m.inputType, m.outputType]))];
}

/** The files `file` imports, transitively, by name. */
function collectDependencies(file: DescFile, into = new Map<string, FileDescriptorProto>()): Map<string, FileDescriptorProto> {
  for (const dep of file.dependencies) {
    if (into.has(dep.proto.name)) continue;
    into.set(dep.proto.name, dep.proto);
    collectDependencies(dep, into);
  }
  return into;
}

function allMessages(f: FileDescriptorProto): DescriptorProto[] {
  const walk = (messages: DescriptorProto[]): DescriptorProto[] => messages.flatMap((m) => [m, ...walk(m.nestedType)]);
  return walk(f.messageType);
}

describe.each(VERSIONS)("server reflection %s", (_version, service) => {
  it("lists every service the server answers", async () => {
    running = await server(tempDir());
    const res = await reflectionStream(running.address, service).ask({ case: "listServices", value: "" });
    expect(res.validHost).toBe("localhost");
    expect(res.originalRequest?.messageRequest.case).toBe("listServices");
    if (res.messageResponse.case !== "listServicesResponse") throw new Error(`got ${res.messageResponse.case}`);
    expect(res.messageResponse.value.service.map((s) => s.name).sort()).toEqual([
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "weir.v1.AdminService",
      "weir.v1.ArtifactService",
      "weir.v1.WorkerService",
    ]);
  });

  it("sends AdminService's and WorkerService's files, real names and imports, that build strictly", async () => {
    running = await server(tempDir());
    const stream = reflectionStream(running.address, service);
    const files = [
      ...filesOf(await stream.ask({ case: "fileContainingSymbol", value: "weir.v1.AdminService" })),
      ...filesOf(await stream.ask({ case: "fileContainingSymbol", value: "weir.v1.WorkerService" })),
    ];
    const names = files.map((f) => f.name);
    // Each file once per stream: the second answer holds worker.proto and only what the first lacked.
    expect(new Set(names).size).toBe(names.length);
    expect(names[0]).toBe("weir/v1/admin.proto");
    for (const name of names) expect(name).toMatch(/^(weir\/v1\/[a-z_]+|google\/protobuf\/[a-z_]+)\.proto$/);
    expect(names).toEqual(expect.arrayContaining(["weir/v1/worker.proto", "weir/v1/spec.proto", "weir/v1/types.proto", "google/protobuf/timestamp.proto"]));
    expect(files.find((f) => f.name === "weir/v1/admin.proto")!.dependency).toContain("google/protobuf/timestamp.proto");

    const registry = buildStrictly(files);
    for (const served of [AdminService, WorkerService]) {
      const reflected = registry.getService(served.typeName);
      expect(reflected?.methods.map((m) => [m.name, m.methodKind, m.input.typeName, m.output.typeName])).toEqual(
        served.methods.map((m) => [m.name, m.methodKind, m.input.typeName, m.output.typeName]),
      );
    }
    // Map fields point at nested entries named as protoc names them (field `labels` → LabelsEntry).
    const entries = files.flatMap(allMessages).filter((m) => m.options?.mapEntry);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) expect(entry.name).toMatch(/^[A-Z]\w*Entry$/);
    expect(registry.getMessage("weir.v1.WorkerInfo")?.field.labels.fieldKind).toBe("map");
    // What is served is what protobuf-es embeds, byte for byte.
    expect(toBinary(FileDescriptorProtoSchema, files[0]!)).toEqual(toBinary(FileDescriptorProtoSchema, file_weir_v1_admin.proto));
  });

  it("finds files by name and by any symbol they declare", async () => {
    running = await server(tempDir());
    const stream = reflectionStream(running.address, service);
    const byName = filesOf(await stream.ask({ case: "fileByFilename", value: "weir/v1/admin.proto" }));
    expect(byName[0]!.name).toBe("weir/v1/admin.proto");
    expect(byName.map((f) => f.name)).toContain("weir/v1/literals.proto");
    const symbols = {
      "weir.v1.AdminService.ListWorkflows": "weir/v1/admin.proto", // a method
      "weir.v1.WorkerInfo.LabelsEntry": "weir/v1/admin.proto", // a map entry
      "weir.v1.WorkerInfo.labels": "weir/v1/admin.proto", // a field
      "weir.v1.ExecutionState": "weir/v1/execution.proto", // an enum
      "weir.v1.EXECUTION_STATE_RUNNING": "weir/v1/execution.proto", // an enum value, scoped beside its enum
      "weir.v1.Literal.value": "weir/v1/literals.proto", // a oneof
      "weir.v1.ArtifactService.DownloadBlob": "weir/v1/artifacts.proto", // a method of the third weir service
      "weir.v1.UploadBlobRequest.part": "weir/v1/artifacts.proto",
      "google.protobuf.Timestamp": "google/protobuf/timestamp.proto",
      "grpc.health.v1.Health": "grpc/health/v1/health.proto",
      "grpc.health.v1.HealthListResponse.StatusesEntry": "grpc/health/v1/health.proto",
      "grpc.reflection.v1.ServerReflection": "grpc/reflection/v1/reflection.proto",
      "grpc.reflection.v1alpha.ServerReflection": "grpc/reflection/v1alpha/reflection.proto",
    };
    for (const [symbol, file] of Object.entries(symbols)) {
      // The requested file comes first even when this stream already carried it.
      expect(filesOf(await stream.ask({ case: "fileContainingSymbol", value: symbol }))[0]!.name, symbol).toBe(file);
    }
    const health = filesOf(await stream.ask({ case: "fileByFilename", value: "grpc/health/v1/health.proto" }));
    expect(
      buildStrictly(health)
        .getService("grpc.health.v1.Health")
        ?.methods.map((m) => m.name)
        .sort(),
    ).toEqual(["Check", "List", "Watch"]);
  });

  it("answers what it does not hold with NOT_FOUND inside the stream, and lists no extensions", async () => {
    running = await server(tempDir());
    const stream = reflectionStream(running.address, service);
    const errorOf = async (req: Parameters<typeof stream.ask>[0]) => {
      const res = await stream.ask(req);
      if (res.messageResponse.case !== "errorResponse") throw new Error(`expected an error, got ${res.messageResponse.case}`);
      return res.messageResponse.value;
    };
    expect((await errorOf({ case: "fileContainingSymbol", value: "weir.v1.NoSuchService" })).errorCode).toBe(grpc.status.NOT_FOUND);
    expect((await errorOf({ case: "fileByFilename", value: "weir_v1.proto" })).errorCode).toBe(grpc.status.NOT_FOUND);
    expect((await errorOf({ case: "fileContainingExtension", value: { containingType: "weir.v1.Literal", extensionNumber: 100 } })).errorCode).toBe(
      grpc.status.NOT_FOUND,
    );
    expect((await errorOf({ case: "allExtensionNumbersOfType", value: "weir.v1.NoSuchMessage" })).errorCode).toBe(grpc.status.NOT_FOUND);
    const numbers = await stream.ask({ case: "allExtensionNumbersOfType", value: "weir.v1.Literal" });
    expect(numbers.messageResponse).toEqual(
      expect.objectContaining({
        case: "allExtensionNumbersResponse",
        value: expect.objectContaining({ baseTypeName: "weir.v1.Literal", extensionNumber: [] }),
      }),
    );
    // The stream is still open after the errors.
    expect(filesOf(await stream.ask({ case: "fileByFilename", value: "weir/v1/types.proto" }))[0]!.name).toBe("weir/v1/types.proto");
    // A request that asks nothing ends the stream, as grpc-go's does.
    await expect(stream.ask({ case: undefined })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });
});

describe("server reflection, both versions", () => {
  it("is checked by a builder that refuses what @grpc/reflection served (a file without its imports)", () => {
    const admin = clone(FileDescriptorProtoSchema, file_weir_v1_admin.proto);
    const deps = [...new Map(collectDependencies(file_weir_v1_admin)).values()];
    expect(() => buildStrictly([admin, ...deps])).not.toThrow();
    admin.dependency = admin.dependency.filter((d) => !d.startsWith("google/"));
    expect(() => buildStrictly([admin, ...deps])).toThrow(/weir\/v1\/admin\.proto refers to \.google\.protobuf\.Timestamp/);
  });

  it("v1alpha's messages are v1's field for field (one codec serves both)", () => {
    const shape = (f: FileDescriptorProto) =>
      JSON.stringify(toJson(FileDescriptorProtoSchema, create(FileDescriptorProtoSchema, { messageType: f.messageType, service: f.service }))).replaceAll(
        ".v1alpha.",
        ".v1.",
      );
    expect(shape(file_grpc_reflection_v1alpha_reflection.proto)).toBe(shape(file_grpc_reflection_v1_reflection.proto));
  });

  it("needs the token like every other weir call", async () => {
    running = await server(tempDir(), { token: "s3cret" });
    const refused = reflectionStream(running.address, ServerReflection).ask({ case: "listServices", value: "" });
    await expect(refused).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    const metadata = new grpc.Metadata();
    metadata.set("authorization", "Bearer s3cret");
    const res = await reflectionStream(running.address, ServerReflectionV1alpha, metadata).ask({ case: "listServices", value: "" });
    expect(res.messageResponse.case).toBe("listServicesResponse");
  });
});

const PYTHON = "/usr/bin/python3";
const CLIENT = join(import.meta.dirname, "../../../examples/clients/python/weir_client.py");
const pythonGrpc = (() => {
  try {
    execFileSync(PYTHON, ["-c", "import grpc, google.protobuf"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("the Python example client (examples/clients/python)", () => {
  it.skipIf(!pythonGrpc)(
    `builds its descriptor pool from reflection alone, registers a spec and watches an execution (skipped without grpcio and protobuf for ${PYTHON}: apt-get install python3-grpcio python3-protobuf)`,
    async () => {
      const dir = tempDir();
      running = await server(dir);
      const worker = new TestWorker(running.address);
      closers.push(() => worker.close());
      await worker.connect();
      const spec = workflowSpec("py_chain", [refNode("a", "inc", { input: "x" }), refNode("b", "inc", { node: "a", output: "y" })], [incTask()], {
        output: { node: "b", output: "y" },
      });
      const specPath = join(dir, "py_chain.pb");
      writeFileSync(specPath, toBinary(CompiledWorkflowSchema, spec));
      const out = await new Promise<{ code: number; stdout: string; stderr: string }>((ok) =>
        execFile(
          PYTHON,
          [CLIENT, "--server", running!.address, "--spec", specPath, "--input", "x=40"],
          { env: { ...process.env, WEIR_TOKEN: "" }, timeout: 60_000 },
          (err, stdout, stderr) => ok({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
      expect(out.stderr).toBe("");
      expect(out.stdout).toContain("weir.v1.AdminService");
      expect(out.stdout).toMatch(/descriptor pool from reflection \(grpc\.reflection\.v1\): .*weir\/v1\/admin\.proto/);
      expect(out.stdout).toContain("registered py_chain");
      expect(out.stdout).toContain("output result = 42");
      expect(out.code).toBe(0);
    },
  );
});
