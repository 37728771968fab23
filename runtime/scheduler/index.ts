// The scheduler: the engine (executions, readiness, retries, leases, dispatch) and the pieces the
// server uses. Everything else under this folder is internal: model/ (the live graph), transitions/,
// durability/, dispatch/, schedules/, watching/. When a schedule ticks is core's rule
// (core/schedule-ticks.ts).
export { Engine, type EngineOptions, type CreateExecutionArgs } from "./engine.ts";
export { newId } from "./ids.ts";
export type { ExecutionWatcher } from "./watching/watch-hub.ts";
export { NO_OBSERVER, type SchedulerObserver } from "./scheduler-observer.ts";
export type { Occupancy } from "./occupancy.ts";
export type { WorkerSlot, WorkerLink } from "./dispatch/dispatcher.ts";
export { checkExecutionInputs } from "./model/execution-inputs.ts";
export { executionFrom, nodeExecutionFrom } from "./watching/snapshot.ts";
export { kickoffLiteral } from "./schedules/kickoff-literal.ts";
export { ScheduleTicker, scheduledExecutionId, TICKER_DEFAULTS, type TickerDeps } from "./schedules/ticker.ts";
export { cacheKey } from "./transitions/cache-key.ts";
export { decideRetry, backoffMs } from "./transitions/retries.ts";
export { encodeExecutionRecords } from "./execution-encoding.ts";
export { expandedNodeCount, expandedSizeProblem } from "./model/limits.ts";
export { isSuccess } from "./model/readiness.ts";
export { sensorPath, type SensorRoots } from "./transitions/sensors.ts";
export type { ReplicaRole } from "./replication/replica-role.ts";
