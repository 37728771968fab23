// WatchExecution's ExecutionEvents read by hand for the client: protobuf-es's reflective fromBinary
// was most of a follower's CPU on a 10,000-node execution. It builds the very messages fromBinary
// builds (same fields and defaults); anything it does not expect (an unknown field, an unexpected
// wire type, a singular sub-message twice, bad bytes) is left to fromBinary instead.
import { fromBinary } from "@bufbuild/protobuf";
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
  ATTEMPT_GPU,
  ERROR_CODE,
  ERROR_MESSAGE,
  ERROR_KIND,
  ERROR_NODE_ID,
  SOURCE_FILE,
  SOURCE_LINE,
  SOURCE_COLUMN,
} from "./execution-tags.ts";
import { WireError, WireReader } from "./reader.ts";
import { readTimestamp } from "./timestamp.ts";

export function decodeExecutionEvent(bytes: Uint8Array): ExecutionEvent {
  try {
    return readExecutionEvent(bytes);
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    return fromBinary(ExecutionEventSchema, bytes);
  }
}

/** The hand reader alone: throws WireError on anything it does not expect. */
export function readExecutionEvent(bytes: Uint8Array): ExecutionEvent {
  return readEvent(new WireReader(bytes), bytes.length);
}

/** Throws when a singular sub-message comes twice (protobuf merges them: fromBinary decides). */
function once<T>(v: T | undefined): void {
  if (v !== undefined) throw new WireError("a sub-message twice");
}

function readEvent(r: WireReader, end: number): ExecutionEvent {
  const ev = { $typeName: "weir.v1.ExecutionEvent", nodes: [] } as unknown as ExecutionEvent;
  while (r.pos < end) {
    switch (r.varint()) {
      case EVENT_SNAPSHOT:
        once(ev.snapshot);
        ev.snapshot = readExecution(r, r.delimited(end));
        break;
      case EVENT_NODES:
        ev.nodes.push(readNode(r, r.delimited(end)));
        break;
      case EVENT_AT:
        once(ev.at);
        ev.at = readTimestamp(r, r.delimited(end));
        break;
      default:
        throw new WireError("ExecutionEvent field");
    }
  }
  r.done(end);
  return ev;
}

function readExecution(r: WireReader, end: number): Execution {
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
  while (r.pos < end) {
    switch (r.varint()) {
      case EXECUTION_ID:
        e.id = r.string(end);
        break;
      case EXECUTION_WORKFLOW:
        e.workflow = r.string(end);
        break;
      case EXECUTION_VERSION:
        e.workflowVersion = r.string(end);
        break;
      case EXECUTION_STATE:
        e.state = r.int32();
        break;
      case EXECUTION_INPUTS:
        once(e.inputs);
        e.inputs = readLiteralSet(r, r.delimited(end));
        break;
      case EXECUTION_OUTPUTS:
        once(e.outputs);
        e.outputs = readLiteralSet(r, r.delimited(end));
        break;
      case EXECUTION_ERROR:
        once(e.error);
        e.error = readError(r, r.delimited(end));
        break;
      case EXECUTION_CREATED_AT:
        once(e.createdAt);
        e.createdAt = readTimestamp(r, r.delimited(end));
        break;
      case EXECUTION_STARTED_AT:
        once(e.startedAt);
        e.startedAt = readTimestamp(r, r.delimited(end));
        break;
      case EXECUTION_FINISHED_AT:
        once(e.finishedAt);
        e.finishedAt = readTimestamp(r, r.delimited(end));
        break;
      case EXECUTION_NODES:
        e.nodes.push(readNode(r, r.delimited(end)));
        break;
      case EXECUTION_SCHEDULED_FOR:
        once(e.scheduledFor);
        e.scheduledFor = readTimestamp(r, r.delimited(end));
        break;
      case EXECUTION_BACKFILL_ID:
        e.backfillId = r.string(end);
        break;
      case EXECUTION_RECOVERED_FROM:
        e.recoveredFrom = r.string(end);
        break;
      default:
        throw new WireError("Execution field");
    }
  }
  r.done(end);
  return e;
}

