// The PostgreSQL peer of the runtime bench: Graphile Worker 0.17 (jobs in PostgreSQL, LISTEN/NOTIFY
// to wake the runner) on the same database server as weir's PostgreSQL store, same shapes. Graphile
// Worker has no dependencies between jobs, so each job enqueues its dependants, as its users do: a
// chain link adds the next link; a fan-out's leaf counts itself done in a row of the bench's own
// table, and the leaf that completes the count adds the join, in one transaction.
import { randomBytes } from "node:crypto";
import { type JobHelpers, Logger, makeWorkerUtils, type Runner, run, type WorkerUtils } from "graphile-worker";
import { BENCH_DEFAULTS, medianRun, percentile, type ShapeResult, type SystemResult } from "./shapes.ts";
import { benchDatabase } from "./postgres-database.ts";

interface Waiter {
  readonly jobName: string;
  resolve(): void;
}

export async function benchGraphile(settings = BENCH_DEFAULTS): Promise<SystemResult> {
  const database = await benchDatabase("graphile");
  let runner: Runner | undefined;
  let utils: WorkerUtils | undefined;
  try {
    // Dispatch delays along a chain: link i's job was added (ready) → link i started (ms).
    const handOffs: number[] = [];
    const addedAt = new Map<string, number>();
    let waiter: Waiter | undefined;
    const finished = (name: string): void => {
      if (waiter?.jobName === name) {
        const w = waiter;
        waiter = undefined;
        w.resolve();
      }
    };
    runner = await run({
      connectionString: database.url,
      concurrency: settings.workerConcurrency,
      // Graphile warns below this: each concurrent job may hold a connection.
      maxPoolSize: settings.workerConcurrency + 2,
      noHandleSignals: true,
      pollInterval: 1_000,
      logger: quietLogger(),
      taskList: {
        link: async (payload, helpers: JobHelpers) => {
          const { run: runId, i, n } = payload as { run: string; i: number; n: number };
          const started = performance.now();
          const added = addedAt.get(`${runId}:${i}`);
          if (added !== undefined) handOffs.push(started - added);
          if (i + 1 < n) {
            addedAt.set(`${runId}:${i + 1}`, performance.now());
            await helpers.addJob("link", { run: runId, i: i + 1, n }, { jobKey: `${runId}:${i + 1}`, maxAttempts: 1 });
          }
        },
        leaf: async (payload, helpers: JobHelpers) => {
          const { run: runId, n } = payload as { run: string; n: number };
          await helpers.withPgClient(async (client) => {
            await client.query("BEGIN");
            try {
              const { rows } = await client.query<{ done: number }>("UPDATE bench_fan_out SET done = done + 1 WHERE run = $1 RETURNING done", [runId]);
              if (rows[0]?.done === n) {
                await client.query("SELECT graphile_worker.add_job('join', json_build_object('run', $1::text), max_attempts => 1)", [runId]);
              }
              await client.query("COMMIT");
            } catch (err) {
              await client.query("ROLLBACK");
              throw err;
            }
          });
        },
        join: async () => {},
      },
    });
    runner.events.on("job:success", ({ job }) => {
      const p = job.payload as { run?: string; i?: number; n?: number };
      if (job.task_identifier === "join") finished(`join:${p.run}`);
      else if (job.task_identifier === "link" && p.i === (p.n ?? 0) - 1) finished(`link:${p.run}`);
    });
    const workerUtils = await makeWorkerUtils({ connectionString: database.url, logger: quietLogger() });
    utils = workerUtils;
    await runner.addJob("join", { run: "connect" });
    await database.query("CREATE TABLE bench_fan_out (run text PRIMARY KEY, done integer NOT NULL)");

    const wait = (jobName: string): Promise<void> => new Promise((resolve) => (waiter = { jobName, resolve }));
    const fanOut = async (n: number): Promise<number> => {
      const runId = randomBytes(6).toString("hex");
      const start = performance.now();
      await database.query("INSERT INTO bench_fan_out (run, done) VALUES ($1, 0)", [runId]);
      const done = wait(`join:${runId}`);
      // addJobs in slices: one statement for 10,000 jobs would be one huge JSON parameter.
      for (let from = 0; from < n; from += 1_000) {
        const specs = Array.from({ length: Math.min(1_000, n - from) }, () => ({
          identifier: "leaf",
          payload: { run: runId, n },
          maxAttempts: 1,
        }));
        await workerUtils.addJobs(specs);
      }
      await done;
      return (performance.now() - start) / 1000;
    };
    const chain = async (n: number): Promise<{ seconds: number; dispatch: number[] }> => {
      const runId = randomBytes(6).toString("hex");
      handOffs.length = 0;
      const start = performance.now();
      const done = wait(`link:${runId}`);
      await runner!.addJob("link", { run: runId, i: 0, n }, { maxAttempts: 1 });
      await done;
      const seconds = (performance.now() - start) / 1000;
      for (const key of addedAt.keys()) if (key.startsWith(`${runId}:`)) addedAt.delete(key);
      return { seconds, dispatch: [...handOffs].sort((a, b) => a - b) };
    };

    const shapes: ShapeResult[] = [];
    await fanOut(50);
    shapes.push({ shape: "fan-out 1,000", seconds: await fanOut(settings.smallFanOut), tasks: settings.smallFanOut + 1 });
    shapes.push({ shape: "chain 100, first run", seconds: (await chain(settings.chain)).seconds, tasks: settings.chain });
    for (let r = 1; r < settings.chainWarmUp; r++) await chain(settings.chain);
    const chainRuns: Array<{ seconds: number; dispatch: number[] }> = [];
    for (let r = 0; r < settings.chainRuns; r++) chainRuns.push(await chain(settings.chain));
    const median = medianRun(chainRuns);
    shapes.push({ shape: "chain 100", seconds: median.seconds, tasks: settings.chain });
    shapes.push({ shape: "fan-out 10,000", seconds: await fanOut(settings.largeFanOut), tasks: settings.largeFanOut + 1 });
    return {
      system: "Graphile Worker (PostgreSQL)",
      shapes,
      p50ReadyToStartMs: percentile(median.dispatch, 50),
      p99ReadyToStartMs: percentile(median.dispatch, 99),
      fanOutWait: { p50Ms: Number.NaN, p99Ms: Number.NaN },
      rssMb: process.memoryUsage().rss / 2 ** 20,
      notes: [
        `Graphile Worker ${GRAPHILE_VERSION}: one runner at concurrency ${settings.workerConcurrency} in the bench process, LISTEN/NOTIFY on, on a fresh database of the same server; jobs enqueue their dependants (a link adds the next; the fan-out's last leaf adds the join in its counter's transaction)`,
        "Graphile ready→started: the previous link's addJob → this link's handler start, in process (ms); its RSS is the bench process's own (runner and jobs live there)",
      ],
    };
  } finally {
    await utils?.release();
    await runner?.stop();
    await database.drop();
  }
}

const GRAPHILE_VERSION = "0.17.3";

/** Graphile's own log, errors and warnings only, on stderr. */
function quietLogger(): Logger {
  return new Logger((scope) => (level, message) => {
    if (level === "error" || level === "warning") process.stderr.write(`graphile ${level}: ${message} ${JSON.stringify(scope)}\n`);
  });
}
