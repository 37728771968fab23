// What only the PostgreSQL store does, on the local server, each test in a database of its own:
// migrations once (two processes opening a new database at once), the schema's types, group commit,
// atomic batches, connections killed under it (never a hang, never half a batch), and errors that
// say what to check. Replicas' membership and fencing are postgres-replicas.test.ts. The Store contract itself is store-contract.test.ts.
import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NodeState } from "../../../proto/index.ts";
import type { RuntimeError } from "../../../runtime/error-codes.ts";
import {
  emptyBatch,
  openPostgresStore,
  openStore,
  POSTGRES_MIGRATIONS,
  type NodeRecord,
  type PostgresStore,
  type PostgresStoreOptions,
  type StoreBatch,
} from "../../../runtime/store/index.ts";
import { createTestDatabase, queryDatabase, type TestDatabase } from "./postgres-databases.ts";

function node(nodeId: string, state = NodeState.QUEUED): NodeRecord {
  return {
    executionId: "e1",
    nodeId,
    state,
    target: "inc",
    outputs: null,
    error: null,
    startedAt: 1,
    finishedAt: 0,
    userRetries: 0,
    systemRetries: 0,
    detail: "{}",
  };
}

function nodes(count: number, prefix = "n"): StoreBatch {
  return { ...emptyBatch(), nodes: Array.from({ length: count }, (_, i) => node(`${prefix}${i}`)) };
}

const databases: TestDatabase[] = [];
const stores: PostgresStore[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of databases.splice(0)) await d.drop();
});

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}

async function open(url: string, options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
  const s = await openPostgresStore(url, options);
  stores.push(s);
  return s;
}

/** Ends the database's sessions whose application_name matches, from another connection; how many ended. */
async function terminate(db: TestDatabase, applicationName: string): Promise<number> {
  const rows = await queryDatabase<{ ended: boolean }>(
    db,
    "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE $2 AND pid <> pg_backend_pid()",
    [db.name, applicationName],
  );
  return rows.filter((r) => r.ended).length;
}

/** Fails the test rather than waiting forever: a store call must settle. */
function settles<T>(p: Promise<T>, ms = 20_000): Promise<T> {
  return Promise.race([p, new Promise<never>((_, fail) => setTimeout(() => fail(new Error(`did not settle within ${ms} ms`)), ms))]);
}

async function nodeCount(db: TestDatabase): Promise<number> {
  return Number((await queryDatabase<{ n: string }>(db, "SELECT COUNT(*) AS n FROM nodes"))[0]!.n);
}

