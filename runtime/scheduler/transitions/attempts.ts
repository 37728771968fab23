// An attempt's life: queued behind its execution's parallelism and its map's concurrency, handed to
// a worker with a fresh lease (its Assign leaves after the commit), and ended by a result, a
// timeout, a lost worker or a cancel; a failed one is retried within its budget.
import { create } from "@bufbuild/protobuf";
import { durationMs } from "@bufbuild/protobuf/wkt";
import { formatDuration } from "../../../core/index.ts";
import { encodeAssign, ErrorKind, ExecutionErrorSchema, ExecutionState, NodeState, ServerMessageSchema, type ExecutionError } from "../../../proto/index.ts";
import { resolveBindings } from "../model/bindings.ts";
import { poolOf, type WorkerSlot } from "../dispatch/dispatcher.ts";
import type { LiveAttempt, LiveNode } from "../model/execution-graph.ts";
import { LeaseTable } from "../durability/leases.ts";
import { bindingScope } from "./node-transitions.ts";
import { isTerminal } from "../model/readiness.ts";
import { decideRetry } from "./retries.ts";
import type { SchedulerContext } from "../scheduler-context.ts";

const ATTEMPT_STATE_OF: Record<string, NodeState> = {
  TIMED_OUT: NodeState.TIMED_OUT,
  LOST: NodeState.LOST,
  CANCELLED: NodeState.CANCELLED,
};

/**
 * How long past its timeout the runtime waits for an attempt whose worker announced its start
 * (Started) before timing it out itself: the worker's own timer is authoritative, this is a backstop.
 */
const STARTED_BACKSTOP_GRACE_MS = 5_000;

/** A map node counting its items in flight against its concurrency. */
type MapNode = LiveNode & { itemsInFlight?: number };

export class Attempts {
  private leases = new LeaseTable<LiveAttempt>(0n);

  constructor(private readonly ctx: Pick<SchedulerContext, "commits" | "composites" | "config" | "dispatcher" | "log" | "nodes" | "observer">) {}

  /** Lease tokens go on from the highest the store has issued, so they keep increasing across restarts. */
  startLeasesAfter(highestIssued: bigint, rangeEnd?: bigint): void {
    this.leases = new LeaseTable<LiveAttempt>(highestIssued, rangeEnd);
  }

  /** Whether this runtime could have issued `token`: another replica's token may be adopted here yet. */
  issuedHere(token: bigint): boolean {
    return this.leases.issuedHere(token);
  }

  /** The attempt a live lease token belongs to; undefined for a stale or unknown token (fencing). */
  holder(token: bigint): LiveAttempt | undefined {
    return this.leases.holder(token);
  }

  get liveLeases(): number {
    return this.leases.size;
  }

  /** A running attempt reloaded from the store: its lease is live again and its timeout counts from its start. */
  restore(att: LiveAttempt, now: number): void {
    this.leases.restore(att.token, att);
    const timeoutMs = att.node.task?.timeout ? durationMs(att.node.task.timeout) : 0;
    if (timeoutMs > 0) att.timer = setTimeout(() => this.onTimeout(att, timeoutMs), Math.max(0, att.startedAt + timeoutMs - now));
  }

  queueAttempt(n: LiveNode): void {
    if (isTerminal(n.state) || n.exec.init.state !== ExecutionState.RUNNING) return;
    n.timer = undefined;
    delete n.detail.retryAt;
    this.bindInputs(n);
    const att: LiveAttempt = {
      node: n,
      number: n.attempts.length + 1,
      state: NodeState.QUEUED,
      workerId: "",
      token: 0n,
      queuedAt: Date.now(),
      startedAt: 0,
      finishedAt: 0,
      error: undefined,
      gpus: [],
      timer: undefined,
    };
    n.attempts.push(att);
    n.state = NodeState.QUEUED;
    this.ctx.commits.touchNode(n);
    this.ctx.commits.touchAttempt(att);
    this.admit(att);
  }

