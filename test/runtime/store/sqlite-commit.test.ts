// The file store's two commit paths: a small batch on the calling thread's connection while the
// writer thread is idle, anything else on the writer thread. Both must be durable when commit()
// resolves, keep the order of commits, and fail as STORE_FAILED without writing part of a batch.
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NodeState } from "../../../proto/index.ts";
import { emptyBatch, openSqliteStore, type NodeRecord, type StoreBatch } from "../../../runtime/store/index.ts";
import { SqliteWriter } from "../../../runtime/store/sqlite-writer.ts";
import { tempDir } from "../harness.ts";

function node(nodeId: string, state: NodeState, outputs: Uint8Array | null = null): NodeRecord {
  return { executionId: "e1", nodeId, state, target: "inc", outputs, error: null, startedAt: 1, finishedAt: 0, userRetries: 0, systemRetries: 0, detail: "{}" };
}

function batchOf(nodes: NodeRecord[]): StoreBatch {
  return { ...emptyBatch(), nodes };
}

/** `count` nodes: more rows than the calling thread commits. */
function large(count = 40, state = NodeState.QUEUED): StoreBatch {
  return batchOf(Array.from({ length: count }, (_, i) => node(`bulk${i}`, state)));
}

/** What another connection reads from the file: only what was committed. */
function readNodes(path: string): Map<string, { state: number; outputs: Buffer | null }> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare("SELECT node_id, state, outputs FROM nodes").all() as Array<{ node_id: string; state: number; outputs: Buffer | null }>;
    return new Map(rows.map((r) => [r.node_id, { state: r.state, outputs: r.outputs }]));
  } finally {
    db.close();
  }
}

describe("SqliteStore commits", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("commits a small batch on the calling thread and a large one on the writer thread, each durable when it resolves", async () => {
    const path = join(tempDir(), "w.db");
    const store = openSqliteStore(path);
    const toThread = vi.spyOn(SqliteWriter.prototype, "commit");

    await store.commit(batchOf([node("a", NodeState.RUNNING), node("b", NodeState.QUEUED)]));
    expect(toThread).not.toHaveBeenCalled();
    expect(readNodes(path).get("a")?.state).toBe(NodeState.RUNNING);

    // A byte view into a larger buffer keeps only its own bytes.
    const view = new Uint8Array([9, 9, 7, 8, 9, 9]).subarray(2, 4);
    await store.commit(batchOf([...large().nodes, node("c", NodeState.SUCCEEDED, view)]));
    expect(toThread).toHaveBeenCalledTimes(1);
    const seen = readNodes(path);
    expect(seen.size).toBe(43);
    expect([...seen.get("c")!.outputs!]).toEqual([7, 8]);

    // The writer is idle again: the next small batch is back on this thread.
    await store.commit(batchOf([node("a", NodeState.SUCCEEDED)]));
    expect(toThread).toHaveBeenCalledTimes(1);
    await store.close();

    const reopened = openSqliteStore(path);
    const nodes = await reopened.getNodes("e1");
    expect(nodes).toHaveLength(43);
    expect(nodes.find((n) => n.nodeId === "a")?.state).toBe(NodeState.SUCCEEDED);
    await reopened.close();
  });

  it("commitNow commits a small batch before it returns, and declines (writing nothing) a large one or while the writer is busy", async () => {
    const path = join(tempDir(), "w.db");
    const store = openSqliteStore(path);
    expect(store.commitNow(batchOf([node("a", NodeState.RUNNING)]))).toBe(true);
    expect(readNodes(path).get("a")?.state).toBe(NodeState.RUNNING);
    expect(store.commitNow(large())).toBe(false);
    const pending = store.commit(large(40, NodeState.RUNNING));
    expect(store.commitNow(batchOf([node("b", NodeState.RUNNING)]))).toBe(false);
    await pending;
    expect(readNodes(path).has("b")).toBe(false);
    expect(readNodes(path).size).toBe(41);
    await store.close();
  });

  it("sends a small batch to the writer thread while a batch there is pending, and keeps the order", async () => {
    const path = join(tempDir(), "w.db");
    const store = openSqliteStore(path);
    const toThread = vi.spyOn(SqliteWriter.prototype, "commit");
    const order: string[] = [];

    const first = store.commit({ ...large(), nodes: [...large().nodes, node("a", NodeState.RUNNING)] }).then(() => order.push("large"));
    const second = store.commit(batchOf([node("a", NodeState.SUCCEEDED)])).then(() => order.push("small"));
    await Promise.all([first, second]);

    expect(toThread).toHaveBeenCalledTimes(2);
    expect(order).toEqual(["large", "small"]);
    expect(readNodes(path).get("a")?.state).toBe(NodeState.SUCCEEDED);
    await store.close();
  });

  it("rejects a failing commit with STORE_FAILED on either path, writes none of its rows, and keeps working", async () => {
    const path = join(tempDir(), "w.db");
    const store = openSqliteStore(path);
    const toThread = vi.spyOn(SqliteWriter.prototype, "commit");
    // state is NOT NULL: the statement fails after earlier rows of the batch were written.
    const broken = { ...node("bad", NodeState.QUEUED), state: null as unknown as NodeState };

    await expect(store.commit(batchOf([node("here", NodeState.QUEUED), broken]))).rejects.toMatchObject({
      code: "STORE_FAILED",
      message: expect.stringMatching(/SQLite commit failed: NOT NULL constraint failed: nodes\.state/),
    });
    expect(toThread).not.toHaveBeenCalled();

    await expect(store.commit(batchOf([...large().nodes, broken]))).rejects.toMatchObject({
      code: "STORE_FAILED",
      message: expect.stringMatching(/SQLite commit failed: NOT NULL constraint failed: nodes\.state/),
    });
    expect(toThread).toHaveBeenCalledTimes(1);
    expect(readNodes(path).size).toBe(0);

    await store.commit(batchOf([node("after", NodeState.QUEUED)]));
    await store.commit(large(40, NodeState.RUNNING));
    expect([...readNodes(path).keys()].sort()).toEqual(["after", ...large().nodes.map((n) => n.nodeId)].sort());
    await store.close();
  });

  it("commits every batch on the one connection of an in-memory store, failures as STORE_FAILED", async () => {
    const store = openSqliteStore(":memory:");
    await store.commit(large(40, NodeState.RUNNING));
    expect(await store.getNodes("e1")).toHaveLength(40);
    const broken = { ...node("bad", NodeState.QUEUED), state: null as unknown as NodeState };
    await expect(store.commit(batchOf([node("x", NodeState.QUEUED), broken]))).rejects.toMatchObject({ code: "STORE_FAILED" });
    expect(await store.getNodes("e1")).toHaveLength(40);
    await store.close();
  });
});
