// The store's rows of the in-memory execution graph, both ways: records of what a commit writes,
// and the graph's state applied back from them when an execution is reloaded.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExecutionErrorSchema, LiteralSetSchema, type CompiledWorkflow } from "../../../proto/index.ts";
import { gpuListOf, gpuListText, type AttemptRecord, type ExecutionRecord, type NodeRecord } from "../../store/index.ts";
import type { ExecutionInit, LiveAttempt, LiveExecution, LiveNode } from "../model/execution-graph.ts";

export function executionRecord(e: LiveExecution): ExecutionRecord {
  const i = e.init;
  return {
    id: i.id,
    workflow: i.workflow,
    version: i.version,
    state: i.state,
    inputs: toBinary(LiteralSetSchema, i.inputs),
    outputs: e.outputs ? toBinary(LiteralSetSchema, e.outputs) : null,
    error: e.error ? toBinary(ExecutionErrorSchema, e.error) : null,
    createdAt: i.createdAt,
    startedAt: i.startedAt,
    finishedAt: i.finishedAt,
    scheduledFor: i.scheduledFor,
    backfillId: i.backfillId,
    recoveredFrom: i.recoveredFrom,
    maxParallelism: i.maxParallelism,
  };
}

export function nodeRecord(n: LiveNode): NodeRecord {
  return {
    executionId: n.exec.id,
    nodeId: n.id,
    state: n.state,
    target: n.target,
    outputs: n.outputs ? toBinary(LiteralSetSchema, n.outputs) : null,
    error: n.error ? toBinary(ExecutionErrorSchema, n.error) : null,
    startedAt: n.startedAt,
    finishedAt: n.finishedAt,
    userRetries: n.userRetries,
    systemRetries: n.systemRetries,
    detail: JSON.stringify(n.detail),
  };
}

export function attemptRecord(a: LiveAttempt): AttemptRecord {
  return {
    executionId: a.node.exec.id,
    nodeId: a.node.id,
    number: a.number,
    state: a.state,
    workerId: a.workerId,
    leaseToken: a.token,
    queuedAt: a.queuedAt,
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
    error: a.error ? toBinary(ExecutionErrorSchema, a.error) : null,
    gpus: gpuListText(a.gpus),
  };
}

/** What an execution is created from, as its record holds it. */
export function executionInitOf(rec: ExecutionRecord, spec: CompiledWorkflow): ExecutionInit {
  return {
    id: rec.id,
    workflow: rec.workflow,
    version: rec.version,
    spec,
    inputs: rec.inputs ? fromBinary(LiteralSetSchema, rec.inputs) : create(LiteralSetSchema),
    state: rec.state,
    createdAt: rec.createdAt,
    startedAt: rec.startedAt,
    finishedAt: rec.finishedAt,
    scheduledFor: rec.scheduledFor,
    backfillId: rec.backfillId,
    recoveredFrom: rec.recoveredFrom,
    maxParallelism: rec.maxParallelism,
  };
}

/** Gives a node the state its record holds. */
export function applyNodeRecord(n: LiveNode, r: NodeRecord): void {
  n.state = r.state;
  n.outputs = r.outputs ? fromBinary(LiteralSetSchema, r.outputs) : undefined;
  n.error = r.error ? fromBinary(ExecutionErrorSchema, r.error) : undefined;
  n.startedAt = r.startedAt;
  n.finishedAt = r.finishedAt;
  n.userRetries = r.userRetries;
  n.systemRetries = r.systemRetries;
  n.detail = r.detail ? JSON.parse(r.detail) : {};
}

/**
 * A node's attempt as its record holds it (no timer: that belongs to a live process). Its GPUs come
 * back too: a running one still holds them on its worker, which gets them again if redelivered.
 */
export function attemptOf(n: LiveNode, a: AttemptRecord): LiveAttempt {
  return {
    node: n,
    number: a.number,
    state: a.state,
    workerId: a.workerId,
    token: a.leaseToken,
    queuedAt: a.queuedAt,
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
    error: a.error ? fromBinary(ExecutionErrorSchema, a.error) : undefined,
    gpus: [...gpuListOf(a.gpus)],
    timer: undefined,
  };
}
