// Replicas: any number of runtimes on one PostgreSQL database, each driving the executions it owns.
// Membership is a `replicas` row per process with an epoch (the fencing token) and a lease on the
// database's clock, renewed every `renewMs`. Every commit of a replica is fenced by its epoch
// (postgres-commit.ts, weir_fence), so once a replica is deposed nothing it writes is applied. A
// replica that cannot renew stops writing by its own clock before its lease can lapse on the
// database's. Each round every live replica deposes those whose lease lapsed, hands their
// unfinished executions to the replica their running attempts' workers are connected to now (or
// to nobody: any replica with workers claims those, FOR UPDATE SKIP LOCKED), and loads what it has
// come to own. The live replica with the lowest epoch leads (runs the schedule ticker). NOTIFY wakes
// the others at once; the round also runs every `renewMs`, so a lost notification costs a second.
import { hostname } from "node:os";
import pg from "pg";
import { RuntimeError } from "../error-codes.ts";
import { postgresError } from "./postgres-errors.ts";
import type { PostgresStore } from "./postgres-store.ts";

export interface ReplicaOptions {
  /** How long a lease lasts past its renewal, on the database's clock. */
  readonly leaseMs: number;
  /** How often the lease is renewed and the round runs. */
  readonly renewMs: number;
  /**
   * A replica stops writing once this long has passed since the start of its last successful
   * renewal, by its own clock: before anyone may depose it (`leaseMs` after the renewal reached the
   * database), by this much less whatever the two clocks' rates differ in that time.
   */
  readonly selfFenceMs: number;
  /** Most executions claimed per round. */
  readonly claimBatch: number;
}

export const REPLICA_DEFAULTS: ReplicaOptions = Object.freeze({ leaseMs: 3_000, renewMs: 1_000, selfFenceMs: 2_000, claimBatch: 8 });

/** What the membership asks of the runtime it runs in. */
export interface ReplicaHost {
  /** Free worker slots connected here: claims take unowned executions only while there are some. */
  freeSlots(): number;
  /** This replica owns these executions now: load those not already driven here. */
  adopt(ids: readonly string[]): Promise<unknown>;
  /** Attempts waiting here for a worker slot, by pool (published for the other replicas). */
  waiting(): Record<string, number>;
  /**
   * Another replica has work waiting in these pools: send it one idle worker that serves one of
   * them and has nothing to do here. True when one was sent.
   */
  lend(address: string, pools: readonly string[]): boolean;
  /** This replica deposed these (their leases lapsed) and handed their executions over. */
  deposed(epochs: readonly bigint[]): void;
  /** This replica leads (runs schedules) or no longer does. */
  leading(leads: boolean): void;
  /** This replica must stop driving: it was deposed, or its lease lapsed by its own clock. */
  lost(why: RuntimeError): void;
}

const CHANNEL = "weir_owners";

