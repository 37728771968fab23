// End to end under failure: a worker killed mid-task, a worker frozen past its heartbeat timeout
// that comes back (a zombie), and the runtime itself killed and restarted on the same SQLite file.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ExecutionState, NodeState } from "../../proto/index.ts";
import {
  cleanup,
  compileProject,
  node,
  prepareProject,
  runCli,
  runs,
  startRuntime,
  startWorker,
  tempDir,
  waitFor,
  waitForExecution,
  waitForNode,
  type Runtime,
} from "./harness.ts";

let project: string;
let specs: string;

beforeAll(async () => {
  project = prepareProject("project");
  specs = await compileProject(project);
}, 120_000);

afterAll(cleanup);

async function register(runtime: Runtime, ...names: string[]): Promise<void> {
  for (const name of names) {
    const result = await runCli(["register", join(specs, `${name}.pb`), "--server", runtime.address], project);
    expect(result.code, result.stderr).toBe(0);
  }
}

async function start(runtime: Runtime, workflow: string, ms: number): Promise<string> {
  const { execution } = await runtime.client.createExecution({
    workflow,
    inputs: { literals: { ms: { value: { case: "scalar", value: { value: { case: "integer", value: BigInt(ms) } } } } } },
  });
  return execution!.id;
}

describe("weir end to end, under failure", () => {
  test("a worker killed with SIGKILL mid-task: attempt LOST, retried on another worker, execution succeeds", async () => {
    const runsDir = tempDir("weir-e2e-runs-");
    const runtime = await startRuntime({ cwd: project, db: join(tempDir("weir-e2e-db-"), "weir.db") });
    await register(runtime, "slow");
    const first = await startWorker(runtime, { cwd: project, id: "doomed", runsDir });
    // Long enough to outlast the second worker's start (a cold process: 1.5-2 s on a loaded machine).
    const id = await start(runtime, "slow", 4_000);
    await waitFor("the task to start on the doomed worker", () => runs(runsDir, id, "only", "start").length === 1);
    // Only now a second worker: the attempt cannot have gone to it first.
    await startWorker(runtime, { cwd: project, id: "survivor", runsDir });
    first.kill("SIGKILL");
    const execution = await waitForExecution(runtime.client, id);
    expect(execution.state).toBe(ExecutionState.SUCCEEDED);
    const step = node(execution, "step");
    expect(step.attempts.map((a) => [a.state, a.workerId])).toEqual([
      [NodeState.LOST, "doomed"],
      [NodeState.SUCCEEDED, "survivor"],
    ]);
    await runtime.stop();
  }, 120_000);

  test("a zombie's late result is rejected and changes nothing", async () => {
    const runsDir = tempDir("weir-e2e-runs-");
    const runtime = await startRuntime({ cwd: project, db: join(tempDir("weir-e2e-db-"), "weir.db") });
    await register(runtime, "slow");
    const zombie = await startWorker(runtime, { cwd: project, id: "zombie", runsDir });
    // Long enough to outlast the second worker's start, as above.
    const id = await start(runtime, "slow", 4_000);
    await waitFor("the task to start on the zombie", () => runs(runsDir, id, "only", "start").length === 1);
    await startWorker(runtime, { cwd: project, id: "healthy", runsDir });
    zombie.kill("SIGSTOP");
    const execution = await waitForExecution(runtime.client, id);
    expect(execution.state).toBe(ExecutionState.SUCCEEDED);
    expect(node(execution, "step").attempts.map((a) => a.state)).toEqual([NodeState.LOST, NodeState.SUCCEEDED]);
    const winner = execution.outputs?.literals.pid;

    zombie.kill("SIGCONT");
    // The zombie finishes its run (its own record says so) and reports with its stale lease.
    await waitFor("the zombie to finish its stale attempt", () => runs(runsDir, id, "only", "end").length === 2);
    // Give its result time to arrive, then check over a window that nothing moved.
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const { execution: after } = await runtime.client.getExecution({ id });
      expect(after!.state).toBe(ExecutionState.SUCCEEDED);
      expect(node(after!, "step").attempts.map((a) => a.state)).toEqual([NodeState.LOST, NodeState.SUCCEEDED]);
      expect(after!.outputs?.literals.pid).toEqual(winner);
    }
    await runtime.stop();
  }, 120_000);

  test("the runtime killed with SIGKILL and restarted on the same SQLite file loses nothing and reruns nothing that succeeded", async () => {
    const runsDir = tempDir("weir-e2e-runs-");
    const db = join(tempDir("weir-e2e-db-"), "weir.db");
    const before = await startRuntime({ cwd: project, db });
    await register(before, "chain", "slow");
    await startWorker(before, { cwd: project, id: "steady", runsDir, concurrency: 8 });
    const ids = [await start(before, "chain", 1_200), await start(before, "chain", 1_200), await start(before, "slow", 300)];
    const quick = await waitForExecution(before.client, ids[2]!);
    expect(quick.state).toBe(ExecutionState.SUCCEEDED);
    await waitForNode(before.client, ids[0]!, "step-2", [NodeState.RUNNING]);
    const succeededBefore = new Map<string, string[]>();
    for (const id of ids) {
      const { execution } = await before.client.getExecution({ id });
      succeededBefore.set(
        id,
        execution!.nodes.filter((n) => n.state === NodeState.SUCCEEDED).map((n) => n.nodeId),
      );
    }
    expect(succeededBefore.get(ids[0]!)).toContain("step");

    before.proc.kill("SIGKILL");
    await before.proc.exited();
    before.client.close();
    const after = await startRuntime({ cwd: project, db, port: before.port });

    for (const id of ids) {
      const execution = await waitForExecution(after.client, id, 60_000);
      expect(execution.state, `${id}: ${execution.error?.message}`).toBe(ExecutionState.SUCCEEDED);
      for (const nodeId of succeededBefore.get(id)!) expect(node(execution, nodeId).state).toBe(NodeState.SUCCEEDED);
    }
    // Every step of every chain ran; those recorded as succeeded before the crash ran exactly once.
    const labels: Record<string, string> = { step: "a", "step-2": "b", "step-3": "c" };
    for (const id of ids.slice(0, 2)) {
      for (const [nodeId, label] of Object.entries(labels)) {
        const count = runs(runsDir, id, label, "start").length;
        expect(count, `${id} ${nodeId}`).toBeGreaterThanOrEqual(1);
        if (succeededBefore.get(id)!.includes(nodeId)) expect(count, `${id} ${nodeId} ran again after its success`).toBe(1);
      }
    }
    expect(runs(runsDir, ids[2]!, "only", "start")).toHaveLength(1);
    const { executions } = await after.client.listExecutions({ limit: 100 });
    expect(executions.map((e) => e.id).sort()).toEqual([...ids].sort());
    await after.stop();
  }, 180_000);
});
