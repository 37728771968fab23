// The scheduler: the engine (executions, readiness, retries, leases, dispatch) and the pieces the
// server uses. Everything else in this folder is internal. When a schedule ticks is core's rule
// (core/schedule-ticks.ts).
export { Engine, type EngineOptions, type CreateExecutionArgs } from "./engine.ts";
export { newId } from "./ids.ts";
export type { ExecutionWatcher } from "./watch-hub.ts";
export type { WorkerSlot, WorkerLink } from "./dispatcher.ts";
export { checkExecutionInputs } from "./execution-inputs.ts";
export { executionFrom, nodeExecutionFrom } from "./snapshot.ts";
export { kickoffLiteral } from "./kickoff-literal.ts";
export { ScheduleTicker, scheduledExecutionId, TICKER_DEFAULTS, type TickerDeps } from "./ticker.ts";
export { cacheKey } from "./cache-key.ts";
export { decideRetry, backoffMs } from "./retries.ts";
export { encodeExecutionRecords, encodeExecutionResponse, encodeNodesEvent, encodeSnapshotEvent, type NodeView } from "./execution-encoding.ts";
export { encodeAssignBatch, isEncodedAssign } from "./assign-encoding.ts";
export { expandedNodeCount, expandedSizeProblem } from "./limits.ts";
export { isSuccess } from "./readiness.ts";
export { sensorPath, type SensorRoots } from "./sensors.ts";