const SQL = Object.freeze({
  join: `INSERT INTO replicas (address, process, lease_until) VALUES ($1, $2, now() + $3 * interval '1 millisecond') RETURNING epoch`,
  renew: `UPDATE replicas SET lease_until = now() + $2 * interval '1 millisecond', waiting = $3::jsonb WHERE epoch = $1 AND NOT deposed`,
  wanting: `SELECT address, waiting FROM replicas
      WHERE NOT deposed AND lease_until > now() AND epoch <> $1 AND waiting <> '{}'::jsonb`,
  // Waits for a commit in flight of the replica it deposes (that commit holds its row FOR SHARE).
  depose: "UPDATE replicas SET deposed = true WHERE lease_until < now() AND NOT deposed RETURNING epoch",
  // A separate statement, after the deposition committed: it sees the deposed replica's last commit.
  // Each execution goes to the live replica its running attempts' workers are connected to (they
  // failed over there, and re-attach their attempts there), or to nobody, for a claim; a limited
  // run to nobody, for the (new) leader.
  handOver: `UPDATE executions e SET owner = CASE WHEN e.limited THEN NULL ELSE (
        SELECT w.replica FROM attempts a
        JOIN workers w ON w.id = a.worker_id AND w.connected
        JOIN replicas r ON r.epoch = w.replica AND NOT r.deposed AND r.lease_until > now()
        WHERE a.execution_id = e.id AND a.state = 4 LIMIT 1) END
      WHERE e.state IN (1, 2) AND e.owner IN (SELECT epoch FROM replicas WHERE deposed)
      RETURNING e.id, e.owner`,
  claim: `UPDATE executions SET owner = $1 WHERE id IN (
        SELECT id FROM executions WHERE owner IS NULL AND state IN (1, 2) AND NOT limited ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING id`,
  // The leader takes every limited run nobody drives, workers or not (its limits are counted here).
  claimLimited: `UPDATE executions SET owner = $1 WHERE id IN (
        SELECT id FROM executions WHERE state IN (1, 2) AND limited
          AND (owner IS NULL OR owner IN (SELECT epoch FROM replicas WHERE deposed)) ORDER BY seq FOR UPDATE SKIP LOCKED)
      RETURNING id`,
  owned: "SELECT id FROM executions WHERE owner = $1 AND state IN (1, 2) ORDER BY seq",
  release: "UPDATE executions SET owner = NULL, limited = $3 WHERE id = $1 AND owner = $2",
  markLimited: "UPDATE executions SET limited = true WHERE id = $1",
  takeOver: `UPDATE executions SET owner = $2 WHERE id = $1 AND state IN (1, 2)
      AND (owner IS NULL OR owner IN (SELECT epoch FROM replicas WHERE deposed)) RETURNING id`,
  leader: "SELECT min(epoch) AS epoch FROM replicas WHERE NOT deposed",
  ownerOf: `SELECT e.owner, e.state IN (1, 2) AS active, r.address, r.deposed OR r.lease_until < now() AS gone
      FROM executions e LEFT JOIN replicas r ON r.epoch = e.owner WHERE e.id = $1`,
  notify: `SELECT pg_notify('${CHANNEL}', $1)`,
});

export class ReplicaMembership {
  private timer: NodeJS.Timeout | undefined;
  private fenceTimer: NodeJS.Timeout | undefined;
  private listener: pg.Client | undefined;
  private listening = false;
  private renewing = false;
  private renewTimer: NodeJS.Timeout | undefined;
  /** One connection of its own for renewals: never queued behind the store's commits and reads. */
  private readonly renewals: pg.Pool;
  /** Local time (performance.now) at which the last successful renewal was sent. */
  private renewedAt: number;
  private round: Promise<void> | undefined;
  private again = false;
  /** This replica leads: the live one with the lowest epoch. */
  leads = false;
  /** Run after each round (the leader's ticker picks up workflows registered through others). */
  afterRound: (() => Promise<unknown> | undefined) | undefined;
  private stopped = false;
  private gone: RuntimeError | undefined;
  /** Executions this replica released, kept from adoption a while: an owner query read before the release may still list them. */
  private readonly released = new Map<string, number>();

  private constructor(
    private readonly store: PostgresStore,
    readonly epoch: bigint,
    private readonly host: ReplicaHost,
    private readonly options: ReplicaOptions,
    joinedAt: number,
  ) {
    this.renewedAt = joinedAt;
    this.renewals = new pg.Pool({
      connectionString: store.target.connectionString,
      max: 1,
      application_name: `weir replica ${epoch} lease`,
      connectionTimeoutMillis: options.leaseMs,
      query_timeout: options.leaseMs,
      keepAlive: true,
    });
    // A broken idle connection leaves the pool; the next renewal opens another.
    this.renewals.on("error", () => {});
  }

  /** Adds this process as a replica (its commits fenced from now on); `start` begins its rounds. */
  static async join(store: PostgresStore, address: string, host: ReplicaHost, options: Partial<ReplicaOptions> = {}): Promise<ReplicaMembership> {
    const opts = { ...REPLICA_DEFAULTS, ...options };
    const sent = performance.now();
    try {
      const { rows } = await store.pool.query<{ epoch: string }>(SQL.join, [address, `pid ${process.pid} on ${hostname()}`, opts.leaseMs]);
      const epoch = BigInt(rows[0]!.epoch);
      store.fenceWith(epoch);
      return new ReplicaMembership(store, epoch, host, opts, sent);
    } catch (err) {
      throw postgresError(err, store.target, "replica join");
    }
  }

