// Versioned schema migrations of the PostgreSQL metastore. Append only: a released migration is
// never edited; a change to the schema is a new entry. Versions follow SQLITE_MIGRATIONS, so schema
// version N holds the same tables and columns on both engines: PostgreSQL starts at 2, SQLite's
// schema when this store arrived (SQLite's migration 1 made the `leases` table that 2 dropped).
import type { Migration } from "./migrations.ts";

export const POSTGRES_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    // bytea for blobs, bigint for milliseconds and lease tokens. SQLite's implicit rowid, which
    // orders a workflow's versions and logs, is an identity column here (`seq`, logs' `id`).
    version: 2,
    name: "initial schema (SQLite's schema 2)",
    sql: `
      CREATE TABLE workflows (
        name text NOT NULL, version text NOT NULL, spec bytea NOT NULL, registered_at bigint NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (name, version)
      );
      CREATE INDEX workflows_latest ON workflows (name, registered_at);
      CREATE TABLE executions (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE, workflow text NOT NULL, version text NOT NULL, state integer NOT NULL,
        inputs bytea, outputs bytea, error bytea,
        created_at bigint NOT NULL, started_at bigint NOT NULL, finished_at bigint NOT NULL,
        scheduled_for bigint NOT NULL, backfill_id text NOT NULL, recovered_from text NOT NULL,
        max_parallelism integer NOT NULL
      );
      CREATE INDEX executions_workflow ON executions (workflow, seq);
      CREATE INDEX executions_state ON executions (state, seq);
      CREATE TABLE nodes (
        execution_id text NOT NULL, node_id text NOT NULL, state integer NOT NULL, target text NOT NULL,
        outputs bytea, error bytea, started_at bigint NOT NULL, finished_at bigint NOT NULL,
        user_retries integer NOT NULL, system_retries integer NOT NULL, detail text NOT NULL,
        PRIMARY KEY (execution_id, node_id)
      );
      CREATE TABLE attempts (
        execution_id text NOT NULL, node_id text NOT NULL, number integer NOT NULL, state integer NOT NULL,
        worker_id text NOT NULL, lease_token bigint NOT NULL, queued_at bigint NOT NULL,
        started_at bigint NOT NULL, finished_at bigint NOT NULL, error bytea,
        PRIMARY KEY (execution_id, node_id, number)
      );
      CREATE TABLE lease_blocks (issued_through bigint PRIMARY KEY);
      CREATE TABLE cache_entries (
        key text PRIMARY KEY, task text NOT NULL, outputs bytea NOT NULL, created_at bigint NOT NULL
      );
      CREATE TABLE workers (
        id text PRIMARY KEY, hostname text NOT NULL, register bytea NOT NULL, connected_at bigint NOT NULL,
        last_heartbeat bigint NOT NULL, connected boolean NOT NULL
      );
      CREATE TABLE logs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, execution_id text NOT NULL, node_id text NOT NULL,
        attempt integer NOT NULL, stream text NOT NULL, text text NOT NULL, at bigint NOT NULL
      );
      CREATE INDEX logs_node ON logs (execution_id, node_id, attempt, id);
      CREATE TABLE backfills (
        id text PRIMARY KEY, workflow text NOT NULL, start bigint NOT NULL, "end" bigint NOT NULL,
        max_active_runs integer NOT NULL, created_at bigint NOT NULL
      );
      CREATE TABLE schedule_ticks (
        workflow text PRIMARY KEY, last_tick bigint NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: "attempts record their GPU indices (SQLite's 3)",
    sql: `ALTER TABLE attempts ADD COLUMN gpus text NOT NULL DEFAULT '';`,
  },
  {
    // Replicas (postgres-replicas.ts): a row per runtime process, its epoch the fencing token; the
    // replica driving each execution; the replica each worker is connected to. weir_fence is called
    // by every commit of a replica: it holds the replica's row FOR SHARE for the commit's
    // transaction, so a deposition waits for a commit in flight and every later commit is refused.
    version: 4,
    name: "replicas: membership, fencing, execution owners",
    sql: `
      CREATE TABLE replicas (
        epoch bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        address text NOT NULL, process text NOT NULL, started_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz NOT NULL, deposed boolean NOT NULL DEFAULT false
      );
      ALTER TABLE executions ADD COLUMN owner bigint;
      CREATE INDEX executions_owner ON executions (owner) WHERE state IN (1, 2);
      ALTER TABLE workers ADD COLUMN replica bigint;
      CREATE FUNCTION weir_fence(e bigint) RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM replicas WHERE epoch = e AND NOT deposed FOR SHARE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'weir replica epoch % was deposed: another replica drives its executions now', e
            USING ERRCODE = 'WR001';
        END IF;
        RETURN true;
      END $$;
    `,
  },
  {
    // Work each replica has waiting for a worker, by pool: an idle worker of another replica moves there.
    version: 5,
    name: "replicas: work waiting for workers",
    sql: `ALTER TABLE replicas ADD COLUMN waiting jsonb NOT NULL DEFAULT '{}'::jsonb;`,
  },
  {
    // A run under a max-active-runs limit is driven by the leader alone, so the limit holds across replicas.
    version: 6,
    name: "replicas: limited runs for the leader",
    sql: `ALTER TABLE executions ADD COLUMN limited boolean NOT NULL DEFAULT false;`,
  },
]);
