// The weir half of the runtime bench: a `weir server` child (durable SQLite state) and one
// `weir worker` child at concurrency 64, running no-op TypeScript tasks. The no-op task is
// compiled by the real compiler from a tiny generated project; the bench workflows reuse that
// compiled TaskTemplate in CompiledWorkflow protos built here (the SDK has no loop to express a
// 10,000-way fan-out in a workflow body), and the runtime validates them like any other spec.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { clone, create } from "@bufbuild/protobuf";
import { timestampMs } from "@bufbuild/protobuf/wkt";
import { compileProject } from "../../compiler/index.ts";
import { CompiledWorkflowSchema, NodeSchema, type CompiledWorkflow, type Execution } from "../../proto/index.ts";
import { connectAdmin, type AdminClient } from "../../runtime/client.ts";
import { followExecution } from "../../runtime/cli/follow.ts";
import { benchDatabase } from "./postgres-database.ts";
import { BENCH_DEFAULTS, medianRun, percentile, type ShapeResult, type SystemResult } from "./shapes.ts";

const REPO = resolve(fileURLToPath(import.meta.url), "../../..");
const WEIR_BIN = join(REPO, "bin", "weir.js");

const TASKS = `import { task } from "weir";
export const noop = task({ name: "noop", inputs: {}, outputs: {} }, () => ({}));
`;
const WORKFLOWS = `import { workflow } from "weir";
import { noop } from "./tasks.ts";
export const seed = workflow({ name: "seed", inputs: {}, outputs: {} }, () => {
  noop({});
  return {};
});
`;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

/** WEIR_BENCH_PROF=<dir> writes a V8 CPU profile of the server and the worker process there. */
function spawnWeir(args: string[], cwd: string): ChildProcess {
  const prof = process.env.WEIR_BENCH_PROF;
  const flags = prof ? ["--cpu-prof", `--cpu-prof-dir=${resolve(prof)}`] : [];
  const child = spawn(process.execPath, [...flags, WEIR_BIN, ...args], {
    cwd,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WEIR_LOG_LEVEL: "warn" },
  });
  return child;
}

/** A workflow of no-op nodes; `upstream(i)` gives node i's dependencies. */
function shape(seed: CompiledWorkflow, name: string, count: number, upstream: (i: number) => string[]): CompiledWorkflow {
  const spec = clone(CompiledWorkflowSchema, seed);
  const wf = spec.workflow!;
  const template = wf.nodes[0]!;
  wf.name = name;
  wf.version = "";
  wf.nodes = Array.from({ length: count }, (_, i) =>
    create(NodeSchema, { id: `n${i}`, target: template.target, inputs: [], upstream: upstream(i), source: template.source }),
  );
  return spec;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** WEIR_BENCH_CPU=1 prints each shape's CPU time of the bench, the server and the worker process. */
const cpuPids: number[] = [];
function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]);
}
/**
 * Create → the client learns the end. Timed shapes wait for the end alone (as BullMQ's half waits
 * for the root job's completion); `live` follows every node as `weir run --follow` does.
 */
async function runShape(client: AdminClient, workflow: string, live = false): Promise<{ seconds: number; execution: Execution }> {
  const label = live ? `${workflow} (live follower)` : workflow;
  const cpu0 = [process.pid, ...cpuPids].map(cpuTicks);
  const start = performance.now();
  // With WEIR_BENCH_PROF, the shape's window on the profiles' clock (CLOCK_MONOTONIC, µs).
  const mark = (what: string) => process.env.WEIR_BENCH_PROF && process.stderr.write(`prof-window ${label} ${what} ${process.hrtime.bigint() / 1000n}\n`);
  mark("start");
  const { execution } = await client.createExecution({ workflow });
  const final = await followExecution(client, execution!.id, { endOnly: !live });
  const seconds = (performance.now() - start) / 1000;
  mark("end");
  if (process.env.WEIR_BENCH_CPU)
    process.stderr.write(`cpu ${label} bench/server/worker ${[process.pid, ...cpuPids].map((p, i) => (cpuTicks(p) - cpu0[i]!) * 10).join(" / ")} ms\n`);
  if (final.state !== 3) throw new Error(`bench workflow ${workflow} ended ${final.state}: ${final.error?.message}`);
  const { execution: full } = await client.getExecution({ id: final.id });
  return { seconds, execution: full! };
}

