// The main-thread half of the SQLite writer thread: posts batches, resolves each one after the
// transaction that holds it has committed (fsync included), and fails them all if the thread dies.
import { Worker } from "node:worker_threads";
import { RuntimeError } from "../error-codes.ts";

const THREAD_ENTRY = new URL("./sqlite-writer-thread.mjs", import.meta.url);

/** Table name → how many values one row binds, its one-row statement and its `chunkRows`-row statement. */
export type WriterStatements = Readonly<Record<string, { readonly width: number; readonly row: string; readonly chunk: string; readonly chunkRows: number }>>;

/** Table name → its rows' values, flat: row after row, each `width` values in parameter order. */
export type WriterTables = Readonly<Record<string, readonly unknown[]>>;

interface Pending {
  ok(): void;
  fail(err: Error): void;
}

export class SqliteWriter {
  private readonly thread: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(path: string, pragmas: readonly string[], statements: WriterStatements) {
    // execArgv [] keeps a test runner's or profiler's flags out of the thread.
    this.thread = new Worker(THREAD_ENTRY, { workerData: { path, pragmas, statements }, execArgv: [] });
    this.thread.on("message", (msg: { ids: number[]; error?: string }) => {
      const err = msg.error === undefined ? undefined : new RuntimeError("STORE_FAILED", `SQLite commit failed: ${msg.error}`);
      for (const id of msg.ids) {
        const p = this.pending.get(id);
        this.pending.delete(id);
        if (err) p?.fail(err);
        else p?.ok();
      }
    });
    this.thread.on("error", (err) => this.failAll(new RuntimeError("STORE_FAILED", `the SQLite writer thread failed: ${err.message}`)));
    this.exited = new Promise((resolve) =>
      this.thread.once("exit", () => {
        this.failAll(new RuntimeError("STORE_FAILED", "the SQLite writer thread exited"));
        resolve();
      }),
    );
  }

  /** True while every batch posted has been answered (committed or failed) and the thread lives. */
  get idle(): boolean {
    return !this.dead && this.pending.size === 0;
  }

  /** Resolves once the rows are committed durably. */
  commit(tables: WriterTables): Promise<void> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((ok, fail) => {
      this.pending.set(id, { ok, fail });
      this.thread.postMessage({ type: "batch", id, tables });
    });
  }

  /** Commits what was posted, then closes the connection and ends the thread. */
  async close(): Promise<void> {
    if (!this.dead) this.thread.postMessage({ type: "close" });
    await this.exited;
  }

  private failAll(err: Error): void {
    this.dead ??= err;
    for (const p of this.pending.values()) p.fail(err);
    this.pending.clear();
  }
}
