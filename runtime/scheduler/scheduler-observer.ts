// What the engine tells an observer (the runtime's metrics) as it goes: each call made at the one
// place its transition happens. Calls sit on the hot path, so an observer must be cheap (count in
// memory; format at scrape time) and never throw. The scheduler knows nothing of Prometheus.
import type { ExecutionState, NodeState } from "../../proto/index.ts";

export interface SchedulerObserver {
  /** An execution reached its final state (succeeded, failed or terminated). */
  executionEnded(workflow: string, state: ExecutionState): void;
  /** An attempt ended in `state` (a task's, or a map item's: `task` is the task's name). */
  attemptEnded(workflow: string, task: string, state: NodeState): void;
  /** An attempt was handed to a worker of `pool`, `waitedMs` after it became ready (queued). */
  attemptStarted(pool: string, waitedMs: number): void;
  /** The store committed one turn's transitions in `ms` (from the call to its resolution). */
  committed(ms: number): void;
  /** A pass of the schedule ticker created `fired` runs of `workflow` and skipped `missed` ticks. */
  scheduleTicks(workflow: string, fired: number, missed: number): void;
}

/** The observer of an engine nobody observes. */
export const NO_OBSERVER: SchedulerObserver = Object.freeze({
  executionEnded() {},
  attemptEnded() {},
  attemptStarted() {},
  committed() {},
  scheduleTicks() {},
});
