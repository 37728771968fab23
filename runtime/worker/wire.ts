// The worker's hot wire paths, by hand: an Assign is decoded with its TaskTemplate and inputs kept
// as bytes (the template is the same for every attempt of a task, so the worker decodes it once,
// not per attempt), and a Result is encoded straight to `WorkerMessage` bytes with the outputs'
// LiteralSet bytes spliced in as the task thread produced them. Both follow worker.proto (tested
// against the generated schemas); anything else goes through protobuf-es.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { ExecutionErrorSchema, LiteralSetSchema, ServerMessageSchema, TaskTemplateSchema, type Assign, type ServerMessage } from "../../proto/index.ts";
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

export type ServerFrame = { case: "assign"; value: AssignFrame } | { case: "message"; value: ServerMessage };

// Field numbers of weir.v1.ServerMessage, Assign, Timestamp, WorkerMessage and Result.
const SERVER_MESSAGE_ASSIGN = 2;
const A = { leaseToken: 1, executionId: 2, nodeId: 3, attempt: 4, task: 5, inputs: 6, gpus: 7, deadline: 8 } as const;
const WORKER_MESSAGE_RESULT = 3;
const R = { leaseToken: 1, outputs: 2, error: 3, startedAt: 4, finishedAt: 5 } as const;

/**
 * Decodes a ServerMessage. The runtime sends an Assign as the message's only field; that is read
 * here field by field. Anything else (Registered, Cancel, or an Assign written another legal way)
 * goes through protobuf-es, an Assign then re-encoded into a frame.
 */
export function decodeServerFrame(bytes: Uint8Array): ServerFrame {
  const r = new BinaryReader(bytes);
  if (bytes.length > 0) {
    const [field, wire] = r.tag();
    if (field === SERVER_MESSAGE_ASSIGN && wire === WireType.LengthDelimited) {
      const body = r.bytes();
      if (r.pos === r.len) return { case: "assign", value: readAssign(body) };
    }
  }
  const msg = fromBinary(ServerMessageSchema, bytes);
  return msg.msg.case === "assign" ? { case: "assign", value: assignFrame(msg.msg.value) } : { case: "message", value: msg };
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
  let seconds = 0, nanos = 0;
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

/** The bytes of `WorkerMessage { result: Result {...} }`. */
export function encodeResult(leaseToken: bigint, startedMs: number, finishedMs: number, outcome: EncodedOutcome): Uint8Array {
  const w = new BinaryWriter();
  w.tag(WORKER_MESSAGE_RESULT, WireType.LengthDelimited).fork();
  if (leaseToken) w.tag(R.leaseToken, WireType.Varint).uint64(leaseToken);
  // A oneof member is written even when empty: an empty LiteralSet still says "succeeded".
  if ("outputs" in outcome) w.tag(R.outputs, WireType.LengthDelimited).bytes(outcome.outputs);
  else w.tag(R.error, WireType.LengthDelimited).bytes(toBinary(ExecutionErrorSchema, executionError(outcome.error.code, outcome.error.message)));
  writeTimestamp(w, R.startedAt, startedMs);
  writeTimestamp(w, R.finishedAt, finishedMs);
  return w.join().finish();
}

function writeTimestamp(w: BinaryWriter, field: number, ms: number): void {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  w.tag(field, WireType.LengthDelimited).fork();
  if (seconds) w.tag(1, WireType.Varint).int64(seconds);
  if (nanos) w.tag(2, WireType.Varint).int32(nanos);
  w.join();
}
