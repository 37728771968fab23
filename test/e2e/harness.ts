// End-to-end harness: real `weir server` and `weir worker` child processes on free ports, real
// stores (SQLite files in temp dirs, or with WEIR_TEST_STORE=postgres a fresh PostgreSQL database
// per runtime), the real compiler, and the real CLI. Everything started is tracked and killed in
// `cleanup()`, and every database made dropped, so a failing test leaves nothing behind.
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { connectAdmin, type AdminClient } from "../../runtime/client.ts";
import { ExecutionState, NodeState, type Execution, type NodeExecution } from "../../proto/index.ts";
import { createTestDatabase, type TestDatabase } from "../runtime/store/postgres-databases.ts";

export const REPO = resolve(fileURLToPath(import.meta.url), "../../..");
const WEIR_BIN = join(REPO, "bin", "weir.js");

export const E2E_DEFAULTS = Object.freeze({
  /** Generous: the CI box has two noisy cores, and tsx cold starts take seconds there. */
  startTimeoutMs: 45_000,
  waitTimeoutMs: 45_000,
  pollMs: 100,
});

/** The engine the suite's runtimes store in: `WEIR_TEST_STORE` (sqlite by default, or postgres). */
export const TEST_STORE: "sqlite" | "postgres" = (() => {
  const v = process.env.WEIR_TEST_STORE ?? "sqlite";
  if (v !== "sqlite" && v !== "postgres") throw new Error(`WEIR_TEST_STORE is ${JSON.stringify(v)}; set it to sqlite (the default) or postgres`);
  return v;
})();

/** The PostgreSQL database standing in for each SQLite path a test named. */
const databases = new Map<string, Promise<TestDatabase>>();

/**
 * The `--store` URL for the store a test calls `db` (a SQLite file path): that file, or on
 * PostgreSQL a fresh database made for it on first use, the same one after (a restarted runtime
 * finds its state), dropped by `cleanup()`.
 */
export async function storeUrl(db: string): Promise<string> {
  if (TEST_STORE === "sqlite") return `sqlite:${db}`;
  let made = databases.get(db);
  if (!made) databases.set(db, (made = createTestDatabase()));
  return (await made).url;
}

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

const started = new Set<Proc>();

/** Starts `node bin/weir.js <args>` and remembers it for cleanup. */
export function spawnWeir(args: string[], options: { cwd: string; env?: Record<string, string> }): Proc {
  const child = spawn(process.execPath, [WEIR_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, WEIR_LOG_LEVEL: "info", NO_COLOR: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.once("exit", (code, signal) => ok({ code, signal })));
  const proc: Proc = {
    child,
    pid: child.pid!,
    output: () => text,
    exited: () => exit,
    kill: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  started.add(proc);
  void exit.then(() => started.delete(proc));
  return proc;
}

/** Runs a CLI command to its end; returns its exit code and output. */
export async function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [WEIR_BIN, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number>((ok) => child.once("exit", (c) => ok(c ?? 1)));
  return { code, stdout, stderr };
}

export async function cleanup(): Promise<void> {
  const all = [...started];
  for (const p of all) {
    // A SIGSTOPped process ignores SIGKILL's exit until resumed on some kernels; resume first.
    p.kill("SIGCONT");
    p.kill("SIGKILL");
  }
  await Promise.all(all.map((p) => p.exited()));
  const made = [...databases.values()];
  databases.clear();
  for (const db of made) await (await db).drop();
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

/** Polls `probe` until it returns a value (not undefined/false); fails with `what` at the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number = E2E_DEFAULTS.waitTimeoutMs,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ""}`);
    }
    await new Promise((r) => setTimeout(r, E2E_DEFAULTS.pollMs));
  }
}

/** A copy of a fixture project in a temp dir, resolving "weir" to this checkout. */
export function prepareProject(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), "weir-e2e-"));
  cpSync(join(REPO, "test", "fixtures", "e2e", fixture), dir, { recursive: true });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "weir"));
  symlinkSync(join(REPO, "node_modules", "@types"), join(dir, "node_modules", "@types"));
  return dir;
}

