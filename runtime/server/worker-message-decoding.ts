// Decodes what a worker sends on its Connect stream, through protobuf-es, so every input decodes
// exactly as the WorkerMessage schema says (tested, malformed and odd bytes included); never throws.
// One deliberate difference: a Result whose outputs nest deeper than LITERAL_LIMITS.maxDepth arrives
// as that lease's OUTPUT_INVALID error, so the attempt fails and the stream lives. protobuf-es refuses
// outputs past its own recursion limit outright; for those alone a Result is read field by field
// here (depth checked on the bytes, before anything recurses) to find its lease.
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { create, fromBinary } from "@bufbuild/protobuf";
import { ErrorKind, ExecutionErrorSchema, LiteralSetSchema, WorkerMessageSchema, type Result, type WorkerMessage } from "../../proto/index.ts";
import { LITERAL_LIMITS, literalSetBytesTooDeep, literalsTooDeep } from "./literal-depth.ts";

export type WorkerFrame =
  /** A Result, or the Results of a ResultBatch, in order. */
  | { case: "results"; value: Result[] }
  | { case: "message"; value: WorkerMessage }
  /** Bytes that are not a WorkerMessage; the reason. */
  | { case: "undecodable"; value: string };

// Field numbers of weir.v1.WorkerMessage, ResultBatch, Result and google.protobuf.Timestamp.
const WORKER_MESSAGE_RESULT = 3;
const WORKER_MESSAGE_RESULTS = 5;
const RESULT_BATCH_RESULTS = 1;
const R = { leaseToken: 1, outputs: 2, error: 3, startedAt: 4, finishedAt: 5 } as const;

export function decodeWorkerFrame(bytes: Uint8Array): WorkerFrame {
  // protobuf-es first: since 2.14 it reads Results as fast as the hand reader (bench/codecs). It
  // refuses outputs nested past its recursion limit; the hand reader then finds the lease.
  try {
    const msg = fromBinary(WorkerMessageSchema, bytes);
    if (msg.msg.case === "result") return { case: "results", value: [boundedDepth(msg.msg.value)] };
    if (msg.msg.case === "results") return { case: "results", value: msg.msg.value.results.map(boundedDepth) };
    return { case: "message", value: msg };
  } catch (err) {
    const results = readResultsOrNot(bytes);
    if (results) return { case: "results", value: results };
    return { case: "undecodable", value: (err as Error).message };
  }
}

function readResultsOrNot(bytes: Uint8Array): Result[] | undefined {
  try {
    return bytes.length > 0 ? readResults(bytes) : undefined;
  } catch {
    // Stricter than protobuf-es (it lets a nested message overrun its length): it decides.
    return undefined;
  }
}

/** The Results of a WorkerMessage whose only field is `result` or `results`; else undefined. */
function readResults(bytes: Uint8Array): Result[] | undefined {
  // One reader over the whole message; each nested message is read up to its end.
  const r = new BinaryReader(bytes);
  const [field, wire] = r.tag();
  if (wire !== WireType.LengthDelimited) return undefined;
  const end = delimitedEnd(r, r.len);
  if (end !== r.len) return undefined;
  if (field === WORKER_MESSAGE_RESULT) {
    const result = readResult(r, end);
    return result && [result];
  }
  if (field !== WORKER_MESSAGE_RESULTS) return undefined;
  const results: Result[] = [];
  while (r.pos < end) {
    const [item, itemWire] = r.tag();
    if (item !== RESULT_BATCH_RESULTS || itemWire !== WireType.LengthDelimited) return undefined;
    const result = readResult(r, delimitedEnd(r, end));
    if (!result) return undefined;
    results.push(result);
  }
  return results;
}

/** Reads a length; where the field it prefixes ends, which must be within `limit`. */
function delimitedEnd(r: BinaryReader, limit: number): number {
  const end = r.uint32() + r.pos;
  if (end > limit) throw new RangeError("premature EOF");
  return end;
}

function readResult(r: BinaryReader, end: number): Result | undefined {
  const result: Result = { $typeName: "weir.v1.Result", leaseToken: 0n, outcome: { case: undefined } };
  let seen = 0;
  while (r.pos < end) {
    const [field, wire] = r.tag();
    // A field twice (protobuf merges) or one this reader does not know: protobuf-es decides.
    if (field > R.finishedAt || seen & (1 << field)) return undefined;
    seen |= 1 << field;
    if (field === R.leaseToken && wire === WireType.Varint) result.leaseToken = BigInt(r.uint64());
    else if (wire !== WireType.LengthDelimited) return undefined;
    else if (field === R.outputs || field === R.error) {
      if (seen & (1 << R.outputs) && seen & (1 << R.error)) return undefined;
      const bytes = r.bytes();
      if (r.pos > end) throw new RangeError("premature EOF");
      result.outcome =
        field === R.error
          ? { case: "error", value: fromBinary(ExecutionErrorSchema, bytes) }
          : literalSetBytesTooDeep(bytes)
            ? { case: "error", value: tooDeep() }
            : { case: "outputs", value: fromBinary(LiteralSetSchema, bytes) };
    } else {
      const t = readTimestamp(r, delimitedEnd(r, end));
      if (field === R.startedAt) result.startedAt = t;
      else result.finishedAt = t;
    }
  }
  if (r.pos !== end) throw new RangeError("premature EOF");
  return result;
}

function readTimestamp(r: BinaryReader, end: number): Timestamp {
  const t: Timestamp = { $typeName: "google.protobuf.Timestamp", seconds: 0n, nanos: 0 };
  while (r.pos < end) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.Varint) t.seconds = BigInt(r.int64());
    else if (field === 2 && wire === WireType.Varint) t.nanos = r.int32();
    else r.skip(wire, field);
  }
  if (r.pos !== end) throw new RangeError("premature EOF");
  return t;
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