  /**
   * Gives a node its task and inputs when it has none: after a reload they are re-resolved from the
   * recorded upstream outputs (a map's items from its list), exactly as they were first bound.
   */
  bindInputs(n: LiveNode): void {
    if (!n.task && n.spec?.target.case === "task") n.task = n.exec.tasks.get(n.spec.target.value);
    if (n.inputs) return;
    if (n.kind === "item") this.ctx.composites.expandMap(n.container!, false);
    else n.inputs = resolveBindings(n.spec!.inputs, bindingScope(n.scope), n.task?.interface?.inputs ?? []);
  }

  /** Applies the execution's parallelism limit and a map's concurrency before the dispatcher. */
  admit(att: LiveAttempt): void {
    const exec = att.node.exec;
    if (!this.gateOpen(att)) {
      exec.held.push(att);
      return;
    }
    this.enter(att);
    this.ctx.dispatcher.submit(att);
  }

  private gateOpen(att: LiveAttempt): boolean {
    const exec = att.node.exec;
    if (exec.inflight >= exec.limit) return false;
    const map = att.node.kind === "item" ? att.node.container : undefined;
    const limit = map?.spec?.target.case === "map" ? map.spec.target.value.concurrency : 0;
    return !limit || ((map as MapNode).itemsInFlight ?? 0) < limit;
  }

  private enter(att: LiveAttempt): void {
    att.node.exec.inflight++;
    const map = att.node.kind === "item" ? (att.node.container as MapNode) : undefined;
    if (map) map.itemsInFlight = (map.itemsInFlight ?? 0) + 1;
  }

  private leave(att: LiveAttempt): void {
    const exec = att.node.exec;
    exec.inflight--;
    const map = att.node.kind === "item" ? (att.node.container as MapNode) : undefined;
    if (map) map.itemsInFlight = (map.itemsInFlight ?? 1) - 1;
    for (let i = 0; i < exec.held.length && exec.inflight < exec.limit; i++) {
      const next = exec.held[i];
      if (!this.gateOpen(next)) continue;
      exec.held.splice(i--, 1);
      this.enter(next);
      this.ctx.dispatcher.submit(next);
    }
  }

  /** Dispatcher callback: the attempt goes to this worker with a fresh lease. */
  assign(att: LiveAttempt, w: WorkerSlot): void {
    const now = Date.now();
    const n = att.node;
    att.token = this.leases.grant(att, (issuedThrough) => this.ctx.commits.addRow("leaseBlocks", { issuedThrough }));
    att.workerId = w.id;
    att.startedAt = now;
    att.state = NodeState.RUNNING;
    att.gpus = w.takeGpus(att);
    w.running.set(att.token, att);
    this.ctx.observer.attemptStarted(poolOf(att), now - att.queuedAt);
    n.state = NodeState.RUNNING;
    this.ctx.commits.touchNode(n);
    this.ctx.commits.touchAttempt(att);
    this.send(att, w, now);
  }

  /**
   * Sends an attempt's Assign (again) to the worker holding it: the same lease, so whatever the
   * worker already did with it counts. Used when a worker that never lost its process comes back
   * without an attempt it was given: the Assign died with the runtime or in a socket, after its
   * commit (the worker, if it did finish it, answers with the result it kept).
   */
  redeliver(att: LiveAttempt, w: WorkerSlot): void {
    this.bindInputs(att.node);
    clearTimeout(att.timer);
    att.timer = undefined;
    this.send(att, w, Date.now());
  }

  private send(att: LiveAttempt, w: WorkerSlot, now: number): void {
    const n = att.node;
    const timeoutMs = n.task?.timeout ? durationMs(n.task.timeout) : 0;
    // A worker that reports starts times the attempt from its real start (time queued inside the
    // worker counts for nothing); the runtime arms its backstop on the Started (see started()).
    if (timeoutMs > 0 && !w.register.reportsStarted) att.timer = setTimeout(() => this.onTimeout(att, timeoutMs), timeoutMs);
    const msg = encodeAssign({
      leaseToken: att.token,
      executionId: n.exec.id,
      nodeId: n.id,
      attempt: att.number,
      task: n.task,
      inputs: n.inputs,
      gpus: att.gpus,
      deadlineMs: timeoutMs > 0 ? now + timeoutMs : 0,
    });
    const link = w.link;
    this.ctx.commits.afterCommit(() => link?.send(msg));
  }

