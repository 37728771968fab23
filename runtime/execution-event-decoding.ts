// Decodes WatchExecution's ExecutionEvents field by field for the client: protobuf-es's reflective
// fromBinary was most of a follower's CPU on a 10,000-node execution. It builds the very messages
// fromBinary builds (same fields and defaults); anything it does not expect (an unknown field, an
// unexpected wire type, a repeated singular field, bad bytes) is left to fromBinary instead.
import { fromBinary } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import {
  ExecutionEventSchema,
  LiteralSetSchema,
  type Attempt,
  type Execution,
  type ExecutionError,
  type ExecutionEvent,
  type LiteralSet,
  type NodeExecution,
  type SourceLocation,
} from "../proto/index.ts";

/** Thrown inside the reader when the bytes are not what it expects: fromBinary takes over. */
const UNEXPECTED = Symbol("unexpected");

// The reader's state: one event is read at a time, synchronously.
let buf: Uint8Array = new Uint8Array(0);
let pos = 0;

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeExecutionEvent(bytes: Uint8Array): ExecutionEvent {
  buf = bytes;
  pos = 0;
  try {
    return readEvent(bytes.length);
  } catch (err) {
    if (err !== UNEXPECTED) throw err;
    return fromBinary(ExecutionEventSchema, bytes);
  } finally {
    buf = new Uint8Array(0);
  }
}

const tag = (field: number, wireType: number) => (field << 3) | wireType;
const VARINT = 0;
const LEN = 2;

function varint(): number {
  let b = buf[pos++]!;
  if (b < 0x80) return b;
  let x = b & 0x7f;
  for (let shift = 7; shift < 28; shift += 7) {
    b = buf[pos++]!;
    x |= (b & 0x7f) << shift;
    if (b < 0x80) return x;
  }
  // Beyond 28 bits: multiply (bit operations are 32-bit); up to 2^53 only.
  for (let mul = 2 ** 28; mul < 2 ** 53; mul *= 128) {
    b = buf[pos++]!;
    x += (b & 0x7f) * mul;
    if (b < 0x80) return x;
  }
  throw UNEXPECTED;
}

/** A length-delimited field's end, checked against the enclosing message's. */
function sub(end: number): number {
  const len = varint();
  const subEnd = pos + len;
  if (subEnd > end) throw UNEXPECTED;
  return subEnd;
}

/** Enum and int32 values that the server writes: never negative. */
function enumValue(): number {
  const v = varint();
  if (v > 0x7fffffff) throw UNEXPECTED;
  return v;
}

function string(end: number): string {
  const to = sub(end);
  let s = "";
  if (to - pos < 64) {
    for (let i = pos; i < to; i++) {
      const c = buf[i]!;
      if (c > 0x7f) {
        s = utf8.decode(buf.subarray(pos, to));
        break;
      }
      s += String.fromCharCode(c);
    }
  } else s = utf8.decode(buf.subarray(pos, to));
  pos = to;
  return s;
}

function done(end: number): void {
  if (pos !== end) throw UNEXPECTED;
}

function readEvent(end: number): ExecutionEvent {
  const ev = { $typeName: "weir.v1.ExecutionEvent", nodes: [] } as unknown as ExecutionEvent;
  while (pos < end) {
    switch (varint()) {
      case tag(1, LEN):
        if (ev.snapshot) throw UNEXPECTED;
        ev.snapshot = readExecution(sub(end));
        break;
      case tag(4, LEN):
        ev.nodes.push(readNode(sub(end)));
        break;
      case tag(3, LEN):
        if (ev.at) throw UNEXPECTED;
        ev.at = readTimestamp(sub(end));
        break;
      default:
        throw UNEXPECTED;
    }
  }
  done(end);
  return ev;
}

function readExecution(end: number): Execution {
  const e = {
    $typeName: "weir.v1.Execution",
    id: "",
    workflow: "",
    workflowVersion: "",
    state: 0,
    nodes: [],
    backfillId: "",
    recoveredFrom: "",
  } as unknown as Execution;
  while (pos < end) {
    const t = varint();
    switch (t) {
      case tag(1, LEN):
        e.id = string(end);
        break;
      case tag(2, LEN):
        e.workflow = string(end);
        break;
      case tag(3, LEN):
        e.workflowVersion = string(end);
        break;
      case tag(4, VARINT):
        e.state = enumValue();
        break;
      case tag(11, LEN):
        e.nodes.push(readNode(sub(end)));
        break;
      case tag(13, LEN):
        e.backfillId = string(end);
        break;
      case tag(14, LEN):
        e.recoveredFrom = string(end);
        break;
      default:
        readExecutionMessage(e, t, end);
    }
  }
  done(end);
  return e;
}

function readExecutionMessage(e: Execution, t: number, end: number): void {
  const field = t >>> 3;
  if ((t & 7) !== LEN) throw UNEXPECTED;
  const key = EXECUTION_MESSAGES[field];
  if (!key || e[key] !== undefined) throw UNEXPECTED;
  const to = sub(end);
  (e as unknown as Record<string, unknown>)[key] =
    key === "inputs" || key === "outputs" ? readLiteralSet(to) : key === "error" ? readError(to) : readTimestamp(to);
}