/** `weir compile` on the project; returns the directory of the written specs. */
export async function compileProject(dir: string): Promise<string> {
  const result = await runCli(["compile", dir], dir);
  if (result.code !== 0) throw new Error(`weir compile failed (${result.code}):\n${result.stdout}\n${result.stderr}`);
  return join(dir, ".weir", "compiled");
}

export interface Runtime {
  proc: Proc;
  address: string;
  port: number;
  client: AdminClient;
  stop(): Promise<void>;
}

/** `weir server` on the store for `db` (see storeUrl), waited on until it answers AdminService calls. */
export async function startRuntime(options: { cwd: string; db: string; port?: number; args?: string[] }): Promise<Runtime> {
  const port = options.port ?? (await freePort());
  const artifacts = join(options.cwd, ".weir", "artifacts");
  const proc = spawnWeir(["server", "--store", await storeUrl(options.db), "--port", String(port), "--artifacts", artifacts, ...(options.args ?? [])], {
    cwd: options.cwd,
  });
  const address = `127.0.0.1:${port}`;
  const client = connectAdmin(address, { deadlineMs: 10_000 });
  await waitFor(
    `the runtime at ${address} to answer (output so far: ${proc.output().slice(-500)})`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`weir server exited early: ${proc.output()}`);
      await client.listWorkers({}, { deadlineMs: 1_000 });
      return true;
    },
    E2E_DEFAULTS.startTimeoutMs,
  );
  return {
    proc,
    address,
    port,
    client,
    async stop() {
      client.close();
      proc.kill("SIGTERM");
      await proc.exited();
    },
  };
}

/** `weir worker` in the project, waited on until the runtime lists it as connected. */
export async function startWorker(
  runtime: Runtime,
  options: { cwd: string; id: string; runsDir: string; pools?: string[]; concurrency?: number; gpus?: string },
): Promise<Proc> {
  const pools = (options.pools ?? ["cpu"]).flatMap((p) => ["--pool", p]);
  const gpus = options.gpus ? ["--gpus", options.gpus] : [];
  const proc = spawnWeir(["worker", "--server", runtime.address, ...pools, ...gpus, "--id", options.id, "--concurrency", String(options.concurrency ?? 4)], {
    cwd: options.cwd,
    env: { WEIR_E2E_RUNS: options.runsDir },
  });
  await waitFor(
    `worker ${options.id} to connect`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`weir worker exited early: ${proc.output()}`);
      const { workers } = await runtime.client.listWorkers({});
      return workers.some((w) => w.id === options.id && w.connected);
    },
    E2E_DEFAULTS.startTimeoutMs,
  );
  return proc;
}

export const isDone = (e: Execution) => e.state === ExecutionState.SUCCEEDED || e.state === ExecutionState.FAILED || e.state === ExecutionState.TERMINATED;

export async function waitForExecution(client: AdminClient, id: string, timeoutMs?: number): Promise<Execution> {
  return waitFor(
    `execution ${id} to end`,
    async () => {
      const { execution } = await client.getExecution({ id });
      return execution && isDone(execution) ? execution : undefined;
    },
    timeoutMs,
  );
}

export async function waitForNode(client: AdminClient, id: string, nodeId: string, states: NodeState[]): Promise<NodeExecution> {
  return waitFor(`node ${nodeId} of ${id} to reach ${states.map((s) => NodeState[s]).join("/")}`, async () => {
    const { execution } = await client.getExecution({ id });
    const node = execution?.nodes.find((n) => n.nodeId === nodeId);
    return node && states.includes(node.state) ? node : undefined;
  });
}

export function node(execution: Execution, nodeId: string): NodeExecution {
  const found = execution.nodes.find((n) => n.nodeId === nodeId);
  if (!found) throw new Error(`${execution.id} has no node ${nodeId}; it has ${execution.nodes.map((n) => n.nodeId).join(", ")}`);
  return found;
}

/** Run records a task wrote under $WEIR_E2E_RUNS: `<execution>.<label>.<attempt>.<pid>.<phase>`. */
export function runs(runsDir: string, executionId: string, label: string, phase: "start" | "end" = "end"): string[] {
  let files: string[] = [];
  try {
    files = readdirSync(runsDir);
  } catch {
    return [];
  }
  return files.filter((f) => f.startsWith(`${executionId}.${label}.`) && f.endsWith(`.${phase}`));
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
