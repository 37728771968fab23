// Encodes what the AdminService streams and returns about executions in flight (NodeExecution
// watch events, live Execution snapshots) straight from the scheduler's in-memory nodes to protobuf
// bytes. protobuf-es's reflective create()+toBinary per node was the server's largest cost on a
// 10,000-node execution; sub-messages that never change (a node's source, its outputs once set)
// are encoded once and spliced in. Decodes as the schemas say (tested against them).
import { toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  ExecutionErrorSchema,
  LiteralSetSchema,
  SourceLocationSchema,
  type ExecutionError,
  type ExecutionState,
  type LiteralSet,
  type NodeState,
  type SourceLocation,
} from "../../proto/index.ts";
import type { AttemptRecord, ExecutionRecord, NodeRecord } from "../store/index.ts";

/** A sub-message as a message, or already as bytes (store records hold them encoded). */
type Sub<T> = T | Uint8Array | null | undefined;

/** What an encoded attempt needs (RAttempt and, with `error` as bytes, AttemptRecord satisfy it). */
export interface AttemptView {
  readonly number: number;
  readonly state: NodeState;
  readonly workerId: string;
  readonly queuedAt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly error: Sub<ExecutionError>;
}

/** What an encoded node needs (RNode satisfies it). */
export interface NodeView {
  readonly id: string;
  readonly state: NodeState;
  readonly target: string;
  readonly outputs: Sub<LiteralSet>;
  readonly error: Sub<ExecutionError>;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly source: SourceLocation | undefined;
  readonly attempts: readonly AttemptView[];
}

/** What an encoded execution header needs (RExecution's init plus its outcome). */
export interface ExecutionView {
  readonly id: string;
  readonly workflow: string;
  readonly version: string;
  readonly state: ExecutionState;
  readonly inputs: Sub<LiteralSet>;
  readonly outputs: Sub<LiteralSet>;
  readonly error: Sub<ExecutionError>;
  readonly createdAt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly scheduledFor: number;
  readonly backfillId: string;
  readonly recoveredFrom: string;
}

// Field numbers from proto/weir/v1/execution.proto and admin.proto.
const ATTEMPT = { number: 1, state: 2, workerId: 3, queuedAt: 4, startedAt: 5, finishedAt: 6, error: 7 } as const;
const NODE = { nodeId: 1, state: 2, attempts: 3, outputs: 4, error: 5, startedAt: 6, finishedAt: 7, target: 8, source: 9 } as const;
const EXECUTION = {
  id: 1, workflow: 2, version: 3, state: 4, inputs: 5, outputs: 6, error: 7, createdAt: 8, startedAt: 9, finishedAt: 10,
  nodes: 11, scheduledFor: 12, backfillId: 13, recoveredFrom: 14,
} as const;
const EVENT = { snapshot: 1, node: 2, at: 3 } as const;
const RESPONSE_EXECUTION = 1;

// Messages that do not change once made are encoded once: sources come from the spec, outputs
// and errors are replaced (never mutated) when a node or attempt changes.
const encoded = new WeakMap<object, Uint8Array>();
function once<T extends object>(msg: T, encode: (m: T) => Uint8Array): Uint8Array {
  let bytes = encoded.get(msg);
  if (!bytes) encoded.set(msg, (bytes = encode(msg)));
  return bytes;
}
const literalSetBytes = (m: Sub<LiteralSet>) => (!m || m instanceof Uint8Array ? m : once(m, (x) => toBinary(LiteralSetSchema, x)));
const errorBytes = (m: Sub<ExecutionError>) => (!m || m instanceof Uint8Array ? m : once(m, (x) => toBinary(ExecutionErrorSchema, x)));
const sourceBytes = (m: SourceLocation | undefined) => m && once(m, (x) => toBinary(SourceLocationSchema, x));

function timestamp(w: BinaryWriter, field: number, ms: number): void {
  if (!ms) return;
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  w.tag(field, WireType.LengthDelimited).fork();
  if (seconds) w.tag(1, WireType.Varint).int64(seconds);
  if (nanos) w.tag(2, WireType.Varint).int32(nanos);
  w.join();
}

function string(w: BinaryWriter, field: number, s: string): void {
  if (s) w.tag(field, WireType.LengthDelimited).string(s);
}

function message(w: BinaryWriter, field: number, bytes: Uint8Array | null | undefined): void {
  if (bytes) w.tag(field, WireType.LengthDelimited).bytes(bytes);
}

