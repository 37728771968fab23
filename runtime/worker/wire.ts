// The worker's hot wire paths, by hand: an Assign (alone or in an AssignBatch) is decoded with its
// TaskTemplate and inputs kept as bytes (the template is the same for every attempt of a task, so
// the worker decodes it once, not per attempt), and a Result is encoded straight to `WorkerMessage`
// bytes with the outputs' LiteralSet bytes spliced in as the task thread produced them; the Results
// of one turn may go as one ResultBatch. All follow worker.proto (tested against the generated
// schemas); anything else goes through protobuf-es.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import {
  batchOfSingles,
  delimitedSize,
  putBytes,
  putDelimited,
  putTag,
  putTimestamp,
  putVarint,
  timestampSize,
  varintSize,
  ExecutionErrorSchema,
  LiteralSetSchema,
  ServerMessageSchema,
  TaskTemplateSchema,
  type Assign,
  type ServerMessage,
} from "../../proto/index.ts";
import { executionError } from "./attempt-failure.ts";

/** An Assign with its TaskTemplate and inputs still encoded. */
export interface AssignFrame {
  leaseToken: bigint;
  executionId: string;
  nodeId: string;
  attempt: number;
  /** TaskTemplate bytes; empty when the Assign carried none. */
  task: Uint8Array;
  /** LiteralSet bytes; empty when the Assign carried none (or an empty set). */
  inputs: Uint8Array;
  gpus: number[];
  /** Epoch ms; 0 for none. */
  deadlineMs: number;
}

/** Assigns in the order sent (one, or an AssignBatch's), or any other ServerMessage. */
export type ServerFrame = { case: "assigns"; value: AssignFrame[] } | { case: "message"; value: ServerMessage };

// Field numbers of weir.v1.ServerMessage, AssignBatch, Assign, Timestamp, WorkerMessage,
// ResultBatch and Result.
const SERVER_MESSAGE_ASSIGN = 2;
const SERVER_MESSAGE_ASSIGNS = 4;
const ASSIGN_BATCH_ASSIGNS = 1;
const A = { leaseToken: 1, executionId: 2, nodeId: 3, attempt: 4, task: 5, inputs: 6, gpus: 7, deadline: 8 } as const;
const WORKER_MESSAGE_RESULT = 3;
const WORKER_MESSAGE_RESULTS = 5;
const R = { leaseToken: 1, outputs: 2, error: 3, startedAt: 4, finishedAt: 5 } as const;

/**
 * Decodes a ServerMessage. The runtime sends an Assign or an AssignBatch as the message's only
 * field; that is read here field by field. Anything else (Registered, Cancel, or Assigns written
 * another legal way) goes through protobuf-es, Assigns then re-encoded into frames.
 */
export function decodeServerFrame(bytes: Uint8Array): ServerFrame {
  const r = new BinaryReader(bytes);
  if (bytes.length > 0) {
    const [field, wire] = r.tag();
    if (field === SERVER_MESSAGE_ASSIGN && wire === WireType.LengthDelimited) {
      const body = r.bytes();
      if (r.pos === r.len) return { case: "assigns", value: [readAssign(body)] };
    } else if (field === SERVER_MESSAGE_ASSIGNS && wire === WireType.LengthDelimited) {
      const assigns = readAssignBatch(r.bytes());
      if (assigns && r.pos === r.len) return { case: "assigns", value: assigns };
    }
  }
  const msg = fromBinary(ServerMessageSchema, bytes);
  if (msg.msg.case === "assign") return { case: "assigns", value: [assignFrame(msg.msg.value)] };
  if (msg.msg.case === "assigns") return { case: "assigns", value: msg.msg.value.assigns.map(assignFrame) };
  return { case: "message", value: msg };
}

/** The Assigns of an AssignBatch; undefined when it holds anything else (protobuf-es decides). */
function readAssignBatch(bytes: Uint8Array): AssignFrame[] | undefined {
  const r = new BinaryReader(bytes);
  const out: AssignFrame[] = [];
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field !== ASSIGN_BATCH_ASSIGNS || wire !== WireType.LengthDelimited) return undefined;
    out.push(readAssign(r.bytes()));
  }
  return out;
}

