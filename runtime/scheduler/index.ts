// The scheduler: the engine (executions, readiness, retries, leases, dispatch) and the pieces the
// server uses. Everything else in this folder is internal.
export { Engine, type EngineOptions, type CreateExecutionArgs } from "./engine.ts";
export { newId } from "./ids.ts";
export type { ExecutionWatcher } from "./watch-hub.ts";
export type { WorkerSlot, WorkerLink } from "./dispatcher.ts";
export { checkExecutionInputs } from "./execution-inputs.ts";
export { executionFrom, nodeExecutionFrom } from "./snapshot.ts";
export { scheduleTicks, latestTick, nextTick, scheduleWindow, kickoffLiteral } from "./schedule-ticks.ts";
export { ScheduleTicker, scheduledExecutionId, TICKER_DEFAULTS, type TickerDeps } from "./ticker.ts";
export { cacheKey } from "./cache-key.ts";
export { decideRetry, backoffMs } from "./retries.ts";