const EXECUTION_MESSAGES: Record<number, "inputs" | "outputs" | "error" | "createdAt" | "startedAt" | "finishedAt" | "scheduledFor"> = {
  5: "inputs",
  6: "outputs",
  7: "error",
  8: "createdAt",
  9: "startedAt",
  10: "finishedAt",
  12: "scheduledFor",
};

function readNode(end: number): NodeExecution {
  const n = { $typeName: "weir.v1.NodeExecution", nodeId: "", state: 0, attempts: [], target: "" } as unknown as NodeExecution;
  while (pos < end) {
    switch (varint()) {
      case tag(1, LEN):
        n.nodeId = string(end);
        break;
      case tag(2, VARINT):
        n.state = enumValue();
        break;
      case tag(3, LEN):
        n.attempts.push(readAttempt(sub(end)));
        break;
      case tag(4, LEN):
        if (n.outputs) throw UNEXPECTED;
        n.outputs = readLiteralSet(sub(end));
        break;
      case tag(5, LEN):
        if (n.error) throw UNEXPECTED;
        n.error = readError(sub(end));
        break;
      case tag(6, LEN):
        if (n.startedAt) throw UNEXPECTED;
        n.startedAt = readTimestamp(sub(end));
        break;
      case tag(7, LEN):
        if (n.finishedAt) throw UNEXPECTED;
        n.finishedAt = readTimestamp(sub(end));
        break;
      case tag(8, LEN):
        n.target = string(end);
        break;
      case tag(9, LEN):
        if (n.source) throw UNEXPECTED;
        n.source = readSource(sub(end));
        break;
      default:
        throw UNEXPECTED;
    }
  }
  done(end);
  return n;
}

function readAttempt(end: number): Attempt {
  const a = { $typeName: "weir.v1.Attempt", number: 0, state: 0, workerId: "" } as unknown as Attempt;
  while (pos < end) {
    switch (varint()) {
      case tag(1, VARINT):
        a.number = varint() >>> 0;
        break;
      case tag(2, VARINT):
        a.state = enumValue();
        break;
      case tag(3, LEN):
        a.workerId = string(end);
        break;
      case tag(4, LEN):
        if (a.queuedAt) throw UNEXPECTED;
        a.queuedAt = readTimestamp(sub(end));
        break;
      case tag(5, LEN):
        if (a.startedAt) throw UNEXPECTED;
        a.startedAt = readTimestamp(sub(end));
        break;
      case tag(6, LEN):
        if (a.finishedAt) throw UNEXPECTED;
        a.finishedAt = readTimestamp(sub(end));
        break;
      case tag(7, LEN):
        if (a.error) throw UNEXPECTED;
        a.error = readError(sub(end));
        break;
      default:
        throw UNEXPECTED;
    }
  }
  done(end);
  return a;
}

function readTimestamp(end: number): Timestamp {
  const ts = { $typeName: "google.protobuf.Timestamp", seconds: 0n, nanos: 0 } as Timestamp;
  while (pos < end) {
    switch (varint()) {
      case tag(1, VARINT):
        ts.seconds = BigInt(varint());
        break;
      case tag(2, VARINT):
        ts.nanos = enumValue();
        break;
      default:
        throw UNEXPECTED;
    }
  }
  done(end);
  return ts;
}

function readError(end: number): ExecutionError {
  const e = { $typeName: "weir.v1.ExecutionError", code: "", message: "", kind: 0, nodeId: "" } as ExecutionError;
  while (pos < end) {
    switch (varint()) {
      case tag(1, LEN):
        e.code = string(end);
        break;
      case tag(2, LEN):
        e.message = string(end);
        break;
      case tag(3, VARINT):
        e.kind = enumValue();
        break;
      case tag(4, LEN):
        e.nodeId = string(end);
        break;
      default:
        throw UNEXPECTED;
    }
  }
  done(end);
  return e;
}

function readSource(end: number): SourceLocation {
  const s = { $typeName: "weir.v1.SourceLocation", file: "", line: 0, column: 0 } as SourceLocation;
  while (pos < end) {
    switch (varint()) {
      case tag(1, LEN):
        s.file = string(end);
        break;
      case tag(2, VARINT):
        s.line = varint() >>> 0;
        break;
      case tag(3, VARINT):
        s.column = varint() >>> 0;
        break;
      default:
        throw UNEXPECTED;
    }
  }
  done(end);
  return s;
}

/** Values are rare on the watch path (and varied): an empty set is made here, others by fromBinary. */
function readLiteralSet(end: number): LiteralSet {
  if (pos === end) return { $typeName: "weir.v1.LiteralSet", literals: {} } as unknown as LiteralSet;
  const set = fromBinary(LiteralSetSchema, buf.subarray(pos, end));
  pos = end;
  return set;
}
