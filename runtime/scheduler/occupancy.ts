// What the scheduler holds right now, read on demand (a metrics scrape) rather than kept up to date
// on the hot path: executions in flight, each pool's queue and workers, GPUs in use, sensors
// waiting. Labels are workflow, pool and GPU names (bounded), never execution ids.
import { ExecutionState, NodeState } from "../../proto/index.ts";
import { poolOf } from "./dispatch/dispatcher.ts";
import type { SchedulerContext } from "./scheduler-context.ts";

export interface Occupancy {
  /** Executions in flight (QUEUED behind max active runs, or RUNNING), by workflow and state. */
  readonly executions: ReadonlyArray<{ workflow: string; state: ExecutionState; count: number }>;
  /**
   * Per pool: attempts waiting in its queue for a worker slot (not those held back by an
   * execution's parallelism or a map's concurrency), how long the longest has waited, and its
   * connected workers with their free slots (a worker serving two pools counts in each).
   */
  readonly pools: ReadonlyArray<{ pool: string; queued: number; oldestWaitMs: number; workers: number; freeSlots: number }>;
  /** Devices held by running attempts, by the attempt's pool and the device's name. */
  readonly gpusInUse: ReadonlyArray<{ pool: string; type: string; count: number }>;
  /** Sensor nodes waiting for their condition, by workflow. */
  readonly sensorWaits: ReadonlyArray<{ workflow: string; count: number }>;
}

export function occupancyOf(ctx: Pick<SchedulerContext, "executions" | "dispatcher">, now: number): Occupancy {
  const executions = new Map<string, { workflow: string; state: ExecutionState; count: number }>();
  const sensors = new Map<string, number>();
  for (const exec of ctx.executions.values()) {
    const { workflow, state } = exec.init;
    if (state === ExecutionState.QUEUED || state === ExecutionState.RUNNING) {
      const key = `${workflow}\0${state}`;
      const row = executions.get(key);
      if (row) row.count++;
      else executions.set(key, { workflow, state, count: 1 });
    }
    if (state !== ExecutionState.RUNNING) continue;
    for (const n of exec.nodes.values()) if (n.state === NodeState.WAITING) sensors.set(workflow, (sensors.get(workflow) ?? 0) + 1);
  }

  const pools = new Map<string, { pool: string; queued: number; oldestWaitMs: number; workers: number; freeSlots: number }>();
  const poolRow = (pool: string) => {
    let row = pools.get(pool);
    if (!row) pools.set(pool, (row = { pool, queued: 0, oldestWaitMs: 0, workers: 0, freeSlots: 0 }));
    return row;
  };
  for (const q of ctx.dispatcher.queueStates()) {
    const row = poolRow(q.pool);
    row.queued = q.length;
    row.oldestWaitMs = q.length ? Math.max(0, now - q.oldestQueuedAt) : 0;
  }
  const gpus = new Map<string, { pool: string; type: string; count: number }>();
  for (const w of ctx.dispatcher.workers.values()) {
    if (w.connected) {
      for (const pool of w.pools) {
        const row = poolRow(pool);
        row.workers++;
        row.freeSlots += Math.max(0, w.capacity - w.running.size);
      }
    }
    for (const att of w.running.values()) {
      for (const index of att.gpus) {
        const pool = poolOf(att);
        const type = w.register.gpus.find((g) => g.index === index)?.name || "unknown";
        const key = `${pool}\0${type}`;
        const row = gpus.get(key);
        if (row) row.count++;
        else gpus.set(key, { pool, type, count: 1 });
      }
    }
  }
  return {
    executions: [...executions.values()],
    pools: [...pools.values()],
    gpusInUse: [...gpus.values()],
    sensorWaits: [...sensors].map(([workflow, count]) => ({ workflow, count })),
  };
}
