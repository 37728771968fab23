// One runtime per SQLite store: two would both fire schedules, adopt the same workers and overwrite
// each other's rows. The holder keeps an exclusive SQLite lock on `<db>.lock` for its whole life:
// an OS file lock, so the kernel releases it when the process ends however it ends (no stale lock
// to detect, no pid to trust), and a second runtime is refused at once. Who holds it (pid, host,
// address) is written beside it, `<db>.lock.json`, for the refusal to name.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import { RuntimeError } from "../error-codes.ts";

/** Who holds a store, as `<db>.lock.json` says. */
export interface StoreHolder {
  readonly pid: number;
  readonly host: string;
  /** Where it listens; empty until it does. */
  readonly address: string;
  /** Milliseconds since the epoch. */
  readonly since: number;
}

/** Locks held by this process: a connection nobody references would be closed by the GC, and its lock with it. */
const HELD = new Set<RuntimeLock>();

export class RuntimeLock {
  private released = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly infoPath: string,
    private holder: StoreHolder,
  ) {
    HELD.add(this);
    this.write();
  }

  /**
   * Takes the lock of the SQLite store at `dbPath`, or throws FAILED_PRECONDITION naming the
   * runtime that holds it. Call before the store is opened (migrations write).
   */
  static acquire(dbPath: string): RuntimeLock {
    const lockPath = `${resolve(dbPath)}.lock`;
    mkdirSync(dirname(lockPath), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(lockPath, { timeout: 0 });
    } catch (err) {
      throw new RuntimeError("STORE_FAILED", `cannot open the store's lock file ${lockPath}: ${(err as Error).message}; check the path and its permissions`);
    }
    try {
      // In exclusive locking mode SQLite never releases a lock it took: the write below takes the
      // EXCLUSIVE lock and the connection keeps it until it closes (or the process ends).
      db.pragma("locking_mode = EXCLUSIVE");
      db.exec("BEGIN EXCLUSIVE");
      db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since INTEGER NOT NULL)");
      db.prepare("INSERT INTO holder (pid, since) VALUES (?, ?)").run(process.pid, Date.now());
      db.exec("DELETE FROM holder WHERE rowid < (SELECT MAX(rowid) FROM holder)");
      db.exec("COMMIT");
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code?.startsWith("SQLITE_BUSY")) throw held(dbPath, `${lockPath}.json`);
      throw new RuntimeError("STORE_FAILED", `cannot lock the store ${dbPath} (${lockPath}): ${(err as Error).message}`);
    }
    return new RuntimeLock(db, `${lockPath}.json`, { pid: process.pid, host: hostname(), address: "", since: Date.now() });
  }

  /** Records where the holder listens, for a refused runtime to name. */
  announce(address: string): void {
    this.holder = { ...this.holder, address };
    this.write();
  }

  /** Lets the next runtime in (the process ending does the same). */
  release(): void {
    if (this.released) return;
    this.released = true;
    HELD.delete(this);
    rmSync(this.infoPath, { force: true });
    this.db.close();
  }

  private write(): void {
    const tmp = `${this.infoPath}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(this.holder)}\n`);
      renameSync(tmp, this.infoPath);
    } catch {
      // Only the refusal's wording depends on it; the lock itself holds.
    }
  }
}

function held(dbPath: string, infoPath: string): RuntimeError {
  let who = "another weir runtime";
  try {
    const h = JSON.parse(readFileSync(infoPath, "utf8")) as StoreHolder;
    const where = h.address ? `, listening on ${h.address}` : "";
    who = `another weir runtime (pid ${h.pid} on ${h.host}${where}, since ${new Date(h.since).toISOString()})`;
  } catch {
    // Its details are not written yet (it is starting) or unreadable: the refusal still stands.
  }
  return new RuntimeError(
    "FAILED_PRECONDITION",
    `${who} holds the store ${dbPath}; one runtime per SQLite store: stop that one first, or give this one another --store`,
  );
}
