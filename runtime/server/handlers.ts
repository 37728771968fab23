// Wraps gRPC handlers so that no request can crash the server: undecodable bytes and missing fields
// become INVALID_ARGUMENT, RuntimeErrors their own status, anything else INTERNAL (and is logged).
import { status, type ServiceDefinition, type sendUnaryData, type ServerUnaryCall, type ServiceError } from "@grpc/grpc-js";
import type { Logger } from "../log.ts";
import { RuntimeError } from "../error-codes.ts";

const UNDECODABLE = Symbol("undecodable");

interface Undecodable {
  [UNDECODABLE]: string;
}

/**
 * The same service with request decoding that never throws (grpc-js would answer INTERNAL), and
 * responses that may be handed over already encoded (a Uint8Array is sent as is).
 */
export function tolerantDefinition(def: ServiceDefinition): ServiceDefinition {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(def)) {
    out[name] = {
      ...m,
      responseSerialize: (value: unknown) =>
        value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : m.responseSerialize(value),
      requestDeserialize: (bytes: Buffer) => {
        try {
          return m.requestDeserialize(bytes);
        } catch (err) {
          return { [UNDECODABLE]: (err as Error).message } satisfies Undecodable;
        }
      },
    };
  }
  return out as ServiceDefinition;
}

export function undecodable(req: unknown): string | undefined {
  return req && typeof req === "object" && UNDECODABLE in req ? (req as Undecodable)[UNDECODABLE] : undefined;
}

export function toServiceError(err: unknown, log: Logger, method: string): Partial<ServiceError> {
  if (err instanceof RuntimeError) return { code: err.grpcStatus, details: err.message };
  log.error({ err, method }, "handler failed");
  return { code: status.INTERNAL, details: `internal error in ${method}: ${(err as Error)?.message ?? String(err)}` };
}

export function unary<Req, Res>(log: Logger, method: string, fn: (req: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const bad = undecodable(call.request);
    if (bad !== undefined) {
      callback({ code: status.INVALID_ARGUMENT, details: `the ${method} request could not be decoded: ${bad}` });
      return;
    }
    fn(call.request).then(
      (res) => callback(null, res),
      (err) => callback(toServiceError(err, log, method)),
    );
  };
}

export function required<T>(value: T | undefined | null | "", what: string): T {
  if (value === undefined || value === null || value === "") throw new RuntimeError("INVALID_ARGUMENT", `${what} is required`);
  return value;
}
