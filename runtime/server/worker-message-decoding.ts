// Decodes what a worker sends on its Connect stream, through protobuf-es, so every input decodes
// exactly as the WorkerMessage schema says (tested, malformed and odd bytes included); never throws.
// One deliberate difference: a Result whose outputs nest deeper than LITERAL_LIMITS.maxDepth arrives
// as that lease's OUTPUT_INVALID error, so the attempt fails and the stream lives. protobuf-es refuses
// outputs past its own recursion limit outright; for those alone the Results are read by hand
// (readResults, proto/wire/: outcomes kept as bytes, their depth checked before anything recurses).
import { create, fromBinary } from "@bufbuild/protobuf";
import {
  ErrorKind,
  ExecutionErrorSchema,
  LiteralSetSchema,
  readResults,
  WorkerMessageSchema,
  type Result,
  type ResultFrame,
  type WorkerMessage,
} from "../../proto/index.ts";
import { LITERAL_LIMITS, literalSetBytesTooDeep, literalsTooDeep } from "./literal-depth.ts";

export type WorkerFrame =
  /** A Result, or the Results of a ResultBatch, in order. */
  | { case: "results"; value: Result[] }
  | { case: "message"; value: WorkerMessage }
  /** Bytes that are not a WorkerMessage; the reason. */
  | { case: "undecodable"; value: string };

export function decodeWorkerFrame(bytes: Uint8Array): WorkerFrame {
  // protobuf-es first: since 2.14 it reads Results as fast as the hand reader (bench/codecs). It
  // refuses outputs nested past its recursion limit; the hand reader then finds the lease.
  try {
    const msg = fromBinary(WorkerMessageSchema, bytes);
    if (msg.msg.case === "result") return { case: "results", value: [boundedDepth(msg.msg.value)] };
    if (msg.msg.case === "results") return { case: "results", value: msg.msg.value.results.map(boundedDepth) };
    return { case: "message", value: msg };
  } catch (err) {
    const results = resultsOrNot(bytes);
    if (results) return { case: "results", value: results };
    return { case: "undecodable", value: (err as Error).message };
  }
}

/** The Results of bytes protobuf-es refused, when only outputs nested too deep were wrong with them. */
function resultsOrNot(bytes: Uint8Array): Result[] | undefined {
  const frames = readResults(bytes);
  if (!frames) return undefined;
  try {
    return frames.map(resultOf);
  } catch {
    return undefined; // a sub-message protobuf-es refuses: the bytes are undecodable
  }
}

function resultOf(f: ResultFrame): Result {
  const { outcome } = f;
  const result: Result = { $typeName: "weir.v1.Result", leaseToken: f.leaseToken, outcome: { case: undefined } };
  if (f.startedAt) result.startedAt = f.startedAt;
  if (f.finishedAt) result.finishedAt = f.finishedAt;
  if (outcome.case === "error") result.outcome = { case: "error", value: fromBinary(ExecutionErrorSchema, outcome.value) };
  else if (outcome.case === "outputs")
    // Depth checked on the bytes, before anything recurses.
    result.outcome = literalSetBytesTooDeep(outcome.value)
      ? { case: "error", value: tooDeep() }
      : { case: "outputs", value: fromBinary(LiteralSetSchema, outcome.value) };
  return result;
}

/** The error a Result with too deeply nested outputs becomes. */
function tooDeep() {
  return create(ExecutionErrorSchema, {
    code: "OUTPUT_INVALID",
    message: `an output nests deeper than ${LITERAL_LIMITS.maxDepth} levels; the runtime refuses it (return a file for deeply structured data)`,
    kind: ErrorKind.USER,
  });
}

/** A Result protobuf-es decoded, with too deeply nested outputs turned into tooDeep. */
function boundedDepth(r: Result): Result {
  if (r.outcome.case !== "outputs" || !literalsTooDeep(Object.values(r.outcome.value.literals))) return r;
  return { ...r, outcome: { case: "error", value: tooDeep() } };
}
