// The one set of words for node and execution states, in every place a person reads one: the CLI's
// tables and progress (runtime/cli/render.ts) and the web UI's chips, graph and filters
// (ui/app/states/display-state.ts, which writes "timed out" as the class name "timed-out").
import { ExecutionState, NodeState } from "../proto/messages.ts";

const NODE_STATE_NAMES: Readonly<Record<NodeState, string>> = Object.freeze({
  [NodeState.UNSPECIFIED]: "unknown",
  [NodeState.PENDING]: "pending",
  [NodeState.QUEUED]: "queued",
  [NodeState.WAITING]: "waiting",
  [NodeState.RUNNING]: "running",
  [NodeState.SUCCEEDED]: "succeeded",
  [NodeState.FAILED]: "failed",
  [NodeState.TIMED_OUT]: "timed out",
  [NodeState.LOST]: "lost",
  [NodeState.CANCELLED]: "cancelled",
  [NodeState.SKIPPED]: "skipped",
  [NodeState.CACHED]: "cached",
});

const EXECUTION_STATE_NAMES: Readonly<Record<ExecutionState, string>> = Object.freeze({
  [ExecutionState.UNSPECIFIED]: "unknown",
  [ExecutionState.QUEUED]: "queued",
  [ExecutionState.RUNNING]: "running",
  [ExecutionState.SUCCEEDED]: "succeeded",
  [ExecutionState.FAILED]: "failed",
  [ExecutionState.TERMINATED]: "terminated",
});

export function nodeStateName(state: NodeState): string {
  return NODE_STATE_NAMES[state] ?? "unknown";
}

export function executionStateName(state: ExecutionState): string {
  return EXECUTION_STATE_NAMES[state] ?? "unknown";
}

/** A state name as a person types it ("failed", "FAILED", "timed_out"); undefined for none. */
export function parseExecutionState(text: string): ExecutionState | undefined {
  const wanted = text.trim().toLowerCase().replace(/[_-]/g, " ");
  for (const [value, name] of Object.entries(EXECUTION_STATE_NAMES)) {
    if (name === wanted && Number(value) !== ExecutionState.UNSPECIFIED) return Number(value) as ExecutionState;
  }
  return undefined;
}
