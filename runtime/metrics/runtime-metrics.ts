// The runtime's Prometheus metrics, in a registry of its own per server (never prom-client's global
// one). Counters of transitions are counted as the engine reports them (it calls this as its
// SchedulerObserver, cheaply: the per-attempt ones in plain Maps and arrays) and handed to
// prom-client at scrape time; gauges are read from the engine's occupancy at scrape time, so the
// hot path keeps nothing up to date for them. Labels are workflow, task, pool and GPU names and
// states (bounded), never execution ids.
import { Counter, Gauge, Registry } from "prom-client";
import { ExecutionState, NodeState } from "../../proto/index.ts";
import type { Occupancy, SchedulerObserver } from "../scheduler/index.ts";
import { AttemptCounts } from "./attempt-counts.ts";
import { BucketHistogram } from "./bucket-histogram.ts";
import { processMetrics } from "./process-metrics.ts";

/** Bounds of the latency histograms, in seconds. */
export const METRIC_BUCKETS = Object.freeze({
  /** Ready → started: sub-millisecond on an idle pool, up to an hour behind a busy one. */
  readyToStarted: Object.freeze([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]),
  /** A store commit: ~0.2 ms a small SQLite commit, more for large batches or a remote store. */
  storeCommit: Object.freeze([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]),
});

export class RuntimeMetrics implements SchedulerObserver {
  readonly registry = new Registry();
  private readonly attempts = new AttemptCounts();
  private readonly executionsEnded: Counter<"workflow" | "state">;
  private readonly ticks: Counter<"workflow" | "outcome">;
  private readonly readyToStarted: BucketHistogram;
  private readonly commits: BucketHistogram;
  /** The engine's occupancy, read once per scrape for every gauge. */
  private current: Occupancy | undefined;

  constructor(private readonly occupancy: () => Occupancy) {
    const registers = [this.registry];
    this.executionsEnded = new Counter({
      name: "weir_executions_total",
      help: "Executions that ended, by workflow and final state (SUCCEEDED, FAILED, TERMINATED)",
      labelNames: ["workflow", "state"],
      registers,
    });
    const attempts = this.attempts;
    new Counter({
      name: "weir_attempts_total",
      help: "Task attempts that ended, by workflow, task and state (SUCCEEDED, FAILED, TIMED_OUT, LOST, CANCELLED)",
      labelNames: ["workflow", "task", "state"],
      registers,
      collect() {
        this.reset();
        for (const r of attempts.rows()) this.inc({ workflow: r.workflow, task: r.task, state: NodeState[r.state] ?? String(r.state) }, r.count);
      },
    });
    this.ticks = new Counter({
      name: "weir_schedule_ticks_total",
      help: "Schedule ticks by workflow: fired (a run created) or missed (passed over with catchup off, or a run that could not be created)",
      labelNames: ["workflow", "outcome"],
      registers,
    });
    this.readyToStarted = new BucketHistogram(
      "weir_ready_to_started_seconds",
      "From an attempt becoming ready (queued) to its Assign to a worker, by pool",
      METRIC_BUCKETS.readyToStarted,
      "pool",
    );
    this.readyToStarted.registerIn(this.registry);
    this.commits = new BucketHistogram(
      "weir_store_commit_seconds",
      "One store commit of a turn's transitions, from the call to its resolution",
      METRIC_BUCKETS.storeCommit,
    );
    this.commits.registerIn(this.registry);

    const now = () => (this.current ??= this.occupancy());
    this.gauge("weir_executions_active", "Executions in flight, by workflow and state (QUEUED, RUNNING)", ["workflow", "state"], (set) => {
      for (const e of now().executions) set({ workflow: e.workflow, state: ExecutionState[e.state] ?? String(e.state) }, e.count);
    });
    this.gauge("weir_queue_depth", "Attempts waiting in a pool's queue for a worker slot", ["pool"], (set) => {
      for (const p of now().pools) set({ pool: p.pool }, p.queued);
    });
    this.gauge("weir_queue_oldest_wait_seconds", "How long the attempt waiting longest in a pool's queue has waited", ["pool"], (set) => {
      for (const p of now().pools) set({ pool: p.pool }, p.oldestWaitMs / 1000);
    });
    this.gauge("weir_workers_connected", "Connected workers serving a pool (a worker of two pools counts in each)", ["pool"], (set) => {
      for (const p of now().pools) set({ pool: p.pool }, p.workers);
    });
    this.gauge("weir_worker_slots_free", "Free slots of the connected workers serving a pool", ["pool"], (set) => {
      for (const p of now().pools) set({ pool: p.pool }, p.freeSlots);
    });
    this.gauge("weir_gpus_in_use", "GPUs held by running attempts, by the attempt's pool and the device's name", ["pool", "type"], (set) => {
      for (const g of now().gpusInUse) set({ pool: g.pool, type: g.type }, g.count);
    });
    this.gauge("weir_sensor_waits", "Sensor nodes waiting for their condition, by workflow", ["workflow"], (set) => {
      for (const s of now().sensorWaits) set({ workflow: s.workflow }, s.count);
    });
  }

  /** The metrics in Prometheus's text format: these and the process's own (CPU, memory, event loop, GC). */
  async text(): Promise<string> {
    this.current = undefined;
    try {
      return await Registry.merge([processMetrics(), this.registry]).metrics();
    } finally {
      this.current = undefined;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  executionEnded(workflow: string, state: ExecutionState): void {
    this.executionsEnded.inc({ workflow, state: ExecutionState[state] ?? String(state) });
  }

  attemptEnded(workflow: string, task: string, state: NodeState): void {
    this.attempts.add(workflow, task, state);
  }

  attemptStarted(pool: string, waitedMs: number): void {
    this.readyToStarted.observe(waitedMs / 1000, pool);
  }

  committed(ms: number): void {
    this.commits.observe(ms / 1000);
  }

  scheduleTicks(workflow: string, fired: number, missed: number): void {
    if (fired) this.ticks.inc({ workflow, outcome: "fired" }, fired);
    if (missed) this.ticks.inc({ workflow, outcome: "missed" }, missed);
  }

  /** A gauge set afresh from `read` at each scrape (a pool or workflow gone is gone from it too). */
  private gauge<L extends string>(name: string, help: string, labelNames: L[], read: (set: (labels: Record<L, string>, value: number) => void) => void): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        read((labels, value) => this.set(labels as never, value));
      },
    });
  }
}
