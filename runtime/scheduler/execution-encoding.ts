// Encodes what the AdminService streams and returns about executions in flight (NodeExecution
// watch events, live Execution snapshots) straight from the scheduler's in-memory nodes to protobuf
// bytes, with a writer of its own. protobuf-es's reflective create()+toBinary per node was the
// server's largest cost on a 10,000-node execution; sub-messages that never change (a node's
// source, its outputs once set) are encoded once and spliced in. Decodes as the schemas say
// (tested against them).
import { toBinary } from "@bufbuild/protobuf";
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

/** What an encoded attempt needs (LiveAttempt and, with `error` as bytes, AttemptRecord satisfy it). */
export interface AttemptView {
  readonly number: number;
  readonly state: NodeState;
  readonly workerId: string;
  readonly queuedAt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly error: Sub<ExecutionError>;
}

/** What an encoded node needs (LiveNode satisfies it). */
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

/** What an encoded execution header needs (LiveExecution's init plus its outcome). */
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
  id: 1,
  workflow: 2,
  version: 3,
  state: 4,
  inputs: 5,
  outputs: 6,
  error: 7,
  createdAt: 8,
  startedAt: 9,
  finishedAt: 10,
  nodes: 11,
  scheduledFor: 12,
  backfillId: 13,
  recoveredFrom: 14,
} as const;
const EVENT = { snapshot: 1, at: 3, nodes: 4 } as const;
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

/**
 * Writes protobuf front to back into one growing buffer (protobuf-es's BinaryWriter copies every
 * nested message on join, which made a 10,000-node snapshot cost ~100 ms). A nested message
 * reserves one length byte and moves its body along in the rare case it is 128 bytes or more.
 */
class Writer {
  private buf = Buffer.allocUnsafe(SCRATCH_BYTES);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  private varint(v: number): void {
    this.room(10);
    const b = this.buf;
    let p = this.pos;
    for (; v > 0x7fffffff; v = Math.floor(v / 128)) b[p++] = (v % 128) | 0x80;
    for (; v > 0x7f; v >>>= 7) b[p++] = (v & 0x7f) | 0x80;
    b[p++] = v;
    this.pos = p;
  }

  /** A non-negative integer field (uint32, int32, int64 and enum values alike). */
  uint(field: number, v: number): void {
    if (!v) return;
    this.varint(field << 3);
    this.varint(v);
  }

