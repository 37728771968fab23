// The worker process: connects to the runtime, runs each assigned attempt on the right executor
// (task threads, a GPU child process, or a command), enforces deadlines and cancellations, and
// reports one Result per lease. SIGTERM drains: no new work, running attempts finish or stop.
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampDate, timestampNow } from "@bufbuild/protobuf/wkt";
import {
  LiteralSetSchema,
  LogSchema,
  RegisterSchema,
  ResultSchema,
  TaskTemplateSchema,
  WorkerMessageSchema,
} from "../../proto/index.ts";
import type { Assign, Cancel, GpuDevice, Registered } from "../../proto/index.ts";
import { LocalArtifactStore } from "../artifacts/index.ts";
import { createLogger } from "../log.ts";
import type { Logger } from "../log.ts";
import { executionError } from "./attempt-failure.ts";
import { startCommand } from "./command-runner.ts";
import { WorkerConnection } from "./connection.ts";
import { WORKER_DEFAULTS } from "./defaults.ts";
import type { AttemptHandle, AttemptOutcome } from "./executor.ts";
import { startInProcess } from "./executor-process.ts";
import { ThreadExecutor } from "./executor-threads.ts";
import { discoverGpus } from "./gpus.ts";

export interface WorkerOptions {
  /** host:port of the runtime's gRPC server. */
  server: string;
  pools: readonly string[];
  concurrency: number;
  gpus: "auto" | number;
  labels: Record<string, string>;
  /** Stable worker id; the runtime assigns one when empty. */
  id: string;
  projectRoot: string;
  threads: number;
  killGraceMs: number;
  heartbeatIntervalMs: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  maxBufferedLogs: number;
  stderrTailLines: number;
  /** How long SIGTERM waits for running attempts before stopping them. */
  drainTimeoutMs: number;
  logger: Logger;
}

interface Running {
  assign: Assign;
  handle?: AttemptHandle;
  startedAt: ReturnType<typeof timestampNow>;
  deadline?: NodeJS.Timeout;
  finished: boolean;
}

export class Worker {
  readonly options: WorkerOptions;
  private readonly log: Logger;
  private readonly running = new Map<bigint, Running>();
  private readonly threads: ThreadExecutor;
  private connection: WorkerConnection | undefined;
  private workerId: string;
  private gpus: GpuDevice[] = [];
  private artifactRoot: string;
  private store: LocalArtifactStore;
  private draining = false;
  private idle: (() => void) | undefined;
  private registeredOnce: Promise<Registered>;
  private resolveRegistered!: (r: Registered) => void;

  constructor(options: Partial<WorkerOptions> & { server: string }) {
    const log = options.logger ?? createLogger().child({ part: "worker" });
    this.options = {
      pools: WORKER_DEFAULTS.pools,
      concurrency: WORKER_DEFAULTS.concurrency,
      gpus: 0,
      labels: {},
      id: "",
      projectRoot: process.cwd(),
      threads: WORKER_DEFAULTS.threads,
      killGraceMs: WORKER_DEFAULTS.killGraceMs,
      heartbeatIntervalMs: WORKER_DEFAULTS.heartbeatIntervalMs,
      reconnectInitialMs: WORKER_DEFAULTS.reconnectInitialMs,
      reconnectMaxMs: WORKER_DEFAULTS.reconnectMaxMs,
      maxBufferedLogs: WORKER_DEFAULTS.maxBufferedLogs,
      stderrTailLines: WORKER_DEFAULTS.stderrTailLines,
      drainTimeoutMs: 30_000,
      ...options,
      logger: log,
    };
    this.options.projectRoot = resolve(this.options.projectRoot);
    this.log = log;
    this.workerId = this.options.id;
    this.artifactRoot = join(this.options.projectRoot, ".weir", "artifacts");
    this.store = new LocalArtifactStore(this.artifactRoot);
    this.threads = new ThreadExecutor({ threads: Math.min(this.options.threads, this.options.concurrency), killGraceMs: this.options.killGraceMs });
    this.registeredOnce = new Promise((r) => (this.resolveRegistered = r));
  }

  get id(): string {
    return this.workerId;
  }

  /** Discovers GPUs, starts the task threads and connects; resolves once registered. */
  async start(): Promise<Registered> {
    const found = await discoverGpus(this.options.gpus);
    this.gpus = found.devices;
    this.log.info({ gpus: found.devices.length }, found.note);
    this.threads.warm();
    const o = this.options;
    this.connection = new WorkerConnection({
      address: o.server,
      log: this.log,
      reconnectInitialMs: o.reconnectInitialMs,
      reconnectMaxMs: o.reconnectMaxMs,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      maxBufferedLogs: o.maxBufferedLogs,
      register: () =>
        create(RegisterSchema, {
          workerId: this.workerId,
          hostname: hostname(),
          pid: process.pid,
          pools: [...o.pools],
          capacity: o.concurrency,
          gpus: this.gpus,
          labels: o.labels,
          projectRoot: o.projectRoot,
        }),
      running: () => [...this.running.keys()],
      onRegistered: (r) => this.onRegistered(r),
      onAssign: (a) => this.onAssign(a),
      onCancel: (c) => this.onCancel(c),
    });
    this.connection.start();
    return this.registeredOnce;
  }

  private onRegistered(r: Registered): void {
    this.workerId = r.workerId || this.workerId;
    if (r.artifactRoot && resolve(r.artifactRoot) !== this.artifactRoot) {
      this.artifactRoot = resolve(r.artifactRoot);
      this.store = new LocalArtifactStore(this.artifactRoot);
    }
    this.log.info({ workerId: this.workerId, artifactRoot: this.artifactRoot, running: this.running.size }, "registered with the runtime");
    this.resolveRegistered(r);
  }

