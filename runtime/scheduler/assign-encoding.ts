// Encodes the Assign the dispatcher sends for every attempt straight to protobuf bytes
// (a ServerMessage with its `assign` set). The TaskTemplate, the same for every attempt of a task,
// is encoded once and spliced in: protobuf-es's reflective toBinary of a full template per attempt
// cost more than the rest of the dispatch. Decodes as the ServerMessage schema says (tested).
import { toBinary } from "@bufbuild/protobuf";
import { TimestampSchema, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { LiteralSetSchema, TaskTemplateSchema, type LiteralSet, type TaskTemplate } from "../../proto/index.ts";

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

// Field numbers of weir.v1.ServerMessage and weir.v1.Assign (proto/weir/v1/worker.proto).
const SERVER_MESSAGE_ASSIGN = 2;
const F = { leaseToken: 1, executionId: 2, nodeId: 3, attempt: 4, task: 5, inputs: 6, gpus: 7, deadline: 8 } as const;

const taskBytes = new WeakMap<TaskTemplate, Uint8Array>();

function encodedTask(task: TaskTemplate): Uint8Array {
  let bytes = taskBytes.get(task);
  if (!bytes) taskBytes.set(task, (bytes = toBinary(TaskTemplateSchema, task)));
  return bytes;
}

/** The bytes of `ServerMessage { assign: Assign {...} }`. */
export function encodeAssign(a: AssignFields): Uint8Array {
  const w = new BinaryWriter();
  w.tag(SERVER_MESSAGE_ASSIGN, WireType.LengthDelimited).fork();
  if (a.leaseToken) w.tag(F.leaseToken, WireType.Varint).uint64(a.leaseToken);
  if (a.executionId) w.tag(F.executionId, WireType.LengthDelimited).string(a.executionId);
  if (a.nodeId) w.tag(F.nodeId, WireType.LengthDelimited).string(a.nodeId);
  if (a.attempt) w.tag(F.attempt, WireType.Varint).uint32(a.attempt);
  if (a.task) w.tag(F.task, WireType.LengthDelimited).bytes(encodedTask(a.task));
  if (a.inputs) w.tag(F.inputs, WireType.LengthDelimited).bytes(toBinary(LiteralSetSchema, a.inputs));
  if (a.gpus.length) {
    w.tag(F.gpus, WireType.LengthDelimited).fork();
    for (const g of a.gpus) w.uint32(g);
    w.join();
  }
  if (a.deadlineMs > 0) w.tag(F.deadline, WireType.LengthDelimited).bytes(toBinary(TimestampSchema, timestampFromMs(a.deadlineMs)));
  return w.join().finish();
}
