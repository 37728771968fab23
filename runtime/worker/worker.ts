// The worker process: connects to the runtime, runs each assigned attempt on the right executor
// (task threads, a GPU child process, or a command), enforces timeouts (counted from the moment an
// attempt's code starts, announced to the runtime with Started) and cancellations, and reports one
// Result per lease. SIGTERM drains: no new work, running attempts finish (up to --drain-timeout),
// are reported, and the process exits 0.
import { utimes } from "node:fs/promises";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationMs, timestampFromMs, timestampNow } from "@bufbuild/protobuf/wkt";
import { formatDuration } from "../../core/index.ts";
import { encodeResult, LiteralSetSchema, LogSchema, RegisterSchema, WorkerMessageSchema } from "../../proto/index.ts";
import type { AssignFrame, Cancel, EncodedOutcome, GpuDevice, Registered, WorkerMessage } from "../../proto/index.ts";
import { LocalArtifactStore, PathOutsideRoot } from "../artifacts/index.ts";
import { PLAINTEXT, type ChannelSecurity } from "../channel-security.ts";
import { createLogger } from "../log.ts";
import type { Logger } from "../log.ts";
import { ArtifactCache } from "./artifact-cache.ts";
import { ArtifactClient } from "./artifact-client.ts";
import { artifactMode } from "./artifact-mode.ts";
import { startCommand } from "./command-runner.ts";
import { executionError } from "./attempt-failure.ts";
import { WorkerConnection } from "./connection.ts";
import { WORKER_DEFAULTS, type ArtifactsFlag } from "./defaults.ts";
import type { AttemptHandle, AttemptOutcome, OnStarted } from "./executor.ts";
import { startInProcess } from "./executor-process.ts";
import { ThreadExecutor } from "./executor-threads.ts";
import { discoverGpus } from "./gpus.ts";
import { CodeChecks } from "./code-check.ts";
import { TaskTemplates, type KnownTemplate } from "./task-templates.ts";
import { RemoteArtifacts } from "./remote-artifacts.ts";
import { ownCopy } from "./transfer-list.ts";
import { attemptWorkDir, removeWorkDir, sweepWorkDirs, workDirExists } from "./work-dirs.ts";

export interface WorkerOptions {
  /** host:port of the runtime's gRPC server, or of several replicas separated by commas. */
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
  /** How long a failed attempt's work directory is kept; 0 removes it like a succeeded one's. */
  keepFailedWorkMs: number;
  /** Results written this long before a broken stream are sent again on reconnect. */
  resultResendMs: number;
  /** Read the runtime's artifact store from its disk, through ArtifactService, or as its store id says (artifact-mode.ts). */
  artifacts: ArtifactsFlag;
  /** A remote worker's artifact cache (relative to the project root; "" for WORKER_DEFAULTS.artifactCacheDir). */
  artifactCache: string;
  logger: Logger;
}

interface Running {
  assign: AssignFrame;
  /** Its task's name, for messages and logs. */
  taskName: string;
  handle?: AttemptHandle;
  /** When its code started (epoch ms); until then, when it was assigned. */
  startedAtMs: number;
  started: boolean;
  /** Its task's timeout, counted from the start; 0 for none. */
  timeoutMs: number;
  deadline?: NodeJS.Timeout;
  /** Its work directory (inside the work root); "" until checked. */
  workDir: string;
  /** Assigned while draining: never started, refused when the drain ends (its slot stays taken meanwhile). */
  held: boolean;
  finished: boolean;
}

/** How often stale work directories are swept: a quarter of the retention, within [1 min, 1 h]. */
const sweepEveryMs = (keepMs: number) => Math.min(3_600_000, Math.max(60_000, keepMs / 4));

/**
 * Results kept by lease for a runtime that sends an attempt again. Those written just before a
 * break are re-sent by the connection anyway (resultResendMs); this covers the rest of a runtime's
 * crash window, and stays small: what it retains costs every collection of a busy worker.
 */
const MAX_KEPT_RESULTS = 1_000;
const MAX_KEPT_BYTES = 16 * 1024 * 1024;

