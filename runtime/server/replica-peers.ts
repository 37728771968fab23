// A replica's part in the server: it joins the replica set of its PostgreSQL store, tells the
// engine what it owns, runs the schedule ticker only while it leads, and reaches the replica that
// drives an execution when an admin call needs that one (terminate, watch). Reads need no peer:
// every replica reads the same database.
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { toBinary } from "@bufbuild/protobuf";
import { WatchExecutionRequestSchema, type WatchExecutionRequest } from "../../proto/index.ts";
import type { ServerOptions } from "../config.ts";
import { callMetadata, channelCredentials, TLS_CA_ENV, type ChannelSecurity } from "../channel-security.ts";
import { connectAdmin, type AdminClient } from "../client.ts";
import type { Logger } from "../log.ts";
import type { Engine, ReplicaRole } from "../scheduler/index.ts";
import { PostgresStore, ReplicaMembership, type Store } from "../store/index.ts";
import type { RuntimeError } from "../error-codes.ts";

export interface ReplicaEvents {
  /** Lead (run the schedule ticker) or stop leading. */
  leading(leads: boolean): void;
  /** Stop driving anything: deposed, or the lease lapsed by this process's clock. */
  lost(why: RuntimeError): void;
}

export class ReplicaPeers {
  readonly role: ReplicaRole;
  private engine: Engine | undefined;
  private readonly clients = new Map<string, AdminClient>();
  private readonly raw = new Map<string, grpc.Client>();
  private readonly security: ChannelSecurity;

  private constructor(
    readonly membership: ReplicaMembership,
    opts: ServerOptions,
  ) {
    const ca = process.env[TLS_CA_ENV] ? readFileSync(process.env[TLS_CA_ENV]!) : opts.tls?.cert;
    // Replicas share one certificate (or a CA in $WEIR_TLS_CA) and one token.
    this.security = { tls: opts.tls ? { ca } : undefined, token: opts.token || undefined };
    this.role = {
      epoch: membership.epoch,
      drivesNew: (limited) => (limited ? membership.leads : this.freeSlotsOrConnected() > 0),
      release: (id, limited) => membership.release(id, limited),
      markLimited: (id) => membership.markLimited(id),
    };
  }

  /** A PostgreSQL store makes this runtime a replica; any other store leaves it alone (undefined). */
  static async join(store: Store, opts: ServerOptions, log: Logger, events: ReplicaEvents): Promise<ReplicaPeers | undefined> {
    if (!(store instanceof PostgresStore)) return undefined;
    let peers: ReplicaPeers | undefined;
    const membership = await ReplicaMembership.join(store, `${opts.host}:${opts.port}`, {
      freeSlots: () => peers?.freeSlots() ?? 0,
      waiting: () => peers?.engine?.waitingByPool() ?? {},
      lend: (address, pools) => peers?.engine?.redirectIdleWorker(address, pools) ?? false,
      adopt: async (ids) => {
        const engine = peers?.engine;
        if (!engine) return;
        const loaded = await engine.adopt(ids);
        if (loaded.length) log.info({ executions: loaded.length, first: loaded[0] }, "replica now drives executions adopted or claimed");
      },
      deposed: (epochs) => log.warn({ epochs: epochs.map(String) }, "deposed replicas whose lease lapsed; their executions are handed over"),
      leading: (leads) => events.leading(leads),
      lost: (why) => events.lost(why),
    });
    peers = new ReplicaPeers(membership, opts);
    membership.keepAlive();
    log.info({ epoch: String(membership.epoch) }, "joined the replicas of this PostgreSQL database");
    return peers;
  }

  /**
   * Starts the rounds once the engine runs: adoptions, claims, leadership. `everyRound` runs after
   * each round while this replica leads (the ticker re-reads workflows registered through others).
   */
  async start(engine: Engine, address: string, everyRound: () => Promise<void> | undefined): Promise<void> {
    this.engine = engine;
    await this.membership.announce(address);
    this.membership.afterRound = () => (this.membership.leads ? everyRound() : undefined);
    await this.membership.start();
  }

  /**
   * The client of the live replica driving `executionId`, when that is another one; undefined when
   * this one should answer: it drives it, the execution has ended, or nobody drives it (then this
   * replica takes it over first).
   */
  async ownerClient(executionId: string): Promise<AdminClient | undefined> {
    const address = await this.ownerAddress(executionId, 0);
    if (!address) {
      // Nobody drives it (waiting for a claim, or its replica gone): this one takes it and answers.
      if (!this.engine?.isActive(executionId) && (await this.membership.takeOver(executionId))) await this.engine?.adopt([executionId]);
      return undefined;
    }
    let client = this.clients.get(address);
    if (!client) {
      client = connectAdmin(address, { security: this.security });
      this.clients.set(address, client);
    }
    return client;
  }

  /**
   * WatchExecution answered by the replica driving the execution, its events' bytes passed on as
   * they come; undefined when this replica should answer.
   */
  async ownerWatch(req: WatchExecutionRequest, signal: AbortSignal): Promise<AsyncIterable<Uint8Array> | undefined> {
    const address = await this.ownerAddress(req.id);
    if (!address) return undefined;
    let client = this.raw.get(address);
    if (!client) {
      client = new grpc.Client(address, channelCredentials(this.security));
      this.raw.set(address, client);
    }
    const call = client.makeServerStreamRequest(
      "/weir.v1.AdminService/WatchExecution",
      (r: WatchExecutionRequest) => Buffer.from(toBinary(WatchExecutionRequestSchema, r)),
      (b: Buffer) => new Uint8Array(b),
      req,
      callMetadata(this.security),
    );
    signal.addEventListener("abort", () => call.cancel(), { once: true });
    return call as AsyncIterable<Uint8Array>;
  }

  /**
   * The address of the live replica driving `executionId` when that is another one. An execution
   * not ended whose driver is not settled (just released for a claim, or its replica gone and not
   * yet adopted) is waited for, up to `settleMs`, so a call is answered by whoever drives it next.
   */
  private async ownerAddress(executionId: string, settleMs = 10_000): Promise<string | undefined> {
    const deadline = Date.now() + settleMs;
    for (;;) {
      if (!executionId || this.engine?.isActive(executionId)) return undefined;
      const owner = await this.membership.ownerOf(executionId);
      if (!owner?.active) return undefined;
      // Mine but not loaded yet (an adoption under way): wait for it like the rest.
      if (owner.epoch !== undefined && owner.epoch !== this.membership.epoch && !owner.gone) return owner.address;
      if (Date.now() >= deadline) return undefined;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Leaves the set (after the engine's last commit): the others adopt what it drove at once. */
  async leave(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    for (const c of this.raw.values()) c.close();
    await this.membership.leave();
  }

  private freeSlots(): number {
    let free = 0;
    for (const w of this.engine?.dispatcher.workers.values() ?? []) if (w.connected) free += Math.max(0, w.capacity - w.running.size);
    return free;
  }

  /** A replica with a connected worker drives what it creates, even while that worker is busy. */
  private freeSlotsOrConnected(): number {
    for (const w of this.engine?.dispatcher.workers.values() ?? []) if (w.connected) return 1;
    return 0;
  }
}
