// One runtime per PostgreSQL database, until replicas share one under ownership leases: two would
// both fire schedules, adopt the same workers and overwrite each other's rows. The holder keeps a
// session-level advisory lock on a connection of its own for its whole life; PostgreSQL releases it
// when that session ends, however the process ended (a killed process's socket closes, its backend
// exits), so nothing is ever stale. This file is all of that rule: replica ownership replaces it.
import { hostname } from "node:os";
import pg from "pg";
import { RuntimeError } from "../error-codes.ts";
import { postgresError } from "./postgres-errors.ts";
import type { PostgresTarget } from "./postgres-url.ts";

/** The lock's two-int key: "weir" in ASCII, then 1 (the schema migrations' lock is 2). Per database. */
const LOCK_SQL = "SELECT pg_try_advisory_lock(2003134834, 1) AS ok";

/** The session holding the lock, for a refused runtime to name (pg_locks shows a two-int key as classid, objid, objsubid 2). */
const HOLDER_SQL = `
  SELECT a.application_name AS name, a.client_addr::text AS client, a.backend_start AS since
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.classid = 2003134834 AND l.objid = 1 AND l.objsubid = 2 AND l.granted
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

export interface PostgresRuntimeLockOptions {
  readonly connectTimeoutMs: number;
  /**
   * How long a held lock is retried before the refusal: a predecessor killed a moment ago may
   * still have a backend that has not yet seen its socket close.
   */
  readonly waitMs: number;
}

export class PostgresRuntimeLock {
  /** Set when the session holding the lock ended: another runtime may hold it now. */
  lost: RuntimeError | undefined;
  private released = false;

  private constructor(
    private readonly client: pg.Client,
    target: PostgresTarget,
  ) {
    const lose = (why: string): void => {
      if (this.released || this.lost) return;
      this.lost = new RuntimeError(
        "STORE_FAILED",
        `this runtime lost its hold on the PostgreSQL database ${target.database} at ${target.address} (the connection holding its lock ended: ${why}); another runtime may hold it now: restart this one`,
      );
    };
    client.on("error", (err) => lose(err.message));
    client.on("end", () => lose("closed"));
  }

  /** Takes the lock of the database `target` names, or throws FAILED_PRECONDITION naming who holds it. */
  static async acquire(target: PostgresTarget, options: PostgresRuntimeLockOptions): Promise<PostgresRuntimeLock> {
    const client = new pg.Client({
      connectionString: target.connectionString,
      // What pg_stat_activity shows, so a refused runtime can name this one (at most 63 bytes).
      application_name: `weir runtime pid ${process.pid} on ${hostname()}`.slice(0, 63),
      connectionTimeoutMillis: options.connectTimeoutMs,
      keepAlive: true,
    });
    // An error while idle (the session killed) is the lock lost; until the lock is held, a failed
    // query says it.
    client.on("error", () => {});
    try {
      await client.connect();
      const deadline = Date.now() + options.waitMs;
      for (;;) {
        if ((await client.query<{ ok: boolean }>(LOCK_SQL)).rows[0]!.ok) return new PostgresRuntimeLock(client, target);
        if (Date.now() >= deadline) throw await held(client, target);
        await new Promise((r) => setTimeout(r, 100));
      }
    } catch (err) {
      await client.end().catch(() => undefined);
      throw postgresError(err, target, "runtime lock");
    }
  }

  /** Lets the next runtime in (the session ending does the same). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.client.end().catch(() => undefined);
  }
}

async function held(client: pg.Client, target: PostgresTarget): Promise<RuntimeError> {
  let who = "another weir runtime";
  try {
    const h = (await client.query<{ name: string | null; client: string | null; since: Date | null }>(HOLDER_SQL)).rows[0];
    if (h?.name)
      who = `${h.name.startsWith("weir runtime") ? "another " : "another weir runtime, "}${h.name}${h.since ? `, since ${h.since.toISOString()}` : ""}`;
    if (h?.name && h.client) who += `, from ${h.client}`;
  } catch {
    // Who it is only words the refusal; the refusal stands.
  }
  return new RuntimeError(
    "FAILED_PRECONDITION",
    `${who} holds the PostgreSQL database ${target.database} at ${target.address}; one runtime per database (until replicas): stop that one first, or give this one another database in --store`,
  );
}
