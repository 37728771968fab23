// The SQLite metastore (better-sqlite3): WAL, synchronous = FULL, prepared statements, one
// transaction per commit. All of its SQL lives in this file (the batch tables' statements built from
// their one definition, batch-tables.ts). A file store commits a small batch on this thread's
// connection while the writer thread is idle (one fsync costs less than two thread hops) and
// anything else on the writer thread (sqlite-writer.ts), so a large commit's fsync does not block
// the event loop and batches that arrive during it share the next; reads run on this thread's
// connection (WAL readers).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { RuntimeError } from "../error-codes.ts";
import { BATCH_TABLE_KEYS, BATCH_TABLES, type BatchTable, type OnConflict } from "./batch-tables.ts";
import { SQLITE_MIGRATIONS, type Migration } from "./migrations.ts";
import { preallocateWal } from "./wal-preallocation.ts";
import { SqliteWriter, type WriterStatements, type WriterTables } from "./sqlite-writer.ts";
import {
  batchSize,
  type AttemptRecord,
  type BackfillRecord,
  type CacheRecord,
  type ExecutionQuery,
  type ExecutionRecord,
  type LogRecord,
  type Millis,
  type NodeRecord,
  type Store,
  type StoreBatch,
  type WorkerRecord,
  type WorkflowRecord,
  type WorkflowSummaryRecord,
} from "./store.ts";

type Row = Record<string, unknown>;
type Stmt = Database.Statement<unknown[], unknown>;

const bytes = (v: unknown): Uint8Array | null => (v == null ? null : new Uint8Array(v as Buffer));

const PRAGMAS = Object.freeze(["journal_mode = WAL", "synchronous = FULL", "busy_timeout = 5000"]);

export interface SqliteStoreOptions {
  /**
   * A batch of at most this many rows commits on the calling thread when the writer thread has
   * nothing pending; larger ones go to the writer thread. Measured: here a commit holds the event
   * loop for its fsync (~0.2 ms) plus ~3 µs a row, there ~0.5 µs a row plus two thread hops. A
   * chain's link commits 4 rows; a fan-out's batches run to hundreds, where the event loop is
   * the bottleneck and must not wait on fsync.
   */
  readonly syncCommitMaxRows: number;
}

export const SQLITE_STORE_DEFAULTS: SqliteStoreOptions = Object.freeze({ syncCommitMaxRows: 16 });

/** How one StoreBatch table is written here: the record field bound to each column, in parameter order. */
interface TableWrite<R> {
  readonly fields: readonly (keyof R & string)[];
  /** The statement writing `rows` records, `?` parameters record after record. */
  sql(rows: number): string;
}

const SQLITE_INSERT: Readonly<Record<OnConflict["kind"], string>> = Object.freeze({
  ignore: "INSERT OR IGNORE INTO",
  replace: "INSERT OR REPLACE INTO",
  update: "INSERT INTO",
  append: "INSERT INTO",
});

/** A table's statement in SQLite's words, from its one definition (batch-tables.ts). */
function tableWrite<R>(t: BatchTable<R>): TableWrite<R> {
  const names = t.columns.map((c) => c.name).join(", ");
  const row = `(${t.columns.map(() => "?").join(", ")})`;
  const c = t.onConflict;
  const tail = c.kind === "update" ? ` ON CONFLICT (${t.key.join(", ")}) DO UPDATE SET ${c.columns.map((n) => `${n} = excluded.${n}`).join(", ")}` : "";
  return Object.freeze({
    fields: Object.freeze(t.columns.map((col) => col.field)),
    sql: (rows: number) => `${SQLITE_INSERT[c.kind]} ${t.table} (${names}) VALUES ${Array.from({ length: rows }, () => row).join(", ")}${tail}`,
  });
}

/**
 * Records per statement on the writer thread: one multi-row statement costs about a third less
 * than as many single-row ones (fewer calls into SQLite), and rows still apply in order.
 */
const WRITER_CHUNK_ROWS = 32;

type TableWrites = { readonly [K in keyof StoreBatch]: TableWrite<StoreBatch[K][number]> };

