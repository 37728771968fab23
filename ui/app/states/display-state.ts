// One vocabulary of states for every view: the graph, the grid, the timeline, the lists and the
// chips use these names, and styles.css gives each one colour (queued grey, running blue, succeeded
// green, failed red, retrying orange, cancelled and terminated dark grey, skipped light).
import { ExecutionState, NodeState } from "../../../proto/messages.ts";
import type { Attempt, NodeExecution } from "../../../proto/messages.ts";
import { executionStateName, nodeStateName } from "../../../core/state-names.ts";

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

/** core's word for a state, as a class name ("timed out" → "timed-out"). */
const display = (name: string): DisplayState => name.replace(" ", "-") as DisplayState;
const nodeDisplay = (state: NodeState): DisplayState => display(nodeStateName(state));

/** An attempt's own state (a lost or failed attempt stays so after its retry succeeds). */
export function attemptState(a: Attempt): DisplayState {
  return nodeDisplay(a.state);
}

/**
 * A node's state as shown: "retrying" while a node that already failed an attempt waits for its
 * next one (Airflow's up_for_retry), so a retry stands out from a first run.
 */
export function nodeState(n: Pick<NodeExecution, "state" | "attempts">): DisplayState {
  if (n.state === NodeState.QUEUED && n.attempts.some((a) => isFailure(a.state))) return "retrying";
  return nodeDisplay(n.state);
}

export function executionState(s: ExecutionState): DisplayState {
  return display(executionStateName(s));
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