  string(field: number, s: string): void {
    if (!s) return;
    this.varint((field << 3) | 2);
    if (s.length > 42) {
      const n = Buffer.byteLength(s);
      this.varint(n);
      this.room(n);
      this.pos += this.buf.write(s, this.pos);
      return;
    }
    // At most 126 UTF-8 bytes: one length byte. Ids and names are ASCII, written inline.
    this.room(1 + s.length * 3);
    const b = this.buf;
    const at = this.pos++;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.pos = at + 1 + b.write(s, at + 1);
        break;
      }
      b[this.pos++] = c;
    }
    b[at] = this.pos - at - 1;
  }

  bytes(field: number, bytes: Uint8Array | null | undefined): void {
    if (!bytes) return;
    this.varint((field << 3) | 2);
    this.varint(bytes.length);
    this.room(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** A google.protobuf.Timestamp from epoch milliseconds (none for 0). */
  timestamp(field: number, ms: number): void {
    if (!ms) return;
    const seconds = Math.floor(ms / 1000);
    const nanos = (ms - seconds * 1000) * 1_000_000;
    const at = this.begin(field);
    this.uint(1, seconds);
    this.uint(2, nanos);
    this.end(at);
  }

  /** Starts a nested message; returns where its length goes. */
  begin(field: number): number {
    this.varint((field << 3) | 2);
    this.room(1);
    return this.pos++;
  }

  end(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    let extra = 0;
    for (let v = len; v > 0x7f; v = Math.floor(v / 128)) extra++;
    this.room(extra);
    this.buf.copyWithin(at + 1 + extra, at + 1, this.pos);
    const end = this.pos + extra;
    this.pos = at;
    this.varint(len);
    this.pos = end;
  }

  /** The bytes written since the last finish; the writer starts over. */
  finish(): Uint8Array {
    let out: Uint8Array;
    if (this.buf.length > SCRATCH_BYTES) {
      // A buffer grown for a large snapshot goes with it rather than staying in memory.
      out = this.buf.subarray(0, this.pos);
      this.buf = Buffer.allocUnsafe(SCRATCH_BYTES);
    } else {
      out = new Uint8Array(this.pos);
      out.set(this.buf.subarray(0, this.pos));
    }
    this.pos = 0;
    return out;
  }
}

const SCRATCH_BYTES = 16 * 1024;
/** Encodings never nest (sub-messages are encoded ahead, once), so one writer serves them all. */
const writer = new Writer();

function writeNode(w: Writer, n: NodeView): void {
  w.string(NODE.nodeId, n.id);
  w.uint(NODE.state, n.state);
  for (const a of n.attempts) {
    const at = w.begin(NODE.attempts);
    w.uint(ATTEMPT.number, a.number);
    w.uint(ATTEMPT.state, a.state);
    w.string(ATTEMPT.workerId, a.workerId);
    w.timestamp(ATTEMPT.queuedAt, a.queuedAt);
    w.timestamp(ATTEMPT.startedAt, a.startedAt);
    w.timestamp(ATTEMPT.finishedAt, a.finishedAt);
    w.bytes(ATTEMPT.error, errorBytes(a.error));
    w.end(at);
  }
  w.bytes(NODE.outputs, literalSetBytes(n.outputs));
  w.bytes(NODE.error, errorBytes(n.error));
  w.timestamp(NODE.startedAt, n.startedAt);
  w.timestamp(NODE.finishedAt, n.finishedAt);
  w.string(NODE.target, n.target);
  w.bytes(NODE.source, sourceBytes(n.source));
}

function writeExecution(w: Writer, e: ExecutionView, nodes: Iterable<NodeView>): void {
  w.string(EXECUTION.id, e.id);
  w.string(EXECUTION.workflow, e.workflow);
  w.string(EXECUTION.version, e.version);
  w.uint(EXECUTION.state, e.state);
  w.bytes(EXECUTION.inputs, literalSetBytes(e.inputs));
  w.bytes(EXECUTION.outputs, literalSetBytes(e.outputs));
  w.bytes(EXECUTION.error, errorBytes(e.error));
  w.timestamp(EXECUTION.createdAt, e.createdAt);
  w.timestamp(EXECUTION.startedAt, e.startedAt);
  w.timestamp(EXECUTION.finishedAt, e.finishedAt);
  for (const n of nodes) {
    const at = w.begin(EXECUTION.nodes);
    writeNode(w, n);
    w.end(at);
  }
  w.timestamp(EXECUTION.scheduledFor, e.scheduledFor);
  w.string(EXECUTION.backfillId, e.backfillId);
  w.string(EXECUTION.recoveredFrom, e.recoveredFrom);
}

/** The bytes of a `NodeExecution`. */
export function encodeNodeExecution(n: NodeView): Uint8Array {
  writeNode(writer, n);
  return writer.finish();
}

/** The bytes of `ExecutionEvent { nodes, at }`. */
export function encodeNodesEvent(nodes: Iterable<NodeView>, atMs: number): Uint8Array {
  for (const n of nodes) {
    const at = writer.begin(EVENT.nodes);
    writeNode(writer, n);
    writer.end(at);
  }
  writer.timestamp(EVENT.at, atMs);
  return writer.finish();
}

/** The bytes of an `Execution` (with `nodes`, possibly none). */
export function encodeExecution(e: ExecutionView, nodes: Iterable<NodeView>): Uint8Array {
  writeExecution(writer, e, nodes);
  return writer.finish();
}

/** The bytes of `ExecutionEvent { snapshot, at }`. */
export function encodeSnapshotEvent(execution: Uint8Array, atMs: number): Uint8Array {
  writer.bytes(EVENT.snapshot, execution);
  writer.timestamp(EVENT.at, atMs);
  return writer.finish();
}

/** The bytes of a response whose field 1 is the Execution (CreateExecution, GetExecution, ...). */
export function encodeExecutionResponse(execution: Uint8Array): Uint8Array {
  writer.bytes(RESPONSE_EXECUTION, execution);
  return writer.finish();
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
  const views = nodes.map(
    (n): NodeView => ({
      id: n.nodeId,
      state: n.state,
      target: n.target,
      outputs: n.outputs,
      error: n.error,
      startedAt: n.startedAt,
      finishedAt: n.finishedAt,
      source: sources.get(n.nodeId),
      attempts: byNode.get(n.nodeId) ?? [],
    }),
  );
  return encodeExecution({ ...e }, views);
}
