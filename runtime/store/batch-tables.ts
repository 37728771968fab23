// The one definition of how each StoreBatch table is written, shared by both engines: its columns,
// the record field bound to each, the column's type, and what a row whose key is already there does.
// sqlite-store.ts and postgres-commit.ts build their SQL from it, so the engines cannot drift apart.
import type {
  AttemptRecord,
  BackfillRecord,
  CacheRecord,
  ExecutionRecord,
  LeaseBlockRecord,
  LogRecord,
  NodeRecord,
  ScheduleTickRecord,
  StoreBatch,
  WorkerRecord,
  WorkflowRecord,
} from "./store.ts";

/** How a column is stored: PostgreSQL's type names; SQLite keeps the values as they are. */
export type ColumnType = "text" | "integer" | "bigint" | "bytea" | "boolean";

/**
 * A row whose key exists: `ignore` keeps the stored row (INSERT OR IGNORE), `replace` overwrites it
 * whole (INSERT OR REPLACE), `update` overwrites only `columns` (an upsert), `append` has no key.
 */
export type OnConflict =
  | { readonly kind: "ignore" | "replace" }
  | { readonly kind: "update"; readonly columns: readonly string[] }
  | { readonly kind: "append" };

export interface Column<R> {
  /** As written in SQL (`"end"` is quoted: a keyword in both engines). */
  readonly name: string;
  readonly field: keyof R & string;
  readonly type: ColumnType;
}

export interface BatchTable<R> {
  readonly table: string;
  /** In parameter order. */
  readonly columns: readonly Column<R>[];
  /** The primary key's columns; empty for `append`. */
  readonly key: readonly string[];
  readonly onConflict: OnConflict;
}

function batchTable<R>(
  table: string,
  columns: ReadonlyArray<readonly [name: string, field: keyof R & string, type: ColumnType]>,
  key: readonly string[],
  onConflict: OnConflict,
): BatchTable<R> {
  return Object.freeze({
    table,
    columns: Object.freeze(columns.map(([name, field, type]) => Object.freeze({ name, field, type }))),
    key: Object.freeze([...key]),
    onConflict,
  });
}

export type BatchTables = { readonly [K in keyof StoreBatch]: BatchTable<StoreBatch[K][number]> };

/** Every StoreBatch field's table, in the order a transaction applies them. */
export const BATCH_TABLES: BatchTables = Object.freeze({
  workflows: batchTable<WorkflowRecord>(
    "workflows",
    [
      ["name", "name", "text"],
      ["version", "version", "text"],
      ["spec", "spec", "bytea"],
      ["registered_at", "registeredAt", "bigint"],
    ],
    ["name", "version"],
    { kind: "ignore" },
  ),
  executions: batchTable<ExecutionRecord>(
    "executions",
    [
      ["id", "id", "text"],
      ["workflow", "workflow", "text"],
      ["version", "version", "text"],
      ["state", "state", "integer"],
      ["inputs", "inputs", "bytea"],
      ["outputs", "outputs", "bytea"],
      ["error", "error", "bytea"],
      ["created_at", "createdAt", "bigint"],
      ["started_at", "startedAt", "bigint"],
      ["finished_at", "finishedAt", "bigint"],
      ["scheduled_for", "scheduledFor", "bigint"],
      ["backfill_id", "backfillId", "text"],
      ["recovered_from", "recoveredFrom", "text"],
      ["max_parallelism", "maxParallelism", "integer"],
    ],
    ["id"],
    // What an execution was created with stays; what it became is updated.
    { kind: "update", columns: ["state", "outputs", "error", "started_at", "finished_at"] },
  ),
  nodes: batchTable<NodeRecord>(
    "nodes",
    [
      ["execution_id", "executionId", "text"],
      ["node_id", "nodeId", "text"],
      ["state", "state", "integer"],
      ["target", "target", "text"],
      ["outputs", "outputs", "bytea"],
      ["error", "error", "bytea"],
      ["started_at", "startedAt", "bigint"],
      ["finished_at", "finishedAt", "bigint"],
      ["user_retries", "userRetries", "integer"],
      ["system_retries", "systemRetries", "integer"],
      ["detail", "detail", "text"],
    ],
    ["execution_id", "node_id"],
    { kind: "replace" },
  ),
  attempts: batchTable<AttemptRecord>(
    "attempts",
    [
      ["execution_id", "executionId", "text"],
      ["node_id", "nodeId", "text"],
      ["number", "number", "integer"],
      ["state", "state", "integer"],
      ["worker_id", "workerId", "text"],
      ["lease_token", "leaseToken", "bigint"],
      ["queued_at", "queuedAt", "bigint"],
      ["started_at", "startedAt", "bigint"],
      ["finished_at", "finishedAt", "bigint"],
      ["error", "error", "bytea"],
      ["gpus", "gpus", "text"],
    ],
    ["execution_id", "node_id", "number"],
    { kind: "replace" },
  ),
  leaseBlocks: batchTable<LeaseBlockRecord>("lease_blocks", [["issued_through", "issuedThrough", "bigint"]], ["issued_through"], { kind: "ignore" }),
  cache: batchTable<CacheRecord>(
    "cache_entries",
    [
      ["key", "key", "text"],
      ["task", "task", "text"],
      ["outputs", "outputs", "bytea"],
      ["created_at", "createdAt", "bigint"],
    ],
    ["key"],
    { kind: "replace" },
  ),
  workers: batchTable<WorkerRecord>(
    "workers",
    [
      ["id", "id", "text"],
      ["hostname", "hostname", "text"],
      ["register", "register", "bytea"],
      ["connected_at", "connectedAt", "bigint"],
      ["last_heartbeat", "lastHeartbeat", "bigint"],
      ["connected", "connected", "boolean"],
    ],
    ["id"],
    { kind: "replace" },
  ),
  logs: batchTable<LogRecord>(
    "logs",
    [
      ["execution_id", "executionId", "text"],
      ["node_id", "nodeId", "text"],
      ["attempt", "attempt", "integer"],
      ["stream", "stream", "text"],
      ["text", "text", "text"],
      ["at", "at", "bigint"],
    ],
    [],
    { kind: "append" },
  ),
  backfills: batchTable<BackfillRecord>(
    "backfills",
    [
      ["id", "id", "text"],
      ["workflow", "workflow", "text"],
      ["start", "start", "bigint"],
      ['"end"', "end", "bigint"],
      ["max_active_runs", "maxActiveRuns", "integer"],
      ["created_at", "createdAt", "bigint"],
    ],
    ["id"],
    { kind: "replace" },
  ),
  scheduleTicks: batchTable<ScheduleTickRecord>(
    "schedule_ticks",
    [
      ["workflow", "workflow", "text"],
      ["last_tick", "lastTick", "bigint"],
    ],
    ["workflow"],
    { kind: "replace" },
  ),
});

export const BATCH_TABLE_KEYS: readonly (keyof StoreBatch)[] = Object.freeze(Object.keys(BATCH_TABLES) as (keyof StoreBatch)[]);
