// The store zero-fills its WAL when it opens, so commits overwrite blocks instead of growing the
// file. The zeros must never cost a committed transaction: frames still in the WAL at open (a
// killed runtime) are checkpointed first, and a WAL another connection still reads is left alone.
import { statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { NodeState } from "../../../proto/index.ts";
import { emptyBatch, openSqliteStore } from "../../../runtime/store/index.ts";
import { preallocateWal, WAL_PREALLOCATED_BYTES } from "../../../runtime/store/wal-preallocation.ts";
import { tempDir } from "../harness.ts";

const row = (id: string) => ({
  executionId: "e1",
  nodeId: id,
  state: NodeState.SUCCEEDED,
  target: "t",
  outputs: null,
  error: null,
  startedAt: 1,
  finishedAt: 2,
  userRetries: 0,
  systemRetries: 0,
  detail: "{}",
});

function rawDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID");
  return db;
}

describe("WAL preallocation", () => {
  it("opens the store with its WAL at working size, and commits do not grow it", async () => {
    const path = join(tempDir(), "weir.db");
    const store = openSqliteStore(path);
    expect(statSync(`${path}-wal`).size).toBe(WAL_PREALLOCATED_BYTES);
    for (let i = 0; i < 50; i++) await store.commit({ ...emptyBatch(), nodes: [row(`n${i}`)] });
    expect(statSync(`${path}-wal`).size).toBe(WAL_PREALLOCATED_BYTES);
    await store.close();
    const reopened = openSqliteStore(path);
    expect((await reopened.getNodes("e1")).map((n) => n.nodeId).sort()).toHaveLength(50);
    await reopened.close();
  });

  it("keeps frames a killed process left in the WAL", () => {
    const path = join(tempDir(), "raw.db");
    const killed = rawDb(path);
    for (let i = 0; i < 20; i++) killed.prepare("INSERT INTO t VALUES (?, ?)").run(`k${i}`, "v");
    // `killed` never closes (no checkpoint at close): its commits live only in the WAL.
    const db = rawDb(path);
    expect(preallocateWal(db, path)).toBe(true);
    expect((db.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n).toBe(20);
    db.prepare("INSERT INTO t VALUES ('after', 'v')").run();
    db.close();
    killed.close();
    const again = new Database(path, { readonly: true });
    expect((again.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n).toBe(21);
    again.close();
  });

  it("leaves the WAL alone while another connection reads it", () => {
    const path = join(tempDir(), "busy.db");
    const db = rawDb(path);
    db.prepare("INSERT INTO t VALUES ('a', 'v')").run();
    const reader = rawDb(path);
    reader.prepare("BEGIN").run();
    reader.prepare("SELECT * FROM t").all();
    db.prepare("INSERT INTO t VALUES ('b', 'v')").run();
    const before = statSync(`${path}-wal`).size;
    expect(preallocateWal(db, path)).toBe(false);
    expect(statSync(`${path}-wal`).size).toBe(before);
    reader.prepare("COMMIT").run();
    expect((db.prepare("SELECT COUNT(*) AS n FROM t").get() as { n: number }).n).toBe(2);
    reader.close();
    db.close();
  });
});
