// Assign and AssignBatch, the runtime's message per attempt, by hand both ways. The runtime writes
// `ServerMessage { assign }` sized first, the TaskTemplate (the same for every attempt of a task)
// encoded once and spliced in: protobuf-es's toBinary of a full template per attempt cost more than
// the rest of the dispatch; the Assigns of one turn then travel as one AssignBatch. The worker reads
// an Assign or an AssignBatch field by field with the template and inputs kept as bytes (it decodes
// each distinct template once); anything else goes through protobuf-es.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import { timestampMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import {
  AssignBatchSchema,
  AssignSchema,
  LiteralSetSchema,
  ServerMessageSchema,
  TaskTemplateSchema,
  type Assign,
  type LiteralSet,
  type ServerMessage,
  type TaskTemplate,
} from "../messages.ts";
import { tagOf } from "./field-tag.ts";
import { readSingleOrBatch, WireError, WireReader } from "./reader.ts";
import { putTimestamp, readTimestamp, timestampSize } from "./timestamp.ts";
import {
  batchOfSingles,
  delimitedSize,
  putBytes,
  putDelimited,
  putString,
  putUint64Field,
  putVarint,
  putVarintField,
  stringSize,
  uint64FieldSize,
  varintFieldSize,
  varintSize,
} from "./writer.ts";

const ASSIGN = tagOf(ServerMessageSchema.field.assign);
const ASSIGNS = tagOf(ServerMessageSchema.field.assigns);
const BATCH_ITEM = tagOf(AssignBatchSchema.field.assigns);
const F = AssignSchema.field;
const LEASE_TOKEN = tagOf(F.leaseToken);
const EXECUTION_ID = tagOf(F.executionId);
const NODE_ID = tagOf(F.nodeId);
const ATTEMPT = tagOf(F.attempt);
const TASK = tagOf(F.task);
const INPUTS = tagOf(F.inputs);
const GPUS = tagOf(F.gpus);
/** One gpu a field, the unpacked form a writer may also use. */
const GPU = tagOf(F.gpus, WireType.Varint);
const DEADLINE = tagOf(F.deadline);

/** What the runtime sends for an attempt. */
export interface AssignFields {
  leaseToken: bigint;
  executionId: string;
  nodeId: string;
  attempt: number;
  task: TaskTemplate | undefined;
  inputs: LiteralSet | undefined;
  gpus: readonly number[];
  /** Epoch ms; 0 for none. */
  deadlineMs: number;
}

const taskBytes = new WeakMap<TaskTemplate, Uint8Array>();

function encodedTask(task: TaskTemplate): Uint8Array {
  let bytes = taskBytes.get(task);
  if (!bytes) taskBytes.set(task, (bytes = toBinary(TaskTemplateSchema, task)));
  return bytes;
}

/** The bytes of `ServerMessage { assign: Assign {...} }`. */
export function encodeAssign(a: AssignFields): Uint8Array {
  const task = a.task ? encodedTask(a.task) : undefined;
  const inputs = a.inputs ? toBinary(LiteralSetSchema, a.inputs) : undefined;
  const executionId = stringSize(a.executionId),
    nodeId = stringSize(a.nodeId);
  let gpus = 0;
  for (const g of a.gpus) gpus += varintSize(g);
  const deadline = a.deadlineMs > 0 ? timestampSize(a.deadlineMs) : -1;
  const body =
    uint64FieldSize(LEASE_TOKEN, a.leaseToken) +
    (executionId ? delimitedSize(EXECUTION_ID, executionId) : 0) +
    (nodeId ? delimitedSize(NODE_ID, nodeId) : 0) +
    varintFieldSize(ATTEMPT, a.attempt) +
    (task ? delimitedSize(TASK, task.byteLength) : 0) +
    (inputs ? delimitedSize(INPUTS, inputs.byteLength) : 0) +
    (gpus ? delimitedSize(GPUS, gpus) : 0) +
    (deadline >= 0 ? delimitedSize(DEADLINE, deadline) : 0);
  const out = new Uint8Array(delimitedSize(ASSIGN, body));
  let at = putDelimited(out, 0, ASSIGN, body);
  at = putUint64Field(out, at, LEASE_TOKEN, a.leaseToken);
  if (executionId) at = putString(out, at, EXECUTION_ID, a.executionId, executionId);
  if (nodeId) at = putString(out, at, NODE_ID, a.nodeId, nodeId);
  at = putVarintField(out, at, ATTEMPT, a.attempt);
  if (task) at = putBytes(out, at, TASK, task);
  if (inputs) at = putBytes(out, at, INPUTS, inputs);
  if (gpus) {
    at = putDelimited(out, at, GPUS, gpus);
    for (const g of a.gpus) at = putVarint(out, at, g);
  }
  if (deadline >= 0) putTimestamp(out, at, DEADLINE, a.deadlineMs, deadline);
  return out;
}

