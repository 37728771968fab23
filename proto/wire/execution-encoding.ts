// What the AdminService streams and returns about executions in flight (NodeExecution watch events,
// Execution snapshots, the responses that carry one) written by hand from plain views of nodes and
// executions. protobuf-es's reflective create()+toBinary per node was the server's largest cost on a
// 10,000-node execution; sub-messages that never change (a node's source, its outputs once set) are
// encoded once and spliced in, and ones already held as bytes (store records) are spliced as they are.
import { toBinary } from "@bufbuild/protobuf";
import {
  ExecutionErrorSchema,
  GetExecutionResponseSchema,
  LiteralSetSchema,
  SourceLocationSchema,
  type ExecutionError,
  type ExecutionState,
  type LiteralSet,
  type NodeState,
  type SourceLocation,
} from "../messages.ts";
import {
  EVENT_SNAPSHOT,
  EVENT_AT,
  EVENT_NODES,
  EXECUTION_ID,
  EXECUTION_WORKFLOW,
  EXECUTION_VERSION,
  EXECUTION_STATE,
  EXECUTION_INPUTS,
  EXECUTION_OUTPUTS,
  EXECUTION_ERROR,
  EXECUTION_CREATED_AT,
  EXECUTION_STARTED_AT,
  EXECUTION_FINISHED_AT,
  EXECUTION_NODES,
  EXECUTION_SCHEDULED_FOR,
  EXECUTION_BACKFILL_ID,
  EXECUTION_RECOVERED_FROM,
  NODE_ID,
  NODE_STATE,
  NODE_ATTEMPTS,
  NODE_OUTPUTS,
  NODE_ERROR,
  NODE_STARTED_AT,
  NODE_FINISHED_AT,
  NODE_TARGET,
  NODE_SOURCE,
  ATTEMPT_NUMBER,
  ATTEMPT_STATE,
  ATTEMPT_WORKER_ID,
  ATTEMPT_QUEUED_AT,
  ATTEMPT_STARTED_AT,
  ATTEMPT_FINISHED_AT,
  ATTEMPT_ERROR,
  ATTEMPT_GPUS,
} from "./execution-tags.ts";
import { tagOf } from "./field-tag.ts";
import { putTimestamp, timestampSize } from "./timestamp.ts";
import { delimitedSize, putBytes, putDelimited, putString, putVarint, putVarintField, stringSize, varintFieldSize, varintSize } from "./writer.ts";

/** A sub-message as a message, or already as bytes (store records hold them encoded). */
export type Sub<T> = T | Uint8Array | null | undefined;

/** What an encoded attempt needs (the scheduler's live attempts and store records satisfy it). Times are epoch ms, 0 for none. */
export interface AttemptView {
  readonly number: number;
  readonly state: NodeState;
  readonly workerId: string;
  readonly queuedAt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly error: Sub<ExecutionError>;
  /** The GPU indices it was given (packed, as protobuf-es writes a repeated uint32). */
  readonly gpus: readonly number[];
}

/** What an encoded node needs (the scheduler's live nodes satisfy it). */
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

/** What an encoded execution header needs. */
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

/** Every response that carries one Execution has it as the same field (tested against each). */
const RESPONSE_EXECUTION = tagOf(GetExecutionResponseSchema.field.execution);

// Messages that do not change once made are encoded once: sources come from the spec, outputs
// and errors are replaced (never mutated) when a node or attempt changes.
const encoded = new WeakMap<object, Uint8Array>();
function once<T extends object>(msg: T, encode: (m: T) => Uint8Array): Uint8Array {
  let bytes = encoded.get(msg);
  if (!bytes) encoded.set(msg, (bytes = encode(msg)));
  return bytes;
}
function literalSetBytes(m: Sub<LiteralSet>) {
  return !m || m instanceof Uint8Array ? m : once(m, (x) => toBinary(LiteralSetSchema, x));
}
function errorBytes(m: Sub<ExecutionError>) {
  return !m || m instanceof Uint8Array ? m : once(m, (x) => toBinary(ExecutionErrorSchema, x));
}
function sourceBytes(m: SourceLocation | undefined) {
  return m && once(m, (x) => toBinary(SourceLocationSchema, x));
}

// Sized first, like every hand codec (writer.ts), in two passes over the views: the sizing pass
// records, in the order the writing pass then meets them, the size of each nested message (nodes,
// attempts), string and timestamp, and each sub-message's bytes, so nothing is looked up or
// measured twice. Encodings never nest (sub-messages are encoded ahead, by protobuf-es), so one
// pair of lists serves them all; they keep their room from one encoding to the next.
const sizes: number[] = [];
let sizeCount = 0;
let nextSize = 0;
const subs: (Uint8Array | null | undefined)[] = [];
let subCount = 0;
let nextSub = 0;

/** Records a size for the writing pass; returns its place. */
function recordSize(size: number): number {
  sizes[sizeCount] = size;
  return sizeCount++;
}

