// The SQLite metastore (better-sqlite3): WAL, synchronous = FULL, prepared statements, one
// transaction per commit. All of the runtime's SQL lives in this file. A file store commits on a
// writer thread (sqlite-writer.ts), so fsync never blocks the event loop and batches that arrive
// during one commit share the next; reads run on this thread's own connection (WAL readers).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { RuntimeError } from "../error-codes.ts";
import { SQLITE_MIGRATIONS, type Migration } from "./migrations.ts";
import { SqliteWriter, type WriterTables } from "./sqlite-writer.ts";
import type {
  AttemptRecord,
  BackfillRecord,
  CacheRecord,
  ExecutionQuery,
  ExecutionRecord,
  LeaseRecord,
  LogRecord,
  Millis,
  NodeRecord,
  Store,
  StoreBatch,
  WorkerRecord,
  WorkflowRecord,
  WorkflowSummaryRecord,
} from "./store.ts";

type Row = Record<string, unknown>;
type Stmt = Database.Statement<unknown[], unknown>;

const bytes = (v: unknown): Uint8Array | null => (v == null ? null : new Uint8Array(v as Buffer));

const PRAGMAS = Object.freeze(["journal_mode = WAL", "synchronous = FULL", "busy_timeout = 5000"]);

/** One statement per StoreBatch field, bound by name to its records (in this order in a transaction). */
const BATCH_SQL: Readonly<Record<keyof StoreBatch, string>> = Object.freeze({
  workflows: "INSERT OR IGNORE INTO workflows (name, version, spec, registered_at) VALUES (@name, @version, @spec, @registeredAt)",
  executions: `INSERT INTO executions (id, workflow, version, state, inputs, outputs, error, created_at, started_at, finished_at,
           scheduled_for, backfill_id, recovered_from, max_parallelism)
         VALUES (@id, @workflow, @version, @state, @inputs, @outputs, @error, @createdAt, @startedAt, @finishedAt,
           @scheduledFor, @backfillId, @recoveredFrom, @maxParallelism)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, outputs = excluded.outputs, error = excluded.error,
           started_at = excluded.started_at, finished_at = excluded.finished_at`,
  nodes: `INSERT OR REPLACE INTO nodes (execution_id, node_id, state, target, outputs, error, started_at, finished_at,
           user_retries, system_retries, detail)
         VALUES (@executionId, @nodeId, @state, @target, @outputs, @error, @startedAt, @finishedAt, @userRetries, @systemRetries, @detail)`,
  attempts: `INSERT OR REPLACE INTO attempts (execution_id, node_id, number, state, worker_id, lease_token, queued_at, started_at, finished_at, error)
         VALUES (@executionId, @nodeId, @number, @state, @workerId, @leaseToken, @queuedAt, @startedAt, @finishedAt, @error)`,
  leases: `INSERT OR REPLACE INTO leases (token, execution_id, node_id, attempt, worker_id, granted_at, released_at)
         VALUES (@token, @executionId, @nodeId, @attempt, @workerId, @grantedAt, @releasedAt)`,
  cache: "INSERT OR REPLACE INTO cache_entries (key, task, outputs, created_at) VALUES (@key, @task, @outputs, @createdAt)",
  workers: `INSERT OR REPLACE INTO workers (id, hostname, register, connected_at, last_heartbeat, connected)
         VALUES (@id, @hostname, @register, @connectedAt, @lastHeartbeat, @connected)`,
  logs: "INSERT INTO logs (execution_id, node_id, attempt, stream, text, at) VALUES (@executionId, @nodeId, @attempt, @stream, @text, @at)",
  backfills: `INSERT OR REPLACE INTO backfills (id, workflow, start, "end", max_active_runs, created_at)
         VALUES (@id, @workflow, @start, @end, @maxActiveRuns, @createdAt)`,
  scheduleTicks: "INSERT OR REPLACE INTO schedule_ticks (workflow, last_tick) VALUES (@workflow, @lastTick)",
});

/** The batch as rows SQLite can bind (booleans as integers), empty tables left out. */
function batchTables(b: StoreBatch): WriterTables {
  const tables: Record<string, readonly object[]> = {};
  for (const key of Object.keys(BATCH_SQL) as (keyof StoreBatch)[]) {
    const rows = b[key];
    if (!rows.length) continue;
    tables[key] = key === "workers" ? b.workers.map((w) => ({ ...w, connected: w.connected ? 1 : 0 })) : rows;
  }
  return tables;
}
/** Opens (creating parent folders) and migrates a SQLite store. `path` may be ":memory:". */
export function openSqliteStore(path: string, migrations: readonly Migration[] = SQLITE_MIGRATIONS): SqliteStore {
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
  // An in-memory database lives on one connection only: it commits on this thread.
  const writer = path === ":memory:" ? undefined : new SqliteWriter(path, PRAGMAS, BATCH_SQL);
  return new SqliteStore(db, `sqlite:${path}`, writer);
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
  private readonly writeTables: (tables: WriterTables) => void;
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    readonly url: string,
    /** Commits on a writer thread; absent: on this thread (in-memory stores). */
    private readonly writer?: SqliteWriter,
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
      getLease: p("SELECT * FROM leases WHERE token = ?"),
      maxLease: p("SELECT MAX(token) AS m FROM leases"),
      getCache: p("SELECT * FROM cache_entries WHERE key = ?"),
      listWorkers: p("SELECT * FROM workers ORDER BY id"),
      logsAll: p("SELECT * FROM logs WHERE execution_id = ? AND node_id = ? ORDER BY id"),
      logsAttempt: p("SELECT * FROM logs WHERE execution_id = ? AND node_id = ? AND attempt = ? ORDER BY id"),
      getBackfill: p("SELECT * FROM backfills WHERE id = ?"),
      getTick: p("SELECT last_tick FROM schedule_ticks WHERE workflow = ?"),
      schemaVersion: p("SELECT MAX(version) AS v FROM schema_migrations"),
    };
    this.batch = Object.fromEntries(Object.entries(BATCH_SQL).map(([k, sql]) => [k, p(sql)]));
    this.writeTables = db.transaction((tables: WriterTables) => {
      for (const [key, rows] of Object.entries(tables)) for (const row of rows) this.batch[key]!.run(row);
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
    this.guard();
    const tables = batchTables(batch);
    if (this.writer) return this.writer.commit(tables);
    this.writeTables(tables);
  }

  async putWorkflow(r: WorkflowRecord): Promise<boolean> {
    this.guard();
    return this.batch.workflows!.run(r).changes > 0;
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
    if (q.workflow) (where.push("workflow = ?"), args.push(q.workflow));
    if (q.state) (where.push("state = ?"), args.push(q.state));
    if (q.beforeSeq) (where.push("seq < ?"), args.push(q.beforeSeq));
    const sql = `SELECT * FROM executions ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY seq DESC LIMIT ?`;
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
    }));
  }

  async getLease(token: bigint): Promise<LeaseRecord | undefined> {
    this.guard();
    const r = this.s.getLease.get(token) as Row | undefined;
    return (
      r && {
        token: BigInt(r.token as number),
        executionId: r.execution_id as string,
        nodeId: r.node_id as string,
        attempt: r.attempt as number,
        workerId: r.worker_id as string,
        grantedAt: r.granted_at as number,
        releasedAt: r.released_at as number,
      }
    );
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