  private onAssign(a: Assign): void {
    const lease = a.leaseToken;
    if (this.running.has(lease)) return; // a re-sent assignment of an attempt already running
    const entry: Running = { assign: a, startedAt: timestampNow(), finished: false };
    this.running.set(lease, entry);
    if (this.draining) {
      this.finish(lease, { error: { code: "PREEMPTED", message: "the worker is shutting down (SIGTERM) and takes no new work; the attempt will run elsewhere" } });
      return;
    }
    if (a.deadline) {
      const ms = timestampDate(a.deadline).getTime() - Date.now();
      entry.deadline = setTimeout(() => {
        this.finish(lease, { error: { code: "TIMED_OUT", message: `task '${a.task?.name}' ran past its deadline ${timestampDate(a.deadline!).toISOString()} and was stopped` } });
        entry.handle?.stop();
      }, Math.max(0, ms));
    }
    try {
      entry.handle = this.startAttempt(a);
    } catch (err) {
      this.finish(lease, { error: { code: "TASK_FAILED", message: `could not start the attempt: ${(err as Error).message}` } });
      return;
    }
    entry.handle.done.then((outcome) => this.finish(lease, outcome));
  }

  private startAttempt(a: Assign): AttemptHandle {
    const task = a.task ?? create(TaskTemplateSchema);
    const inputs = a.inputs ?? create(LiteralSetSchema);
    const attemptDir = join(this.options.projectRoot, ".weir", "work", a.executionId, a.nodeId, String(a.attempt));
    const onLog = (stream: "stdout" | "stderr" | "task", text: string) => this.sendLog(a.leaseToken, stream, text);
    if (task.runtime.case === "command") {
      return startCommand({
        task,
        inputs,
        projectRoot: this.options.projectRoot,
        attemptDir,
        gpus: a.gpus,
        store: this.store,
        stderrTailLines: this.options.stderrTailLines,
        killGraceMs: this.options.killGraceMs,
        onLog,
      });
    }
    if (task.runtime.case !== "node") {
      return { done: Promise.resolve({ error: { code: "TASK_NOT_FOUND", message: `task '${task.name}' has no runtime (neither a module nor a command); recompile the workflow` } }), stop: () => undefined };
    }
    const req = {
      type: "run" as const,
      id: a.leaseToken.toString(),
      task: toBinary(TaskTemplateSchema, task),
      inputs: toBinary(LiteralSetSchema, inputs),
      executionId: a.executionId,
      nodeId: a.nodeId,
      attempt: a.attempt,
      projectRoot: this.options.projectRoot,
      artifactRoot: this.artifactRoot,
      workdir: attemptDir,
    };
    const taskLog = (text: string) => onLog("task", text);
    return a.gpus.length > 0 ? startInProcess(req, a.gpus, taskLog, this.options.killGraceMs) : this.threads.start(req, taskLog);
  }

  private onCancel(c: Cancel): void {
    const entry = this.running.get(c.leaseToken);
    if (!entry || entry.finished) return;
    this.finish(c.leaseToken, { error: { code: "CANCELLED", message: `cancelled by the runtime${c.reason ? `: ${c.reason}` : ""}` } });
    entry.handle?.stop();
  }

  private sendLog(lease: bigint, stream: string, text: string): void {
    this.connection?.send(
      create(WorkerMessageSchema, { msg: { case: "log", value: create(LogSchema, { leaseToken: lease, stream, text, at: timestampNow() }) } }),
    );
  }

  // One Result per lease: the first outcome wins (a cancel or deadline beats a late completion).
  private finish(lease: bigint, outcome: AttemptOutcome): void {
    const entry = this.running.get(lease);
    if (!entry || entry.finished) return;
    entry.finished = true;
    clearTimeout(entry.deadline);
    this.running.delete(lease);
    const result = create(ResultSchema, {
      leaseToken: lease,
      startedAt: entry.startedAt,
      finishedAt: timestampNow(),
      outcome: "outputs" in outcome ? { case: "outputs", value: outcome.outputs } : { case: "error", value: executionError(outcome.error.code, outcome.error.message) },
    });
    if ("error" in outcome) this.log.info({ lease: lease.toString(), task: entry.assign.task?.name, code: outcome.error.code }, "attempt failed");
    this.connection?.send(create(WorkerMessageSchema, { msg: { case: "result", value: result } }));
    if (this.running.size === 0) this.idle?.();
  }

  /** Stops taking work, waits up to drainTimeoutMs for running attempts, stops the rest, closes. */
  async stop(drainTimeoutMs = this.options.drainTimeoutMs): Promise<void> {
    this.draining = true;
    if (this.running.size > 0) {
      this.log.info({ running: this.running.size, drainTimeoutMs }, "draining: waiting for running attempts");
      await new Promise<void>((resolveIdle) => {
        this.idle = resolveIdle;
        setTimeout(resolveIdle, drainTimeoutMs).unref();
      });
    }
    for (const [lease, entry] of this.running) {
      this.finish(lease, { error: { code: "PREEMPTED", message: "the worker shut down before the attempt finished; it will be retried" } });
      entry.handle?.stop();
    }
    await this.connection?.close();
    await this.threads.close();
  }
}

/** Runs a worker until SIGTERM/SIGINT, then drains and exits. */
export async function runWorker(options: Partial<WorkerOptions> & { server: string }): Promise<void> {
  const worker = new Worker(options);
  const stop = () => {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    void worker.stop().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  await worker.start();
}