  /** The worker started the attempt's code: the runtime's timer, a backstop to the worker's own, runs from now. */
  started(att: LiveAttempt): void {
    const timeoutMs = att.node.task?.timeout ? durationMs(att.node.task.timeout) : 0;
    if (timeoutMs <= 0) return;
    clearTimeout(att.timer);
    att.timer = setTimeout(() => this.onTimeout(att, timeoutMs), timeoutMs + STARTED_BACKSTOP_GRACE_MS);
  }

  /** Disarms an attempt's timer (its worker re-registered and re-sends Started for what runs). */
  unarm(att: LiveAttempt): void {
    clearTimeout(att.timer);
    att.timer = undefined;
  }

  /** Ends an attempt's hold on its worker and lease. */
  finishAttempt(att: LiveAttempt, state: NodeState, error?: ExecutionError): void {
    clearTimeout(att.timer);
    att.timer = undefined;
    const wasRunning = att.state === NodeState.RUNNING;
    att.state = state;
    att.finishedAt = Date.now();
    att.error = error;
    this.ctx.commits.touchAttempt(att);
    this.ctx.observer.attemptEnded(att.node.exec.init.workflow, att.node.task?.name ?? "", state);
    if (att.token) this.leases.release(att.token);
    const w = this.ctx.dispatcher.workers.get(att.workerId);
    if (wasRunning && w?.running.delete(att.token)) {
      w.freeGpus.push(...att.gpus);
      queueMicrotask(() => this.ctx.dispatcher.fill(w));
    }
    this.leave(att);
  }

  /** An attempt failed: retry within budget, else the node fails. */
  attemptFailed(att: LiveAttempt, err: ExecutionError): void {
    const n = att.node;
    const state = ATTEMPT_STATE_OF[err.code] ?? NodeState.FAILED;
    this.finishAttempt(att, state, err);
    const decision = decideRetry(n.task?.retries, { code: err.code, kind: err.kind }, { user: n.userRetries, system: n.systemRetries }, this.ctx.config);
    if (decision.retry && n.exec.init.state === ExecutionState.RUNNING) {
      if (decision.budget === "user") n.userRetries++;
      else n.systemRetries++;
      this.ctx.log.info({ execution: n.exec.id, node: n.id, attempt: att.number, code: err.code, delayMs: decision.delayMs }, "retrying");
      if (decision.delayMs > 0) {
        n.state = NodeState.QUEUED;
        n.detail.retryAt = Date.now() + decision.delayMs;
        this.ctx.commits.touchNode(n);
        n.timer = setTimeout(() => this.queueAttempt(n), decision.delayMs);
      } else this.queueAttempt(n);
      return;
    }
    this.ctx.nodes.fail(n, err, state);
  }

  private onTimeout(att: LiveAttempt, timeoutMs: number): void {
    if (att.state !== NodeState.RUNNING) return;
    const w = this.ctx.dispatcher.workers.get(att.workerId);
    const reason = `attempt ${att.number} of ${att.node.id} ran past its timeout of ${formatDuration(timeoutMs)}`;
    this.sendCancel(w, att.token, reason);
    this.attemptFailed(att, create(ExecutionErrorSchema, { code: "TIMED_OUT", message: reason, kind: ErrorKind.USER, nodeId: att.node.id }));
  }

  /** Tells the worker to stop an attempt, after the commit that ends it. */
  sendCancel(w: WorkerSlot | undefined, token: bigint, reason: string): void {
    const link = w?.link;
    if (!link) return;
    const msg = create(ServerMessageSchema, { msg: { case: "cancel", value: { leaseToken: token, reason } } });
    this.ctx.commits.afterCommit(() => link.send(msg));
  }
}
