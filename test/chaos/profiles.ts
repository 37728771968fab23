// The chaos suite's two sizes, in one frozen object each: `--short` (CI, under 3 minutes on two
// noisy cores) and the default long form (20 runtime kills, a multi-minute outage).
export interface ChaosProfile {
  readonly name: "short" | "long";
  /** Map executions started together for the runtime-kill phase; each maps `work` over `items` items. */
  readonly killExecutions: number;
  readonly items: number;
  /** Runtime SIGKILLs, each after some progress (a number of task bodies completed since the restart). */
  readonly runtimeKills: number;
  /** Workers (each `--concurrency workerConcurrency`) serving pool cpu throughout. */
  readonly workers: number;
  readonly workerConcurrency: number;
  /** How long the runtime stays down in the outage phase. */
  readonly outageMs: number;
  /** Items of the slow map the worker faults hit, and how long each item's body runs. */
  readonly slowItems: number;
  readonly slowItemMs: number;
  /** Calls the fuzz phase makes, spread over every AdminService and WorkerService method. */
  readonly fuzzCalls: number;
  /** Fuzz calls in flight at once. */
  readonly fuzzParallel: number;
  /** The fuzz stops issuing calls after this long (a runtime that hangs them would take 10 s each). */
  readonly fuzzBudgetMs: number;
}

export const CHAOS_PROFILES: Readonly<Record<"short" | "long", ChaosProfile>> = Object.freeze({
  short: Object.freeze({
    name: "short",
    killExecutions: 3,
    items: 300,
    runtimeKills: 5,
    workers: 2,
    workerConcurrency: 16,
    outageMs: 10_000,
    slowItems: 8,
    slowItemMs: 3_000,
    fuzzCalls: 1_500,
    fuzzParallel: 8,
    fuzzBudgetMs: 60_000,
  }),
  long: Object.freeze({
    name: "long",
    killExecutions: 4,
    items: 500,
    runtimeKills: 20,
    workers: 2,
    workerConcurrency: 16,
    outageMs: 150_000,
    slowItems: 12,
    slowItemMs: 3_000,
    fuzzCalls: 20_000,
    fuzzParallel: 8,
    fuzzBudgetMs: 600_000,
  }),
});

/** Deadlines and pacing shared by both sizes: every wait is for a condition, with a generous deadline. */
export const CHAOS_LIMITS = Object.freeze({
  /** A runtime or worker start (tsx cold starts take seconds on a loaded box). */
  startMs: 60_000,
  /** Workers back after a runtime restart. */
  reconnectMs: 60_000,
  /** Progress before the next kill. */
  progressMs: 90_000,
  /** Any wait on progress fails once nothing progressed (no task body completed, no execution ended) this long. */
  stallMs: 45_000,
  /** An execution to end once nothing more is broken. */
  executionEndMs: 240_000,
  /** A SIGTERMed process to exit. */
  sigtermExitMs: 60_000,
  /** Deadline of one fuzz call. */
  fuzzDeadlineMs: 10_000,
  /** Reconnect p99 must stay under this. */
  reconnectP99Ms: 2_000,
  pollMs: 50,
});