/** One statement per StoreBatch field (applied in this order in a transaction), on both connections. */
const SQLITE_WRITES: TableWrites = Object.freeze(
  Object.fromEntries(BATCH_TABLE_KEYS.map((k) => [k, tableWrite(BATCH_TABLES[k] as BatchTable<object>)])) as unknown as TableWrites,
);

/**
 * A record field as SQLite binds it: booleans as integers; a byte view into a larger buffer copied,
 * since cloning a view to the writer thread would copy its whole buffer.
 */
function bindable(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return typeof v === "boolean" ? +v : v;
  return v instanceof Uint8Array && v.byteLength !== v.buffer.byteLength ? v.slice() : v;
}

/** One record's values in its table's parameter order. */
function rowValues(record: object, fields: readonly string[]): unknown[] {
  const values: unknown[] = [];
  for (const f of fields) values.push(bindable((record as Row)[f]));
  return values;
}

/**
 * The batch for the writer thread: per table one flat array of values, records one after the
 * other in parameter order (cheap to clone: no property names), empty tables left out. Filled by
 * push so the array stays packed (the clone writes a holey array element by element).
 */
function flatTables(b: StoreBatch): WriterTables {
  const tables: Record<string, unknown[]> = {};
  for (const key of BATCH_TABLE_KEYS) {
    const records: readonly object[] = b[key];
    if (!records.length) continue;
    const fields = SQLITE_WRITES[key].fields;
    const values: unknown[] = [];
    for (const r of records) for (const f of fields) values.push(bindable((r as Row)[f]));
    tables[key] = values;
  }
  return tables;
}

/** Opens (creating parent folders) and migrates a SQLite store. `path` may be ":memory:". */
export function openSqliteStore(path: string, migrations: readonly Migration[] = SQLITE_MIGRATIONS, options: Partial<SqliteStoreOptions> = {}): SqliteStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw new RuntimeError("STORE_FAILED", `cannot open SQLite store ${path}: ${(err as Error).message}; check the path and its permissions`);
  }
  for (const p of PRAGMAS) db.pragma(p);
  db.defaultSafeIntegers(false);
  migrate(db, migrations);
  if (path !== ":memory:") preallocateWal(db, path);
  // An in-memory database lives on one connection only: it commits on this thread.
  const statements: WriterStatements = Object.fromEntries(
    BATCH_TABLE_KEYS.map((k) => {
      const t = SQLITE_WRITES[k];
      return [k, { width: t.fields.length, row: t.sql(1), chunk: t.sql(WRITER_CHUNK_ROWS), chunkRows: WRITER_CHUNK_ROWS }];
    }),
  );
  const writer = path === ":memory:" ? undefined : new SqliteWriter(path, PRAGMAS, statements);
  return new SqliteStore(db, `sqlite:${path}`, writer, { ...SQLITE_STORE_DEFAULTS, ...options });
}

function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  const applied = new Set((db.prepare("SELECT version FROM schema_migrations").all() as Row[]).map((r) => r.version as number));
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
  }
}

