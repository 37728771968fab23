// An execution as WatchExecution tells it: the first snapshot, then each event's changed nodes laid
// over it, then the final snapshot. Nodes live in one Map changed in place (an event of a 10,000
// node map touches hundreds, not all), and `version` counts the events applied so views know when
// to look again.
import { ExecutionState, NodeState, type Execution, type ExecutionEvent, type NodeExecution } from "../../../proto/messages.ts";

export interface LiveExecution {
  execution: Execution;
  nodes: Map<string, NodeExecution>;
  version: number;
}

export function applyEvent(live: LiveExecution | undefined, event: ExecutionEvent): LiveExecution | undefined {
  if (event.snapshot) {
    const nodes = new Map<string, NodeExecution>();
    for (const n of event.snapshot.nodes) nodes.set(n.nodeId, n);
    return { execution: event.snapshot, nodes, version: (live?.version ?? 0) + 1 };
  }
  if (!live) return undefined;
  for (const n of event.nodes) live.nodes.set(n.nodeId, n);
  return { ...live, version: live.version + 1 };
}

/**
 * The execution's state as shown: snapshots carry it, node events do not, so a run whose first
 * snapshot said queued shows running once any node has started.
 */
export function shownExecutionState(live: LiveExecution): ExecutionState {
  const s = live.execution.state;
  if (s !== ExecutionState.QUEUED) return s;
  for (const n of live.nodes.values()) if (n.state !== NodeState.PENDING && n.state !== NodeState.UNSPECIFIED) return ExecutionState.RUNNING;
  return s;
}
