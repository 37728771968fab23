import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openSqliteStore, openStore, SQLITE_MIGRATIONS } from "../../../runtime/store/index.ts";
import { tempDir } from "../harness.ts";

// What only the SQLite store does; the Store contract both engines keep is store-contract.test.ts.
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
      // Rows from before migration 3 recorded no GPU indices: they read as none.
      { nodeId: "a", leaseToken: 77n, workerId: "w", startedAt: 12, finishedAt: 13, gpus: "" },
      { nodeId: "b", leaseToken: 78n, gpus: "" },
    ]);
    await store.close();
    const after = new Database(path);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'leases'").all()).toEqual([]);
    after.close();
  });

  it("rejects store URLs it cannot open, saying which are accepted", async () => {
    await expect(openStore("mysql://x")).rejects.toMatchObject({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/sqlite:<path>.*postgres:\/\//) });
  });
});
