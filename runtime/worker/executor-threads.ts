// Runs TypeScript tasks on a small pool of worker threads, each running many async attempts at
// once with tsx and the task modules loaded once per thread: cheap enough for thousands of short
// tasks a second, isolated enough that a runaway task can be stopped by terminating its thread.
// A thread is sent each task template once; attempts then travel as {template id, lease, inputs},
// the attempts of one turn together (one postMessage per thread per turn, not per attempt).
import { Worker } from "node:worker_threads";
import type { AttemptHandle, AttemptOutcome, OnStarted } from "./executor.ts";
import { TransferList } from "./transfer-list.ts";
import type { KnownTemplate } from "./task-templates.ts";
import type { HostConfig, HostMessage, RunItem } from "./ts-task-runner.ts";

const HOST_ENTRY = new URL("./task-host.mjs", import.meta.url);

interface Pending {
  resolve(outcome: AttemptOutcome): void;
  onLog(text: string): void;
  onStarted: OnStarted;
}

class TaskThread {
  readonly worker: Worker;
  readonly pending = new Map<string, Pending>();
  /** Template ids this thread has been sent. */
  readonly templates = new Set<number>();
  private batch: RunItem[] = [];
  private readonly transfer = new TransferList();
  dead = false;

  constructor(config: HostConfig, onExit: (thread: TaskThread) => void) {
    // execArgv [] keeps a test runner's or debugger's flags out of the thread; the entry registers tsx.
    this.worker = new Worker(HOST_ENTRY, { execArgv: [] });
    this.worker.postMessage(config);
    this.worker.on("message", (msg: HostMessage | { type: "ready" }) => this.onMessage(msg));
    this.worker.on("error", (err) => this.failAll("TASK_FAILED", `a task crashed its thread: ${err.stack ?? err.message}`));
    this.worker.on("exit", (code) => {
      this.failAll("TASK_FAILED", `the task thread exited (code ${code}) while this attempt ran; a task called process.exit or crashed it`);
      onExit(this);
    });
  }

  run(template: KnownTemplate, item: RunItem): void {
    if (!this.templates.has(template.tid)) {
      // Posted ahead of the batch that names it; a port delivers in order.
      this.templates.add(template.tid);
      this.worker.postMessage({ type: "task", tid: template.tid, task: template.bytes });
    }
    // The runtime sends the Assigns of a turn in one message, handed over in one synchronous loop:
    // the tick after it posts them all, so no attempt waits for more than that loop.
    if (this.batch.push(item) === 1) process.nextTick(this.flush);
    this.transfer.add(item.inputs);
  }

  /** Posts the runs batched this turn (also before an abort, so the abort finds its attempt). */
  readonly flush = (): void => {
    if (this.batch.length === 0) return;
    const runs = this.batch,
      transfer = this.transfer.take();
    this.batch = [];
    if (this.dead) return;
    this.worker.postMessage({ type: "runs", runs }, transfer);
  };

  private onMessage(msg: HostMessage | { type: "ready" }): void {
    if (msg.type === "ready") return;
    if (msg.type === "log") {
      this.pending.get(msg.id)?.onLog(msg.text);
      return;
    }
    if (msg.type === "started") {
      this.pending.get(msg.id)?.onStarted(msg.at);
      return;
    }
    for (const r of msg.results) {
      const pending = this.pending.get(r.id);
      if (!pending) continue;
      this.pending.delete(r.id);
      pending.resolve(r.outputs ? { outputs: r.outputs, workdir: r.workdir } : { error: r.error!, workdir: r.workdir });
    }
  }

  failAll(code: string, message: string): void {
    this.dead = true;
    for (const pending of this.pending.values()) pending.resolve({ error: { code, message } });
    this.pending.clear();
  }
}

export interface ThreadExecutorOptions {
  threads: number;
  killGraceMs: number;
  projectRoot: string;
  artifactRoot: string;
}

export class ThreadExecutor {
  private threads: TaskThread[] = [];
  private readonly options: ThreadExecutorOptions;
  private config: HostConfig;

  constructor(options: ThreadExecutorOptions) {
    this.options = options;
    this.config = { type: "config", projectRoot: options.projectRoot, artifactRoot: options.artifactRoot };
  }

  /** Starts `threads` hosts now, so the first tasks do not pay for loading tsx. */
  warm(): void {
    while (this.threads.length < this.options.threads) this.spawn();
  }

  /** The artifact root changed (the runtime said so on Registered): tell every thread. */
  setArtifactRoot(artifactRoot: string): void {
    if (artifactRoot === this.config.artifactRoot) return;
    this.config = { ...this.config, artifactRoot };
    for (const t of this.threads) {
      t.flush();
      t.worker.postMessage(this.config);
    }
  }

  private spawn(): TaskThread {
    const thread = new TaskThread(this.config, (t) => {
      this.threads = this.threads.filter((x) => x !== t);
    });
    this.threads.push(thread);
    return thread;
  }

  private pick(): TaskThread {
    let best: TaskThread | undefined;
    let live = 0;
    for (const t of this.threads) {
      if (t.dead) continue;
      live++;
      if (!best || t.pending.size < best.pending.size) best = t;
    }
    if (!best || (live < this.options.threads && best.pending.size > 0)) return this.spawn();
    return best;
  }

  /** Runs one attempt; `item.inputs` must own its buffer (it is transferred to the thread). */
  start(template: KnownTemplate, item: RunItem, onLog: (text: string) => void, onStarted: OnStarted): AttemptHandle {
    const thread = this.pick();
    const done = new Promise<AttemptOutcome>((resolve) => thread.pending.set(item.id, { resolve, onLog, onStarted }));
    thread.run(template, item);
    return {
      done,
      stop: () => {
        thread.flush();
        thread.worker.postMessage({ type: "abort", id: item.id });
        setTimeout(() => {
          if (!thread.pending.has(item.id) || thread.dead) return;
          // The task ignored its abort signal (or is stuck in sync code): end its thread. Attempts
          // sharing it are lost too; LOST consumes system retries, not the user's.
          const victim = thread.pending.get(item.id)!;
          thread.pending.delete(item.id);
          victim.resolve({ error: { code: "CANCELLED", message: "stopped by terminating its task thread" } });
          thread.failAll("LOST", `its task thread was terminated to stop attempt ${item.id}, which ignored cancellation; retry it`);
          this.threads = this.threads.filter((t) => t !== thread);
          void thread.worker.terminate();
        }, this.options.killGraceMs).unref();
      },
    };
  }

  /** Attempts running per thread (for logs and tests). */
  load(): number[] {
    return this.threads.map((t) => t.pending.size);
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}