function stringSized(tag: number, s: string): number {
  if (!s) return 0;
  const size = stringSize(s);
  recordSize(size);
  return delimitedSize(tag, size);
}
function putStringSized(out: Uint8Array, at: number, tag: number, s: string) {
  return s ? putString(out, at, tag, s, sizes[nextSize++]!) : at;
}

function timestampSized(tag: number, ms: number): number {
  if (!ms) return 0;
  const size = timestampSize(ms);
  recordSize(size);
  return delimitedSize(tag, size);
}
function putTimestampSized(out: Uint8Array, at: number, tag: number, ms: number): number {
  return ms ? putTimestamp(out, at, tag, ms, sizes[nextSize++]!) : at;
}

function subSized(tag: number, b: Uint8Array | null | undefined): number {
  subs[subCount++] = b;
  return b ? delimitedSize(tag, b.byteLength) : 0;
}
function putSub(out: Uint8Array, at: number, tag: number): number {
  const b = subs[nextSub++];
  return b ? putBytes(out, at, tag, b) : at;
}

function packedSized(tag: number, values: readonly number[]): number {
  if (!values.length) return 0;
  let size = 0;
  for (const v of values) size += varintSize(v);
  recordSize(size);
  return delimitedSize(tag, size);
}
function putPackedSized(out: Uint8Array, at: number, tag: number, values: readonly number[]): number {
  if (!values.length) return at;
  at = putDelimited(out, at, tag, sizes[nextSize++]!);
  for (const v of values) at = putVarint(out, at, v);
  return at;
}

function attemptSize(a: AttemptView): number {
  return (
    varintFieldSize(ATTEMPT_NUMBER, a.number) +
    varintFieldSize(ATTEMPT_STATE, a.state) +
    stringSized(ATTEMPT_WORKER_ID, a.workerId) +
    timestampSized(ATTEMPT_QUEUED_AT, a.queuedAt) +
    timestampSized(ATTEMPT_STARTED_AT, a.startedAt) +
    timestampSized(ATTEMPT_FINISHED_AT, a.finishedAt) +
    subSized(ATTEMPT_ERROR, errorBytes(a.error)) +
    packedSized(ATTEMPT_GPUS, a.gpus)
  );
}

function putAttempt(out: Uint8Array, at: number, a: AttemptView): number {
  at = putVarintField(out, at, ATTEMPT_NUMBER, a.number);
  at = putVarintField(out, at, ATTEMPT_STATE, a.state);
  at = putStringSized(out, at, ATTEMPT_WORKER_ID, a.workerId);
  at = putTimestampSized(out, at, ATTEMPT_QUEUED_AT, a.queuedAt);
  at = putTimestampSized(out, at, ATTEMPT_STARTED_AT, a.startedAt);
  at = putTimestampSized(out, at, ATTEMPT_FINISHED_AT, a.finishedAt);
  at = putSub(out, at, ATTEMPT_ERROR);
  return putPackedSized(out, at, ATTEMPT_GPUS, a.gpus);
}

/** A node's body size, recorded (before its attempts') for the writing pass. */
function nodeSize(n: NodeView): number {
  const i = recordSize(0);
  let size = stringSized(NODE_ID, n.id) + varintFieldSize(NODE_STATE, n.state);
  for (const a of n.attempts) {
    const j = recordSize(0);
    const attempt = attemptSize(a);
    sizes[j] = attempt;
    size += delimitedSize(NODE_ATTEMPTS, attempt);
  }
  size +=
    subSized(NODE_OUTPUTS, literalSetBytes(n.outputs)) +
    subSized(NODE_ERROR, errorBytes(n.error)) +
    timestampSized(NODE_STARTED_AT, n.startedAt) +
    timestampSized(NODE_FINISHED_AT, n.finishedAt) +
    stringSized(NODE_TARGET, n.target) +
    subSized(NODE_SOURCE, sourceBytes(n.source));
  sizes[i] = size;
  return size;
}

/** Writes a node's body; its own size was taken by the caller. */
function putNode(out: Uint8Array, at: number, n: NodeView): number {
  at = putStringSized(out, at, NODE_ID, n.id);
  at = putVarintField(out, at, NODE_STATE, n.state);
  for (const a of n.attempts) at = putAttempt(out, putDelimited(out, at, NODE_ATTEMPTS, sizes[nextSize++]!), a);
  at = putSub(out, at, NODE_OUTPUTS);
  at = putSub(out, at, NODE_ERROR);
  at = putTimestampSized(out, at, NODE_STARTED_AT, n.startedAt);
  at = putTimestampSized(out, at, NODE_FINISHED_AT, n.finishedAt);
  at = putStringSized(out, at, NODE_TARGET, n.target);
  return putSub(out, at, NODE_SOURCE);
}

/** The size of repeated node fields under `tag`. */
function nodesSize(tag: number, nodes: readonly NodeView[]): number {
  let size = 0;
  for (const n of nodes) size += delimitedSize(tag, nodeSize(n));
  return size;
}

function putNodes(out: Uint8Array, at: number, tag: number, nodes: readonly NodeView[]): number {
  for (const n of nodes) at = putNode(out, putDelimited(out, at, tag, sizes[nextSize++]!), n);
  return at;
}

