// What the engine's parts share. The transitions of one execution cross parts (a settled node
// starts its dependants, a finished composite settles, the last node ends its execution, whose end
// admits the next run of its group), so each part reaches the others through this context, which
// the Engine wires once. A part that uses only some of it says which in its constructor (a `Pick`).
// Everything here runs on the one event loop: no part needs a lock.
import type { RuntimeConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/index.ts";
import type { Admission } from "./dispatch/admission.ts";
import type { Attempts } from "./transitions/attempts.ts";
import type { Composites } from "./transitions/composites.ts";
import type { Dispatcher } from "./dispatch/dispatcher.ts";
import type { LiveExecution } from "./model/execution-graph.ts";
import type { ExecutionRuns } from "./transitions/execution-runs.ts";
import type { GroupCommit } from "./durability/group-commit.ts";
import type { NodeTransitions } from "./transitions/node-transitions.ts";
import type { SchedulerObserver } from "./scheduler-observer.ts";
import type { SensorWaits } from "./transitions/sensor-waits.ts";
import type { Workers } from "./dispatch/workers.ts";
import type { WorkflowSpecs } from "./model/workflow-specs.ts";

export interface SchedulerContext {
  readonly store: Store;
  readonly log: Logger;
  readonly config: RuntimeConfig;
  /** Executions in flight; an ended one leaves at its last commit. */
  readonly executions: Map<string, LiveExecution>;
  readonly specs: WorkflowSpecs;
  /** Max active runs of backfills and schedules. */
  readonly admission: Admission;
  readonly dispatcher: Dispatcher;
  /** Every transition is recorded here; what it sends leaves after its commit. */
  readonly commits: GroupCommit;
  readonly runs: ExecutionRuns;
  readonly nodes: NodeTransitions;
  readonly composites: Composites;
  readonly sensors: SensorWaits;
  readonly attempts: Attempts;
  readonly workers: Workers;
  /** Told of each transition that metrics count (cheap; NO_OBSERVER when nobody watches). */
  readonly observer: SchedulerObserver;
}
