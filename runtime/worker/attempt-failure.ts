// An attempt's failure as a value: a worker error code (runtime/error-codes.ts) and a message that
// says what went wrong and what to do; turned into the protocol's ExecutionError for the Result.
import { create } from "@bufbuild/protobuf";
import { ExecutionErrorSchema } from "../../proto/index.ts";
import type { ExecutionError } from "../../proto/index.ts";
import { errorCodeInfo } from "../error-codes.ts";
import type { AttemptErrorCode } from "../error-codes.ts";

export class AttemptFailure extends Error {
  readonly code: AttemptErrorCode;
  constructor(code: AttemptErrorCode, message: string) {
    super(message);
    this.name = "AttemptFailure";
    this.code = code;
  }
}

export function executionError(code: string, message: string): ExecutionError {
  return create(ExecutionErrorSchema, { code, message, kind: errorCodeInfo(code).kind });
}

/** "Error: boom\n    at fn (src/x.ts:3:9)": the message plus the first frames of the stack. */
export function describeThrown(err: unknown, frames = 5): string {
  if (err instanceof Error) {
    const stack = (err.stack ?? "")
      .split("\n")
      .filter((line) => line.trim().startsWith("at "))
      .slice(0, frames);
    return [`${err.name}: ${err.message}`, ...stack].join("\n");
  }
  return `non-Error thrown: ${String(err)}`;
}
