// The PostgreSQL metastore (node-postgres): the Store contract on a small pool of connections,
// versioned migrations applied under an advisory lock, and commits in order, each one statement (one
// round trip, one transaction, durable when it resolves: synchronous_commit stays on). Batches that
// arrive while a commit is in flight share the next one (group commit). Several runtimes may share
// the database as replicas (postgres-replicas.ts): a replica's commits are fenced by its epoch.
import pg from "pg";
import { RuntimeError } from "../error-codes.ts";
import type { Migration } from "./migrations.ts";
import { commitStatement } from "./postgres-commit.ts";
import { postgresError } from "./postgres-errors.ts";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations.ts";
import { parsePostgresUrl, type PostgresTarget } from "./postgres-url.ts";
import type {
  AttemptRecord,
  BackfillRecord,
  CacheRecord,
  ExecutionQuery,
  ExecutionRecord,
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

export interface PostgresStoreOptions {
  readonly migrations: readonly Migration[];
  /** Connecting longer than this fails (an unreachable host would otherwise wait for TCP's timeout). */
  readonly connectTimeoutMs: number;
  /**
   * A query (a commit included) waiting longer than this fails, and the runtime stops, rather than
   * hang on a connection whose server went away without closing it.
   */
  readonly queryTimeoutMs: number;
}

export const POSTGRES_STORE_DEFAULTS: PostgresStoreOptions = Object.freeze({
  migrations: POSTGRES_MIGRATIONS,
  connectTimeoutMs: 10_000,
  queryTimeoutMs: 60_000,
});

/** The schema migrations' lock: "weir" in ASCII, then 2; per database. */
const MIGRATION_LOCK_SQL = "SELECT pg_advisory_xact_lock(2003134834, 2)";

/** Connects and migrates; fails as STORE_FAILED saying what to check. */
export async function openPostgresStore(url: string, options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
  const opts = { ...POSTGRES_STORE_DEFAULTS, ...options };
  const target = parsePostgresUrl(url);
  const pool = new pg.Pool({
    connectionString: target.connectionString,
    max: target.poolSize,
    application_name: "weir runtime",
    connectionTimeoutMillis: opts.connectTimeoutMs,
    query_timeout: opts.queryTimeoutMs,
    keepAlive: true,
  });
  // An idle connection that breaks (its backend killed, the server restarted) leaves the pool by
  // itself and the next query opens a fresh one; without a listener the error would end the process.
  pool.on("error", () => {});
  try {
    await migrate(pool, opts.migrations);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw postgresError(err, target, "migration");
  }
  return new PostgresStore(pool, target, opts);
}

async function migrate(pool: pg.Pool, migrations: readonly Migration[]): Promise<void> {
  const client = await pool.connect();
  try {
    // One transaction under a lock: two processes opening a new database at once apply each
    // migration once, and a failed migration leaves the schema as it was.
    await client.query("BEGIN");
    await client.query(MIGRATION_LOCK_SQL);
    await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)");
    const applied = new Set((await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((r) => r.version));
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [m.version, m.name, Date.now()]);
    }
    await client.query("COMMIT");
    client.release();
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release(true);
    throw err;
  }
}

interface Pending {
  readonly batch: StoreBatch;
  ok(): void;
  fail(err: Error): void;
}

// Text is ordered as SQLite orders it (bytewise), not by the database's collation.
const SQL = Object.freeze({
  getWorkflow: "SELECT * FROM workflows WHERE name = $1 AND version = $2",
  latestWorkflow: "SELECT * FROM workflows WHERE name = $1 ORDER BY registered_at DESC, seq DESC LIMIT 1",
  listWorkflows: `SELECT w.name, w.version, w.spec, w.registered_at, c.n FROM workflows w
    JOIN (SELECT name, COUNT(*) AS n, MAX(seq) AS last FROM workflows GROUP BY name) c ON c.last = w.seq
    ORDER BY w.name COLLATE "C"`,
  putWorkflow: "INSERT INTO workflows (name, version, spec, registered_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
  getExecution: "SELECT * FROM executions WHERE id = $1",
  activeExecutions: "SELECT * FROM executions WHERE state IN (1, 2) ORDER BY seq",
  getNodes: 'SELECT * FROM nodes WHERE execution_id = $1 ORDER BY node_id COLLATE "C"',
  getAttempts: 'SELECT * FROM attempts WHERE execution_id = $1 ORDER BY node_id COLLATE "C", number',
  maxLease: "SELECT MAX(issued_through) AS m FROM lease_blocks",
  getCache: "SELECT * FROM cache_entries WHERE key = $1",
  // Connected only while the replica it is connected to lives: a dead replica's rows say otherwise.
  listWorkers: `SELECT w.id, w.hostname, w.register, w.connected_at, w.last_heartbeat,
      w.connected AND (w.replica IS NULL OR EXISTS (
        SELECT 1 FROM replicas r WHERE r.epoch = w.replica AND NOT r.deposed AND r.lease_until > now())) AS connected
    FROM workers w ORDER BY w.id COLLATE "C"`,
  logsAll: "SELECT * FROM logs WHERE execution_id = $1 AND node_id = $2 ORDER BY id",
  logsAttempt: "SELECT * FROM logs WHERE execution_id = $1 AND node_id = $2 AND attempt = $3 ORDER BY id",
  getBackfill: "SELECT * FROM backfills WHERE id = $1",
  getTick: "SELECT last_tick FROM schedule_ticks WHERE workflow = $1",
  schemaVersion: "SELECT MAX(version) AS v FROM schema_migrations",
});

