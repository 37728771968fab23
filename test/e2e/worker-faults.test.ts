// End to end, the worker under the faults a demanding user provokes, with real `weir server` and
// `weir worker` processes: a wide map whose items carry inputs at --concurrency 64, a worker killed
// with SIGKILL (its command and GPU processes die with it), a frozen worker that comes back after
// its attempt was retried (it stops its copy at once), timeouts that count from a task's start, and
// a graceful stop on SIGTERM.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { ExecutionState, LiteralSchema, NodeState, type Literal } from "../../proto/index.ts";
import { processAlive } from "../runtime/worker/process-alive.ts";
import {
  E2E_DEFAULTS,
  cleanup,
  isDone,
  compileProject,
  node,
  prepareProject,
  runCli,
  spawnWeir,
  startRuntime,
  tempDir,
  waitFor,
  waitForExecution,
  type Proc,
  type Runtime,
} from "./harness.ts";

let project: string;
let specs: string;
let runtime: Runtime | undefined;

beforeAll(async () => {
  project = prepareProject("worker-faults");
  specs = await compileProject(project);
}, 120_000);

afterEach(async () => {
  await cleanup();
  runtime?.client.close();
  runtime = undefined;
});
afterAll(cleanup);

const int = (n: number): Literal => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "integer", value: BigInt(n) } } } });
const str = (s: string): Literal => create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "string", value: s } } } });
const list = (items: Literal[]): Literal => create(LiteralSchema, { value: { case: "collection", value: { items } } });
const intOf = (l: Literal | undefined): number =>
  l?.value.case === "scalar" && l.value.value.value.case === "integer" ? Number(l.value.value.value.value) : NaN;

async function runtimeWith(...workflows: string[]): Promise<Runtime> {
  runtime = await startRuntime({ cwd: project, db: join(tempDir("weir-e2e-db-"), "weir.db") });
  for (const name of workflows) {
    const result = await runCli(["register", join(specs, `${name}.pb`), "--server", runtime.address], project);
    expect(result.code, result.stderr).toBe(0);
  }
  return runtime;
}

/** `weir worker` with these flags, waited on until the runtime lists it as connected. */
async function startWorker(rt: Runtime, id: string, runsDir: string, flags: string[]): Promise<Proc> {
  const proc = spawnWeir(["worker", "--server", rt.address, "--id", id, ...flags], { cwd: project, env: { WEIR_E2E_RUNS: runsDir } });
  await waitFor(
    `worker ${id} to connect`,
    async () => {
      if (proc.child.exitCode !== null) throw new Error(`weir worker exited early: ${proc.output()}`);
      const { workers } = await rt.client.listWorkers({});
      return workers.some((w) => w.id === id && w.connected);
    },
    E2E_DEFAULTS.startTimeoutMs,
  );
  return proc;
}

async function start(rt: Runtime, workflow: string, inputs: Record<string, Literal>): Promise<string> {
  const { execution } = await rt.client.createExecution({ workflow, inputs: { literals: inputs } });
  return execution!.id;
}

/** The pids recorded under runsDir for `label` (`<label>.<pid>.<phase>`), in the order they started. */
function pids(runsDir: string, label: string, phase: "start" | "end" = "start"): number[] {
  let files: string[] = [];
  try {
    files = readdirSync(runsDir);
  } catch {
    return [];
  }
  return files.filter((f) => f.startsWith(`${label}.`) && f.endsWith(`.${phase}`)).map((f) => Number(f.split(".")[1]));
}

