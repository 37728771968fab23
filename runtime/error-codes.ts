// Every error code the runtime knows: the worker's (with whether a retry may help and which budget
// it consumes), the runtime's own, and RuntimeError, the value thrown across the runtime's layers.
import { status as GrpcStatus } from "@grpc/grpc-js";
import { ErrorKind } from "../proto/index.ts";

export interface ErrorCodeInfo {
  /** Whether another attempt may succeed. */
  readonly retryable: boolean;
  /** The budget a retry consumes. */
  readonly kind: ErrorKind;
  readonly description: string;
}

/** Codes a worker (or the runtime on its behalf) reports for an attempt. */
export const ATTEMPT_ERROR_CODES = Object.freeze({
  TASK_FAILED: { retryable: true, kind: ErrorKind.USER, description: "the task threw" },
  OUTPUT_INVALID: { retryable: true, kind: ErrorKind.USER, description: "an output did not match its declared type" },
  INPUT_INVALID: { retryable: true, kind: ErrorKind.USER, description: "an input did not match its declared type" },
  COMMAND_FAILED: { retryable: true, kind: ErrorKind.USER, description: "the command exited non-zero" },
  CODE_HASH_MISMATCH: { retryable: false, kind: ErrorKind.USER, description: "the worker's code differs from the registered version" },
  TASK_NOT_FOUND: { retryable: false, kind: ErrorKind.USER, description: "the worker could not load the task" },
  CANCELLED: { retryable: false, kind: ErrorKind.USER, description: "the attempt was cancelled" },
  TIMED_OUT: { retryable: true, kind: ErrorKind.USER, description: "the attempt ran past its timeout" },
  LOST: { retryable: true, kind: ErrorKind.SYSTEM, description: "the worker running the attempt stopped heartbeating" },
  PREEMPTED: { retryable: true, kind: ErrorKind.SYSTEM, description: "the worker was preempted" },
  ARTIFACT_TRANSFER_FAILED: {
    retryable: true,
    kind: ErrorKind.SYSTEM,
    description: "a remote worker could not fetch an input or deliver an output through ArtifactService, after retries",
  },
  NO_TASK: { retryable: false, kind: ErrorKind.USER, description: "the spec names a task it does not contain" },
  BINDING_FAILED: { retryable: false, kind: ErrorKind.USER, description: "an input could not be resolved" },
  SENSOR_TIMEOUT: { retryable: false, kind: ErrorKind.USER, description: "a sensor's condition did not hold within its timeout" },
  UPSTREAM_FAILED: { retryable: false, kind: ErrorKind.USER, description: "an upstream node did not succeed" },
  CHILD_FAILED: { retryable: false, kind: ErrorKind.USER, description: "a node inside a branch, map or subworkflow failed" },
  TERMINATED: { retryable: false, kind: ErrorKind.USER, description: "the execution was terminated" },
  INVALID_ARGUMENT: {
    retryable: false,
    kind: ErrorKind.USER,
    description: "the worker refused the assignment: an id or path in it would reach outside its roots",
  },
} satisfies Record<string, ErrorCodeInfo>);

export type AttemptErrorCode = keyof typeof ATTEMPT_ERROR_CODES;

/** What an unknown code from a worker is treated as: a retryable user error. */
export function errorCodeInfo(code: string): ErrorCodeInfo {
  return (ATTEMPT_ERROR_CODES as Record<string, ErrorCodeInfo>)[code] ?? ATTEMPT_ERROR_CODES.TASK_FAILED;
}

/** Codes of errors the runtime's API returns, each mapped to its gRPC status. */
export const RUNTIME_ERROR_CODES = Object.freeze({
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  FAILED_PRECONDITION: GrpcStatus.FAILED_PRECONDITION,
  ALREADY_EXISTS: GrpcStatus.ALREADY_EXISTS,
  RESOURCE_EXHAUSTED: GrpcStatus.RESOURCE_EXHAUSTED,
  /** The runtime is stopping (or stopped): try again once it is back. */
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
  STORE_FAILED: GrpcStatus.INTERNAL,
  INTERNAL: GrpcStatus.INTERNAL,
});

export type RuntimeErrorCode = keyof typeof RUNTIME_ERROR_CODES;

/** An error with a code and a message that says what was wrong and what to do. */
export class RuntimeError extends Error {
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "RuntimeError";
  }

  get grpcStatus(): GrpcStatus {
    return RUNTIME_ERROR_CODES[this.code];
  }
}