/** ready (the attempt's queued_at) → started (started_at), per attempt, from the store. */
function readyToStarted(execution: Execution): number[] {
  return execution.nodes
    .flatMap((n) => n.attempts)
    .filter((a) => a.queuedAt && a.startedAt)
    .map((a) => timestampMs(a.startedAt!) - timestampMs(a.queuedAt!))
    .sort((a, b) => a - b);
}

/** Along the chain: node i-1 finished (ready for node i) → node i started; same as BullMQ's. */
function chainHandOffs(execution: Execution): number[] {
  const byId = new Map(execution.nodes.map((n) => [n.nodeId, n]));
  const gaps: number[] = [];
  for (let i = 1; byId.has(`n${i}`); i++) {
    const below = byId.get(`n${i - 1}`)!.attempts.at(-1);
    const link = byId.get(`n${i}`)!.attempts.at(-1);
    if (below?.finishedAt && link?.startedAt) gaps.push(timestampMs(link.startedAt) - timestampMs(below.finishedAt));
  }
  return gaps.sort((a, b) => a - b);
}

export type BenchStore = "sqlite" | "postgres";

/**
 * `replicas` > 1 (PostgreSQL): that many `weir server`s on the database; the worker is given every
 * address and connects to the first; the client talks to the last, which has no worker, so every
 * execution goes through a release and a claim by the first.
 */
