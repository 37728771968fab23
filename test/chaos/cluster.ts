// The real processes the chaos suite breaks: one `weir server` on a fixed port and SQLite file
// (restarted on the same ones after every kill) and `weir worker`s with stable ids. Each process's
// output goes to its own file under the run's directory; every process started is ended by
// `stopAll()`, stopped ones resumed first, whatever happened.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { connectAdmin, type AdminClient } from "../../runtime/client.ts";
import { REPO } from "../e2e/harness.ts";
import { CHAOS_LIMITS } from "./profiles.ts";
import type { Timeline } from "./timeline.ts";

const WEIR_BIN = join(REPO, "bin", "weir.js");

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One child process, its output teed to a log file and the last few KiB kept for messages. */
export class ChaosProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  private tailText = "";
  private readonly exit: Promise<Exit>;
  private readonly log: WriteStream;
  private stopped = false;
  /** Set once the suite sent a signal that ends the process: any other exit is a crash. */
  private ending = false;

  constructor(
    readonly name: string,
    args: string[],
    options: { cwd: string; logFile: string; env?: Record<string, string> },
  ) {
    this.logFile = options.logFile;
    this.log = createWriteStream(options.logFile, { flags: "a" });
    this.child = spawn(process.execPath, [WEIR_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, WEIR_LOG_LEVEL: "info", NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.pid = this.child.pid!;
    const keep = (d: Buffer): void => {
      if (!this.log.writableEnded) this.log.write(d);
      this.tailText = (this.tailText + d.toString()).slice(-8_192);
    };
    this.child.stdout!.on("data", keep);
    this.child.stderr!.on("data", keep);
    this.child.once("close", () => this.log.end());
    // Settled once its output is in (on "close"), or half a second after "exit" when something
    // else holds its pipes open (a grandchild that outlived it).
    this.exit = new Promise<Exit>((ok) => {
      this.child.once("close", (code, signal) => ok({ code, signal }));
      this.child.once("exit", (code, signal) => void setTimeout(() => ok({ code, signal }), 500).unref());
    });
    running.add(this);
    void this.exit.then(() => running.delete(this));
  }

  alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.alive()) return;
    if (sig === "SIGKILL" || sig === "SIGTERM" || sig === "SIGINT") this.ending = true;
    if (sig === "SIGSTOP") this.stopped = true;
    if (sig === "SIGCONT") this.stopped = false;
    this.child.kill(sig);
  }

  isStopped(): boolean {
    return this.stopped;
  }

  /** Whether the suite ended (or is ending) it; an exit otherwise is a crash. */
  endedBySuite(): boolean {
    return this.ending;
  }

  exited(): Promise<Exit> {
    return this.exit;
  }

  /** Waits for the exit, at most `ms`; undefined when the process is still running then. */
  async exitedWithin(ms: number): Promise<Exit | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((ok) => (timer = setTimeout(() => ok(undefined), ms)));
    try {
      return await Promise.race([this.exit, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  tail(chars = 1_500): string {
    return this.tailText.slice(-chars);
  }
}

const running = new Set<ChaosProcess>();

/** Ends every process this module started: resumed first (a stopped one cannot die), then SIGKILL. */
export async function stopAll(): Promise<void> {
  const all = [...running];
  for (const p of all) {
    p.signal("SIGCONT");
    p.signal("SIGKILL");
  }
  await Promise.all(all.map((p) => p.exitedWithin(10_000)));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value (not undefined/false); throws naming `what` at the deadline. */
export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  pollMs: number = CHAOS_LIMITS.pollMs,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      if (err instanceof FatalWait) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`);
    }
    await sleep(pollMs);
  }
}

/** Thrown from a probe to stop waiting at once (the process waited on died). */
export class FatalWait extends Error {}

/**
 * `until`, failing early when `advance()` (a counter of progress, e.g. task bodies completed)
 * has not moved for `stallMs`: a stuck run is reported in seconds, not at the long deadline.
 */
export async function untilAdvancing<T>(
  what: string,
  limits: { totalMs: number; stallMs: number },
  advance: () => number,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  pollMs: number = CHAOS_LIMITS.pollMs,
): Promise<T> {
  let last = advance();
  let movedAt = Date.now();
  return until(
    what,
    limits.totalMs,
    async () => {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      const now = advance();
      if (now !== last) {
        last = now;
        movedAt = Date.now();
      } else if (Date.now() - movedAt > limits.stallMs) {
        throw new FatalWait(`no progress for ${Math.round(limits.stallMs / 1000)} s while waiting for ${what}`);
      }
      return undefined;
    },
    pollMs,
  );
}

/** True once a TCP connection to the port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect({ port, host: "127.0.0.1" });
    const done = (v: boolean): void => {
      socket.destroy();
      ok(v);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * A free port below the kernel's ephemeral range (32768+ here): the runtime listens on it again
 * after every kill, and a port the kernel hands out for outgoing connections or `listen(0)` (what
 * other tests use) could be taken while it is down.
 */
export async function stablePort(random: () => number = Math.random): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = 20_000 + Math.floor(random() * 12_000);
    const free = await new Promise<boolean>((ok) => {
      const server = createServer();
      server.once("error", () => ok(false));
      server.listen(port, "127.0.0.1", () => server.close(() => ok(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port found between 20000 and 32000");
}

export interface RuntimeInstance {
  readonly proc: ChaosProcess;
  readonly client: AdminClient;
  /** When the process was spawned. */
  readonly spawnedAt: number;
  /** When its port first accepted a TCP connection: reconnect times count from here. */
  readonly listeningAt: number;
}

export interface WorkerInstance {
  readonly id: string;
  proc: ChaosProcess;
  /** Restarts after crashes so far. */
  restarts: number;
}

/** The line of a process's output that says what went wrong (the error, rather than Node's version banner). */
export function errorLine(tail: string): string {
  const lines = tail
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /Error|error|fatal|FATAL/.test(l) && !l.startsWith("at ")) ?? lines.at(-1) ?? "";
}

/** A process that exited without the suite ending it. */
export interface Crash {
  name: string;
  at: number;
  exit: Exit;
  /** The last lines of its output (the error, usually). */
  tail: string;
}

/** A supervisor's patience: a worker that crashes more often than this stays down. */
const MAX_CRASH_RESTARTS = 5;

export class Cluster {
  runtime: RuntimeInstance | undefined;
  readonly workers = new Map<string, WorkerInstance>();
  /** Processes that exited on their own; crashed workers are restarted (as a supervisor would), the runtime is not. */
  readonly crashes: Crash[] = [];
  /** Every worker process started, by pid ("w1#2"): who ran a body the side-effect log records. */
  readonly workerPids = new Map<number, string>();
  private starts = 0;
  private closing = false;
  private readonly logs: string;

  constructor(
    readonly options: {
      /** Prefix of its processes' log files ("fuzz" → logs/fuzz.runtime.01.log). */
      name?: string;
      /** The run's own temp directory (logs go to its `logs/`). */
      dir: string;
      project: string;
      db: string;
      port: number;
      sideEffectLog: string;
      timeline: Timeline;
      workerConcurrency: number;
    },
  ) {
    this.logs = join(options.dir, "logs");
    mkdirSync(this.logs, { recursive: true });
  }

  private get prefix(): string {
    return this.options.name ? `${this.options.name}.` : "";
  }

  get address(): string {
    return `127.0.0.1:${this.options.port}`;
  }

  get client(): AdminClient {
    if (!this.runtime) throw new Error("the runtime is not running");
    return this.runtime.client;
  }

  /** `weir server` on the run's SQLite file and port, waited on until it listens and answers. */
  async startRuntime(): Promise<RuntimeInstance> {
    if (this.runtime?.proc.alive()) throw new Error("a runtime is already running");
    const n = ++this.starts;
    const { project, db, port, timeline } = this.options;
    const spawnedAt = Date.now();
    const proc = new ChaosProcess(
      `runtime#${n}`,
      ["server", "--store", `sqlite:${db}`, "--port", String(port), "--artifacts", join(project, ".weir", "artifacts"), "--project", project],
      { cwd: project, logFile: join(this.logs, `${this.prefix}runtime.${String(n).padStart(2, "0")}.log`) },
    );
    timeline.record("runtime-start", proc.name, `pid ${proc.pid}`, spawnedAt);
    void proc.exited().then((exit) => {
      if (!proc.endedBySuite()) this.crashes.push({ name: proc.name, at: Date.now(), exit, tail: proc.tail(2_000) });
    });
    const listeningAt = await until(
      `runtime #${n} to listen on port ${port}`,
      CHAOS_LIMITS.startMs,
      async () => {
        if (!proc.alive()) throw new FatalWait(`runtime #${n} exited before listening: ${proc.tail()}`);
        return (await accepts(port)) ? Date.now() : undefined;
      },
      10,
    );
    timeline.record("runtime-listening", proc.name, undefined, listeningAt);
    const client = connectAdmin(this.address, { deadlineMs: 15_000 });
    this.runtime = { proc, client, spawnedAt, listeningAt };
    await until(`runtime #${n} to answer ListWorkers`, CHAOS_LIMITS.startMs, async () => {
      if (!proc.alive()) throw new FatalWait(`runtime #${n} exited: ${proc.tail()}`);
      await client.listWorkers({}, { deadlineMs: 5_000 });
      return true;
    });
    return this.runtime;
  }

  /** Signals the runtime and waits for it to exit; returns how it exited (undefined: it did not within the deadline, then SIGKILLed). */
  async stopRuntime(sig: "SIGKILL" | "SIGTERM"): Promise<Exit | undefined> {
    const rt = this.runtime;
    if (!rt) throw new Error("no runtime to stop");
    this.options.timeline.record(sig === "SIGKILL" ? "runtime-sigkill" : "runtime-sigterm", rt.proc.name);
    rt.proc.signal(sig);
    let exit = await rt.proc.exitedWithin(sig === "SIGKILL" ? 30_000 : CHAOS_LIMITS.sigtermExitMs);
    if (!exit) {
      rt.proc.signal("SIGKILL");
      await rt.proc.exitedWithin(30_000);
      exit = undefined;
    }
    rt.client.close();
    this.runtime = undefined;
    return exit;
  }

  /** Spawns `weir worker --id <id>` (again, after a kill: the same id) and waits until the runtime lists it connected. */
  async startWorker(id: string): Promise<WorkerInstance> {
    const { worker, spawnedAt } = this.spawnWorker(id);
    const back = await this.waitRegistered([id], spawnedAt);
    this.options.timeline.workerUp(id, back.get(id)!);
    return worker;
  }

  private spawnWorker(id: string): { worker: WorkerInstance; spawnedAt: number } {
    const { project, sideEffectLog, workerConcurrency, timeline } = this.options;
    const previous = this.workers.get(id);
    if (previous?.proc.alive()) throw new Error(`worker ${id} is still running`);
    const generation = previous ? Number(previous.proc.name.split("#")[1]) + 1 : 1;
    const spawnedAt = Date.now();
    const proc = new ChaosProcess(
      `${id}#${generation}`,
      ["worker", "--server", this.address, "--pool", "cpu", "--id", id, "--concurrency", String(workerConcurrency)],
      { cwd: project, logFile: join(this.logs, `${this.prefix}worker.${id}.${generation}.log`), env: { WEIR_CHAOS_LOG: sideEffectLog } },
    );
    timeline.record("worker-start", id, `pid ${proc.pid}`, spawnedAt);
    this.workerPids.set(proc.pid, proc.name);
    const worker: WorkerInstance = previous ?? { id, proc, restarts: 0 };
    worker.proc = proc;
    this.workers.set(id, worker);
    void proc.exited().then((exit) => {
      if (proc.endedBySuite() || this.closing) return;
      const at = Date.now();
      this.crashes.push({ name: proc.name, at, exit, tail: proc.tail(2_000) });
      timeline.workerDown(id, "crash", at);
      timeline.record("worker-exit", id, `crashed: ${exit.signal ?? `code ${exit.code}`}`, at);
      if (worker.restarts >= MAX_CRASH_RESTARTS) return;
      worker.restarts++;
      const again = this.spawnWorker(id);
      // Its return is noted when the runtime lists it; a runtime down now is waited for too.
      void this.waitRegistered([id], again.spawnedAt, CHAOS_LIMITS.executionEndMs).then(
        (back) => timeline.workerUp(id, back.get(id)!),
        () => undefined,
      );
    });
    return { worker, spawnedAt };
  }

  /**
   * Waits until the runtime lists each worker as connected with a registration at or after
   * `since`; returns each one's registration time (the runtime's `connected_at`).
   */
  async waitRegistered(
    ids: string[],
    since: number,
    timeoutMs: number = CHAOS_LIMITS.reconnectMs,
    options: { orHeartbeat?: boolean } = {},
  ): Promise<Map<string, number>> {
    return until(`workers ${ids.join(", ")} to register with the runtime`, timeoutMs, async () => {
      for (const id of ids) {
        const w = this.workers.get(id);
        // A crashed worker is restarted (and registers again) unless it crashed too often.
        if (w && !w.proc.alive() && w.restarts >= MAX_CRASH_RESTARTS) throw new FatalWait(`worker ${id} keeps crashing: ${w.proc.tail()}`);
      }
      this.assertRuntimeAlive();
      const { workers } = await this.client.listWorkers({}, { deadlineMs: 5_000 });
      const at = new Map<string, number>();
      for (const info of workers) {
        if (!ids.includes(info.id) || !info.connected || !info.connectedAt) continue;
        const ms = Number(info.connectedAt.seconds) * 1000 + Math.floor(info.connectedAt.nanos / 1e6);
        // connected_at has millisecond precision; the spawn time is taken before the process exists.
        if (ms >= since - 1) at.set(info.id, ms);
        else if (options.orHeartbeat && info.lastHeartbeat) {
          // A worker whose stream outlived its stop needs no new registration: a fresh heartbeat will do.
          const beat = Number(info.lastHeartbeat.seconds) * 1000 + Math.floor(info.lastHeartbeat.nanos / 1e6);
          if (beat >= since) at.set(info.id, beat);
        }
      }
      return at.size === ids.length ? at : undefined;
    });
  }

  /** Throws FatalWait when the runtime crashed: no wait on it can succeed then. */
  assertRuntimeAlive(): void {
    if (this.runtime && !this.runtime.proc.alive()) throw new FatalWait(`the runtime exited on its own: ${errorLine(this.runtime.proc.tail(2_000))}`);
  }

  /** Throws FatalWait when every worker crashed more often than the supervisor restarts. */
  assertWorkersLeft(): void {
    const all = [...this.workers.values()];
    if (all.length > 0 && all.every((w) => !w.proc.alive() && w.restarts >= MAX_CRASH_RESTARTS)) {
      throw new FatalWait(`no worker left: each crashed ${MAX_CRASH_RESTARTS + 1} times (${errorLine(all[0]!.proc.tail(2_000))})`);
    }
  }

  /** Starts the runtime when it is not running (after a crash); true when it had to. */
  async ensureRuntime(): Promise<boolean> {
    if (this.runtime?.proc.alive()) return false;
    this.runtime?.client.close();
    this.runtime = undefined;
    await this.startRuntime();
    return true;
  }

  /** Live workers (not exited); a stopped one counts. */
  liveWorkerIds(): string[] {
    return [...this.workers.values()].filter((w) => w.proc.alive()).map((w) => w.id);
  }

  /** Ends everything, then waits for every exit. */
  async stopAll(): Promise<void> {
    this.closing = true;
    this.runtime?.client.close();
    await stopAll();
  }
}