function readNode(r: WireReader, end: number): NodeExecution {
  const n = { $typeName: "weir.v1.NodeExecution", nodeId: "", state: 0, attempts: [], target: "" } as unknown as NodeExecution;
  while (r.pos < end) {
    switch (r.varint()) {
      case NODE_ID:
        n.nodeId = r.string(end);
        break;
      case NODE_STATE:
        n.state = r.int32();
        break;
      case NODE_ATTEMPTS:
        n.attempts.push(readAttempt(r, r.delimited(end)));
        break;
      case NODE_OUTPUTS:
        once(n.outputs);
        n.outputs = readLiteralSet(r, r.delimited(end));
        break;
      case NODE_ERROR:
        once(n.error);
        n.error = readError(r, r.delimited(end));
        break;
      case NODE_STARTED_AT:
        once(n.startedAt);
        n.startedAt = readTimestamp(r, r.delimited(end));
        break;
      case NODE_FINISHED_AT:
        once(n.finishedAt);
        n.finishedAt = readTimestamp(r, r.delimited(end));
        break;
      case NODE_TARGET:
        n.target = r.string(end);
        break;
      case NODE_SOURCE:
        once(n.source);
        n.source = readSource(r, r.delimited(end));
        break;
      default:
        throw new WireError("NodeExecution field");
    }
  }
  r.done(end);
  return n;
}

function readAttempt(r: WireReader, end: number): Attempt {
  const a = { $typeName: "weir.v1.Attempt", number: 0, state: 0, workerId: "", gpus: [] } as unknown as Attempt;
  while (r.pos < end) {
    switch (r.varint()) {
      case ATTEMPT_NUMBER:
        a.number = r.uint32();
        break;
      case ATTEMPT_STATE:
        a.state = r.int32();
        break;
      case ATTEMPT_WORKER_ID:
        a.workerId = r.string(end);
        break;
      case ATTEMPT_QUEUED_AT:
        once(a.queuedAt);
        a.queuedAt = readTimestamp(r, r.delimited(end));
        break;
      case ATTEMPT_STARTED_AT:
        once(a.startedAt);
        a.startedAt = readTimestamp(r, r.delimited(end));
        break;
      case ATTEMPT_FINISHED_AT:
        once(a.finishedAt);
        a.finishedAt = readTimestamp(r, r.delimited(end));
        break;
      case ATTEMPT_ERROR:
        once(a.error);
        a.error = readError(r, r.delimited(end));
        break;
      case ATTEMPT_GPUS: {
        const gpusEnd = r.delimited(end);
        while (r.pos < gpusEnd) a.gpus.push(r.uint32());
        r.done(gpusEnd);
        break;
      }
      case ATTEMPT_GPU:
        a.gpus.push(r.uint32());
        break;
      default:
        throw new WireError("Attempt field");
    }
  }
  r.done(end);
  return a;
}

function readError(r: WireReader, end: number): ExecutionError {
  const e = { $typeName: "weir.v1.ExecutionError", code: "", message: "", kind: 0, nodeId: "" } as ExecutionError;
  while (r.pos < end) {
    switch (r.varint()) {
      case ERROR_CODE:
        e.code = r.string(end);
        break;
      case ERROR_MESSAGE:
        e.message = r.string(end);
        break;
      case ERROR_KIND:
        e.kind = r.int32();
        break;
      case ERROR_NODE_ID:
        e.nodeId = r.string(end);
        break;
      default:
        throw new WireError("ExecutionError field");
    }
  }
  r.done(end);
  return e;
}

function readSource(r: WireReader, end: number): SourceLocation {
  const s = { $typeName: "weir.v1.SourceLocation", file: "", line: 0, column: 0 } as SourceLocation;
  while (r.pos < end) {
    switch (r.varint()) {
      case SOURCE_FILE:
        s.file = r.string(end);
        break;
      case SOURCE_LINE:
        s.line = r.uint32();
        break;
      case SOURCE_COLUMN:
        s.column = r.uint32();
        break;
      default:
        throw new WireError("SourceLocation field");
    }
  }
  r.done(end);
  return s;
}

/** Values are rare on the watch path (and varied): an empty set is made here, others by fromBinary. */
function readLiteralSet(r: WireReader, end: number): LiteralSet {
  const start = r.pos;
  r.pos = end;
  if (start === end) return { $typeName: "weir.v1.LiteralSet", literals: {} } as unknown as LiteralSet;
  try {
    return fromBinary(LiteralSetSchema, r.buf.subarray(start, end));
  } catch {
    throw new WireError("a LiteralSet protobuf-es refuses");
  }
}
