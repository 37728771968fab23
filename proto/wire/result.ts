// Result and ResultBatch, the worker's message per attempt, by hand. The worker writes
// `WorkerMessage { result }` sized first with the outputs' LiteralSet bytes spliced in as the task
// thread produced them; the Results of one turn may go as one ResultBatch. The runtime reads them
// with protobuf-es; readResults, which keeps each outcome as bytes, is for what protobuf-es refuses
// (outputs nested past its recursion limit), so the runtime can still find the lease.
import { toBinary } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { ExecutionErrorSchema, ResultBatchSchema, ResultSchema, WorkerMessageSchema, type ExecutionError } from "../messages.ts";
import { tagOf } from "./field-tag.ts";
import { readSingleOrBatch, WireError, type WireReader } from "./reader.ts";
import { putTimestamp, readTimestamp, timestampSize } from "./timestamp.ts";
import { batchOfSingles, delimitedSize, putBytes, putDelimited, putUint64Field, uint64FieldSize } from "./writer.ts";

const RESULT = tagOf(WorkerMessageSchema.field.result);
const RESULTS = tagOf(WorkerMessageSchema.field.results);
const BATCH_ITEM = tagOf(ResultBatchSchema.field.results);
const F = ResultSchema.field;
const LEASE_TOKEN = tagOf(F.leaseToken);
const OUTPUTS = tagOf(F.outputs);
const ERROR = tagOf(F.error);
const STARTED_AT = tagOf(F.startedAt);
const FINISHED_AT = tagOf(F.finishedAt);

/** An attempt's outcome: its outputs as LiteralSet bytes, or its error. */
export type EncodedOutcome = { outputs: Uint8Array } | { error: ExecutionError };

/** The bytes of `WorkerMessage { result: Result {...} }` (encodeResultBatch puts several in one). Times are epoch ms. */
export function encodeResult(leaseToken: bigint, startedMs: number, finishedMs: number, outcome: EncodedOutcome): Uint8Array {
  // A oneof member is written even when empty: an empty LiteralSet still says "succeeded".
  const [outcomeTag, payload] = "outputs" in outcome ? [OUTPUTS, outcome.outputs] : [ERROR, toBinary(ExecutionErrorSchema, outcome.error)];
  const started = timestampSize(startedMs),
    finished = timestampSize(finishedMs);
  const body =
    uint64FieldSize(LEASE_TOKEN, leaseToken) +
    delimitedSize(outcomeTag, payload.byteLength) +
    delimitedSize(STARTED_AT, started) +
    delimitedSize(FINISHED_AT, finished);
  const out = new Uint8Array(delimitedSize(RESULT, body));
  let at = putDelimited(out, 0, RESULT, body);
  at = putUint64Field(out, at, LEASE_TOKEN, leaseToken);
  at = putBytes(out, at, outcomeTag, payload);
  at = putTimestamp(out, at, STARTED_AT, startedMs, started);
  putTimestamp(out, at, FINISHED_AT, finishedMs, finished);
  return out;
}

/**
 * The bytes of `WorkerMessage { results: ResultBatch { results } }` from messages encodeResult wrote.
 * Each is its Result's tag, length and body, and an item of ResultBatch is the same but for the
 * tag, so the batch is their bytes with that one byte changed.
 */
export function encodeResultBatch(messages: readonly Uint8Array[]): Uint8Array {
  return batchOfSingles(messages, RESULT, RESULTS, BATCH_ITEM);
}

/** A Result with its outcome still encoded (LiteralSet or ExecutionError bytes). */
export interface ResultFrame {
  leaseToken: bigint;
  outcome: { case: "outputs" | "error"; value: Uint8Array } | { case: undefined; value?: undefined };
  startedAt?: Timestamp;
  finishedAt?: Timestamp;
}

/**
 * The Results of a WorkerMessage whose only field is `result` or `results`, read by hand; undefined
 * for anything else, a field twice or one it does not know included (protobuf-es decides those).
 */
export function readResults(bytes: Uint8Array): ResultFrame[] | undefined {
  return readSingleOrBatch(bytes, RESULT, RESULTS, BATCH_ITEM, readResult);
}

function readResult(r: WireReader, end: number): ResultFrame {
  const result: ResultFrame = { leaseToken: 0n, outcome: { case: undefined } };
  let seen = 0;
  while (r.pos < end) {
    const tag = r.varint();
    const bit = tag === LEASE_TOKEN ? 1 : tag === OUTPUTS || tag === ERROR ? 2 : tag === STARTED_AT ? 4 : tag === FINISHED_AT ? 8 : 0;
    if (!bit || seen & bit) throw new WireError(`Result tag ${tag} unknown or twice`);
    seen |= bit;
    if (tag === LEASE_TOKEN) result.leaseToken = r.uint64();
    else if (tag === OUTPUTS) result.outcome = { case: "outputs", value: r.bytes(end) };
    else if (tag === ERROR) result.outcome = { case: "error", value: r.bytes(end) };
    else if (tag === STARTED_AT) result.startedAt = readTimestamp(r, r.delimited(end));
    else result.finishedAt = readTimestamp(r, r.delimited(end));
  }
  r.done(end);
  return result;
}
