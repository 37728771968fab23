// The grpc-js side of the door: request decoding that no request can crash or hang. Messages over
// their method's size, undecodable bytes and messages nested too deep become RESOURCE_EXHAUSTED or
// INVALID_ARGUMENT before a handler runs; a handler's failure becomes its status (call-status.ts,
// shared with the Connect transport).
import type { ServiceDefinition, sendUnaryData, ServerUnaryCall, ServiceError } from "@grpc/grpc-js";
import type { Logger } from "../log.ts";
import { RuntimeError } from "../error-codes.ts";
import { callStatus } from "./call-status.ts";
import { quoted } from "./client-text.ts";
import { depthRefusal, messageLimit, messageTooDeep, sizeRefusal } from "./message-limits.ts";

const UNDECODABLE = Symbol("undecodable");

interface Undecodable {
  [UNDECODABLE]: RuntimeError;
}

/**
 * The same service with request decoding that never throws (grpc-js would answer INTERNAL) and
 * refuses, before decoding, a message over its method's limit; responses may be handed over
 * already encoded (a Uint8Array is sent as is).
 */
export function tolerantDefinition(def: ServiceDefinition): ServiceDefinition {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(def)) {
    const limit = messageLimit(m.path);
    const method = m.path.slice(m.path.lastIndexOf("/") + 1);
    out[name] = {
      ...m,
      responseSerialize: (value: unknown) =>
        value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : m.responseSerialize(value),
      requestDeserialize: (bytes: Buffer): unknown => {
        if (bytes.byteLength > limit) return refusal(sizeRefusal(method, limit, bytes.byteLength));
        let req: unknown;
        try {
          req = m.requestDeserialize(bytes);
        } catch (err) {
          // Decoding recurses per nested message: protobuf-es stops past its recursion limit, and a
          // message nested far too deep for it would run out of stack.
          if (err instanceof RangeError || /maximum recursion depth/.test(String((err as Error)?.message))) return refusal(depthRefusal(method));
          return refusal(
            new RuntimeError("INVALID_ARGUMENT", `the ${method} request could not be decoded: ${quoted(String((err as Error)?.message ?? err), 200)}`),
          );
        }
        if (req && typeof req === "object" && messageTooDeep(req)) return refusal(depthRefusal(method));
        return req;
      },
    };
  }
  return out as ServiceDefinition;
}

function refusal(err: RuntimeError): Undecodable {
  return { [UNDECODABLE]: err };
}

/** Why a request was refused as it was read (its status and message), or undefined for a request a handler may use. */
export function requestRefusal(req: unknown): RuntimeError | undefined {
  return req && typeof req === "object" && UNDECODABLE in req ? (req as Undecodable)[UNDECODABLE] : undefined;
}

/** requestRefusal's message alone. */
export function undecodable(req: unknown): string | undefined {
  return requestRefusal(req)?.message;
}

export function toServiceError(err: unknown, log: Logger, method: string): Partial<ServiceError> {
  const { code, message } = callStatus(err, log, method);
  return { code, details: message };
}

/** A grpc-js unary handler of `fn`: a request refused as it was read answers at once; every outcome is a status. */
export function unary<Req, Res>(log: Logger, method: string, fn: (req: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const bad = requestRefusal(call.request);
    if (bad !== undefined) {
      callback(toServiceError(bad, log, method));
      return;
    }
    let result: Promise<Res>;
    try {
      result = fn(call.request);
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (res) => callback(null, res),
      (err) => callback(toServiceError(err, log, method)),
    );
  };
}

export function required<T>(value: T | undefined | null | "", what: string): T {
  if (value === undefined || value === null || value === "") throw new RuntimeError("INVALID_ARGUMENT", `${what} is required`);
  return value;
}
