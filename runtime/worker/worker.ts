// The worker process: connects to the runtime, runs each assigned attempt on the right executor
// (task threads, a GPU child process, or a command), enforces deadlines and cancellations, and
// reports one Result per lease. SIGTERM drains: no new work, running attempts finish or stop.
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { LiteralSetSchema, LogSchema, RegisterSchema, WorkerMessageSchema } from "../../proto/index.ts";
import type { Cancel, GpuDevice, Registered } from "../../proto/index.ts";
import { LocalArtifactStore } from "../artifacts/index.ts";
import { PLAINTEXT, type ChannelSecurity } from "../channel-security.ts";
import { createLogger } from "../log.ts";
import type { Logger } from "../log.ts";
import { startCommand } from "./command-runner.ts";
import { WorkerConnection } from "./connection.ts";
import { WORKER_DEFAULTS } from "./defaults.ts";
import type { AttemptHandle, AttemptOutcome } from "./executor.ts";
import { startInProcess } from "./executor-process.ts";
import { ThreadExecutor } from "./executor-threads.ts";
import { discoverGpus } from "./gpus.ts";
import { CodeChecks } from "./code-check.ts";
import { TaskTemplates, type KnownTemplate } from "./task-templates.ts";
import { encodeResult, type AssignFrame, type EncodedOutcome } from "./wire.ts";

export interface WorkerOptions {
  /** host:port of the runtime's gRPC server. */
  server: string;
  /** TLS and the token for the connection to it. */
  security: ChannelSecurity;
  pools: readonly string[];
  concurrency: number;
  gpus: "auto" | number;
  /** The model of the devices a count of `gpus` declares (nvidia-smi names them under "auto"). */
  gpuName?: string;
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
  assign: AssignFrame;
  /** Its task's name, for messages and logs. */
  taskName: string;
  handle?: AttemptHandle;
  startedAtMs: number;
  deadline?: NodeJS.Timeout;
  finished: boolean;
}

export class Worker {
  readonly options: WorkerOptions;
  private readonly log: Logger;
  private readonly running = new Map<bigint, Running>();
  private readonly threads: ThreadExecutor;
  private readonly templates = new TaskTemplates();
  private readonly codeChecks: CodeChecks;
  private connection: WorkerConnection | undefined;
  private workerId: string;
  private gpus: GpuDevice[] = [];
  private artifactRoot: string;
  private store: LocalArtifactStore;
  private draining = false;
  private idle: (() => void) | undefined;
  private registeredOnce: Promise<Registered>;
  private resolveRegistered!: (r: Registered) => void;
  private rejectRegistered!: (err: Error) => void;