function readAssign(bytes: Uint8Array): AssignFrame {
  const f: AssignFrame = { leaseToken: 0n, executionId: "", nodeId: "", attempt: 0, task: EMPTY, inputs: EMPTY, gpus: [], deadlineMs: 0 };
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === A.leaseToken && wire === WireType.Varint) f.leaseToken = BigInt(r.uint64());
    else if (field === A.executionId && wire === WireType.LengthDelimited) f.executionId = r.string();
    else if (field === A.nodeId && wire === WireType.LengthDelimited) f.nodeId = r.string();
    else if (field === A.attempt && wire === WireType.Varint) f.attempt = r.uint32();
    else if (field === A.task && wire === WireType.LengthDelimited) f.task = r.bytes();
    else if (field === A.inputs && wire === WireType.LengthDelimited) f.inputs = r.bytes();
    else if (field === A.gpus && wire === WireType.LengthDelimited) {
      const end = r.uint32() + r.pos;
      while (r.pos < end) f.gpus.push(r.uint32());
    } else if (field === A.gpus && wire === WireType.Varint) f.gpus.push(r.uint32());
    else if (field === A.deadline && wire === WireType.LengthDelimited) f.deadlineMs = readTimestampMs(r.bytes());
    else r.skip(wire, field);
  }
  return f;
}

function readTimestampMs(bytes: Uint8Array): number {
  const r = new BinaryReader(bytes);
  let seconds = 0,
    nanos = 0;
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1 && wire === WireType.Varint) seconds = Number(r.int64());
    else if (field === 2 && wire === WireType.Varint) nanos = r.int32();
    else r.skip(wire, field);
  }
  return seconds * 1000 + Math.floor(nanos / 1e6);
}

function assignFrame(a: Assign): AssignFrame {
  return {
    leaseToken: a.leaseToken,
    executionId: a.executionId,
    nodeId: a.nodeId,
    attempt: a.attempt,
    task: a.task ? toBinary(TaskTemplateSchema, a.task) : EMPTY,
    inputs: a.inputs ? toBinary(LiteralSetSchema, a.inputs) : EMPTY,
    gpus: [...a.gpus],
    deadlineMs: a.deadline ? timestampMs(a.deadline) : 0,
  };
}

const EMPTY = new Uint8Array(0);

/** An attempt's outcome on the wire: its outputs (LiteralSet bytes) or an error code and message. */
export type EncodedOutcome = { outputs: Uint8Array } | { error: { code: string; message: string } };

/**
 * The bytes of `WorkerMessage { result: Result {...} }` (encodeResultBatch puts several in one),
 * written by hand into one buffer (proto/wire-writing.ts). Times are epoch ms.
 */
export function encodeResult(leaseToken: bigint, startedMs: number, finishedMs: number, outcome: EncodedOutcome): Uint8Array {
  // A oneof member is written even when empty: an empty LiteralSet still says "succeeded".
  const [outcomeField, payload] =
    "outputs" in outcome ? [R.outputs, outcome.outputs] : [R.error, toBinary(ExecutionErrorSchema, executionError(outcome.error.code, outcome.error.message))];
  const started = timestampSize(startedMs),
    finished = timestampSize(finishedMs);
  const body = (leaseToken ? 1 + varintSize(leaseToken) : 0) + delimitedSize(payload.byteLength) + delimitedSize(started) + delimitedSize(finished);
  const out = new Uint8Array(delimitedSize(body));
  let at = putDelimited(out, 0, WORKER_MESSAGE_RESULT, body);
  if (leaseToken) at = putVarint(out, putTag(out, at, R.leaseToken, WireType.Varint), leaseToken);
  at = putBytes(out, at, outcomeField, payload);
  at = putTimestamp(out, at, R.startedAt, startedMs, started);
  putTimestamp(out, at, R.finishedAt, finishedMs, finished);
  return out;
}

/** The one-byte tag of `WorkerMessage.result` (length-delimited). */
const RESULT_TAG = (WORKER_MESSAGE_RESULT << 3) | WireType.LengthDelimited;

/**
 * The bytes of `WorkerMessage { results: ResultBatch { results } }` from messages encodeResult wrote.
 * Each is its Result's tag, length and body, and an item of ResultBatch is the same but for the
 * tag, so the batch is their bytes with that one byte changed.
 */
export function encodeResultBatch(messages: readonly Uint8Array[]): Uint8Array {
  return batchOfSingles(messages, RESULT_TAG, WORKER_MESSAGE_RESULTS);
}