function executionSize(e: ExecutionView, nodes: readonly NodeView[]): number {
  return (
    stringSized(EXECUTION_ID, e.id) +
    stringSized(EXECUTION_WORKFLOW, e.workflow) +
    stringSized(EXECUTION_VERSION, e.version) +
    varintFieldSize(EXECUTION_STATE, e.state) +
    subSized(EXECUTION_INPUTS, literalSetBytes(e.inputs)) +
    subSized(EXECUTION_OUTPUTS, literalSetBytes(e.outputs)) +
    subSized(EXECUTION_ERROR, errorBytes(e.error)) +
    timestampSized(EXECUTION_CREATED_AT, e.createdAt) +
    timestampSized(EXECUTION_STARTED_AT, e.startedAt) +
    timestampSized(EXECUTION_FINISHED_AT, e.finishedAt) +
    nodesSize(EXECUTION_NODES, nodes) +
    timestampSized(EXECUTION_SCHEDULED_FOR, e.scheduledFor) +
    stringSized(EXECUTION_BACKFILL_ID, e.backfillId) +
    stringSized(EXECUTION_RECOVERED_FROM, e.recoveredFrom)
  );
}

function putExecution(out: Uint8Array, at: number, e: ExecutionView, nodes: readonly NodeView[]): number {
  at = putStringSized(out, at, EXECUTION_ID, e.id);
  at = putStringSized(out, at, EXECUTION_WORKFLOW, e.workflow);
  at = putStringSized(out, at, EXECUTION_VERSION, e.version);
  at = putVarintField(out, at, EXECUTION_STATE, e.state);
  at = putSub(out, at, EXECUTION_INPUTS);
  at = putSub(out, at, EXECUTION_OUTPUTS);
  at = putSub(out, at, EXECUTION_ERROR);
  at = putTimestampSized(out, at, EXECUTION_CREATED_AT, e.createdAt);
  at = putTimestampSized(out, at, EXECUTION_STARTED_AT, e.startedAt);
  at = putTimestampSized(out, at, EXECUTION_FINISHED_AT, e.finishedAt);
  at = putNodes(out, at, EXECUTION_NODES, nodes);
  at = putTimestampSized(out, at, EXECUTION_SCHEDULED_FOR, e.scheduledFor);
  at = putStringSized(out, at, EXECUTION_BACKFILL_ID, e.backfillId);
  return putStringSized(out, at, EXECUTION_RECOVERED_FROM, e.recoveredFrom);
}

/** Runs the sizing pass, then the writing pass into a buffer of the size found. */
function sizedFirst(size: () => number, put: (out: Uint8Array) => void): Uint8Array {
  sizeCount = nextSize = subCount = nextSub = 0;
  try {
    const out = new Uint8Array(size());
    put(out);
    return out;
  } finally {
    subs.fill(undefined, 0, subCount); // holds no sub-message past the encoding
  }
}

const listOf = (nodes: Iterable<NodeView>): readonly NodeView[] => (Array.isArray(nodes) ? nodes : Array.from(nodes));

/** The bytes of a `NodeExecution`. */
export function encodeNodeExecution(n: NodeView): Uint8Array {
  return sizedFirst(
    () => nodeSize(n),
    (out) => {
      nextSize = 1; // the node's own size
      putNode(out, 0, n);
    },
  );
}

/** The bytes of `ExecutionEvent { nodes, at }`. */
export function encodeNodesEvent(nodes: Iterable<NodeView>, atMs: number): Uint8Array {
  const list = listOf(nodes);
  return sizedFirst(
    () => nodesSize(EVENT_NODES, list) + timestampSized(EVENT_AT, atMs),
    (out) => putTimestampSized(out, putNodes(out, 0, EVENT_NODES, list), EVENT_AT, atMs),
  );
}

/** The bytes of an `Execution` (with `nodes`, possibly none). */
export function encodeExecution(e: ExecutionView, nodes: Iterable<NodeView>): Uint8Array {
  const list = listOf(nodes);
  return sizedFirst(
    () => executionSize(e, list),
    (out) => putExecution(out, 0, e, list),
  );
}

/** The bytes of `ExecutionEvent { snapshot, at }` from an encoded Execution. */
export function encodeSnapshotEvent(execution: Uint8Array, atMs: number): Uint8Array {
  return sizedFirst(
    () => subSized(EVENT_SNAPSHOT, execution) + timestampSized(EVENT_AT, atMs),
    (out) => putTimestampSized(out, putSub(out, 0, EVENT_SNAPSHOT), EVENT_AT, atMs),
  );
}

/** The bytes of a response that carries one Execution (CreateExecution, GetExecution, ...) from an encoded Execution. */
export function encodeExecutionResponse(execution: Uint8Array): Uint8Array {
  const out = new Uint8Array(delimitedSize(RESPONSE_EXECUTION, execution.byteLength));
  putBytes(out, 0, RESPONSE_EXECUTION, execution);
  return out;
}
