// Versioned schema migrations of the SQLite metastore (PostgreSQL's: postgres-migrations.ts).
// Append only: a released migration is never edited; a change to the schema is a new entry with
// the next version.
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "initial schema",
    sql: `
      CREATE TABLE workflows (
        name TEXT NOT NULL, version TEXT NOT NULL, spec BLOB NOT NULL, registered_at INTEGER NOT NULL,
        PRIMARY KEY (name, version)
      );
      CREATE INDEX workflows_latest ON workflows (name, registered_at);
      CREATE TABLE executions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE, workflow TEXT NOT NULL, version TEXT NOT NULL, state INTEGER NOT NULL,
        inputs BLOB, outputs BLOB, error BLOB,
        created_at INTEGER NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL,
        scheduled_for INTEGER NOT NULL, backfill_id TEXT NOT NULL, recovered_from TEXT NOT NULL,
        max_parallelism INTEGER NOT NULL
      );
      CREATE INDEX executions_workflow ON executions (workflow, seq);
      CREATE INDEX executions_state ON executions (state, seq);
      CREATE TABLE nodes (
        execution_id TEXT NOT NULL, node_id TEXT NOT NULL, state INTEGER NOT NULL, target TEXT NOT NULL,
        outputs BLOB, error BLOB, started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL,
        user_retries INTEGER NOT NULL, system_retries INTEGER NOT NULL, detail TEXT NOT NULL,
        PRIMARY KEY (execution_id, node_id)
      ) WITHOUT ROWID;
      CREATE TABLE attempts (
        execution_id TEXT NOT NULL, node_id TEXT NOT NULL, number INTEGER NOT NULL, state INTEGER NOT NULL,
        worker_id TEXT NOT NULL, lease_token INTEGER NOT NULL, queued_at INTEGER NOT NULL,
        started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL, error BLOB,
        PRIMARY KEY (execution_id, node_id, number)
      ) WITHOUT ROWID;
      CREATE TABLE leases (
        token INTEGER PRIMARY KEY, execution_id TEXT NOT NULL, node_id TEXT NOT NULL, attempt INTEGER NOT NULL,
        worker_id TEXT NOT NULL, granted_at INTEGER NOT NULL, released_at INTEGER NOT NULL
      );
      CREATE TABLE cache_entries (
        key TEXT PRIMARY KEY, task TEXT NOT NULL, outputs BLOB NOT NULL, created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE workers (
        id TEXT PRIMARY KEY, hostname TEXT NOT NULL, register BLOB NOT NULL, connected_at INTEGER NOT NULL,
        last_heartbeat INTEGER NOT NULL, connected INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE logs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, execution_id TEXT NOT NULL, node_id TEXT NOT NULL,
        attempt INTEGER NOT NULL, stream TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL
      );
      CREATE INDEX logs_node ON logs (execution_id, node_id, attempt, id);
      CREATE TABLE backfills (
        id TEXT PRIMARY KEY, workflow TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
        max_active_runs INTEGER NOT NULL, created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE schedule_ticks (
        workflow TEXT PRIMARY KEY, last_tick INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    // A lease's holder and times are its attempt's row (lease_token, worker_id, started_at,
    // finished_at): the leases table repeated them, a row written at every grant and release.
    // What a restart needs beyond that, the highest token issued, is reserved in blocks.
    version: 2,
    name: "lease tokens reserved in blocks; lease rows folded into attempts",
    sql: `
      CREATE TABLE lease_blocks (issued_through INTEGER PRIMARY KEY);
      INSERT INTO lease_blocks (issued_through)
        SELECT MAX(COALESCE((SELECT MAX(token) FROM leases), 0), COALESCE((SELECT MAX(lease_token) FROM attempts), 0));
      DROP TABLE leases;
    `,
  },
  {
    // The devices an attempt was given, for the UI and GetExecution, and so that a reloaded
    // running attempt keeps holding them on its worker.
    version: 3,
    name: "attempts record their GPU indices",
    sql: `ALTER TABLE attempts ADD COLUMN gpus TEXT NOT NULL DEFAULT '';`,
  },
  {
    // PostgreSQL's 4 adds replicas; a SQLite file has one runtime (its lock), so nothing changes
    // here but the version, which keeps both engines' schema versions in step.
    version: 4,
    name: "replicas (PostgreSQL only)",
    sql: "",
  },
  {
    version: 5,
    name: "replicas: work waiting (PostgreSQL only)",
    sql: "",
  },
  {
    version: 6,
    name: "replicas: limited runs for the leader (PostgreSQL only)",
    sql: "",
  },
]);