export class SqliteStore implements Store {
  private readonly s: Record<string, Stmt>;
  private readonly batch: Record<string, Stmt>;
  private readonly commitHere: (batch: StoreBatch) => void;
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    readonly url: string,
    /** Commits large batches, and any while one is pending; absent: all on this thread (in-memory stores). */
    private readonly writer?: SqliteWriter,
    private readonly options: SqliteStoreOptions = SQLITE_STORE_DEFAULTS,
  ) {
    const p = (sql: string): Stmt => db.prepare(sql);
    this.s = {
      getWorkflow: p("SELECT * FROM workflows WHERE name = ? AND version = ?"),
      latestWorkflow: p("SELECT * FROM workflows WHERE name = ? ORDER BY registered_at DESC, rowid DESC LIMIT 1"),
      listWorkflows: p(
        `SELECT w.name, w.version, w.spec, w.registered_at, c.n FROM workflows w
         JOIN (SELECT name, COUNT(*) AS n, MAX(rowid) AS last FROM workflows GROUP BY name) c ON c.last = w.rowid
         ORDER BY w.name`,
      ),
      getExecution: p("SELECT * FROM executions WHERE id = ?"),
      activeExecutions: p("SELECT * FROM executions WHERE state IN (1, 2) ORDER BY seq"),
      getNodes: p("SELECT * FROM nodes WHERE execution_id = ?"),
      getAttempts: p("SELECT * FROM attempts WHERE execution_id = ? ORDER BY node_id, number"),
      maxLease: p("SELECT MAX(issued_through) AS m FROM lease_blocks"),
      getCache: p("SELECT * FROM cache_entries WHERE key = ?"),
      listWorkers: p("SELECT * FROM workers ORDER BY id"),
      logsAll: p("SELECT * FROM logs WHERE execution_id = ? AND node_id = ? ORDER BY id"),
      logsAttempt: p("SELECT * FROM logs WHERE execution_id = ? AND node_id = ? AND attempt = ? ORDER BY id"),
      getBackfill: p("SELECT * FROM backfills WHERE id = ?"),
      getTick: p("SELECT last_tick FROM schedule_ticks WHERE workflow = ?"),
      schemaVersion: p("SELECT MAX(version) AS v FROM schema_migrations"),
    };
    this.batch = Object.fromEntries(BATCH_TABLE_KEYS.map((k) => [k, p(SQLITE_WRITES[k].sql(1))]));
    this.commitHere = db.transaction((b: StoreBatch) => {
      for (const key of BATCH_TABLE_KEYS) {
        const records: readonly object[] = b[key];
        if (!records.length) continue;
        const stmt = this.batch[key]!,
          fields = SQLITE_WRITES[key].fields;
        for (const r of records) stmt.run(rowValues(r, fields));
      }
    });
  }

  private guard(): void {
    if (this.closed) throw new RuntimeError("STORE_FAILED", `the store ${this.url} is closed`);
  }

  async schemaVersion(): Promise<number> {
    this.guard();
    return ((this.s.schemaVersion.get() as Row).v as number) ?? 0;
  }

  async commit(batch: StoreBatch): Promise<void> {
    if (!this.commitNow(batch)) return this.writer!.commit(flatTables(batch));
  }

  commitNow(batch: StoreBatch): boolean {
    this.guard();
    // Here only while the writer has nothing pending: a batch still on its way to the thread must
    // commit first, and the two connections would otherwise contend for the write lock.
    if (this.writer && !(this.writer.idle && batchSize(batch) <= this.options.syncCommitMaxRows)) return false;
    try {
      this.commitHere(batch);
    } catch (err) {
      throw new RuntimeError("STORE_FAILED", `SQLite commit failed: ${(err as Error).message}`);
    }
    return true;
  }

  async putWorkflow(r: WorkflowRecord): Promise<boolean> {
    this.guard();
    return this.batch.workflows!.run(rowValues(r, SQLITE_WRITES.workflows.fields)).changes > 0;
  }

  async getWorkflow(name: string, version?: string): Promise<WorkflowRecord | undefined> {
    this.guard();
    const row = (version ? this.s.getWorkflow.get(name, version) : this.s.latestWorkflow.get(name)) as Row | undefined;
    return row && { name: row.name as string, version: row.version as string, spec: bytes(row.spec)!, registeredAt: row.registered_at as number };
  }

  async listWorkflows(): Promise<WorkflowSummaryRecord[]> {
    this.guard();
    return (this.s.listWorkflows.all() as Row[]).map((r) => ({
      name: r.name as string,
      latestVersion: r.version as string,
      versions: r.n as number,
      latestSpec: bytes(r.spec)!,
      registeredAt: r.registered_at as number,
    }));
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    this.guard();
    const row = this.s.getExecution.get(id) as Row | undefined;
    return row && toExecution(row);
  }

  async listExecutions(q: ExecutionQuery): Promise<ExecutionRecord[]> {
    this.guard();
    const where: string[] = [];
    const args: unknown[] = [];
    const filter = (clause: string, value: unknown): void => {
      where.push(clause);
      args.push(value);
    };
    if (q.workflow) filter("workflow = ?", q.workflow);
    if (q.state) filter("state = ?", q.state);
    if (q.beforeSeq) filter("seq < ?", q.beforeSeq);
    const sql = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...args, q.limit) as Row[]).map(toExecution);
  }

  async listActiveExecutions(): Promise<ExecutionRecord[]> {
    this.guard();
    return (this.s.activeExecutions.all() as Row[]).map(toExecution);
  }

  async getNodes(executionId: string): Promise<NodeRecord[]> {
    this.guard();
    return (this.s.getNodes.all(executionId) as Row[]).map((r) => ({
      executionId: r.execution_id as string,
      nodeId: r.node_id as string,
      state: r.state as number,
      target: r.target as string,
      outputs: bytes(r.outputs),
      error: bytes(r.error),
      startedAt: r.started_at as number,
      finishedAt: r.finished_at as number,
      userRetries: r.user_retries as number,
      systemRetries: r.system_retries as number,
      detail: r.detail as string,
    }));
  }

  async getAttempts(executionId: string): Promise<AttemptRecord[]> {
    this.guard();
    return (this.s.getAttempts.all(executionId) as Row[]).map((r) => ({
      executionId: r.execution_id as string,
      nodeId: r.node_id as string,
      number: r.number as number,
      state: r.state as number,
      workerId: r.worker_id as string,
      leaseToken: BigInt(r.lease_token as number),
      queuedAt: r.queued_at as number,
      startedAt: r.started_at as number,
      finishedAt: r.finished_at as number,
      error: bytes(r.error),
      gpus: r.gpus as string,
    }));
  }

  async maxLeaseToken(): Promise<bigint> {
    this.guard();
    return BigInt(((this.s.maxLease.get() as Row).m as number | null) ?? 0);
  }

  async getCache(key: string): Promise<CacheRecord | undefined> {
    this.guard();
    const r = this.s.getCache.get(key) as Row | undefined;
    return r && { key: r.key as string, task: r.task as string, outputs: bytes(r.outputs)!, createdAt: r.created_at as number };
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    this.guard();
    return (this.s.listWorkers.all() as Row[]).map((r) => ({
      id: r.id as string,
      hostname: r.hostname as string,
      register: bytes(r.register)!,
      connectedAt: r.connected_at as number,
      lastHeartbeat: r.last_heartbeat as number,
      connected: r.connected === 1,
    }));
  }

  async getLogs(executionId: string, nodeId: string, attempt?: number): Promise<LogRecord[]> {
    this.guard();
    const rows = (attempt ? this.s.logsAttempt.all(executionId, nodeId, attempt) : this.s.logsAll.all(executionId, nodeId)) as Row[];
    return rows.map((r) => ({
      executionId: r.execution_id as string,
      nodeId: r.node_id as string,
      attempt: r.attempt as number,
      stream: r.stream as string,
      text: r.text as string,
      at: r.at as number,
    }));
  }

  async getBackfill(id: string): Promise<BackfillRecord | undefined> {
    this.guard();
    const r = this.s.getBackfill.get(id) as Row | undefined;
    return (
      r && {
        id: r.id as string,
        workflow: r.workflow as string,
        start: r.start as number,
        end: r.end as number,
        maxActiveRuns: r.max_active_runs as number,
        createdAt: r.created_at as number,
      }
    );
  }

  async getScheduleTick(workflow: string): Promise<Millis | undefined> {
    this.guard();
    return (this.s.getTick.get(workflow) as Row | undefined)?.last_tick as number | undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer?.close();
    this.db.close();
  }
}

function toExecution(r: Row): ExecutionRecord {
  return {
    seq: r.seq as number,
    id: r.id as string,
    workflow: r.workflow as string,
    version: r.version as string,
    state: r.state as number,
    inputs: bytes(r.inputs),
    outputs: bytes(r.outputs),
    error: bytes(r.error),
    createdAt: r.created_at as number,
    startedAt: r.started_at as number,
    finishedAt: r.finished_at as number,
    scheduledFor: r.scheduled_for as number,
    backfillId: r.backfill_id as string,
    recoveredFrom: r.recovered_from as string,
    maxParallelism: r.max_parallelism as number,
  };
}