export class PostgresStore implements Store {
  readonly url: string;
  private closed = false;
  /** Commits waiting for the one in flight; they go together in the next. */
  private queue: Pending[] = [];
  /** Set while writeQueued runs (cleared in the same turn as its last look at the queue). */
  private draining = false;
  /** The latest writeQueued, for close to wait on. */
  private writing: Promise<void> = Promise.resolve();
  /** Set while this store writes for a replica: every commit is fenced by its epoch. */
  private epoch: bigint | undefined;
  /** Set once this replica stopped driving (deposed, or its lease lapsed): nothing more is written. */
  private stoppedWriting: RuntimeError | undefined;

  constructor(
    readonly pool: pg.Pool,
    readonly target: PostgresTarget,
    readonly options: PostgresStoreOptions,
  ) {
    this.url = target.display;
  }

  /** From now on every commit is fenced: refused by the database unless replica `epoch` is current. */
  fenceWith(epoch: bigint): void {
    this.epoch = epoch;
  }

  /** Refuses every write from now on with `why` (the replica's lease lapsed by its own clock). */
  stopWriting(why: RuntimeError): void {
    this.stoppedWriting ??= why;
  }

  private guard(): void {
    if (this.closed) throw new RuntimeError("STORE_FAILED", `the store ${this.url} is closed`);
  }

  /** Before a write: a replica that stopped driving must not write on. */
  private guardWrite(): void {
    this.guard();
    if (this.stoppedWriting) throw this.stoppedWriting;
  }

  private async rows(name: string, text: string, values: unknown[] = []): Promise<Row[]> {
    this.guard();
    try {
      return (await this.pool.query({ name, text, values })).rows;
    } catch (err) {
      throw postgresError(err, this.target, "read");
    }
  }

  async schemaVersion(): Promise<number> {
    return ((await this.rows("schemaVersion", SQL.schemaVersion))[0]!.v as number | null) ?? 0;
  }

