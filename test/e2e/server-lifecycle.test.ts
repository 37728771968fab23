// `weir server`'s life with real processes: SIGTERM or SIGINT stop it cleanly (exit 0, no fatal
// line, the store closed after its last commits) with a worker connected and an execution running,
// and a restarted runtime carries the execution on; a second runtime on the same store (a SQLite
// file, or a PostgreSQL database with WEIR_TEST_STORE=postgres) is refused at start, naming the one
// that holds it.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ExecutionState } from "../../proto/index.ts";
import {
  cleanup,
  compileProject,
  freePort,
  prepareProject,
  runCli,
  runs,
  spawnWeir,
  startRuntime,
  storeUrl,
  TEST_STORE,
  startWorker,
  tempDir,
  waitFor,
  waitForExecution,
} from "./harness.ts";

let project: string;
let specs: string;

beforeAll(async () => {
  project = prepareProject("project");
  specs = await compileProject(project);
}, 120_000);

afterAll(cleanup);

/** What pino writes for a fatal line, or the word itself in a plain message. */
const FATAL = /"level":60|fatal/i;

describe("weir server's life cycle", () => {
  test("SIGTERM with a worker connected and an execution running: exit 0, no fatal; a restarted runtime finishes the execution", async () => {
    const runsDir = tempDir("weir-e2e-runs-");
    const db = join(tempDir("weir-e2e-db-"), "weir.db");
    const before = await startRuntime({ cwd: project, db });
    expect((await runCli(["register", join(specs, "slow.pb"), "--server", before.address], project)).code).toBe(0);
    const worker = await startWorker(before, { cwd: project, id: "steady", runsDir });
    const { execution } = await before.client.createExecution({
      workflow: "slow",
      inputs: { literals: { ms: { value: { case: "scalar", value: { value: { case: "integer", value: 3_000n } } } } } },
    });
    const id = execution!.id;
    await waitFor("the task to start", () => runs(runsDir, id, "only", "start").length === 1);

    before.client.close();
    before.proc.kill("SIGTERM");
    const exit = await before.proc.exited();
    expect(exit, before.proc.output().slice(-3_000)).toEqual({ code: 0, signal: null });
    expect(before.proc.output()).not.toMatch(FATAL);
    expect(before.proc.output()).toMatch(/weir runtime stopped/);
    // The worker outlives its runtime and waits for the next one.
    expect(worker.child.exitCode).toBeNull();

    const after = await startRuntime({ cwd: project, db, port: before.port });
    const done = await waitForExecution(after.client, id, 60_000);
    expect(done.state, done.error?.message).toBe(ExecutionState.SUCCEEDED);
    expect(runs(runsDir, id, "only", "end").length).toBeGreaterThanOrEqual(1);
    after.client.close();
    after.proc.kill("SIGINT");
    expect((await after.proc.exited()).code).toBe(0);
    expect(after.proc.output()).not.toMatch(FATAL);
  }, 180_000);

  // A SQLite file has one runtime; PostgreSQL's runtimes are replicas (replicas.test.ts).
  test.skipIf(TEST_STORE === "postgres")(
    "a second runtime on the same SQLite store is refused at start, naming the holder; the first serves on",
    async () => {
      const db = join(tempDir("weir-e2e-db-"), "weir.db");
      const first = await startRuntime({ cwd: project, db });
      const port = await freePort();
      const store = await storeUrl(db);
      const second = spawnWeir(["server", "--store", store, "--port", String(port), "--artifacts", join(project, ".weir", "artifacts")], {
        cwd: project,
      });
      const exit = await second.exited();
      expect(exit.code, second.output()).toBe(1);
      expect(second.output()).toMatch(
        new RegExp(
          `another weir runtime \\(pid ${first.proc.pid} on [^,]+, listening on ${first.address.replace(/\./g, "\\.")}, since [^)]+\\) holds the store ${db.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`,
        ),
      );
      expect(second.output()).not.toMatch(/listening on 127\.0\.0\.1:\d+\n/);
      expect((await first.client.listWorkers({})).workers).toEqual([]);
      await first.stop();
      expect(first.proc.output()).not.toMatch(FATAL);
      // Once the first has stopped, the store is free.
      const third = await startRuntime({ cwd: project, db });
      await third.stop();
      expect((await third.proc.exited()).code).toBe(0);
    },
    120_000,
  );
});
