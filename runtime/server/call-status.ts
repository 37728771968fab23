// What a failed call answers, whichever transport carried it (grpc-js on the gRPC port, Connect on
// the HTTP port): a RuntimeError its own code and message, anything else INTERNAL (and logged).
// One mapping, so a client sees the same code and text over both; bounded to fit in a trailer.
import { status } from "@grpc/grpc-js";
import { RuntimeError } from "../error-codes.ts";
import type { Logger } from "../log.ts";
import { boundedDetails } from "./client-text.ts";

export interface CallStatus {
  /** A gRPC status code (Connect's codes are the same numbers). */
  readonly code: number;
  readonly message: string;
}

export function callStatus(err: unknown, log: Logger, method: string): CallStatus {
  if (err instanceof RuntimeError) return { code: err.grpcStatus, message: boundedDetails(err.message) };
  log.error({ err, method }, "handler failed");
  return { code: status.INTERNAL, message: boundedDetails(`internal error in ${method}: ${(err as Error)?.message ?? String(err)}`) };
}
