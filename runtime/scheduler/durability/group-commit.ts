// Group commit: every transition of one event-loop turn goes into one store transaction, and what
// those transitions send (Assigns, Cancels, watch events, replies) leaves only after it resolves
// (commit before acknowledge). At most one commit is in flight; everything that changes while it
// runs (results that arrive during its fsync) goes into the next one, started as soon as it ends.
import { RuntimeError } from "../../error-codes.ts";
import type { Logger } from "../../log.ts";
import { create, toBinary } from "@bufbuild/protobuf";
import { ExecutionErrorSchema, ExecutionState, NodeState } from "../../../proto/index.ts";
import {
  batchSize,
  emptyBatch,
  gpuListText,
  type AttemptRecord,
  type ExecutionRecord,
  type NodeRecord,
  type Store,
  type StoreBatch,
} from "../../store/index.ts";
import type { LiveAttempt, LiveExecution, LiveNode } from "../model/execution-graph.ts";
import { NO_OBSERVER, type SchedulerObserver } from "../scheduler-observer.ts";
import { attemptRecord, executionRecord, nodeRecord } from "./store-records.ts";

/** Follows commits (the watch hub): takes what it hands over from the state a commit holds. */
export interface CommitObserver {
  /** It waits for a commit even if nothing changed (a watch's first snapshot). */
  waiting(): boolean;
  /**
   * Called while the commit runs, before anything else has: the state in memory is still the
   * state being committed. Returns what hands it over once the commit has resolved.
   */
  take(nodes: ReadonlySet<LiveNode>, execs: ReadonlySet<LiveExecution>): (() => void) | undefined;
  /** A commit failed: nothing taken from it will be handed over, and no later commit may follow. */
  failed(err: Error): void;
}

/** Tables whose rows a turn adds as they are, beside the graph's executions, nodes and attempts. */
type RowTable = "leaseBlocks" | "cache" | "workers" | "logs";

export class GroupCommit {
  // The batch of the current turn.
  private dirtyNodes = new Set<LiveNode>();
  private dirtyAttempts = new Set<LiveAttempt>();
  private dirtyExecs = new Set<LiveExecution>();
  private extra: StoreBatch = emptyBatch();
  private outbox: Array<() => void> = [];
  private waiters: Array<{ ok: () => void; fail: (e: Error) => void }> = [];
  private flushScheduled = false;
  /** Set by a failed commit: no later commit may follow it. */
  private broken: Error | undefined;
  /** Set once drained for a stop. */
  private closed: Error | undefined;
  /** A commit is in flight: what changes meanwhile waits for it and goes into the next one. */
  private committing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly observer: CommitObserver,
    private readonly onFailure: (err: Error) => void,
    /** Told how long each commit took (weir_store_commit_seconds). */
    private readonly metrics: SchedulerObserver = NO_OBSERVER,
  ) {}

  touchNode(n: LiveNode): void {
    this.dirtyNodes.add(n);
    this.scheduleFlush();
  }

  touchAttempt(a: LiveAttempt): void {
    this.dirtyAttempts.add(a);
    this.scheduleFlush();
  }

  touchExec(e: LiveExecution): void {
    this.dirtyExecs.add(e);
    this.scheduleFlush();
  }

  /** Adds a row to the current turn's commit. */
  addRow<T extends RowTable>(table: T, row: StoreBatch[T][number]): void {
    (this.extra[table] as Array<StoreBatch[T][number]>).push(row);
    this.scheduleFlush();
  }

  /** Runs `send` after the current turn's transitions are committed. */
  afterCommit(send: () => void): void {
    this.outbox.push(send);
    this.scheduleFlush();
  }

  /** Resolves once everything changed so far is committed. */
  committed(): Promise<void> {
    return new Promise((ok, fail) => {
      this.waiters.push({ ok, fail });
      this.scheduleFlush();
    });
  }

  /**
   * Waits for the commit in flight, then commits what is left, and closes: the engine is stopping
   * and the store will close. What a late timer changes afterwards is not committed (nor sent), as
   * if the process had ended there; a restart resumes from what was committed.
   */
  async drain(): Promise<void> {
    await this.committing;
    await this.flushNow();
    this.closed = new RuntimeError("UNAVAILABLE", "the runtime is stopping; nothing more is committed");
  }

  /** A commit at the end of this turn (or, while one is in flight, as soon as it ends). */
  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    if (!this.committing) setImmediate(() => void this.flushNow());
  }

  private async flushNow(): Promise<void> {
    if (this.committing) return; // the commit in flight schedules the next flush when it ends
    this.flushScheduled = false;
    if (this.broken || this.closed) {
      // After a failed commit nothing more is recorded (it would build on transitions the store
      // lacks), nor after a stop (the store is closing).
      for (const w of this.waiters.splice(0)) w.fail((this.broken ?? this.closed)!);
      this.dropTurn();
      return;
    }
    const nodes = this.dirtyNodes,
      attempts = this.dirtyAttempts,
      execs = this.dirtyExecs;
    const batch = this.extra,
      outbox = this.outbox,
      waiters = this.waiters;
    this.dirtyNodes = new Set();
    this.dirtyAttempts = new Set();
    this.dirtyExecs = new Set();
    this.extra = emptyBatch();
    this.outbox = [];
    this.waiters = [];
    if (!nodes.size && !attempts.size && !execs.size && !outbox.length && !waiters.length && !this.observer.waiting() && !batchSize(batch)) return;
    // Records are built inside the guard: one that cannot be encoded is replaced, never thrown
    // out of this (un-awaited) flush, where it would end the process.
    for (const e of execs) batch.executions.push(this.record(e, executionRecord, unencodableExecution));
    for (const n of nodes) batch.nodes.push(this.record(n, nodeRecord, unencodableNode));
    for (const a of attempts) batch.attempts.push(this.record(a, attemptRecord, unencodableAttempt));
    // A small commit the store makes at once (a chain's hop) hands over in this same turn.
    let committedNow: boolean;
    const started = performance.now();
    try {
      committedNow = this.store.commitNow(batch);
    } catch (err) {
      this.failed(err, waiters);
      return;
    }
    if (committedNow) {
      this.metrics.committed(performance.now() - started);
      this.handOver(outbox, this.take(nodes, execs), waiters);
      return;
    }
    let commit: Promise<void>;
    try {
      commit = this.store.commit(batch);
    } catch (err) {
      this.failed(err, waiters);
      return;
    }
    // Still the state being committed (nothing has run since): what watchers get is taken now,
    // while the writer thread commits, and handed over after the commit.
    const watch = this.take(nodes, execs);
    this.committing = commit.then(
      () => undefined,
      () => undefined,
    );
    try {
      await commit;
      this.metrics.committed(performance.now() - started);
    } catch (err) {
      this.failed(err, waiters);
      return;
    } finally {
      this.committing = undefined;
      if (this.flushScheduled) setImmediate(() => void this.flushNow());
    }
    this.handOver(outbox, watch, waiters);
  }

  /** A row of the commit; one whose values cannot be encoded is written as a failure (logged), so the rest commits. */
  private record<T, R>(subject: T, build: (subject: T) => R, fallback: (subject: T, err: Error) => R): R {
    try {
      return build(subject);
    } catch (err) {
      this.log.error({ err }, "a record could not be encoded for the store; it is recorded as failed (OUTPUT_INVALID)");
      return fallback(subject, err as Error);
    }
  }

  /** What watchers get from this commit; a failure there is logged and costs only the watchers' update. */
  private take(nodes: ReadonlySet<LiveNode>, execs: ReadonlySet<LiveExecution>): (() => void) | undefined {
    try {
      return this.observer.take(nodes, execs);
    } catch (err) {
      this.log.error({ err }, "could not prepare watch events for a commit");
      return undefined;
    }
  }

  /** The turn's changes after a stop or a failed commit: dropped, their sends never made. */
  private dropTurn(): void {
    this.dirtyNodes = new Set();
    this.dirtyAttempts = new Set();
    this.dirtyExecs = new Set();
    this.extra = emptyBatch();
    this.outbox = [];
  }

  /** What a turn's transitions send, once they are committed. */
  private handOver(outbox: Array<() => void>, watch: (() => void) | undefined, waiters: Array<{ ok: () => void }>): void {
    for (const send of outbox) {
      try {
        send();
      } catch (err) {
        this.log.warn({ err }, "could not send to a worker");
      }
    }
    watch?.();
    for (const w of waiters) w.ok();
  }

  private failed(err: unknown, waiters: Array<{ fail: (e: Error) => void }>): void {
    this.log.fatal({ err }, "store commit failed; transitions of this turn were not recorded");
    const error = new RuntimeError("STORE_FAILED", `the store could not commit: ${(err as Error).message}`);
    this.broken = error;
    for (const w of waiters) w.fail(error);
    this.observer.failed(error);
    this.onFailure(error);
  }
}

