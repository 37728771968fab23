// Matches ready attempts to workers: one FIFO queue per pool, per-worker slots, GPUs counted per
// device. A ready attempt goes to a worker with a free slot at once; a freed slot pulls the next
// attempt that fits. All of it in memory: the store already holds the durable state.
import { gpusWanted, gpuTypeMatches } from "../../../core/index.ts";
import type { Register, ServerMessage } from "../../../proto/index.ts";
import type { LiveAttempt } from "../model/execution-graph.ts";

/** The downward half of a worker's Connect stream. */
export interface WorkerLink {
  /** A message, or one already encoded as ServerMessage bytes (the Assign fast path). */
  send(msg: ServerMessage | Uint8Array): void;
  close(): void;
}

export class WorkerSlot {
  readonly running = new Map<bigint, LiveAttempt>();
  readonly freeGpus: number[];
  link: WorkerLink | undefined;
  connectedAt: number;
  lastHeartbeat: number;
  /**
   * After a reconnect, until its first heartbeat: the attempts it held when it re-registered. Only
   * these can be missing from that heartbeat; one assigned after it could not be listed yet.
   */
  unreported: ReadonlySet<bigint> | undefined;
  /** Not declared lost before this (a restarted runtime waits for its workers to come back). */
  graceUntil = 0;
  /** The process behind it (Register.instance), to tell a worker that reconnects from one that restarted. */
  process = "";
  /** Its last re-registration came from the process it had before (it kept what it was running). */
  sameProcess = false;
  /** Tokens it reports that this runtime does not hold, from when (a replica waits for their adoption). */
  readonly foreign = new Map<bigint, number>();

  constructor(
    readonly id: string,
    public register: Register,
    now: number,
  ) {
    this.freeGpus = register.gpus.map((g) => g.index);
    this.connectedAt = now;
    this.lastHeartbeat = now;
  }

  get pools(): readonly string[] {
    return this.register.pools.length ? this.register.pools : ["cpu"];
  }

  get capacity(): number {
    return this.register.capacity || 1;
  }

  get connected(): boolean {
    return this.link !== undefined;
  }

  fits(att: LiveAttempt): boolean {
    if (!this.connected || this.running.size >= this.capacity) return false;
    const wanted = gpusOf(att);
    if (wanted === 0) return true;
    const type = gpuTypeOf(att);
    if (!type) return this.freeGpus.length >= wanted;
    let matching = 0;
    for (const index of this.freeGpus) if (this.deviceMatches(index, type) && ++matching === wanted) return true;
    return false;
  }

  /** Takes the free devices the attempt asks for (of its gpuType, when it names one). */
  takeGpus(att: LiveAttempt): number[] {
    const wanted = gpusOf(att);
    if (wanted === 0) return [];
    const type = gpuTypeOf(att);
    const taken = (type ? this.freeGpus.filter((i) => this.deviceMatches(i, type)) : this.freeGpus).slice(0, wanted);
    for (const index of taken) this.freeGpus.splice(this.freeGpus.indexOf(index), 1);
    return taken;
  }

  private deviceMatches(index: number, type: string): boolean {
    const device = this.register.gpus.find((g) => g.index === index);
    return device !== undefined && gpuTypeMatches(device.name, type);
  }
}

export function poolOf(att: LiveAttempt): string {
  return att.node.task?.resources?.pool || "cpu";
}

export function gpusOf(att: LiveAttempt): number {
  return gpusWanted(att.node.task?.resources);
}

function gpuTypeOf(att: LiveAttempt): string {
  return att.node.task?.resources?.gpuType ?? "";
}

/**
 * A FIFO with O(1) shift that tolerates removal of cancelled entries (skipped when reached). A taken
 * slot is cleared at once: an attempt left in the array would keep its whole execution alive.
 */
class Queue<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  push(x: T): void {
    this.items.push(x);
  }
  get length(): number {
    return this.items.length - this.head;
  }
  /** The item queued longest (a taken head is passed over at once, so the head is always live). */
  first(): T | undefined {
    return this.items[this.head];
  }
  /** Removes and returns the first item matching `ok`, scanning at most `limit` items. */
  take(ok: (x: T) => boolean, limit: number): T | undefined {
    const end = Math.min(this.items.length, this.head + limit);
    for (let i = this.head; i < end; i++) {
      const x = this.items[i] as T;
      if (!ok(x)) continue;
      if (i === this.head) this.items[this.head++] = undefined;
      else this.items.splice(i, 1);
      if (this.head === this.items.length) {
        this.items = [];
        this.head = 0;
      } else if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return x;
    }
    return undefined;
  }
  remove(pred: (x: T) => boolean): void {
    this.items = this.items.slice(this.head).filter((x) => !pred(x as T));
    this.head = 0;
  }
}

/** How far down a queue a freed slot looks for an attempt that fits (GPU counts may block the head). */
const SCAN_LIMIT = 64;

export class Dispatcher {
  readonly workers = new Map<string, WorkerSlot>();
  private readonly queues = new Map<string, Queue<LiveAttempt>>();

  constructor(private readonly assign: (att: LiveAttempt, worker: WorkerSlot) => void) {}

  /** Hands the attempt to a worker now, or queues it in its pool. */
  submit(att: LiveAttempt): void {
    const pool = poolOf(att);
    for (const w of this.workers.values()) {
      if (w.pools.includes(pool) && w.fits(att)) return this.assign(att, w);
    }
    let q = this.queues.get(pool);
    if (!q) this.queues.set(pool, (q = new Queue()));
    q.push(att);
  }

  /** Fills a worker's free slots from the queues of its pools. */
  fill(worker: WorkerSlot): void {
    for (const pool of worker.pools) {
      const q = this.queues.get(pool);
      while (q?.length && worker.running.size < worker.capacity && worker.connected) {
        const att = q.take((a) => worker.fits(a), SCAN_LIMIT);
        if (!att) break;
        this.assign(att, worker);
      }
    }
  }

  /** Drops queued attempts (terminated executions). */
  withdraw(pred: (att: LiveAttempt) => boolean): void {
    for (const q of this.queues.values()) q.remove(pred);
  }

  queued(pool: string): number {
    return this.queues.get(pool)?.length ?? 0;
  }

  /** Each pool's queue: how many attempts wait, and when the one waiting longest was queued (metrics). */
  queueStates(): Array<{ pool: string; length: number; oldestQueuedAt: number }> {
    return [...this.queues].map(([pool, q]) => ({ pool, length: q.length, oldestQueuedAt: q.first()?.queuedAt ?? 0 }));
  }
}
