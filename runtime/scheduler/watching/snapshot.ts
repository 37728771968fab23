// Store records (and live scheduler nodes) → the Execution / NodeExecution messages the
// AdminService returns and streams.
import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampFromMs, type Timestamp } from "@bufbuild/protobuf/wkt";
import {
  ExecutionErrorSchema,
  ExecutionSchema,
  LiteralSetSchema,
  NodeExecutionSchema,
  type Execution,
  type ExecutionError,
  type ExecutionView,
  type LiteralSet,
  type NodeExecution,
  type NodeView,
  type SourceLocation,
} from "../../../proto/index.ts";
import { gpuListOf, type AttemptRecord, type ExecutionRecord, type NodeRecord } from "../../store/index.ts";
import type { LiveExecution, LiveNode } from "../model/execution-graph.ts";

const ts = (ms: number): Timestamp | undefined => (ms ? timestampFromMs(ms) : undefined);
/** A sub-message as stored (bytes) or as the scheduler holds it (a message). */
const literals = (v: LiteralSet | Uint8Array | null | undefined) => (v instanceof Uint8Array ? fromBinary(LiteralSetSchema, v) : (v ?? undefined));
const error = (v: ExecutionError | Uint8Array | null | undefined) => (v instanceof Uint8Array ? fromBinary(ExecutionErrorSchema, v) : (v ?? undefined));
/** GPU indices as stored (text) or as the scheduler holds them. */
const gpus = (v: string | readonly number[]) => [...(typeof v === "string" ? gpuListOf(v) : v)];

type NodeHead = Pick<NodeRecord, "state" | "target" | "startedAt" | "finishedAt"> & {
  outputs: LiteralSet | Uint8Array | null | undefined;
  error: ExecutionError | Uint8Array | null | undefined;
};
type AttemptHead = Pick<AttemptRecord, "number" | "state" | "workerId" | "queuedAt" | "startedAt" | "finishedAt"> & {
  error: ExecutionError | Uint8Array | null | undefined;
  gpus: string | readonly number[];
};

/** The one NodeExecution builder, for store records and live nodes alike. */
function nodeExecution(nodeId: string, n: NodeHead, attempts: readonly AttemptHead[], source: SourceLocation | undefined): NodeExecution {
  return create(NodeExecutionSchema, {
    nodeId,
    state: n.state,
    target: n.target,
    outputs: literals(n.outputs),
    error: error(n.error),
    startedAt: ts(n.startedAt),
    finishedAt: ts(n.finishedAt),
    source,
    attempts: attempts.map((a) => ({
      number: a.number,
      state: a.state,
      workerId: a.workerId,
      queuedAt: ts(a.queuedAt),
      startedAt: ts(a.startedAt),
      finishedAt: ts(a.finishedAt),
      error: error(a.error),
      gpus: gpus(a.gpus),
    })),
  });
}

export function nodeExecutionFrom(n: NodeRecord, attempts: readonly AttemptRecord[], source?: SourceLocation): NodeExecution {
  return nodeExecution(n.nodeId, n, attempts, source);
}

/** A watch event's node, built from the scheduler's in-memory node (no store round trip). */
export function liveNodeExecution(n: LiveNode): NodeExecution {
  return nodeExecution(n.id, n, n.attempts, n.source);
}

export function nodeViewOf(n: LiveNode): NodeView {
  return {
    id: n.id,
    state: n.state,
    target: n.target,
    outputs: n.outputs,
    error: n.error,
    startedAt: n.startedAt,
    finishedAt: n.finishedAt,
    source: n.source,
    attempts: n.attempts.map((a) => ({
      number: a.number,
      state: a.state,
      workerId: a.workerId,
      queuedAt: a.queuedAt,
      startedAt: a.startedAt,
      finishedAt: a.finishedAt,
      error: a.error,
      gpus: a.gpus,
    })),
  };
}

/** The header of an execution in flight (its nodes are LiveNodes, which are NodeViews themselves). */
export function executionViewOf(e: LiveExecution): ExecutionView {
  return { ...e.init, outputs: e.outputs, error: e.error };
}

export function executionFrom(
  e: ExecutionRecord,
  nodes: readonly NodeRecord[] = [],
  attempts: readonly AttemptRecord[] = [],
  sources: ReadonlyMap<string, SourceLocation> = new Map(),
): Execution {
  const byNode = new Map<string, AttemptRecord[]>();
  for (const a of attempts) {
    let list = byNode.get(a.nodeId);
    if (!list) byNode.set(a.nodeId, (list = []));
    list.push(a);
  }
  return create(ExecutionSchema, {
    id: e.id,
    workflow: e.workflow,
    workflowVersion: e.version,
    state: e.state,
    inputs: literals(e.inputs),
    outputs: literals(e.outputs),
    error: error(e.error),
    createdAt: ts(e.createdAt),
    startedAt: ts(e.startedAt),
    finishedAt: ts(e.finishedAt),
    scheduledFor: ts(e.scheduledFor),
    backfillId: e.backfillId,
    recoveredFrom: e.recoveredFrom,
    nodes: nodes.map((n) => nodeExecutionFrom(n, byNode.get(n.nodeId) ?? [], sources.get(n.nodeId))),
  });
}
