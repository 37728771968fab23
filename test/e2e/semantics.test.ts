// End to end through real processes: the CLI registers and runs the fixture project's workflows
// on a `weir server` child with a `weir worker` child, and every execution rule is checked on
// what the runtime recorded (retries, failure → skipped, timeouts, cache, terminate, validation).
import { readFileSync, writeFileSync } from "node:fs";
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
  waitForExecution,
  waitForNode,
  type Runtime,
} from "./harness.ts";

let project: string;
let specs: string;
let runsDir: string;
let runtime: Runtime;

/** `weir run` through the CLI; returns the execution id it printed. */
async function run(workflow: string, ...inputs: string[]): Promise<string> {
  const result = await runCli(["run", workflow, ...inputs.flatMap((i) => ["--input", i]), "--server", runtime.address], project);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

beforeAll(async () => {
  project = prepareProject("project");
  runsDir = tempDir("weir-e2e-runs-");
  specs = await compileProject(project);
  runtime = await startRuntime({ cwd: project, db: join(tempDir("weir-e2e-db-"), "weir.db") });
  await startWorker(runtime, { cwd: project, id: "w1", runsDir });
  for (const name of ["retrying", "failing", "timing_out", "caching", "slow", "chain"]) {
    const result = await runCli(["register", join(specs, `${name}.pb`), "--server", runtime.address], project);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(name);
  }
}, 180_000);

afterAll(cleanup);

describe("weir end to end", () => {
  test("a task that fails on attempt 1 is retried and succeeds; --follow exits 0", async () => {
    const result = await runCli(["run", "retrying", "--input", "n=41", "--follow", "--server", runtime.address], project);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/↻ flaky\s+retrying \(attempt 2\)/);
    expect(result.stdout).toMatch(/✓ flaky\s+succeeded/);
    expect(result.stdout).toMatch(/attempt\s+2/);
    expect(result.stdout).toMatch(/n\s+42/);
    const id = /retrying (\S+) started/.exec(result.stdout)![1]!;
    const { execution } = await runtime.client.getExecution({ id });
    const flaky = node(execution!, "flaky");
    expect(flaky.attempts.map((a) => a.state)).toEqual([NodeState.FAILED, NodeState.SUCCEEDED]);
  });

  test("a permanent failure fails the execution and skips what depends on it", async () => {
    const id = await run("failing", "n=1");
    const execution = await waitForExecution(runtime.client, id);
    expect(execution.state).toBe(ExecutionState.FAILED);
    expect(node(execution, "broken").state).toBe(NodeState.FAILED);
    expect(node(execution, "broken").error?.message ?? node(execution, "broken").attempts.at(-1)?.error?.message).toContain("the input was unusable");
    expect(node(execution, "increment").state).toBe(NodeState.SKIPPED);

    const status = await runCli(["status", id, "--server", runtime.address], project);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/broken\s+failed/);
    expect(status.stdout).toMatch(/increment\s+skipped/);
    const logs = await runCli(["logs", id, "broken", "--server", runtime.address, "--json"], project);
    expect(logs.code).toBe(0);
    const follow = await runCli(["run", "failing", "--input", "n=2", "--follow", "--server", runtime.address], project);
    expect(follow.code).toBe(1);
    expect(follow.stdout).toMatch(/failed/);
  });

  test("a task past its timeout is timed out", async () => {
    const id = await run("timing_out", "ms=20000");
    const execution = await waitForExecution(runtime.client, id);
    expect(execution.state).toBe(ExecutionState.FAILED);
    expect(node(execution, "sleepy").state).toBe(NodeState.TIMED_OUT);
  });

  test("a rerun hits the cache; a code change misses it", async () => {
    const first = await waitForExecution(runtime.client, await run("caching", "n=7"));
    expect(first.state).toBe(ExecutionState.SUCCEEDED);
    expect(node(first, "square").state).toBe(NodeState.SUCCEEDED);
    const second = await waitForExecution(runtime.client, await run("caching", "n=7"));
    expect(second.state).toBe(ExecutionState.SUCCEEDED);
    expect(node(second, "square").state).toBe(NodeState.CACHED);
    expect(runs(runsDir, second.id, "square")).toEqual([]);
    expect(second.outputs?.literals.n?.value).toEqual(first.outputs?.literals.n?.value);

    // Edit the task's code (same interface), recompile, re-register: a new version, a cache miss.
    const file = join(project, "cached.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace("return { n: n * n };", "const squared = n * n;\n    return { n: squared };"));
    await compileProject(project);
    const register = await runCli(["register", join(specs, "caching.pb"), "--server", runtime.address], project);
    expect(register.code, register.stderr).toBe(0);
    expect(register.stdout).toContain("created");
    const third = await waitForExecution(runtime.client, await run("caching", "n=7"));
    expect(third.state).toBe(ExecutionState.SUCCEEDED);
    expect(node(third, "square").state).toBe(NodeState.SUCCEEDED);
    expect(runs(runsDir, third.id, "square")).toHaveLength(1);
  }, 120_000);

  test("terminate stops a running task", async () => {
    const id = await run("slow", "ms=60000");
    await waitForNode(runtime.client, id, "step", [NodeState.RUNNING]);
    const result = await runCli(["terminate", id, "--server", runtime.address], project);
    expect(result.code, result.stderr).toBe(0);
    const execution = await waitForExecution(runtime.client, id, 15_000);
    expect(execution.state).toBe(ExecutionState.TERMINATED);
    expect(node(execution, "step").state).toBe(NodeState.CANCELLED);
    expect(runs(runsDir, id, "only", "end")).toEqual([]);
  });

  test("bad inputs and a hand-edited spec that wires Int32 into Utf8 are INVALID_ARGUMENT", async () => {
    const badInput = await runCli(["run", "retrying", "--input", "n=forty-one", "--server", runtime.address], project);
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toMatch(/BAD_INPUT.*n/);

    // The same input bypassing the CLI's own parsing: the runtime rejects it.
    await expect(
      runtime.client.createExecution({
        workflow: "retrying",
        inputs: { literals: { n: { value: { case: "scalar", value: { value: { case: "string", value: "x" } } } } } },
      }),
    ).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });

    // failing: broken.n (integer) feeds increment.n; declare increment's input a string instead.
    const spec = JSON.parse(readFileSync(join(specs, "failing.json"), "utf8"));
    const increment = spec.tasks.find((t: { name: string }) => t.name === "increment");
    increment.interface.inputs[0].type = { simple: "SIMPLE_TYPE_STRING" };
    const edited = join(project, "edited.json");
    writeFileSync(edited, JSON.stringify(spec));
    const result = await runCli(["register", edited, "--server", runtime.address], project);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/INVALID_ARGUMENT/);
  });

  test("executions, workers and unreachable-runtime errors read well", async () => {
    const list = await runCli(["executions", "--workflow", "retrying", "--server", runtime.address], project);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/retrying\s+\S+\s+succeeded/);
    const json = await runCli(["executions", "--state", "failed", "--json", "--server", runtime.address], project);
    const parsed = JSON.parse(json.stdout) as { executions: { state: string }[] };
    expect(parsed.executions.length).toBeGreaterThan(0);
    expect(parsed.executions.every((e) => e.state === "EXECUTION_STATE_FAILED")).toBe(true);
    const workers = await runCli(["workers", "--server", runtime.address], project);
    expect(workers.stdout).toMatch(/w1\s+\S+\s+cpu/);
    const down = await runCli(["workers", "--server", "127.0.0.1:1"], project);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot reach the weir runtime at 127.0.0.1:1");
  });
});
