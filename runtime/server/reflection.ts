// gRPC server reflection, grpc.reflection.v1 and v1alpha with one handler, answered from the
// descriptors protobuf-es embeds in the generated code, so grpcurl and grpcio clients can describe
// and call every service from what the server sends alone (docs/clients.md).
import { create, type DescFile, type MessageInitShape } from "@bufbuild/protobuf";
import { status, type Server, type ServerDuplexStream, type ServiceDefinition } from "@grpc/grpc-js";
import {
  AdminService,
  ArtifactService,
  Health,
  ServerReflection,
  ServerReflectionResponseSchema,
  ServerReflectionV1alpha,
  WorkerService,
  file_weir_v1_admin,
  file_weir_v1_artifacts,
  file_weir_v1_execution,
  file_weir_v1_literals,
  file_weir_v1_spec,
  file_weir_v1_types,
  file_weir_v1_worker,
  grpcServiceDefinition,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
} from "../../proto/index.ts";
import { tolerantDefinition, undecodable } from "./handlers.ts";
import { DescriptorIndex } from "./reflection-descriptors.ts";

/** What list_services names: every service startServer mounts (health through grpc-health-check, same proto). */
const REFLECTED_SERVICES = Object.freeze([AdminService, WorkerService, ArtifactService, Health, ServerReflection, ServerReflectionV1alpha]);

/** Every weir.v1 file, so each is found by name even when no service imports it. */
const WEIR_FILES = Object.freeze([
  file_weir_v1_types,
  file_weir_v1_literals,
  file_weir_v1_spec,
  file_weir_v1_execution,
  file_weir_v1_admin,
  file_weir_v1_worker,
  file_weir_v1_artifacts,
]);

export function addReflection(server: Server): void {
  const index = new DescriptorIndex([...WEIR_FILES, ...REFLECTED_SERVICES.map((s) => s.file)]);
  const services = REFLECTED_SERVICES.map((s) => s.typeName);
  const implementation = { serverReflectionInfo: reflectionStream(index, services) };
  const v1 = tolerantDefinition(grpcServiceDefinition(ServerReflection));
  server.addService(v1, implementation);
  server.addService(atPathOf(v1, ServerReflectionV1alpha.typeName), implementation);
}

/**
 * v1's definition under another package's service path. v1alpha's messages are v1's field for
 * field (test/runtime/server/reflection.test.ts holds them to it), so one codec serves both.
 */
function atPathOf(definition: ServiceDefinition, serviceName: string): ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [name, { ...method, path: method.path.replace(/^\/[^/]+\//, `/${serviceName}/`) }]),
  ) as ServiceDefinition;
}

/** One ServerReflectionInfo stream: one answer per request; each dependency is sent once per stream. */
function reflectionStream(index: DescriptorIndex, services: readonly string[]) {
  return (call: ServerDuplexStream<ServerReflectionRequest, ServerReflectionResponse>): void => {
    const sent = new Set<string>();
    call.on("data", (request: ServerReflectionRequest) => {
      const bad = undecodable(request);
      const response = bad === undefined ? answer(index, services, request, sent) : undefined;
      if (response) return void call.write(response);
      call.emit("error", { code: status.INVALID_ARGUMENT, details: bad ?? "the reflection request sets none of its message_request fields" });
    });
    call.on("end", () => call.end());
    call.on("error", () => {}); // a client that goes away; nothing to clean up
  };
}

/** The response to one request; undefined for a request that asks nothing (the stream then ends INVALID_ARGUMENT, as grpc-go does). */
function answer(
  index: DescriptorIndex,
  services: readonly string[],
  request: ServerReflectionRequest,
  sent: Set<string>,
): ServerReflectionResponse | undefined {
  const respond = (messageResponse: MessageInitShape<typeof ServerReflectionResponseSchema>["messageResponse"]): ServerReflectionResponse =>
    create(ServerReflectionResponseSchema, { validHost: request.host, originalRequest: request, messageResponse });
  const notFound = (message: string) => respond({ case: "errorResponse", value: { errorCode: status.NOT_FOUND, errorMessage: message } });
  const files = (file: DescFile | undefined, missing: string) =>
    file ? respond({ case: "fileDescriptorResponse", value: { fileDescriptorProto: index.withDependencies(file, sent) } }) : notFound(missing);
  const req = request.messageRequest;
  switch (req.case) {
    case "listServices":
      return respond({ case: "listServicesResponse", value: { service: services.map((name) => ({ name })) } });
    case "fileByFilename":
      return files(index.fileByName(req.value), `no file named ${req.value}`);
    case "fileContainingSymbol":
      return files(index.fileContainingSymbol(req.value), `no symbol named ${req.value}`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = req.value;
      return files(index.fileContainingExtension(containingType, extensionNumber), `no extension ${extensionNumber} of ${containingType}`);
    }
    case "allExtensionNumbersOfType": {
      const numbers = index.extensionNumbers(req.value);
      if (!numbers) return notFound(`no message type named ${req.value}`);
      return respond({ case: "allExtensionNumbersResponse", value: { baseTypeName: req.value, extensionNumber: numbers } });
    }
    case undefined:
      return undefined;
  }
}
