// One vocabulary of states for every view: the graph, the grid, the timeline, the lists and the
// chips use these names, and styles.css gives each one colour (queued grey, running blue, succeeded
// green, failed red, retrying orange, cancelled and terminated dark grey, skipped light).
import { ExecutionState, NodeState } from "../../../proto/messages.ts";
import type { Attempt, NodeExecution } from "../../../proto/messages.ts";

export type DisplayState =
  | "pending"
  | "queued"
  | "waiting"
  | "running"
  | "retrying"
  | "succeeded"
  | "cached"
  | "failed"
  | "timed-out"
  | "lost"
  | "cancelled"
  | "terminated"
  | "skipped"
  | "unknown";

const NODE_STATES: Readonly<Record<NodeState, DisplayState>> = Object.freeze({
  [NodeState.UNSPECIFIED]: "unknown",
  [NodeState.PENDING]: "pending",
  [NodeState.QUEUED]: "queued",
  [NodeState.WAITING]: "waiting",
  [NodeState.RUNNING]: "running",
  [NodeState.SUCCEEDED]: "succeeded",
  [NodeState.FAILED]: "failed",
  [NodeState.TIMED_OUT]: "timed-out",
  [NodeState.LOST]: "lost",
  [NodeState.CANCELLED]: "cancelled",
  [NodeState.SKIPPED]: "skipped",
  [NodeState.CACHED]: "cached",
});

const EXECUTION_STATES: Readonly<Record<ExecutionState, DisplayState>> = Object.freeze({
  [ExecutionState.UNSPECIFIED]: "unknown",
  [ExecutionState.QUEUED]: "queued",
  [ExecutionState.RUNNING]: "running",
  [ExecutionState.SUCCEEDED]: "succeeded",
  [ExecutionState.FAILED]: "failed",
  [ExecutionState.TERMINATED]: "terminated",
});

/** An attempt's own state (a lost or failed attempt stays so after its retry succeeds). */
export function attemptState(a: Attempt): DisplayState {
  return NODE_STATES[a.state] ?? "unknown";
}

/**
 * A node's state as shown: "retrying" while a node that already failed an attempt waits for its
 * next one (Airflow's up_for_retry), so a retry stands out from a first run.
 */
export function nodeState(n: Pick<NodeExecution, "state" | "attempts">): DisplayState {
  if (n.state === NodeState.QUEUED && n.attempts.some((a) => isFailure(a.state))) return "retrying";
  return NODE_STATES[n.state] ?? "unknown";
}

export function executionState(s: ExecutionState): DisplayState {
  return EXECUTION_STATES[s] ?? "unknown";
}

export function isFailure(s: NodeState): boolean {
  return s === NodeState.FAILED || s === NodeState.TIMED_OUT || s === NodeState.LOST;
}

export function isTerminalNode(s: NodeState): boolean {
  return (
    s === NodeState.SUCCEEDED ||
    s === NodeState.CACHED ||
    s === NodeState.FAILED ||
    s === NodeState.TIMED_OUT ||
    s === NodeState.LOST ||
    s === NodeState.CANCELLED ||
    s === NodeState.SKIPPED
  );
}

export function isExecutionDone(s: ExecutionState): boolean {
  return s === ExecutionState.SUCCEEDED || s === ExecutionState.FAILED || s === ExecutionState.TERMINATED;
}

/** The order counts are listed in: what needs attention first. */
export const STATE_ORDER: readonly DisplayState[] = Object.freeze([
  "failed",
  "timed-out",
  "lost",
  "retrying",
  "running",
  "waiting",
  "queued",
  "pending",
  "succeeded",
  "cached",
  "cancelled",
  "terminated",
  "skipped",
  "unknown",
]);

export function stateLabel(s: DisplayState): string {
  return s.replace("-", " ");
}