  /** Runs the first round (adoptions included), then one every `renewMs`, woken early by NOTIFY. */
  async start(): Promise<void> {
    this.keepAlive();
    await this.listen();
    await this.wake();
    this.timer = setInterval(() => void this.wake(), this.options.renewMs);
    this.timer.unref();
  }

  /**
   * Renews the lease from now on (and stops this replica by its own clock when it cannot): from the
   * join, so a slow start cannot let the lease lapse before the rounds begin. Once.
   */
  keepAlive(): void {
    if (this.renewTimer || this.stopped) return;
    this.fenceTimer = setInterval(() => this.checkOwnClock(), Math.max(50, Math.floor(this.options.renewMs / 5)));
    this.fenceTimer.unref();
    this.renewTimer = setInterval(() => void this.renew(), this.options.renewMs);
    this.renewTimer.unref();
  }

  /** Runs a round now (or right after the one running). Never rejects: a failed round waits for the next. */
  wake(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.round) {
      this.again = true;
      return this.round;
    }
    this.round = (async () => {
      try {
        do {
          this.again = false;
          await this.runRound();
        } while (this.again && !this.stopped);
      } finally {
        this.round = undefined;
      }
    })();
    return this.round;
  }

  /** Leaves the replica set: stops renewing; the row is deposed at once so others adopt without waiting for the lease. */
  async leave(): Promise<void> {
    this.stop();
    await this.listener?.end().catch(() => undefined);
    // Own executions handed over now (the caller has committed its last writes).
    await this.store.pool
      .query("UPDATE replicas SET deposed = true, lease_until = now() WHERE epoch = $1", [this.epoch])
      .then(() => this.store.pool.query(SQL.notify, ["left"]))
      .catch(() => undefined);
  }

  /** Gives up an execution this replica does not drive: a replica with workers claims it, or the leader a limited one. */
  async release(executionId: string, limited: boolean): Promise<void> {
    this.released.set(executionId, performance.now());
    await this.store.pool.query(SQL.release, [executionId, this.epoch, limited]);
    await this.store.pool.query(SQL.notify, ["released"]);
  }

  /** Records that an execution is limited (driven by the leader alone). */
  async markLimited(executionId: string): Promise<void> {
    await this.store.pool.query(SQL.markLimited, [executionId]);
  }

  /** Takes an unfinished execution nobody drives (unowned, or its replica deposed); true when it is this replica's now. */
  async takeOver(executionId: string): Promise<boolean> {
    const { rowCount } = await this.store.pool.query(SQL.takeOver, [executionId, this.epoch]);
    if (rowCount) this.released.delete(executionId);
    return (rowCount ?? 0) > 0;
  }

  /** Where this replica listens, for the others to forward to (known once its port is bound). */
  async announce(address: string): Promise<void> {
    await this.store.pool.query("UPDATE replicas SET address = $2 WHERE epoch = $1", [this.epoch, address]);
  }

  /**
   * Who drives an execution: its owner's epoch and address, whether that replica is gone (deposed
   * or its lease lapsed), and whether the execution has not ended. Undefined when it does not exist.
   */
  async ownerOf(executionId: string): Promise<{ epoch: bigint | undefined; address: string; gone: boolean; active: boolean } | undefined> {
    const { rows } = await this.store.pool.query(SQL.ownerOf, [executionId]);
    const r = rows[0];
    if (!r) return undefined;
    return { epoch: r.owner == null ? undefined : BigInt(r.owner), address: (r.address as string) ?? "", gone: r.gone === true, active: r.active as boolean };
  }

  private stop(): void {
    void this.renewals.end().catch(() => undefined);
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.renewTimer);
    clearInterval(this.fenceTimer);
  }

  private lose(why: RuntimeError): void {
    if (this.gone) return;
    this.gone = why;
    this.stop();
    this.store.stopWriting(why);
    void this.listener?.end().catch(() => undefined);
    this.host.lost(why);
  }

  /** Past `selfFenceMs` since the last renewal began, by this process's clock: stop before anyone may depose it. */
  private checkOwnClock(): void {
    const since = performance.now() - this.renewedAt;
    if (since <= this.options.selfFenceMs) return;
    this.lose(
      new RuntimeError(
        "STORE_FAILED",
        `this replica could not renew its lease on ${this.store.url} for ${Math.round(since)} ms, so it stopped driving its executions before another replica may adopt them; restart it once PostgreSQL is reachable`,
      ),
    );
  }

  /**
   * Renews the lease, on a timer of its own: a round busy loading adopted executions must not delay
   * it (a replica late to renew stops itself).
   */
  private async renew(): Promise<void> {
    if (this.renewing || this.gone) return;
    this.renewing = true;
    try {
      const sent = performance.now();
      const renewed = await this.renewals.query(SQL.renew, [this.epoch, this.options.leaseMs, JSON.stringify(this.host.waiting())]);
      if (this.gone) return;
      if (renewed.rowCount === 0) {
        this.lose(
          new RuntimeError(
            "STORE_FAILED",
            `this replica (epoch ${this.epoch}) was deposed: its lease lapsed and another replica drives its executions now; restart it to rejoin`,
          ),
        );
        return;
      }
      this.renewedAt = sent;
    } catch {
      // Retried at the next tick; a replica that cannot renew stops by its own clock.
    } finally {
      this.renewing = false;
    }
  }

  private async runRound(): Promise<void> {
    const pool = this.store.pool;
    if (!this.listener) void this.listen();
    try {
      const deposed = await pool.query<{ epoch: string }>(SQL.depose);
      const handed = await pool.query<{ id: string; owner: string | null }>(SQL.handOver);
      if (deposed.rowCount || handed.rowCount) await pool.query(SQL.notify, ["handed"]);
      if (deposed.rowCount) this.host.deposed(deposed.rows.map((r) => BigInt(r.epoch)));
      // Leadership passes only with a deposition (a lapsed leader leads until deposed), and a new
      // leader loads every limited run before its ticker may admit another.
      const leader = await pool.query<{ epoch: string | null }>(SQL.leader);
      const leads = leader.rows[0]?.epoch != null && BigInt(leader.rows[0].epoch) === this.epoch;
      if (leads) {
        const claimed = await pool.query<{ id: string }>(SQL.claimLimited, [this.epoch]);
        for (const r of claimed.rows) this.released.delete(r.id);
      }
      const free = this.host.freeSlots();
      if (free > 0) {
        const claimed = await pool.query<{ id: string }>(SQL.claim, [this.epoch, Math.min(free, this.options.claimBatch)]);
        // Claimed back after releasing it (a worker connected since): it is to be driven here now.
        for (const r of claimed.rows) this.released.delete(r.id);
        // Another claimer may still find more: a full batch says there may be.
        if (claimed.rowCount === this.options.claimBatch) this.again = true;
      }
      const owned = await pool.query<{ id: string }>(SQL.owned, [this.epoch]);
      if (this.gone) return;
      const now = performance.now();
      for (const [id, at] of this.released) if (now - at > 10 * this.options.renewMs) this.released.delete(id);
      await this.host.adopt(owned.rows.map((r) => r.id).filter((id) => !this.released.has(id)));
      if (leads !== this.leads && !this.gone) {
        this.leads = leads;
        this.host.leading(leads);
      } else await this.afterRound?.();
      // An idle worker here goes where work waits (the replica with the most waiting first).
      const wanting = await pool.query<{ address: string; waiting: Record<string, number> }>(SQL.wanting, [this.epoch]);
      const total = (w: Record<string, number>) => Object.values(w).reduce((a, b) => a + b, 0);
      for (const r of wanting.rows.sort((a, b) => total(b.waiting) - total(a.waiting))) {
        const pools = Object.keys(r.waiting).filter((p) => (r.waiting[p] ?? 0) > 0);
        if (pools.length && this.host.lend(r.address, pools)) break;
      }
    } catch {
      // A failed round is retried at the next.
    }
  }

  /** LISTEN on a connection of its own; a broken one is reopened by the next round. */
  private async listen(): Promise<void> {
    if (this.listening || this.stopped) return;
    this.listening = true;
    const client = new pg.Client({
      connectionString: this.store.target.connectionString,
      application_name: `weir replica ${this.epoch}`,
      connectionTimeoutMillis: this.store.options.connectTimeoutMs,
      keepAlive: true,
    });
    client.on("error", () => {
      if (this.listener === client) this.listener = undefined;
    });
    client.on("notification", () => void this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
    } catch {
      await client.end().catch(() => undefined);
    } finally {
      this.listening = false;
    }
  }
}
