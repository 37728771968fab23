import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { ExecutionState, NodeState } from "../../../proto/index.ts";
import { emptyBatch, openSqliteStore, openStore, SQLITE_MIGRATIONS } from "../../../runtime/store/index.ts";
import { tempDir } from "../harness.ts";

describe("SqliteStore", () => {
  it("applies every migration once, in WAL mode with synchronous FULL", async () => {
    const path = join(tempDir(), "nested", "weir.db");
    const store = openSqliteStore(path);
    expect(await store.schemaVersion()).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    await store.close();
    const again = openSqliteStore(path);
    expect(await again.schemaVersion()).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    await again.close();
    const db = new Database(path);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect((db.prepare("SELECT COUNT(*) AS n FROM schema_migrations").get() as { n: number }).n).toBe(SQLITE_MIGRATIONS.length);
    db.close();
  });

  it("round-trips workflows (latest version), executions, nodes, attempts, lease blocks, cache, workers and logs", async () => {
    const store = openStore(`sqlite:${join(tempDir(), "w.db")}`);
    expect(await store.putWorkflow({ name: "wf", version: "v1", spec: new Uint8Array([1]), registeredAt: 1 })).toBe(true);
    expect(await store.putWorkflow({ name: "wf", version: "v1", spec: new Uint8Array([9]), registeredAt: 2 })).toBe(false);
    await store.putWorkflow({ name: "wf", version: "v2", spec: new Uint8Array([2]), registeredAt: 3 });
    expect((await store.getWorkflow("wf"))!.version).toBe("v2");
    expect([...(await store.getWorkflow("wf", "v1"))!.spec]).toEqual([1]);
    expect(await store.listWorkflows()).toMatchObject([{ name: "wf", latestVersion: "v2", versions: 2 }]);

    const b = emptyBatch();
    const exec = {
      id: "e1",
      workflow: "wf",
      version: "v2",
      state: ExecutionState.RUNNING,
      inputs: new Uint8Array([3]),
      outputs: null,
      error: null,
      createdAt: 10,
      startedAt: 11,
      finishedAt: 0,
      scheduledFor: 0,
      backfillId: "",
      recoveredFrom: "",
      maxParallelism: 4,
    };
    b.executions.push(exec);
    b.nodes.push({
      executionId: "e1",
      nodeId: "a",
      state: NodeState.RUNNING,
      target: "inc",
      outputs: null,
      error: null,
      startedAt: 11,
      finishedAt: 0,
      userRetries: 1,
      systemRetries: 0,
      detail: "{}",
    });
    b.attempts.push({
      executionId: "e1",
      nodeId: "a",
      number: 1,
      state: NodeState.RUNNING,
      workerId: "w",
      leaseToken: 41n,
      queuedAt: 11,
      startedAt: 12,
      finishedAt: 0,
      error: null,
    });
    expect(await store.maxLeaseToken()).toBe(0n);
    b.leaseBlocks.push({ issuedThrough: 1040n });
    b.cache.push({ key: "k", task: "inc", outputs: new Uint8Array([7]), createdAt: 1 });
    b.workers.push({ id: "w", hostname: "h", register: new Uint8Array(), connectedAt: 1, lastHeartbeat: 2, connected: true });
    b.logs.push({ executionId: "e1", nodeId: "a", attempt: 1, stream: "stdout", text: "hello", at: 5 });
    await store.commit(b);

    expect(await store.getExecution("e1")).toMatchObject({ ...exec, inputs: new Uint8Array([3]) });
    expect((await store.listActiveExecutions()).map((e) => e.id)).toEqual(["e1"]);
    expect(await store.getNodes("e1")).toMatchObject([{ nodeId: "a", state: NodeState.RUNNING, userRetries: 1 }]);
    expect(await store.getAttempts("e1")).toMatchObject([{ number: 1, leaseToken: 41n, workerId: "w" }]);
    expect(await store.maxLeaseToken()).toBe(1040n);
    expect([...(await store.getCache("k"))!.outputs]).toEqual([7]);
    expect(await store.listWorkers()).toMatchObject([{ id: "w", connected: true }]);
    expect((await store.getLogs("e1", "a")).map((l) => l.text)).toEqual(["hello"]);

    const done = emptyBatch();
    done.executions.push({ ...exec, state: ExecutionState.SUCCEEDED, finishedAt: 20 });
    await store.commit(done);
    expect(await store.listActiveExecutions()).toEqual([]);
    expect((await store.listExecutions({ limit: 10, workflow: "wf" })).map((e) => [e.id, e.state])).toEqual([["e1", ExecutionState.SUCCEEDED]]);
    await store.close();
    await expect(store.getExecution("e1")).rejects.toThrow(/closed/);
  });

  it("opens a store of schema 1: its highest lease token carries over and its lease rows go (their attempts hold them)", async () => {
    const path = join(tempDir(), "v1.db");
    const db = new Database(path);
    db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
    db.exec(SQLITE_MIGRATIONS.find((m) => m.version === 1)!.sql);
    db.prepare("INSERT INTO schema_migrations VALUES (1, 'initial schema', 0)").run();
    db.prepare("INSERT INTO leases VALUES (77, 'e1', 'a', 1, 'w', 12, 13)").run();
    db.prepare("INSERT INTO attempts VALUES ('e1', 'a', 1, 4, 'w', 77, 11, 12, 13, NULL)").run();
    db.prepare("INSERT INTO attempts VALUES ('e1', 'b', 1, 3, 'w', 78, 11, 12, 0, NULL)").run();
    db.close();
    const store = openSqliteStore(path);
    expect(await store.schemaVersion()).toBe(SQLITE_MIGRATIONS.at(-1)!.version);
    expect(await store.maxLeaseToken()).toBe(78n);
    expect(await store.getAttempts("e1")).toMatchObject([
      { nodeId: "a", leaseToken: 77n, workerId: "w", startedAt: 12, finishedAt: 13 },
      { nodeId: "b", leaseToken: 78n },
    ]);
    await store.close();
    const after = new Database(path);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'leases'").all()).toEqual([]);
    after.close();
  });

  it("rejects store URLs it cannot open, saying which are accepted", () => {
    expect(() => openStore("mysql://x")).toThrow(/sqlite:<path>/);
    expect(() => openStore("postgres://db/weir")).toThrow(/not available yet/);
  });
});