  commit(batch: StoreBatch): Promise<void> {
    try {
      this.guardWrite();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((ok, fail) => {
      this.queue.push({ batch, ok, fail });
      if (this.draining) return;
      this.draining = true;
      this.writing = this.writeQueued();
    });
  }

  /** There is no cheap synchronous path to PostgreSQL: every commit goes through `commit`. */
  commitNow(_batch: StoreBatch): boolean {
    this.guardWrite();
    return false;
  }

  /** Commits what is queued, in order, the batches queued meanwhile together in the next statement. */
  private async writeQueued(): Promise<void> {
    try {
      while (this.queue.length) {
        const group = this.queue;
        this.queue = [];
        try {
          if (this.stoppedWriting) throw this.stoppedWriting;
          const statement = commitStatement(
            group.map((p) => p.batch),
            this.epoch,
          );
          if (statement) await this.pool.query(statement);
          for (const p of group) p.ok();
        } catch (err) {
          const error = postgresError(err, this.target, "commit");
          for (const p of group) p.fail(error);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  async putWorkflow(r: WorkflowRecord): Promise<boolean> {
    this.guardWrite();
    try {
      const result = await this.pool.query({ name: "putWorkflow", text: SQL.putWorkflow, values: [r.name, r.version, r.spec, r.registeredAt] });
      return (result.rowCount ?? 0) > 0;
    } catch (err) {
      throw postgresError(err, this.target, "commit");
    }
  }

  async getWorkflow(name: string, version?: string): Promise<WorkflowRecord | undefined> {
    const [row] = version ? await this.rows("getWorkflow", SQL.getWorkflow, [name, version]) : await this.rows("latestWorkflow", SQL.latestWorkflow, [name]);
    return row && { name: row.name as string, version: row.version as string, spec: bytes(row.spec)!, registeredAt: millis(row.registered_at) };
  }

  async listWorkflows(): Promise<WorkflowSummaryRecord[]> {
    return (await this.rows("listWorkflows", SQL.listWorkflows)).map((r) => ({
      name: r.name as string,
      latestVersion: r.version as string,
      versions: Number(r.n),
      latestSpec: bytes(r.spec)!,
      registeredAt: millis(r.registered_at),
    }));
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    const [row] = await this.rows("getExecution", SQL.getExecution, [id]);
    return row && toExecution(row);
  }

  async listExecutions(q: ExecutionQuery): Promise<ExecutionRecord[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const filter = (column: string, value: unknown): void => {
      values.push(value);
      where.push(`${column} $${values.length}`);
    };
    if (q.workflow) filter("workflow =", q.workflow);
    if (q.state) filter("state =", q.state);
    if (q.beforeSeq) filter("seq <", q.beforeSeq);
    values.push(q.limit);
    const text = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq DESC LIMIT $${values.length}`;
    // Named by its filters: at most eight shapes, each parsed once per connection.
    const name = `listExecutions_${+!!q.workflow}${+!!q.state}${+!!q.beforeSeq}`;
    return (await this.rows(name, text, values)).map(toExecution);
  }

  async listActiveExecutions(): Promise<ExecutionRecord[]> {
    return (await this.rows("activeExecutions", SQL.activeExecutions)).map(toExecution);
  }

  async getNodes(executionId: string): Promise<NodeRecord[]> {
    return (await this.rows("getNodes", SQL.getNodes, [executionId])).map((r) => ({
      executionId: r.execution_id as string,
      nodeId: r.node_id as string,
      state: r.state as number,
      target: r.target as string,
      outputs: bytes(r.outputs),
      error: bytes(r.error),
      startedAt: millis(r.started_at),
      finishedAt: millis(r.finished_at),
      userRetries: r.user_retries as number,
      systemRetries: r.system_retries as number,
      detail: r.detail as string,
    }));
  }

  async getAttempts(executionId: string): Promise<AttemptRecord[]> {
    return (await this.rows("getAttempts", SQL.getAttempts, [executionId])).map((r) => ({
      executionId: r.execution_id as string,
      nodeId: r.node_id as string,
      number: r.number as number,
      state: r.state as number,
      workerId: r.worker_id as string,
      leaseToken: BigInt(r.lease_token as string),
      queuedAt: millis(r.queued_at),
      startedAt: millis(r.started_at),
      finishedAt: millis(r.finished_at),
      error: bytes(r.error),
      gpus: r.gpus as string,
    }));
  }

  async maxLeaseToken(): Promise<bigint> {
    return BigInt(((await this.rows("maxLease", SQL.maxLease))[0]!.m as string | null) ?? 0);
  }

  async getCache(key: string): Promise<CacheRecord | undefined> {
    const [r] = await this.rows("getCache", SQL.getCache, [key]);
    return r && { key: r.key as string, task: r.task as string, outputs: bytes(r.outputs)!, createdAt: millis(r.created_at) };
  }

  async listWorkers(): Promise<WorkerRecord[]> {
    return (await this.rows("listWorkers", SQL.listWorkers)).map((r) => ({
      id: r.id as string,
      hostname: r.hostname as string,
      register: bytes(r.register)!,
      connectedAt: millis(r.connected_at),
      lastHeartbeat: millis(r.last_heartbeat),
      connected: r.connected as boolean,
    }));
  }

  async getLogs(executionId: string, nodeId: string, attempt?: number): Promise<LogRecord[]> {
    const rows = attempt
      ? await this.rows("logsAttempt", SQL.logsAttempt, [executionId, nodeId, attempt])
      : await this.rows("logsAll", SQL.logsAll, [executionId, nodeId]);
    return rows.map((r) => ({
      executionId: r.execution_id as string,
      nodeId: r.node_id as string,
      attempt: r.attempt as number,
      stream: r.stream as string,
      text: r.text as string,
      at: millis(r.at),
    }));
  }

  async getBackfill(id: string): Promise<BackfillRecord | undefined> {
    const [r] = await this.rows("getBackfill", SQL.getBackfill, [id]);
    return (
      r && {
        id: r.id as string,
        workflow: r.workflow as string,
        start: millis(r.start),
        end: millis(r.end),
        maxActiveRuns: r.max_active_runs as number,
        createdAt: millis(r.created_at),
      }
    );
  }

  async getScheduleTick(workflow: string): Promise<Millis | undefined> {
    const [r] = await this.rows("getTick", SQL.getTick, [workflow]);
    return r && millis(r.last_tick);
  }

  /** Commits what was queued, then closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writing;
    await this.pool.end().catch(() => undefined);
  }
}

/** node-postgres returns bigint columns as strings (they may exceed 2^53); milliseconds never do. */
function millis(v: unknown): number {
  return Number(v);
}

/** A copy of what node-postgres read: a view could pin a larger buffer. */
function bytes(v: unknown): Uint8Array | null {
  return v == null ? null : new Uint8Array(v as Buffer);
}

function toExecution(r: Row): ExecutionRecord {
  return {
    seq: Number(r.seq),
    id: r.id as string,
    workflow: r.workflow as string,
    version: r.version as string,
    state: r.state as number,
    inputs: bytes(r.inputs),
    outputs: bytes(r.outputs),
    error: bytes(r.error),
    createdAt: millis(r.created_at),
    startedAt: millis(r.started_at),
    finishedAt: millis(r.finished_at),
    scheduledFor: millis(r.scheduled_for),
    backfillId: r.backfill_id as string,
    recoveredFrom: r.recovered_from as string,
    maxParallelism: r.max_parallelism as number,
  };
}
