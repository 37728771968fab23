// Workers as the engine sees them: registration (a worker that re-registers with its id keeps its
// attempts until its first heartbeat says which survived), results and log lines accepted only on
// a live lease (fencing), and liveness: a worker silent past the heartbeat timeout is taken out of
// dispatch and its attempts fail as LOST (retried from the system budget).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  ErrorKind,
  ExecutionErrorSchema,
  NodeState,
  RegisterSchema,
  ServerMessageSchema,
  type Heartbeat,
  type Log,
  type Register,
  type Result,
  type Started,
} from "../../../proto/index.ts";
import { errorCodeInfo } from "../../error-codes.ts";
import { withHash } from "../model/bindings.ts";
import { WorkerSlot, type WorkerLink } from "./dispatcher.ts";
import type { LiveAttempt } from "../model/execution-graph.ts";
import { newId } from "../ids.ts";
import type { SchedulerContext } from "../scheduler-context.ts";

export class Workers {
  private livenessTimer: NodeJS.Timeout | undefined;

  /** The process (its Register's instance) each worker last registered from, as the store recorded it. */
  private recorded = new Map<string, string>();

  constructor(private readonly ctx: Pick<SchedulerContext, "attempts" | "commits" | "config" | "dispatcher" | "log" | "nodes" | "store">) {}

  /** Reads which process each worker last registered from (at start, before reloading attempts). */
  async loadRecorded(): Promise<void> {
    for (const r of await this.ctx.store.listWorkers()) {
      try {
        this.recorded.set(r.id, processOf(fromBinary(RegisterSchema, r.register)));
      } catch {
        // An unreadable row only costs the redelivery below: its attempts are lost as before.
      }
    }
  }

  /** A worker registered (or re-registered with its id). Resolves with its slot after commit. */
  async connect(reg: Register, link: WorkerLink): Promise<WorkerSlot> {
    const now = Date.now();
    const id = reg.workerId || newId("worker");
    let w = this.ctx.dispatcher.workers.get(id);
    if (w) {
      if (w.link && w.link !== link) w.link.close();
      w.sameProcess = w.process !== "" && w.process === processOf(reg);
      w.register = reg;
      // Its devices as it declares them now, less those its running attempts hold.
      const held = new Set([...w.running.values()].flatMap((a) => a.gpus));
      w.freeGpus.splice(0, w.freeGpus.length, ...reg.gpus.map((g) => g.index).filter((i) => !held.has(i)));
      w.link = link;
      w.lastHeartbeat = now;
      w.connectedAt = now;
      w.graceUntil = 0;
      w.unreported = w.running.size > 0 ? new Set(w.running.keys()) : undefined;
      // It times its attempts itself and re-sends Started for those under way: the backstops
      // re-arm from those, and none fires for an attempt still queued inside it.
      if (reg.reportsStarted) for (const att of w.running.values()) this.ctx.attempts.unarm(att);
    } else {
      w = new WorkerSlot(id, reg, now);
      w.link = link;
      this.ctx.dispatcher.workers.set(id, w);
    }
    w.process = processOf(reg);
    this.ctx.log.info({ worker: id, pools: w.pools, capacity: w.capacity, gpus: w.freeGpus.length }, "worker connected");
    this.persist(w);
    await this.ctx.commits.committed();
    return w;
  }

  /**
   * A running attempt reloaded after a restart stays with its worker: the worker's slot holds it
   * (a slot with no link until the worker reconnects, or is declared lost).
   */
  reattach(att: LiveAttempt, now: number): void {
    let w = this.ctx.dispatcher.workers.get(att.workerId);
    if (w?.link) {
      // Adopted from a dead replica, by the one its worker failed over to: the next heartbeat says
      // whether the worker still runs it; if not, the same lease is sent again, and a worker that
      // finished it answers with its kept Result instead of running it twice.
      w.unreported = new Set([...(w.unreported ?? []), att.token]);
      w.sameProcess = true;
      w.foreign.delete(att.token);
    } else if (!w) {
      w = new WorkerSlot(att.workerId, create(RegisterSchema), now);
      w.process = this.recorded.get(att.workerId) ?? "";
      // Longer than a worker's reconnect interval: it is back, with its results, before this ends.
      w.graceUntil = now + this.ctx.config.restartGraceMs;
      this.ctx.dispatcher.workers.set(w.id, w);
    }
    w.running.set(att.token, att);
  }