/** Whether `bytes` are a ServerMessage holding only an Assign, as encodeAssign writes it. */
export function isEncodedAssign(bytes: Uint8Array): boolean {
  const r = new WireReader(bytes);
  try {
    return r.varint() === ASSIGN && r.delimited(bytes.length) === bytes.length;
  } catch (err) {
    if (err instanceof WireError) return false;
    throw err;
  }
}

/**
 * The bytes of `ServerMessage { assigns: AssignBatch { assigns } }` from messages encodeAssign wrote
 * (check with isEncodedAssign). Each is its Assign's tag, length and body, and an item of
 * AssignBatch is the same but for the tag, so the batch is their bytes with that one byte changed.
 */
export function encodeAssignBatch(messages: readonly Uint8Array[]): Uint8Array {
  return batchOfSingles(messages, ASSIGN, ASSIGNS, BATCH_ITEM);
}

/** An Assign with its TaskTemplate and inputs still encoded. */
export interface AssignFrame {
  leaseToken: bigint;
  executionId: string;
  nodeId: string;
  attempt: number;
  /** TaskTemplate bytes (a view into the received frame); empty when the Assign carried none. */
  task: Uint8Array;
  /** LiteralSet bytes (a view into the received frame); empty when the Assign carried none (or an empty set). */
  inputs: Uint8Array;
  gpus: number[];
  /** Epoch ms; 0 for none. */
  deadlineMs: number;
}

/** Assigns in the order sent (one, or an AssignBatch's), or any other ServerMessage. */
export type ServerFrame = { case: "assigns"; value: AssignFrame[] } | { case: "message"; value: ServerMessage };

/**
 * Decodes a ServerMessage. The runtime sends an Assign or an AssignBatch as the message's only
 * field; that is read by hand. Anything else (Registered, Cancel, Assigns written another legal
 * way, bytes the hand reader is unsure of) goes through protobuf-es, Assigns then made frames.
 */
export function decodeServerFrame(bytes: Uint8Array): ServerFrame {
  const assigns = readAssigns(bytes);
  if (assigns) return { case: "assigns", value: assigns };
  const msg = fromBinary(ServerMessageSchema, bytes);
  if (msg.msg.case === "assign") return { case: "assigns", value: [assignFrame(msg.msg.value)] };
  if (msg.msg.case === "assigns") return { case: "assigns", value: msg.msg.value.assigns.map(assignFrame) };
  return { case: "message", value: msg };
}

/** The hand reader alone: the Assigns of a ServerMessage whose only field is `assign` or `assigns`, else undefined. */
export function readAssigns(bytes: Uint8Array): AssignFrame[] | undefined {
  return readSingleOrBatch(bytes, ASSIGN, ASSIGNS, BATCH_ITEM, readAssign);
}

function readAssign(r: WireReader, end: number): AssignFrame {
  const f: AssignFrame = { leaseToken: 0n, executionId: "", nodeId: "", attempt: 0, task: EMPTY, inputs: EMPTY, gpus: [], deadlineMs: 0 };
  let deadline: Timestamp | undefined;
  while (r.pos < end) {
    const tag = r.varint();
    switch (tag) {
      case LEASE_TOKEN:
        f.leaseToken = r.uint64();
        break;
      case EXECUTION_ID:
        f.executionId = r.string(end);
        break;
      case NODE_ID:
        f.nodeId = r.string(end);
        break;
      case ATTEMPT:
        f.attempt = r.uint32();
        break;
      // A sub-message twice is merged by protobuf: protobuf-es decides.
      case TASK:
        if (f.task !== EMPTY) throw new WireError("task twice");
        f.task = r.bytes(end);
        break;
      case INPUTS:
        if (f.inputs !== EMPTY) throw new WireError("inputs twice");
        f.inputs = r.bytes(end);
        break;
      case GPUS: {
        const gpusEnd = r.delimited(end);
        while (r.pos < gpusEnd) f.gpus.push(r.uint32());
        r.done(gpusEnd);
        break;
      }
      case GPU:
        f.gpus.push(r.uint32());
        break;
      case DEADLINE:
        if (deadline) throw new WireError("deadline twice");
        deadline = readTimestamp(r, r.delimited(end));
        f.deadlineMs = timestampMs(deadline);
        break;
      default:
        // A field this worker does not know (a newer runtime's): ignored, as protobuf-es would.
        r.skip(tag, end);
    }
  }
  r.done(end);
  return f;
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
