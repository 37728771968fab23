// Encodes the Assign the dispatcher sends for every attempt straight to protobuf bytes
// (a ServerMessage with its `assign` set). The TaskTemplate, the same for every attempt of a task,
// is encoded once and spliced in: protobuf-es's reflective toBinary of a full template per attempt
// cost more than the rest of the dispatch. The Assigns of one turn may then travel as one
// AssignBatch (encodeAssignBatch). Decodes as the ServerMessage schema says (tested).
import { toBinary } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";
import {
  batchOfSingles,
  delimitedSize,
  putBytes,
  putDelimited,
  putString,
  putTag,
  putTimestamp,
  putVarint,
  stringSize,
  timestampSize,
  varintSize,
  LiteralSetSchema,
  TaskTemplateSchema,
  type LiteralSet,
  type TaskTemplate,
} from "../../proto/index.ts";

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

// Field numbers of weir.v1.ServerMessage, AssignBatch and Assign (proto/weir/v1/worker.proto).
const SERVER_MESSAGE_ASSIGN = 2;
const SERVER_MESSAGE_ASSIGNS = 4;
/** The one-byte tag of `ServerMessage.assign` (length-delimited). */
const ASSIGN_TAG = (SERVER_MESSAGE_ASSIGN << 3) | WireType.LengthDelimited;
const F = { leaseToken: 1, executionId: 2, nodeId: 3, attempt: 4, task: 5, inputs: 6, gpus: 7, deadline: 8 } as const;

const taskBytes = new WeakMap<TaskTemplate, Uint8Array>();

function encodedTask(task: TaskTemplate): Uint8Array {
  let bytes = taskBytes.get(task);
  if (!bytes) taskBytes.set(task, (bytes = toBinary(TaskTemplateSchema, task)));
  return bytes;
}

/** The bytes of `ServerMessage { assign: Assign {...} }`, sized first and written into one buffer. */
export function encodeAssign(a: AssignFields): Uint8Array {
  const task = a.task ? encodedTask(a.task) : undefined;
  const inputs = a.inputs ? toBinary(LiteralSetSchema, a.inputs) : undefined;
  const executionId = stringSize(a.executionId),
    nodeId = stringSize(a.nodeId);
  let gpus = 0;
  for (const g of a.gpus) gpus += varintSize(g);
  const deadline = a.deadlineMs > 0 ? timestampSize(a.deadlineMs) : -1;
  const body =
    (a.leaseToken ? 1 + varintSize(a.leaseToken) : 0) +
    (executionId ? delimitedSize(executionId) : 0) +
    (nodeId ? delimitedSize(nodeId) : 0) +
    (a.attempt ? 1 + varintSize(a.attempt) : 0) +
    (task ? delimitedSize(task.byteLength) : 0) +
    (inputs ? delimitedSize(inputs.byteLength) : 0) +
    (gpus ? delimitedSize(gpus) : 0) +
    (deadline >= 0 ? delimitedSize(deadline) : 0);
  const out = new Uint8Array(delimitedSize(body));
  let at = putDelimited(out, 0, SERVER_MESSAGE_ASSIGN, body);
  if (a.leaseToken) at = putVarint(out, putTag(out, at, F.leaseToken, WireType.Varint), a.leaseToken);
  if (executionId) at = putString(out, at, F.executionId, a.executionId, executionId);
  if (nodeId) at = putString(out, at, F.nodeId, a.nodeId, nodeId);
  if (a.attempt) at = putVarint(out, putTag(out, at, F.attempt, WireType.Varint), a.attempt);
  if (task) at = putBytes(out, at, F.task, task);
  if (inputs) at = putBytes(out, at, F.inputs, inputs);
  if (gpus) {
    at = putDelimited(out, at, F.gpus, gpus);
    for (const g of a.gpus) at = putVarint(out, at, g);
  }
  if (deadline >= 0) putTimestamp(out, at, F.deadline, a.deadlineMs, deadline);
  return out;
}

/** Whether `bytes` are a ServerMessage holding only an Assign, as encodeAssign writes it. */
export function isEncodedAssign(bytes: Uint8Array): boolean {
  if (bytes[0] !== ASSIGN_TAG) return false;
  let length = 0,
    shift = 0,
    at = 1;
  for (; at < bytes.length && at <= 5; at++, shift += 7) {
    length += (bytes[at]! & 0x7f) * 2 ** shift;
    if (bytes[at]! < 0x80) return at + 1 + length === bytes.length;
  }
  return false;
}

/**
 * The bytes of `ServerMessage { assigns: AssignBatch { assigns } }` from messages encodeAssign wrote
 * (check with isEncodedAssign). Each is its Assign's tag, length and body, and an item of
 * AssignBatch is the same but for the tag, so the batch is their bytes with that one byte changed.
 */
export function encodeAssignBatch(messages: readonly Uint8Array[]): Uint8Array {
  return batchOfSingles(messages, ASSIGN_TAG, SERVER_MESSAGE_ASSIGNS);
}
