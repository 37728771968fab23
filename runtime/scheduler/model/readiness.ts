// Node-state predicates that readiness is decided by: which states count as done, as success, and
// as a failure that skips everything downstream.
import { NodeState } from "../../../proto/index.ts";

const TERMINAL = new Set([
  NodeState.SUCCEEDED,
  NodeState.CACHED,
  NodeState.FAILED,
  NodeState.TIMED_OUT,
  NodeState.LOST,
  NodeState.CANCELLED,
  NodeState.SKIPPED,
]);

export function isTerminal(state: NodeState): boolean {
  return TERMINAL.has(state);
}

/** A node whose outputs downstream nodes may consume. */
export function isSuccess(state: NodeState): boolean {
  return state === NodeState.SUCCEEDED || state === NodeState.CACHED;
}

/** A node that ended without outputs: its dependants are skipped. */
export function isFailure(state: NodeState): boolean {
  return isTerminal(state) && !isSuccess(state);
}

/** Whether a node in state `state` holds or waits for a worker or sensor (it is "in flight"). */
export function isActive(state: NodeState): boolean {
  return state === NodeState.QUEUED || state === NodeState.RUNNING || state === NodeState.WAITING;
}