  onHeartbeat(w: WorkerSlot, hb: Heartbeat): void {
    w.lastHeartbeat = Date.now();
    const held = w.unreported;
    if (held) {
      w.unreported = undefined;
      const alive = new Set(hb.running);
      for (const token of held) {
        const att = w.running.get(token);
        if (!att || alive.has(token)) continue;
        // The same process never had it (its Assign died after the commit that granted it: the
        // runtime was killed or stopped, or the stream broke): it gets it now, same lease. A new
        // process under the same id lost what it ran.
        if (w.sameProcess) this.ctx.attempts.redeliver(att, w);
        else this.lose(att, `worker ${w.id} reconnected without attempt ${att.number} of ${att.node.id}`);
      }
      this.ctx.dispatcher.fill(w);
    }
    // Attempts it runs whose lease is no longer live here (a frozen worker back after being
    // declared lost, its attempts retried elsewhere): it stops them at once, side effects and all.
    const graceMs = this.ctx.config.foreignLeaseGraceMs;
    for (const token of hb.running) {
      if (w.running.has(token)) continue;
      if (graceMs > 0 && !this.ctx.attempts.issuedHere(token)) {
        // A replica: another replica's attempt, which may be about to be adopted here.
        const since = w.foreign.get(token) ?? w.foreign.set(token, w.lastHeartbeat).get(token)!;
        if (w.lastHeartbeat - since < graceMs) continue;
        w.foreign.delete(token);
      }
      this.ctx.attempts.sendCancel(w, token, "its lease is no longer live: the runtime declared the attempt lost or ended it, and it may be running elsewhere");
    }
    if (w.foreign.size > hb.running.length) for (const token of w.foreign.keys()) if (!hb.running.includes(token)) w.foreign.delete(token);
  }

  /** The worker started an attempt's code: its timeout's backstop runs from now (fenced like a Result). */
  onStarted(w: WorkerSlot, s: Started): void {
    const att = this.ctx.attempts.holder(s.leaseToken);
    if (att && att.state === NodeState.RUNNING && att.workerId === w.id) this.ctx.attempts.started(att);
  }

  onResult(w: WorkerSlot, r: Result): void {
    const att = this.ctx.attempts.holder(r.leaseToken);
    if (!att || att.state !== NodeState.RUNNING || att.workerId !== w.id) {
      // A settled lease is mostly a result the worker sent again after a reconnect (it re-sends what
      // it wrote just before a break, in case the runtime never committed it): nothing to say then.
      const level = att ? "warn" : "debug";
      this.ctx.log[level]({ worker: w.id, lease: String(r.leaseToken) }, "rejected a result: its lease is not live (stale or unknown token)");
      return;
    }
    const n = att.node;
    if (r.outcome.case === "outputs") {
      for (const lit of Object.values(r.outcome.value.literals)) withHash(lit);
      this.ctx.attempts.finishAttempt(att, NodeState.SUCCEEDED);
      n.outputs = r.outcome.value;
      this.ctx.nodes.settle(n, NodeState.SUCCEEDED);
    } else {
      const e =
        r.outcome.case === "error"
          ? r.outcome.value
          : create(ExecutionErrorSchema, { code: "TASK_FAILED", message: "the worker sent a result with neither outputs nor error" });
      e.nodeId = n.id;
      if (e.kind === ErrorKind.UNSPECIFIED) e.kind = errorCodeInfo(e.code).kind;
      this.ctx.attempts.attemptFailed(att, e);
    }
  }