// Rows for what could not be encoded (a value the door should have refused): the subject failed
// with OUTPUT_INVALID and without the values, so the store stays consistent and readable.
function unencodableError(nodeId: string, err: Error): Uint8Array {
  return toBinary(
    ExecutionErrorSchema,
    create(ExecutionErrorSchema, { code: "OUTPUT_INVALID", message: `its values could not be stored: ${String(err.message).slice(0, 200)}`, nodeId }),
  );
}

function unencodableNode(n: LiveNode, err: Error): NodeRecord {
  return {
    executionId: n.exec.id,
    nodeId: n.id,
    state: NodeState.FAILED,
    target: n.target,
    outputs: null,
    error: unencodableError(n.id, err),
    startedAt: n.startedAt,
    finishedAt: n.finishedAt || Date.now(),
    userRetries: n.userRetries,
    systemRetries: n.systemRetries,
    detail: JSON.stringify(n.detail),
  };
}

function unencodableAttempt(a: LiveAttempt, err: Error): AttemptRecord {
  return {
    executionId: a.node.exec.id,
    nodeId: a.node.id,
    number: a.number,
    state: NodeState.FAILED,
    workerId: a.workerId,
    leaseToken: a.token,
    queuedAt: a.queuedAt,
    startedAt: a.startedAt,
    finishedAt: a.finishedAt || Date.now(),
    error: unencodableError(a.node.id, err),
    gpus: gpuListText(a.gpus),
  };
}

function unencodableExecution(e: LiveExecution, err: Error): ExecutionRecord {
  const i = e.init;
  return {
    id: i.id,
    workflow: i.workflow,
    version: i.version,
    state: ExecutionState.FAILED,
    inputs: null,
    outputs: null,
    error: unencodableError("", err),
    createdAt: i.createdAt,
    startedAt: i.startedAt,
    finishedAt: i.finishedAt || Date.now(),
    scheduledFor: i.scheduledFor,
    backfillId: i.backfillId,
    recoveredFrom: i.recoveredFrom,
    maxParallelism: i.maxParallelism,
  };
}
