// Runs TypeScript tasks on a small pool of worker threads, each running many async attempts at
// once with tsx and the task modules loaded once per thread: cheap enough for thousands of short
// tasks a second, isolated enough that a runaway task can be stopped by terminating its thread.
import { Worker } from "node:worker_threads";
import { fromBinary } from "@bufbuild/protobuf";
import { LiteralSetSchema } from "../../proto/index.ts";
import type { AttemptHandle, AttemptOutcome } from "./executor.ts";
import type { HostMessage, RunRequest } from "./ts-task-runner.ts";

const HOST_ENTRY = new URL("./task-host.mjs", import.meta.url);

interface Pending {
  resolve(outcome: AttemptOutcome): void;
  onLog(text: string): void;
}

class TaskThread {
  readonly worker: Worker;
  readonly pending = new Map<string, Pending>();
  dead = false;

  constructor(onExit: (thread: TaskThread) => void) {
    // execArgv [] keeps a test runner's or debugger's flags out of the thread; the entry registers tsx.
    this.worker = new Worker(HOST_ENTRY, { execArgv: [] });
    this.worker.on("message", (msg: HostMessage | { type: "ready" }) => this.onMessage(msg));
    this.worker.on("error", (err) => this.failAll("TASK_FAILED", `a task crashed its thread: ${err.stack ?? err.message}`));
    this.worker.on("exit", (code) => {
      this.failAll("TASK_FAILED", `the task thread exited (code ${code}) while this attempt ran; a task called process.exit or crashed it`);
      onExit(this);
    });
  }

  private onMessage(msg: HostMessage | { type: "ready" }): void {
    if (msg.type === "ready") return;
    const pending = this.pending.get(msg.id);
    if (!pending) return;
    if (msg.type === "log") {
      pending.onLog(msg.text);
      return;
    }
    this.pending.delete(msg.id);
    pending.resolve(msg.outputs ? { outputs: fromBinary(LiteralSetSchema, msg.outputs) } : { error: msg.error! });
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
}

export class ThreadExecutor {
  private threads: TaskThread[] = [];
  private readonly options: ThreadExecutorOptions;

  constructor(options: ThreadExecutorOptions) {
    this.options = options;
  }

  /** Starts `threads` hosts now, so the first tasks do not pay for loading tsx. */
  warm(): void {
    while (this.threads.length < this.options.threads) this.spawn();
  }

  private spawn(): TaskThread {
    const thread = new TaskThread((t) => {
      this.threads = this.threads.filter((x) => x !== t);
    });
    this.threads.push(thread);
    return thread;
  }

  private pick(): TaskThread {
    const live = this.threads.filter((t) => !t.dead);
    if (live.length < this.options.threads && live.every((t) => t.pending.size > 0)) return this.spawn();
    let best = live[0];
    for (const t of live) if (t.pending.size < best.pending.size) best = t;
    return best;
  }

  start(req: RunRequest, onLog: (text: string) => void): AttemptHandle {
    const thread = this.pick();
    const done = new Promise<AttemptOutcome>((resolve) => thread.pending.set(req.id, { resolve, onLog }));
    thread.worker.postMessage(req);
    return {
      done,
      stop: () => {
        thread.worker.postMessage({ type: "abort", id: req.id });
        setTimeout(() => {
          if (!thread.pending.has(req.id) || thread.dead) return;
          // The task ignored its abort signal (or is stuck in sync code): end its thread. Attempts
          // sharing it are lost too; LOST consumes system retries, not the user's.
          const victim = thread.pending.get(req.id)!;
          thread.pending.delete(req.id);
          victim.resolve({ error: { code: "CANCELLED", message: "stopped by terminating its task thread" } });
          thread.failAll("LOST", `its task thread was terminated to stop attempt ${req.id}, which ignored cancellation; retry it`);
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
