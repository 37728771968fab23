// The peer half of the runtime bench: BullMQ FlowProducer on the local Redis, same shapes, one
// Worker at concurrency 64 with no-op processors, all in this process (as BullMQ is deployed).
import { FlowProducer, Queue, Worker, type FlowJob, type Job } from "bullmq";
import IORedis from "ioredis";
import { BENCH_DEFAULTS, medianRun, percentile, type ShapeResult, type SystemResult } from "./shapes.ts";

const QUEUE = "weir-bench";

export async function benchBullmq(settings = BENCH_DEFAULTS): Promise<SystemResult> {
  const connection = new IORedis(settings.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  await connection.connect().catch((err: Error) => {
    throw new Error(`cannot reach Redis at ${settings.redisUrl} for the BullMQ half: ${err.message} — start redis-server`);
  });
  const queue = new Queue(QUEUE, { connection });
  await queue.obliterate({ force: true });
  const flows = new FlowProducer({ connection });
  const waiters = new Map<string, () => void>();
  // BullMQ never closes a connection it was given, so each one is kept here and quit at the end
  // (an open ioredis socket keeps the bench process alive after it printed its table).
  const workerConnection = connection.duplicate();
  const worker = new Worker(QUEUE, async () => ({}), {
    connection: workerConnection,
    concurrency: settings.workerConcurrency,
    // Keep completed jobs so their timestamps can be read back for the latency figures.
    removeOnComplete: { count: 1_000_000 },
  });
  worker.on("completed", (job: Job) => {
    const done = waiters.get(job.id!);
    if (done) {
      waiters.delete(job.id!);
      done();
    }
  });
  await worker.waitUntilReady();

  const runFlow = async (flow: FlowJob): Promise<{ seconds: number; rootId: string }> => {
    const start = performance.now();
    const node = await flows.add(flow);
    const rootId = node.job.id!;
    await new Promise<void>((resolve) => {
      waiters.set(rootId, resolve);
      // The root may already have finished before its waiter was registered (tiny flows).
      void node.job.isCompleted().then((done) => {
        if (done && waiters.delete(rootId)) resolve();
      });
    });
    return { seconds: (performance.now() - start) / 1000, rootId };
  };

  const fanOut = (n: number): FlowJob => ({
    name: "join",
    queueName: QUEUE,
    children: Array.from({ length: n }, (_, i) => ({ name: `leaf-${i}`, queueName: QUEUE, data: {} })),
  });
  const chain = (n: number): FlowJob => {
    let flow: FlowJob = { name: "link-0", queueName: QUEUE, data: {} };
    for (let i = 1; i < n; i++) flow = { name: `link-${i}`, queueName: QUEUE, data: {}, children: [flow] };
    return flow;
  };

  const shapes: ShapeResult[] = [];
  // Warm-up: connections, Lua scripts loaded into Redis.
  await runFlow(fanOut(50));
  const small = await runFlow(fanOut(settings.smallFanOut));
  shapes.push({ shape: "fan-out 1,000", seconds: small.seconds, tasks: settings.smallFanOut + 1 });
  const firstChain = await runFlow(chain(settings.chain));
  shapes.push({ shape: "chain 100, first run", seconds: firstChain.seconds, tasks: settings.chain });
  for (let r = 1; r < settings.chainWarmUp; r++) await runFlow(chain(settings.chain));
  await queue.clean(0, 1_000_000, "completed");
  const chainRuns: Array<{ seconds: number; dispatch: number[] }> = [];
  for (let r = 0; r < settings.chainRuns; r++) {
    const { seconds } = await runFlow(chain(settings.chain));
    // Dispatch latency: a link is ready when the link below it finished (finishedOn) and started
    // when a worker took it (processedOn); no slot contention, so this is the scheduler's own delay.
    const links = new Map((await queue.getJobs(["completed"], 0, -1)).filter((j) => j.name.startsWith("link-")).map((j) => [j.name, j]));
    const dispatch: number[] = [];
    for (let i = 1; i < settings.chain; i++) {
      const below = links.get(`link-${i - 1}`);
      const link = links.get(`link-${i}`);
      if (below?.finishedOn !== undefined && link?.processedOn !== undefined) dispatch.push(link.processedOn - below.finishedOn);
    }
    dispatch.sort((a, b) => a - b);
    await queue.clean(0, 1_000_000, "completed");
    chainRuns.push({ seconds, dispatch });
  }
  const { seconds: chainSeconds, dispatch } = medianRun(chainRuns);
  shapes.push({ shape: "chain 100", seconds: chainSeconds, tasks: settings.chain });
  const large = await runFlow(fanOut(settings.largeFanOut));
  shapes.push({ shape: "fan-out 10,000", seconds: large.seconds, tasks: settings.largeFanOut + 1 });

  // Queueing latency for the leaves of the 10,000 fan-out: ready when added (job.timestamp),
  // started when a worker took it (processedOn): mostly waiting for one of the 64 slots.
  const completed = await queue.getJobs(["completed"], 0, -1);
  const latencies = completed
    .filter((j) => j.name.startsWith("leaf-") && j.processedOn !== undefined)
    .map((j) => j.processedOn! - j.timestamp)
    .sort((a, b) => a - b);
  const info = await connection.info("memory");
  const redisRss = Number(/used_memory_rss:(\d+)/.exec(info)?.[1] ?? Number.NaN) / 1024 / 1024;
  const processRss = process.memoryUsage().rss / 1024 / 1024;

  await worker.close();
  await flows.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await workerConnection.quit();
  await connection.quit();
  return {
    system: "BullMQ 6.7 (Redis)",
    shapes,
    p50ReadyToStartMs: percentile(dispatch, 50),
    p99ReadyToStartMs: percentile(dispatch, 99),
    fanOutWait: { p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) },
    rssMb: redisRss,
    notes: [
      `BullMQ ready→started: ${dispatch.length} chain links, finishedOn of the link below → processedOn (1 ms resolution)`,
      `BullMQ memory: Redis used_memory_rss ${redisRss.toFixed(0)} MB; the producer+worker Node process RSS ${processRss.toFixed(0)} MB`,
      "BullMQ durability: Redis with its own persistence settings (no fsync per transition), weir: SQLite WAL",
    ],
  };
}