  constructor(options: Partial<WorkerOptions> & { server: string }) {
    const log = options.logger ?? createLogger().child({ part: "worker" });
    this.options = {
      security: PLAINTEXT,
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
    this.codeChecks = new CodeChecks(this.options.projectRoot);
    this.threads = new ThreadExecutor({
      threads: Math.min(this.options.threads, this.options.concurrency),
      killGraceMs: this.options.killGraceMs,
      projectRoot: this.options.projectRoot,
      artifactRoot: this.artifactRoot,
    });
    this.registeredOnce = new Promise((ok, fail) => ((this.resolveRegistered = ok), (this.rejectRegistered = fail)));
  }

  get id(): string {
    return this.workerId;
  }

  /**
   * Discovers GPUs, starts the task threads and connects; resolves once registered, rejects with a
   * ConnectionRefused when the runtime refuses the first connection for good.
   */
  async start(): Promise<Registered> {
    const found = await discoverGpus(this.options.gpus, { declaredName: this.options.gpuName });
    this.gpus = found.devices;
    this.log.info({ gpus: found.devices.length }, found.note);
    this.threads.warm();
    const o = this.options;
    this.connection = new WorkerConnection({
      address: o.server,
      security: o.security,
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
          acceptsAssignBatch: true,
        }),
      running: () => [...this.running.keys()],
      onRegistered: (r) => this.onRegistered(r),
      onAssign: (a) => this.onAssign(a),
      onCancel: (c) => this.onCancel(c),
      onRefused: (refusal) => this.rejectRegistered(refusal),
    });
    this.connection.start();
    return this.registeredOnce;
  }

  private onRegistered(r: Registered): void {
    this.workerId = r.workerId || this.workerId;
    if (r.artifactRoot && resolve(r.artifactRoot) !== this.artifactRoot) {
      this.artifactRoot = resolve(r.artifactRoot);
      this.store = new LocalArtifactStore(this.artifactRoot);
      this.threads.setArtifactRoot(this.artifactRoot);
    }
    this.log.info({ workerId: this.workerId, artifactRoot: this.artifactRoot, running: this.running.size }, "registered with the runtime");
    this.resolveRegistered(r);
  }

  private onAssign(a: AssignFrame): void {
    const lease = a.leaseToken;
    if (this.running.has(lease)) return; // a re-sent assignment of an attempt already running
    const entry: Running = { assign: a, taskName: "", startedAtMs: Date.now(), finished: false };
    this.running.set(lease, entry);
    if (this.draining) {
      this.finish(lease, { error: { code: "PREEMPTED", message: "the worker is shutting down (SIGTERM) and takes no new work; the attempt will run elsewhere" } });
      return;
    }
    let template: KnownTemplate | undefined;
    try {
      template = a.task.byteLength > 0 ? this.templates.get(a.task) : undefined;
    } catch (err) {
      this.finish(lease, { error: { code: "TASK_NOT_FOUND", message: `the assignment's task template could not be decoded (${(err as Error).message}); the runtime and worker may be different versions` } });
      return;
    }
    entry.taskName = template?.task.name ?? "";
    if (a.deadlineMs > 0) {
      entry.deadline = setTimeout(() => {
        this.finish(lease, { error: { code: "TIMED_OUT", message: `task '${entry.taskName}' ran past its deadline ${new Date(a.deadlineMs).toISOString()} and was stopped` } });
        entry.handle?.stop();
      }, Math.max(0, a.deadlineMs - Date.now()));
    }
    try {
      entry.handle = this.startAttempt(a, template);
    } catch (err) {
      this.finish(lease, { error: { code: "TASK_FAILED", message: `could not start the attempt: ${(err as Error).message}` } });
      return;
    }
    entry.handle.done.then((outcome) => this.finish(lease, outcome));
  }

  private startAttempt(a: AssignFrame, template: KnownTemplate | undefined): AttemptHandle {
    const task = template?.task;
    const onLog = (stream: "stdout" | "stderr" | "task", text: string) => this.sendLog(a.leaseToken, stream, text);
    if (task?.runtime.case === "command") {
      return startCommand({
        task,
        inputs: fromBinary(LiteralSetSchema, a.inputs),
        projectRoot: this.options.projectRoot,
        attemptDir: join(this.options.projectRoot, ".weir", "work", a.executionId, a.nodeId, String(a.attempt)),
        gpus: a.gpus,
        store: this.store,
        stderrTailLines: this.options.stderrTailLines,
        killGraceMs: this.options.killGraceMs,
        onLog,
      });
    }
    if (!template || task?.runtime.case !== "node") {
      return { done: Promise.resolve({ error: { code: "TASK_NOT_FOUND", message: `task '${task?.name ?? ""}' has no runtime (neither a module nor a command); recompile the workflow` } }), stop: () => undefined };
    }
    // The inputs get a buffer of their own: it is transferred to the task thread, and the
    // assignment's bytes are a view into the stream's receive buffer.
    const item = { id: a.leaseToken.toString(), tid: template.tid, inputs: a.inputs.slice(), executionId: a.executionId, nodeId: a.nodeId, attempt: a.attempt };
    const stale = this.codeChecks.check(template);
    if (stale) return { done: Promise.resolve({ error: { code: stale.code, message: stale.message } }), stop: () => undefined };
    const taskLog = (text: string) => onLog("task", text);
    if (a.gpus.length > 0) {
      const config = { type: "config" as const, projectRoot: this.options.projectRoot, artifactRoot: this.artifactRoot };
      return startInProcess(config, template, item, a.gpus, taskLog, this.options.killGraceMs);
    }
    return this.threads.start(template, item, taskLog);
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
    let wire: EncodedOutcome;
    if ("error" in outcome) {
      wire = outcome;
      this.log.info({ lease: lease.toString(), task: entry.taskName, code: outcome.error.code }, "attempt failed");
    } else {
      wire = { outputs: outcome.outputs instanceof Uint8Array ? outcome.outputs : toBinary(LiteralSetSchema, outcome.outputs) };
    }
    this.connection?.send(encodeResult(lease, entry.startedAtMs, Date.now(), wire));
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
  try {
    await worker.start();
  } catch (err) {
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    await worker.stop(0);
    throw err;
  }
}