  onLog(w: WorkerSlot, l: Log): void {
    const att = this.ctx.attempts.holder(l.leaseToken);
    if (!att || att.workerId !== w.id) {
      this.ctx.log.warn({ worker: w.id, lease: String(l.leaseToken) }, "rejected a log line: its lease is not live");
      return;
    }
    this.ctx.commits.addRow("logs", {
      executionId: att.node.exec.id,
      nodeId: att.node.id,
      attempt: att.number,
      stream: l.stream || "stdout",
      text: l.text,
      at: l.at ? Number(l.at.seconds) * 1000 + Math.floor(l.at.nanos / 1e6) : Date.now(),
    });
  }

  /**
   * Sends one idle worker serving one of `pools` to the replica at `address`, where work waits: a
   * connected worker that runs nothing, has nothing queued here in any of its pools and has been
   * here a while. Its stream is ended here; it registers there. True when one went.
   */
  redirectIdle(address: string, pools: readonly string[], settledMs: number): boolean {
    const { dispatcher } = this.ctx;
    const now = Date.now();
    for (const w of dispatcher.workers.values()) {
      const link = w.link;
      if (!link || w.running.size || w.unreported || now - w.connectedAt < settledMs) continue;
      if (!w.pools.some((p) => pools.includes(p)) || w.pools.some((p) => dispatcher.queued(p) > 0)) continue;
      link.send(create(ServerMessageSchema, { msg: { case: "redirect", value: { address, reason: "work is waiting on another replica" } } }));
      this.ctx.log.info({ worker: w.id, to: address }, "idle worker sent to the replica where work waits");
      // Forgotten here without a record: its row is the replica it registers with next.
      w.link = undefined;
      dispatcher.workers.delete(w.id);
      link.close();
      return true;
    }
    return false;
  }

  /** The stream broke: the worker keeps its attempts until the heartbeat timeout says otherwise. */
  onDisconnect(w: WorkerSlot, link: WorkerLink): void {
    if (w.link !== link) return;
    w.link = undefined;
    this.ctx.log.warn({ worker: w.id, running: w.running.size }, "worker stream closed");
    this.persist(w);
  }

  /** Starts lost-worker detection. */
  startLiveness(): void {
    this.livenessTimer = setInterval(() => this.checkLiveness(), this.ctx.config.livenessCheckMs);
    this.livenessTimer.unref();
  }

  stop(): void {
    clearInterval(this.livenessTimer);
  }

  private checkLiveness(): void {
    const { dispatcher } = this.ctx;
    const now = Date.now();
    for (const w of dispatcher.workers.values()) {
      if (now - w.lastHeartbeat <= this.ctx.config.heartbeatTimeoutMs || now < w.graceUntil) continue;
      if (!w.running.size && !w.link) {
        dispatcher.workers.delete(w.id);
        continue;
      }
      if (!w.running.size) continue;
      this.ctx.log.warn({ worker: w.id, silentMs: now - w.lastHeartbeat }, "worker lost: heartbeat timeout");
      // Take the silent worker out of dispatch before retrying its attempts, so a retry never
      // lands back on the frozen process (a zombie that may wake up later).
      if (w.link) {
        w.link.close();
        w.link = undefined;
      }
      dispatcher.workers.delete(w.id);
      for (const att of [...w.running.values()]) this.lose(att, `worker ${w.id} missed heartbeats for ${now - w.lastHeartbeat} ms`);
      this.persist(w);
    }
  }

  private lose(att: LiveAttempt, why: string): void {
    if (att.state !== NodeState.RUNNING) return;
    this.ctx.attempts.attemptFailed(att, create(ExecutionErrorSchema, { code: "LOST", message: why, kind: ErrorKind.SYSTEM, nodeId: att.node.id }));
  }

  private persist(w: WorkerSlot): void {
    this.ctx.commits.addRow("workers", {
      id: w.id,
      hostname: w.register.hostname,
      register: toBinary(RegisterSchema, w.register),
      connectedAt: w.connectedAt,
      lastHeartbeat: w.lastHeartbeat,
      connected: w.connected,
    });
  }
}

/** The process a Register comes from: a worker that reconnects keeps it, one that restarted does not. */
function processOf(reg: Register): string {
  return reg.instance;
}