export async function benchWeir(storeKind: BenchStore = "sqlite", settings = BENCH_DEFAULTS, replicas = 1): Promise<SystemResult> {
  if (replicas > 1 && storeKind !== "postgres") throw new Error("replicas share a PostgreSQL database: use --store postgres");
  const dir = mkdtempSync(join(tmpdir(), "weir-bench-"));
  const database = storeKind === "postgres" ? await benchDatabase("weir") : undefined;
  const store = database ? database.url : `sqlite:${join(dir, "weir.db")}`;
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "weir"));
  symlinkSync(join(REPO, "node_modules", "@types"), join(dir, "node_modules", "@types"));
  writeFileSync(join(dir, "package.json"), `{ "name": "weir-bench", "private": true, "type": "module" }\n`);
  writeFileSync(join(dir, "tsconfig.json"), readFileSync(join(REPO, "test/fixtures/e2e/project/tsconfig.json")));
  writeFileSync(join(dir, "tasks.ts"), TASKS);
  writeFileSync(join(dir, "workflows.ts"), WORKFLOWS);
  const compiled = compileProject(dir);
  const seed = compiled.specs[0];
  if (!seed) throw new Error(`the bench project did not compile: ${compiled.diagnostics.map((d) => d.message).join("; ")}`);

  const addresses: string[] = [];
  const servers: ChildProcess[] = [];
  for (let i = 0; i < replicas; i++) {
    const port = await freePort();
    addresses.push(`127.0.0.1:${port}`);
    servers.push(spawnWeir(["server", "--store", store, "--port", String(port), "--log-level", "warn"], dir));
  }
  const server = servers[0]!;
  const client = connectAdmin(addresses.at(-1)!, { deadlineMs: 60_000 });
  let worker: ChildProcess | undefined;
  try {
    for (const address of addresses) {
      const c = connectAdmin(address);
      await c.waitForReady(30_000);
      c.close();
    }
    worker = spawnWeir(["worker", "--server", addresses.join(","), "--pool", "cpu", "--concurrency", String(settings.workerConcurrency), "--id", "bench"], dir);
    for (const deadline = Date.now() + 30_000; ; ) {
      const { workers } = await client.listWorkers({});
      if (workers.some((w) => w.id === "bench" && w.connected)) break;
      if (Date.now() > deadline) throw new Error("the bench worker did not connect in 30 s");
      await new Promise((r) => setTimeout(r, 100));
    }
    const fanOut = (n: number) => (i: number) => (i === n ? Array.from({ length: n }, (_, j) => `n${j}`) : []);
    const specs = {
      warm: shape(seed, "bench_warm", 51, fanOut(50)),
      small: shape(seed, "bench_fan_out_1000", settings.smallFanOut + 1, fanOut(settings.smallFanOut)),
      chain: shape(seed, "bench_chain_100", settings.chain, (i) => (i === 0 ? [] : [`n${i - 1}`])),
      large: shape(seed, "bench_fan_out_10000", settings.largeFanOut + 1, fanOut(settings.largeFanOut)),
    };
    for (const spec of Object.values(specs)) await client.registerWorkflow({ spec });

    const shapes: ShapeResult[] = [];
    cpuPids.splice(0, cpuPids.length, ...servers.map((s) => s.pid!), worker.pid!);
    await runShape(client, "bench_warm");
    const small = await runShape(client, "bench_fan_out_1000");
    shapes.push({ shape: "fan-out 1,000", seconds: small.seconds, tasks: settings.smallFanOut + 1 });
    const first = await runShape(client, "bench_chain_100");
    shapes.push({ shape: "chain 100, first run", seconds: first.seconds, tasks: settings.chain });
    for (let i = 1; i < settings.chainWarmUp; i++) await runShape(client, "bench_chain_100");
    const chainRuns = [];
    for (let i = 0; i < settings.chainRuns; i++) chainRuns.push(await runShape(client, "bench_chain_100"));
    const chain = medianRun(chainRuns);
    shapes.push({ shape: "chain 100", seconds: chain.seconds, tasks: settings.chain });
    const large = await runShape(client, "bench_fan_out_10000");
    shapes.push({ shape: "fan-out 10,000", seconds: large.seconds, tasks: settings.largeFanOut + 1 });
    const dispatch = chainHandOffs(chain.execution);
    const waits = readyToStarted(large.execution).slice(0, -1);
    const rss = rssMb(server.pid!);
    const live = await runShape(client, "bench_fan_out_10000", true);
    shapes.push({ shape: "fan-out 10,000, live follower", seconds: live.seconds, tasks: settings.largeFanOut + 1 });
    return {
      system: database ? `weir (PostgreSQL${replicas > 1 ? `, ${replicas} replicas` : ""})` : "weir (SQLite)",
      shapes,
      p50ReadyToStartMs: percentile(dispatch, 50),
      p99ReadyToStartMs: percentile(dispatch, 99),
      fanOutWait: { p50Ms: percentile(waits, 50), p99Ms: percentile(waits, 99) },
      rssMb: rss,
      notes: [
        `chain 100: the median of ${settings.chainRuns} runs on each side after ${settings.chainWarmUp} untimed ones (the first of those is the "first run" row, on a fresh process); ready→started from the median run`,
        `weir ready→started: ${dispatch.length} chain links, finished_at of the node below → started_at, from the store's attempts (ms resolution)`,
        `weir memory: the \`weir server\` process VmRSS after the 10,000 fan-out (worker process not counted)`,
        ...(replicas > 1
          ? [
              `weir with ${replicas} replicas: the worker on the first, the client on the last (no worker), so each execution is released and claimed; memory is the first's`,
            ]
          : []),
        "weir workflows: the real compiler's no-op TaskTemplate, fan-out/chain CompiledWorkflow protos built by the bench",
        "weir timed shapes wait for the end alone (WatchExecution end_only, the signal BullMQ's half gets); the live-follower row runs the 10,000 fan-out again (after the RSS reading) with `followExecution` streaming every node's changes, as `weir run --follow` does",
      ],
    };
  } finally {
    client.close();
    worker?.kill("SIGTERM");
    for (const s of servers) s.kill("SIGTERM");
    await Promise.all([worker, ...servers].map((c) => (c && c.exitCode === null ? new Promise((ok) => c.once("exit", ok)) : undefined)));
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  }
}