function writeNode(w: BinaryWriter, n: NodeView): void {
  string(w, NODE.nodeId, n.id);
  if (n.state) w.tag(NODE.state, WireType.Varint).int32(n.state);
  for (const a of n.attempts) {
    w.tag(NODE.attempts, WireType.LengthDelimited).fork();
    if (a.number) w.tag(ATTEMPT.number, WireType.Varint).uint32(a.number);
    if (a.state) w.tag(ATTEMPT.state, WireType.Varint).int32(a.state);
    string(w, ATTEMPT.workerId, a.workerId);
    timestamp(w, ATTEMPT.queuedAt, a.queuedAt);
    timestamp(w, ATTEMPT.startedAt, a.startedAt);
    timestamp(w, ATTEMPT.finishedAt, a.finishedAt);
    message(w, ATTEMPT.error, errorBytes(a.error));
    w.join();
  }
  message(w, NODE.outputs, literalSetBytes(n.outputs));
  message(w, NODE.error, errorBytes(n.error));
  timestamp(w, NODE.startedAt, n.startedAt);
  timestamp(w, NODE.finishedAt, n.finishedAt);
  string(w, NODE.target, n.target);
  message(w, NODE.source, sourceBytes(n.source));
}

function writeExecution(w: BinaryWriter, e: ExecutionView, nodes: Iterable<NodeView>): void {
  string(w, EXECUTION.id, e.id);
  string(w, EXECUTION.workflow, e.workflow);
  string(w, EXECUTION.version, e.version);
  if (e.state) w.tag(EXECUTION.state, WireType.Varint).int32(e.state);
  message(w, EXECUTION.inputs, literalSetBytes(e.inputs));
  message(w, EXECUTION.outputs, literalSetBytes(e.outputs));
  message(w, EXECUTION.error, errorBytes(e.error));
  timestamp(w, EXECUTION.createdAt, e.createdAt);
  timestamp(w, EXECUTION.startedAt, e.startedAt);
  timestamp(w, EXECUTION.finishedAt, e.finishedAt);
  for (const n of nodes) {
    w.tag(EXECUTION.nodes, WireType.LengthDelimited).fork();
    writeNode(w, n);
    w.join();
  }
  timestamp(w, EXECUTION.scheduledFor, e.scheduledFor);
  string(w, EXECUTION.backfillId, e.backfillId);
  string(w, EXECUTION.recoveredFrom, e.recoveredFrom);
}

/** The bytes of a `NodeExecution`. */
export function encodeNodeExecution(n: NodeView): Uint8Array {
  const w = new BinaryWriter();
  writeNode(w, n);
  return w.finish();
}

/** The bytes of `ExecutionEvent { node, at }` for an already encoded NodeExecution. */
export function encodeNodeEvent(node: Uint8Array, atMs: number): Uint8Array {
  const w = new BinaryWriter();
  message(w, EVENT.node, node);
  timestamp(w, EVENT.at, atMs);
  return w.finish();
}

/** The bytes of an `Execution` (with `nodes`, possibly none). */
export function encodeExecution(e: ExecutionView, nodes: Iterable<NodeView>): Uint8Array {
  const w = new BinaryWriter();
  writeExecution(w, e, nodes);
  return w.finish();
}

/** The bytes of `ExecutionEvent { snapshot, at }`. */
export function encodeSnapshotEvent(execution: Uint8Array, atMs: number): Uint8Array {
  const w = new BinaryWriter();
  message(w, EVENT.snapshot, execution);
  timestamp(w, EVENT.at, atMs);
  return w.finish();
}

/** The bytes of a response whose field 1 is the Execution (CreateExecution, GetExecution, ...). */
export function encodeExecutionResponse(execution: Uint8Array): Uint8Array {
  const w = new BinaryWriter();
  message(w, RESPONSE_EXECUTION, execution);
  return w.finish();
}

/** The bytes of an `Execution` from store records (committed state; byte fields spliced as they are). */
export function encodeExecutionRecords(
  e: ExecutionRecord,
  nodes: readonly NodeRecord[],
  attempts: readonly AttemptRecord[],
  sources: ReadonlyMap<string, SourceLocation>,
): Uint8Array {
  const byNode = new Map<string, AttemptRecord[]>();
  for (const a of attempts) {
    let list = byNode.get(a.nodeId);
    if (!list) byNode.set(a.nodeId, (list = []));
    list.push(a);
  }
  const views = nodes.map((n): NodeView => ({
    id: n.nodeId, state: n.state, target: n.target, outputs: n.outputs, error: n.error, startedAt: n.startedAt,
    finishedAt: n.finishedAt, source: sources.get(n.nodeId), attempts: byNode.get(n.nodeId) ?? [],
  }));
  return encodeExecution({ ...e }, views);
}