export class Worker {
  readonly options: WorkerOptions;
  private readonly log: Logger;
  private readonly running = new Map<bigint, Running>();
  /**
   * The Results of the latest attempts, by lease: a runtime that sends an attempt again (it could
   * not know its Assign had arrived) gets the Result back instead of a second run.
   */
  private readonly done = new Map<bigint, Uint8Array>();
  private doneBytes = 0;
  /** This process, for the runtime to tell a reconnect from a restart under the same id. */
  private readonly instance = randomUUID();
  private readonly threads: ThreadExecutor;
  private readonly templates = new TaskTemplates();
  private readonly codeChecks: CodeChecks;
  private connection: WorkerConnection | undefined;
  private workerId: string;
  private gpus: GpuDevice[] = [];
  private artifactRoot: string;
  private store: LocalArtifactStore;
  /** Set while the runtime's disk is not this worker's: inputs are fetched and outputs delivered through ArtifactService. */
  private remote: RemoteArtifacts | undefined;
  private artifactClient: ArtifactClient | undefined;
  private artifactAddress: string | undefined;
  private draining = false;
  private stopping: Promise<void> | undefined;
  /** Ends the drain's wait: every attempt finished, the drain timed out, or a second signal. */
  private endDrain: (() => void) | undefined;
  private sweeper: NodeJS.Timeout | undefined;
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
      drainTimeoutMs: WORKER_DEFAULTS.drainTimeoutMs,
      keepFailedWorkMs: WORKER_DEFAULTS.keepFailedWorkMs,
      resultResendMs: WORKER_DEFAULTS.resultResendMs,
      artifacts: WORKER_DEFAULTS.artifacts,
      artifactCache: "",
      ...options,
      logger: log,
    };
    this.options.projectRoot = resolve(this.options.projectRoot);
    this.options.artifactCache = resolve(this.options.projectRoot, this.options.artifactCache || WORKER_DEFAULTS.artifactCacheDir);
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
    this.registeredOnce = new Promise((ok, fail) => {
      this.resolveRegistered = ok;
      this.rejectRegistered = fail;
    });
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
    this.sweepWorkDirs();
    this.sweeper = setInterval(() => this.sweepWorkDirs(), sweepEveryMs(this.options.keepFailedWorkMs));
    this.sweeper.unref();
    const o = this.options;
    this.connection = new WorkerConnection({
      address: o.server,
      security: o.security,
      log: this.log,
      reconnectInitialMs: o.reconnectInitialMs,
      reconnectMaxMs: o.reconnectMaxMs,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      maxBufferedLogs: o.maxBufferedLogs,
      resendWindowMs: o.resultResendMs,
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
          reportsStarted: true,
          instance: this.instance,
        }),
      running: () => [...this.running.keys()],
      onRegistered: (r) => this.onRegistered(r),
      onReregistered: () => this.startedAgain(),
      onAssign: (a) => this.onAssign(a),
      onCancel: (c) => this.onCancel(c),
      onRefused: (refusal) => this.rejectRegistered(refusal),
    });
    this.connection.start();
    return this.registeredOnce;
  }

  private onRegistered(r: Registered): void {
    this.workerId = r.workerId || this.workerId;
    // Decided on every registration: a runtime that came back may be another, on another disk.
    const { mode, reason } = artifactMode(this.options.artifacts, r);
    this.remote = mode === "remote" ? this.remoteArtifacts() : undefined;
    const root = this.remote ? this.remote.root : r.artifactRoot ? resolve(r.artifactRoot) : this.artifactRoot;
    if (root !== this.artifactRoot) {
      // Tasks read and write this store: the runtime's, or the cache a remote worker syncs with it.
      this.artifactRoot = root;
      this.store = new LocalArtifactStore(root);
      this.threads.setArtifactRoot(root);
    }
    this.log.info(
      { workerId: this.workerId, artifacts: mode, why: reason, artifactRoot: this.artifactRoot, running: this.running.size },
      "registered with the runtime",
    );
    this.resolveRegistered(r);
  }

  /** The remote artifact path (client, cache), made on first need and kept across registrations to the same runtime. */
  private remoteArtifacts(): RemoteArtifacts {
    const address = this.connection?.address ?? this.options.server;
    if (this.remote && this.artifactAddress === address) return this.remote;
    const o = this.options;
    const transfer = WORKER_DEFAULTS.artifactTransfer;
    if (this.artifactAddress !== address) {
      // Failed over to another replica: its ArtifactService serves the same store.
      this.artifactClient?.close();
      this.artifactClient = undefined;
      this.artifactAddress = address;
    }
    this.artifactClient ??= new ArtifactClient({
      address,
      security: o.security,
      policy: transfer,
      statTimeoutMs: transfer.statTimeoutMs,
      log: this.log,
    });
    const cache = new ArtifactCache(o.artifactCache, this.artifactClient, this.log);
    return new RemoteArtifacts({ cache, client: this.artifactClient, parallel: transfer.parallel, log: this.log });
  }

  private onAssign(a: AssignFrame): void {
    const lease = a.leaseToken;
    if (this.running.has(lease)) return; // a re-sent assignment of an attempt already running
    const result = this.done.get(lease);
    if (result) return this.connection?.send(result); // one already finished: its Result again
    const entry: Running = { assign: a, taskName: "", startedAtMs: Date.now(), started: false, timeoutMs: 0, workDir: "", held: false, finished: false };
    this.running.set(lease, entry);
    if (this.draining) {
      // Refused only when the drain ends: while its slot looks taken, the runtime sends no more.
      entry.held = true;
      return;
    }
    let template: KnownTemplate | undefined;
    try {
      template = a.task.byteLength > 0 ? this.templates.get(a.task) : undefined;
    } catch (err) {
      this.finish(lease, {
        error: {
          code: "TASK_NOT_FOUND",
          message: `the assignment's task template could not be decoded (${(err as Error).message}); the runtime and worker may be different versions`,
        },
      });
      return;
    }
    entry.taskName = template?.task.name ?? "";
    try {
      entry.workDir = attemptWorkDir(this.options.projectRoot, a.executionId, a.nodeId, a.attempt);
    } catch (err) {
      if (!(err instanceof PathOutsideRoot)) throw err;
      const message = `refused before it ran: its execution and node ids cannot name a work directory (${err.message})`;
      this.finish(lease, { error: { code: "INVALID_ARGUMENT", message } });
      return;
    }
    entry.timeoutMs = template?.task.timeout ? durationMs(template.task.timeout) : 0;
    if (entry.timeoutMs === 0 && a.deadlineMs > 0) {
      // A deadline without a timeout in the template (another runtime's Assign): kept as given.
      entry.deadline = setTimeout(() => this.timedOut(lease, `its deadline ${new Date(a.deadlineMs).toISOString()}`), Math.max(0, a.deadlineMs - Date.now()));
    }
    const start = (frame: AssignFrame) => this.startAttempt(frame, template, entry.workDir, (at) => this.onStarted(lease, at));
    try {
      entry.handle = this.remote ? this.remote.around(a, start) : start(a);
    } catch (err) {
      this.finish(lease, { error: { code: "TASK_FAILED", message: `could not start the attempt: ${(err as Error).message}` } });
      return;
    }
    entry.handle.done.then((outcome) => this.finish(lease, outcome));
  }

  /** The attempt's code began: its timeout runs from here, and the runtime is told (Started). */
  private onStarted(lease: bigint, atMs: number): void {
    const entry = this.running.get(lease);
    if (!entry || entry.finished || entry.started) return;
    entry.started = true;
    entry.startedAtMs = atMs;
    if (entry.timeoutMs <= 0) return;
    const from = new Date(atMs).toISOString();
    entry.deadline = setTimeout(
      () => this.timedOut(lease, `its timeout of ${formatDuration(entry.timeoutMs)} (counted from its start at ${from})`),
      Math.max(0, atMs + entry.timeoutMs - Date.now()),
    );
    this.connection?.send(startedMessage(lease, atMs));
  }

  /** Started again for every attempt with a timeout still running: a restarted runtime re-arms its backstop. */
  private startedAgain(): WorkerMessage[] {
    const out: WorkerMessage[] = [];
    for (const [lease, entry] of this.running) if (entry.started && entry.timeoutMs > 0 && !entry.finished) out.push(startedMessage(lease, entry.startedAtMs));
    return out;
  }

  private timedOut(lease: bigint, limit: string): void {
    const entry = this.running.get(lease);
    if (!entry || entry.finished) return;
    this.finish(lease, { error: { code: "TIMED_OUT", message: `task '${entry.taskName}' ran past ${limit} and was stopped` } });
    entry.handle?.stop();
  }

  private startAttempt(a: AssignFrame, template: KnownTemplate | undefined, workDir: string, onStarted: OnStarted): AttemptHandle {
    const task = template?.task;
    const onLog = (stream: "stdout" | "stderr" | "task", text: string) => this.sendLog(a.leaseToken, stream, text);
    if (task?.runtime.case === "command") {
      return startCommand({
        task,
        inputs: fromBinary(LiteralSetSchema, a.inputs),
        projectRoot: this.options.projectRoot,
        attemptDir: workDir,
        gpus: a.gpus,
        store: this.store,
        stderrTailLines: this.options.stderrTailLines,
        killGraceMs: this.options.killGraceMs,
        onLog,
        onStarted,
      });
    }
    if (!template || task?.runtime.case !== "node") {
      return {
        done: Promise.resolve({
          error: { code: "TASK_NOT_FOUND", message: `task '${task?.name ?? ""}' has no runtime (neither a module nor a command); recompile the workflow` },
        }),
        stop: () => undefined,
      };
    }
    // The inputs get a buffer of their own: it is transferred to the task thread, and the
    // assignment's bytes are a view into the stream's receive buffer, shared with every other
    // attempt of its AssignBatch (a Buffer's slice() is a view too, not a copy).
    const item = {
      id: a.leaseToken.toString(),
      tid: template.tid,
      inputs: ownCopy(a.inputs),
      executionId: a.executionId,
      nodeId: a.nodeId,
      attempt: a.attempt,
    };
    const stale = this.codeChecks.check(template);
    if (stale) return { done: Promise.resolve({ error: { code: stale.code, message: stale.message } }), stop: () => undefined };
    const taskLog = (text: string) => onLog("task", text);
    if (a.gpus.length > 0) {
      const config = { type: "config" as const, projectRoot: this.options.projectRoot, artifactRoot: this.artifactRoot };
      return startInProcess(config, template, item, a.gpus, taskLog, this.options.killGraceMs, onStarted);
    }
    return this.threads.start(template, item, taskLog, onStarted);
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

  /** Keeps a Result by lease, the oldest dropped past MAX_KEPT_RESULTS or MAX_KEPT_BYTES. */
  private keep(lease: bigint, result: Uint8Array): void {
    this.done.set(lease, result);
    this.doneBytes += result.byteLength;
    while (this.done.size > MAX_KEPT_RESULTS || this.doneBytes > MAX_KEPT_BYTES) {
      const [oldest, bytes] = this.done.entries().next().value!;
      this.done.delete(oldest);
      this.doneBytes -= bytes.byteLength;
    }
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
      wire = { error: executionError(outcome.error.code, outcome.error.message + this.keepFailedWorkDir(lease, entry)) };
      this.log.info({ lease: lease.toString(), task: entry.taskName, code: outcome.error.code }, "attempt failed");
    } else {
      wire = { outputs: outcome.outputs instanceof Uint8Array ? outcome.outputs : toBinary(LiteralSetSchema, outcome.outputs) };
    }
    const result = encodeResult(lease, entry.startedAtMs, Date.now(), wire);
    this.keep(lease, result);
    this.connection?.send(result);
    // Its outputs are in the artifact store and its Result is on its way: nothing there is needed.
    if (!("error" in outcome) && outcome.workdir) void removeWorkDir(this.options.projectRoot, outcome.workdir).catch(() => undefined);
    if (this.draining && ![...this.running.values()].some((e) => !e.held)) this.endDrain?.();
  }

  /**
   * A failed attempt's work directory, if it has one, stays for --keep-failed-work (touched now so
   * the sweep counts from the failure); the note for its Result's message and log says where.
   */
  private keepFailedWorkDir(lease: bigint, entry: Running): string {
    if (!entry.workDir || !workDirExists(entry.workDir)) return "";
    const keepMs = this.options.keepFailedWorkMs;
    if (keepMs <= 0) {
      void removeWorkDir(this.options.projectRoot, entry.workDir).catch(() => undefined);
      return "";
    }
    const now = new Date();
    void utimes(entry.workDir, now, now).catch(() => undefined);
    const note = `its work directory is kept until ${new Date(now.getTime() + keepMs).toISOString()} (--keep-failed-work): ${entry.workDir}`;
    this.sendLog(lease, "task", `weir: ${note}`);
    return `\n(${note})`;
  }

  private sweepWorkDirs(): void {
    const live = [...this.running.values()].map((e) => e.workDir).filter(Boolean);
    sweepWorkDirs(this.options.projectRoot, this.options.keepFailedWorkMs, live).then(
      (removed) => removed > 0 && this.log.info({ removed, keepFailedWorkMs: this.options.keepFailedWorkMs }, "removed stale attempt work directories"),
      (err: Error) => this.log.warn({ err: err.message }, "could not sweep attempt work directories"),
    );
  }

  /**
   * Stops taking work, waits up to drainTimeoutMs for running attempts, stops and reports the rest
   * (PREEMPTED, retried elsewhere), delivers every result (waiting as long again for a runtime that
   * is away), and closes. Calling it again returns the same stop.
   */
  stop(drainTimeoutMs = this.options.drainTimeoutMs): Promise<void> {
    this.stopping ??= this.drainAndClose(drainTimeoutMs);
    return this.stopping;
  }

  /** Ends a drain at once (a second SIGTERM): what still runs is stopped and reported. */
  hurry(): void {
    this.endDrain?.();
  }

  private async drainAndClose(drainTimeoutMs: number): Promise<void> {
    this.draining = true;
    const active = [...this.running.values()].filter((e) => !e.held).length;
    if (active > 0 && drainTimeoutMs > 0) {
      this.log.info({ running: active, drainTimeoutMs }, "draining: waiting for running attempts");
      await new Promise<void>((resolveDrain) => {
        const timer = setTimeout(resolveDrain, drainTimeoutMs);
        this.endDrain = () => {
          clearTimeout(timer);
          resolveDrain();
        };
      });
    }
    this.endDrain = undefined;
    for (const [lease, entry] of this.running) {
      const message = entry.held
        ? "assigned while the worker was shutting down (SIGTERM); it will run elsewhere"
        : `the worker shut down (SIGTERM) before the attempt finished (--drain-timeout ${drainTimeoutMs} ms); it will be retried`;
      this.finish(lease, { error: { code: "PREEMPTED", message } });
      entry.handle?.stop();
    }
    clearInterval(this.sweeper);
    await this.connection?.close(Math.max(2_000, drainTimeoutMs));
    this.artifactClient?.close();
    await this.threads.close();
  }
}

function startedMessage(lease: bigint, atMs: number): WorkerMessage {
  return create(WorkerMessageSchema, { msg: { case: "started", value: { leaseToken: lease, at: timestampFromMs(atMs) } } });
}

/**
 * Runs a worker until SIGTERM/SIGINT, then drains (a second signal ends the drain at once) and
 * exits 0; exits 1 only if stopping itself failed.
 */
export async function runWorker(options: Partial<WorkerOptions> & { server: string }): Promise<void> {
  const worker = new Worker(options);
  const log = worker.options.logger;
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn({ signal }, "second signal: stopping the running attempts now");
      worker.hurry();
      return;
    }
    signalled = true;
    log.info({ signal }, "stopping: no new work; running attempts may finish");
    worker.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, "the worker could not stop cleanly");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    await worker.start();
  } catch (err) {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await worker.stop(0);
    throw err;
  }
}
