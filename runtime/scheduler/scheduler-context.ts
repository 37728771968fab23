// What the engine's parts share. The transitions of one execution cross parts (a settled node
// starts its dependants, a finished composite settles, the last node ends its execution, whose end
// admits the next run of its group), so each part reaches the others through this context, which
// the Engine wires once. Everything here runs on the one event loop: no part needs a lock.
import type { RuntimeConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/index.ts";
import type { Admission } from "./admission.ts";
import type { Attempts } from "./attempts.ts";
import type { Composites } from "./composites.ts";
import type { Dispatcher } from "./dispatcher.ts";
import type { RExecution } from "./execution-graph.ts";
import type { ExecutionRuns } from "./execution-runs.ts";
import type { GroupCommit } from "./group-commit.ts";
import type { NodeTransitions } from "./node-transitions.ts";
import type { SensorWaits } from "./sensor-waits.ts";
import type { Workers } from "./workers.ts";
import type { WorkflowSpecs } from "./workflow-specs.ts";

export interface SchedulerContext {
  readonly store: Store;
  readonly log: Logger;
  readonly config: RuntimeConfig;
  /** Executions in flight; an ended one leaves at its last commit. */
  readonly executions: Map<string, RExecution>;
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
}
