// The README's way to run the example pipeline by hand, with real processes: `weir server` (on the
// suite's store: a SQLite file, or a PostgreSQL database with WEIR_TEST_STORE=postgres), a `weir
// worker` serving pools cpu and gpu in the example project, `weir register .` and `weir run
// ml_pipeline --follow`: sensor → ingest → clean → train (gpu pool) → validate → deploy.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { ExecutionState, NodeState } from "../../proto/index.ts";
import { generatePartition } from "../../runtime/cli/demo-data.ts";
import { cleanup, node, REPO, runCli, startRuntime, startWorker, TEST_STORE, tempDir, waitForExecution } from "./harness.ts";

const PROJECT = join(REPO, "examples", "ml-pipeline");
// Days no one else uses (demo.test.ts takes 2000-01-01; the suite runs once per store, maybe at once).
const DAY = TEST_STORE === "sqlite" ? "2000-01-02" : "2000-01-03";

afterAll(async () => {
  await cleanup();
  rmSync(join(PROJECT, "data", "incoming", DAY), { recursive: true, force: true });
  rmSync(join(PROJECT, "deployments", DAY), { recursive: true, force: true });
});

test(`the example pipeline runs to success on weir server --store ${TEST_STORE}, a worker and weir run`, async () => {
  const state = tempDir("weir-e2e-ml-");
  const runtime = await startRuntime({ cwd: state, db: join(state, "weir.db"), args: ["--project", PROJECT] });
  await startWorker(runtime, { cwd: PROJECT, id: "ml", runsDir: tempDir("weir-e2e-runs-"), pools: ["cpu", "gpu"], gpus: "1" });
  const registered = await runCli(["register", ".", "--server", runtime.address], PROJECT);
  expect(registered.code, `${registered.stdout}\n${registered.stderr}`).toBe(0);
  await generatePartition(PROJECT, DAY, { rows: 600 });

  const run = await runCli(["run", "ml_pipeline", "--input", `day=${DAY}`, "--follow", "--server", runtime.address], PROJECT);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(run.stdout).toMatch(/ml_pipeline \S+\s+succeeded/);

  const { executions } = await runtime.client.listExecutions({ limit: 10 });
  expect(executions).toHaveLength(1);
  const done = await waitForExecution(runtime.client, executions[0]!.id);
  expect(done.state, done.error?.message).toBe(ExecutionState.SUCCEEDED);
  for (const step of ["sensor", "ingest", "clean", "train", "validate"]) expect(node(done, step).state, step).toBe(NodeState.SUCCEEDED);
  await runtime.stop();
  expect((await runtime.proc.exited()).code).toBe(0);
}, 240_000);
