// An Execution's bytes from store records (committed state), through the hand encoder of
// proto/wire/: the records' byte fields (outputs, errors) are spliced as they are.
import { encodeExecution, type AttemptView, type NodeView, type SourceLocation } from "../../proto/index.ts";
import { gpuListOf, type AttemptRecord, type ExecutionRecord, type NodeRecord } from "../store/index.ts";

/** The bytes of an `Execution` from store records. */
export function encodeExecutionRecords(
  e: ExecutionRecord,
  nodes: readonly NodeRecord[],
  attempts: readonly AttemptRecord[],
  sources: ReadonlyMap<string, SourceLocation>,
): Uint8Array {
  const byNode = new Map<string, AttemptView[]>();
  for (const a of attempts) {
    let list = byNode.get(a.nodeId);
    if (!list) byNode.set(a.nodeId, (list = []));
    list.push(attemptView(a));
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

function attemptView(a: AttemptRecord): AttemptView {
  return {
    number: a.number,
    state: a.state,
    workerId: a.workerId,
    queuedAt: a.queuedAt,
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
    error: a.error,
    gpus: gpuListOf(a.gpus),
  };
}