describe("PostgresStore", () => {
  it("migrates a new database once, to SQLite's tables in PostgreSQL's types, and again is a no-op", async () => {
    const db = await database();
    const first = await open(db.url);
    expect(await first.schemaVersion()).toBe(POSTGRES_MIGRATIONS.at(-1)!.version);
    await first.close();
    const again = await open(db.url);
    expect(await again.schemaVersion()).toBe(POSTGRES_MIGRATIONS.at(-1)!.version);
    expect(await queryDatabase(db, "SELECT version, name FROM schema_migrations ORDER BY version")).toEqual(
      POSTGRES_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    );
    const columns = await queryDatabase<{ table_name: string; column_name: string; data_type: string }>(
      db,
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name",
    );
    const type = (t: string, c: string) => columns.find((r) => r.table_name === t && r.column_name === c)?.data_type;
    expect(type("workflows", "spec")).toBe("bytea");
    expect(type("executions", "created_at")).toBe("bigint");
    expect(type("executions", "seq")).toBe("bigint");
    expect(type("attempts", "lease_token")).toBe("bigint");
    expect(type("workers", "connected")).toBe("boolean");
    expect(new Set(columns.map((c) => c.table_name))).toEqual(
      new Set([
        "schema_migrations",
        "workflows",
        "executions",
        "nodes",
        "attempts",
        "lease_blocks",
        "cache_entries",
        "workers",
        "logs",
        "backfills",
        "schedule_ticks",
        // PostgreSQL's own: the replicas sharing the database (postgres-replicas.ts).
        "replicas",
      ]),
    );
  });

  it("applies each migration once when two processes open a new database at the same moment", async () => {
    const db = await database();
    const opened = await Promise.all(Array.from({ length: 4 }, () => open(db.url)));
    for (const s of opened) expect(await s.schemaVersion()).toBe(POSTGRES_MIGRATIONS.at(-1)!.version);
    expect(await queryDatabase(db, "SELECT COUNT(*)::int AS n FROM schema_migrations")).toEqual([{ n: POSTGRES_MIGRATIONS.length }]);
  });

  it("rolls a failed migration back whole, and says which database", async () => {
    const db = await database();
    const broken = [...POSTGRES_MIGRATIONS, { version: 99, name: "broken", sql: "CREATE TABLE extra (x int); SELECT no_such_function();" }];
    await expect(open(db.url, { migrations: broken })).rejects.toMatchObject({ code: "STORE_FAILED", message: expect.stringMatching(/no_such_function/) });
    expect(await queryDatabase(db, "SELECT to_regclass('extra') AS t, to_regclass('schema_migrations') AS m")).toEqual([{ t: null, m: null }]);
    // Nothing half-made: the database opens at once.
    await open(db.url);
  });

  it("writes one batch as one statement, and batches that arrive during a commit together in the next", async () => {
    const db = await database();
    const store = await open(db.url);
    const query = vi.spyOn(pg.Pool.prototype, "query");
    const commits = (): number => query.mock.calls.filter(([q]) => typeof q === "object" && /^weir_commit_/.test((q as { name?: string }).name ?? "")).length;

    await store.commit(nodes(500));
    expect(commits()).toBe(1);
    const order: number[] = [];
    const all = Array.from({ length: 10 }, (_, i) => store.commit({ ...emptyBatch(), nodes: [node("n0", i)] }).then(() => order.push(i)));
    await Promise.all(all);
    // The first went alone; the nine queued behind it shared one statement.
    expect(commits()).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await store.getNodes("e1")).find((n) => n.nodeId === "n0")!.state).toBe(9);
    expect(store.commitNow(nodes(1))).toBe(false);
  });

  it("writes NUL in text as U+FFFD rather than failing the commit (PostgreSQL's text cannot hold it)", async () => {
    const db = await database();
    const store = await open(db.url);
    await store.commit({ ...emptyBatch(), logs: [{ executionId: "e1", nodeId: "a", attempt: 1, stream: "stdout", text: "bin\0ary\0", at: 1 }] });
    expect((await store.getLogs("e1", "a"))[0]!.text).toBe("bin\uFFFDary\uFFFD");
  });

  it("a commit whose connection is killed while it waits fails as STORE_FAILED and writes none of its batch; the next commit works", async () => {
    const db = await database();
    const store = await open(db.url);
    await store.commit(nodes(1, "before"));
    // Hold the nodes table, so the commit (executions and nodes, one statement) waits inside its
    // transaction when its backend is ended.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query("BEGIN; LOCK TABLE nodes IN ACCESS EXCLUSIVE MODE");
      const pending = store.commit({ ...nodes(50, "lost"), scheduleTicks: [{ workflow: "wf", lastTick: 5 }] });
      const failed = expect(settles(pending)).rejects.toMatchObject({ code: "STORE_FAILED", message: expect.stringMatching(/PostgreSQL commit failed/) });
      await vi.waitFor(
        async () => {
          const waiting = await queryDatabase(db, "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'", [db.name]);
          expect(waiting).toHaveLength(1);
        },
        { timeout: 10_000, interval: 50 },
      );
      expect(await terminate(db, "weir runtime")).toBeGreaterThanOrEqual(1);
      await failed;
    } finally {
      await blocker.query("ROLLBACK").catch(() => undefined);
      await blocker.end();
    }
    expect(await nodeCount(db)).toBe(1);
    expect(await store.getScheduleTick("wf")).toBeUndefined();
    // The pool drops the dead connection; the next commit opens a fresh one.
    await settles(store.commit(nodes(3, "after")));
    expect((await store.getNodes("e1")).map((n) => n.nodeId)).toEqual(["after0", "after1", "after2", "before0"]);
  });

  it("recovers on fresh connections after its idle pool connections are killed, never half-applying a batch", async () => {
    const db = await database();
    const store = await open(db.url);
    await Promise.all([store.getNodes("e1"), store.getNodes("e1"), store.commit(nodes(1, "warm"))]);
    expect(await terminate(db, "weir runtime")).toBeGreaterThanOrEqual(1);
    // Either the dead connection is noticed first (and the commit takes a fresh one) or the commit
    // meets it (and fails cleanly); in both cases it settles and the batch is all or nothing.
    const outcome = await settles(
      store.commit(nodes(20, "x")).then(
        () => "committed",
        (err: RuntimeError) => err.code,
      ),
    );
    expect(["committed", "STORE_FAILED"]).toContain(outcome);
    expect([1, 21]).toContain(await nodeCount(db));
    await settles(store.commit(nodes(2, "y")));
    expect(await nodeCount(db)).toBeGreaterThanOrEqual(3);
  });

  it("says what to check when the URL, the server or the database is wrong, and never shows the password", async () => {
    await expect(openStore("postgres://postgres@127.0.0.1:5432")).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/names no database/),
    });
    await expect(openStore("postgres://postgres@127.0.0.1:5432/x?pool=0")).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/\?pool=0 is not a number of connections from 1 to 64/),
    });
    await expect(openStore("postgres://postgres:secret@127.0.0.1:1/weir")).rejects.toMatchObject({
      code: "STORE_FAILED",
      message: expect.stringMatching(
        /^cannot connect to PostgreSQL at 127\.0\.0\.1:1: .*; is it running\? check --store \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/weir\)$/,
      ),
    });
    await expect(openStore("postgres://postgres@127.0.0.1:5432/weir_no_such_database")).rejects.toMatchObject({
      code: "STORE_FAILED",
      message: expect.stringMatching(
        /the database weir_no_such_database does not exist on PostgreSQL at 127\.0\.0\.1:5432; create it \(createdb -h 127\.0\.0\.1 -p 5432 -U postgres weir_no_such_database\)/,
      ),
    });
    const err = await openStore("postgres://postgres:secret@127.0.0.1:1/weir").catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain("secret");
  });

  it("keeps at most ?pool= connections, and names itself without the password", async () => {
    const db = await database();
    const url = new URL(db.url);
    url.password = "unused";
    url.searchParams.set("pool", "2");
    const store = await open(url.href);
    expect(store.url).not.toContain("unused");
    expect(store.url).toContain("***");
    await Promise.all(Array.from({ length: 20 }, () => store.getNodes("e1")));
    const sessions = await queryDatabase<{ n: number }>(
      db,
      "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'weir runtime'",
      [db.name],
    );
    expect(sessions[0]!.n).toBeLessThanOrEqual(2);
    expect(sessions[0]!.n).toBeGreaterThanOrEqual(1);
  });
});