describe("a worker under faults, end to end", () => {
  test("a 64-item map whose items carry inputs, on a worker at --concurrency 64: every item runs once, the worker lives", async () => {
    const rt = await runtimeWith("fan");
    const worker = await startWorker(rt, "wide", tempDir("weir-e2e-runs-"), ["--concurrency", "64"]);
    const ns = Array.from({ length: 64 }, (_, i) => i);
    const id = await start(rt, "fan", { ns: list(ns.map(int)), tag: str("tagged") });
    const execution = await waitFor(`execution ${id} to end, its worker alive`, async () => {
      if (worker.child.exitCode !== null) throw new Error(`the worker died: ${worker.output().slice(-3_000)}`);
      const { execution: e } = await rt.client.getExecution({ id });
      return e && isDone(e) ? e : undefined;
    });
    expect(execution.state, execution.error?.message).toBe(ExecutionState.SUCCEEDED);
    const ys = execution.outputs?.literals.ys;
    expect(ys?.value.case === "collection" ? ys.value.value.items.map(intOf) : []).toEqual(ns.map((n) => n * 2 + "tagged".length));
    const items = execution.nodes.filter((n) => n.target === "item");
    expect(items).toHaveLength(64);
    for (const n of items)
      expect(
        n.attempts.map((a) => NodeState[a.state]),
        n.nodeId,
      ).toEqual(["SUCCEEDED"]);
    expect(worker.child.exitCode, worker.output().slice(-2_000)).toBeNull();
  }, 180_000);

  test("SIGKILL to a worker running a long command and a GPU attempt: their processes die with it", async () => {
    const rt = await runtimeWith("long_command", "long_gpu");
    const runsDir = tempDir("weir-e2e-runs-");
    const worker = await startWorker(rt, "doomed", runsDir, ["--concurrency", "4", "--gpus", "1"]);
    await start(rt, "long_command", { label: str("cmd"), seconds: int(60) });
    await start(rt, "long_gpu", { label: str("gpu"), ms: int(60_000) });
    const [command] = await waitFor("the command to start", () => pids(runsDir, "cmd").length === 1 && pids(runsDir, "cmd"));
    const [gpu] = await waitFor("the GPU attempt's process to start", () => pids(runsDir, "gpu").length === 1 && pids(runsDir, "gpu"));
    expect(processAlive(command!) && processAlive(gpu!)).toBe(true);
    worker.kill("SIGKILL");
    const killedAt = Date.now();
    await worker.exited();
    await waitFor("the command and the GPU attempt's process to die with their worker", () => !processAlive(command!) && !processAlive(gpu!), 10_000);
    const diedWithin = Date.now() - killedAt;
    expect(diedWithin).toBeLessThan(5_000);
    expect(pids(runsDir, "cmd", "end")).toEqual([]);
  }, 180_000);

  test("a frozen worker whose attempt was retried elsewhere stops its copy as soon as it is resumed", async () => {
    const rt = await runtimeWith("long_command");
    const runsDir = tempDir("weir-e2e-runs-");
    const zombie = await startWorker(rt, "frozen", runsDir, ["--concurrency", "2"]);
    const id = await start(rt, "long_command", { label: str("side-effect"), seconds: int(20) });
    const [first] = await waitFor("the command to start on the frozen worker", () => pids(runsDir, "side-effect").length === 1 && pids(runsDir, "side-effect"));
    await startWorker(rt, "healthy", runsDir, ["--concurrency", "2"]);
    zombie.kill("SIGSTOP");
    // Declared lost after the heartbeat timeout, the attempt runs again on the healthy worker.
    await waitFor("the attempt to be retried on the healthy worker", () => pids(runsDir, "side-effect").length === 2);
    const { execution } = await rt.client.getExecution({ id });
    expect(node(execution!, "hold").attempts.map((a) => [NodeState[a.state], a.workerId])).toEqual([
      ["LOST", "frozen"],
      ["RUNNING", "healthy"],
    ]);
    // The frozen worker's command ran on meanwhile (its own process group); resumed, the worker
    // reconnects, lists the attempt, is told its lease is gone, and kills it.
    expect(processAlive(first!)).toBe(true);
    zombie.kill("SIGCONT");
    const resumedAt = Date.now();
    await waitFor("the stale copy to be killed", () => !processAlive(first!), 15_000);
    const stoppedWithin = Date.now() - resumedAt;
    expect(stoppedWithin).toBeLessThan(10_000);
    expect(pids(runsDir, "side-effect", "end")).toEqual([]);
    expect(zombie.child.exitCode).toBeNull();
  }, 180_000);

  test("timeouts count from a task's start: four 2 s busy tasks with timeout 3s on 2 threads all succeed; a 5 s one with timeout 1s times out", async () => {
    const rt = await runtimeWith("four_spins", "long_spin");
    const runsDir = tempDir("weir-e2e-runs-");
    await startWorker(rt, "two-threads", runsDir, ["--pool", "cpu", "--concurrency", "4", "--threads", "2"]);
    const id = await start(rt, "four_spins", { ms: int(2_000) });
    const execution = await waitForExecution(rt.client, id, 120_000);
    const spins = execution.nodes.filter((n) => n.target === "spin3");
    expect(
      spins.map((n) => [n.nodeId, NodeState[n.state]]),
      execution.error?.message,
    ).toEqual(spins.map((n) => [n.nodeId, "SUCCEEDED"]));
    expect(execution.state).toBe(ExecutionState.SUCCEEDED);
    // Two ran after the other two: six seconds in all would have timed them out from dispatch.
    const starts = readdirSync(runsDir).filter((f) => f.endsWith(".start")).length;
    expect(starts).toBe(4);

    const longId = await start(rt, "long_spin", { ms: int(5_000) });
    const long = await waitForExecution(rt.client, longId, 120_000);
    expect(node(long, "spin1").state).toBe(NodeState.TIMED_OUT);
    expect(long.error?.code).toBe("TIMED_OUT");
  }, 180_000);

  test("SIGTERM to a worker running an attempt: it takes no new work, lets the attempt finish, reports it and exits 0", async () => {
    const rt = await runtimeWith("one_nap");
    const runsDir = tempDir("weir-e2e-runs-");
    const worker = await startWorker(rt, "leaving", runsDir, ["--concurrency", "2", "--drain-timeout", "30s"]);
    const id = await start(rt, "one_nap", { ms: int(3_000), label: str("nap") });
    await waitFor("the nap to start", () => pids(runsDir, "nap").length === 1);
    worker.kill("SIGTERM");
    await waitFor("the worker to start draining", () => worker.output().includes("stopping: no new work"));
    // Queued meanwhile: must not start on the leaving worker.
    const later = await start(rt, "one_nap", { ms: int(100), label: str("later") });
    const exit = await worker.exited();
    expect(exit, worker.output().slice(-2_000)).toEqual({ code: 0, signal: null });
    const execution = await waitForExecution(rt.client, id);
    expect(execution.state).toBe(ExecutionState.SUCCEEDED);
    expect(node(execution, "nap").attempts.map((a) => [NodeState[a.state], a.workerId])).toEqual([["SUCCEEDED", "leaving"]]);
    expect(pids(runsDir, "later")).toEqual([]);
    const { execution: queued } = await rt.client.getExecution({ id: later });
    expect(queued!.state).toBe(ExecutionState.RUNNING);
  }, 180_000);
});
