// The metastore: the Store contract and its implementations, opened from a URL.
import { resolve } from "node:path";
import { RuntimeError } from "../error-codes.ts";
import { openPostgresStore } from "./postgres-store.ts";
import { isPostgresUrl } from "./postgres-url.ts";
import { RuntimeLock } from "./runtime-lock.ts";
import { openSqliteStore } from "./sqlite-store.ts";
import type { Store } from "./store.ts";

export type {
  AttemptRecord,
  BackfillRecord,
  CacheRecord,
  ExecutionQuery,
  ExecutionRecord,
  LeaseBlockRecord,
  LogRecord,
  Millis,
  NodeRecord,
  ScheduleTickRecord,
  Store,
  StoreBatch,
  WorkerRecord,
  WorkflowRecord,
  WorkflowSummaryRecord,
} from "./store.ts";
export { emptyBatch, batchSize } from "./store.ts";
export { gpuListOf, gpuListText } from "./gpu-list.ts";
export { openSqliteStore, SqliteStore } from "./sqlite-store.ts";
export { SQLITE_MIGRATIONS, type Migration } from "./migrations.ts";
export { openPostgresStore, PostgresStore, POSTGRES_STORE_DEFAULTS, type PostgresStoreOptions } from "./postgres-store.ts";
export { POSTGRES_MIGRATIONS } from "./postgres-migrations.ts";
export { RuntimeLock, type StoreHolder } from "./runtime-lock.ts";
export { ReplicaMembership, REPLICA_DEFAULTS, type ReplicaHost, type ReplicaOptions } from "./postgres-replicas.ts";

/**
 * Takes the store's runtime lock (one runtime per SQLite file), or throws FAILED_PRECONDITION naming
 * its holder; undefined for a store no other process can open (`sqlite::memory:`), and for
 * PostgreSQL, which runtimes share as replicas (postgres-replicas.ts). Before openStore.
 */
export function lockStore(url: string, cwd: string = process.cwd()): RuntimeLock | undefined {
  if (!url.startsWith("sqlite:")) return undefined;
  const path = url.slice("sqlite:".length);
  return path === ":memory:" ? undefined : RuntimeLock.acquire(resolve(cwd, path));
}

/**
 * Opens the store a URL names: `sqlite:<path>` (relative to `cwd`), `sqlite::memory:`, or
 * `postgres://user@host:port/database` (connected and migrated).
 */
export async function openStore(url: string, cwd: string = process.cwd()): Promise<Store> {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    return openSqliteStore(path === ":memory:" ? path : resolve(cwd, path));
  }
  if (isPostgresUrl(url)) return openPostgresStore(url);
  throw new RuntimeError(
    "INVALID_ARGUMENT",
    `unknown store URL ${url}; expected sqlite:<path> such as sqlite:.weir/weir.db, or postgres://user@host:port/database`,
  );
}
