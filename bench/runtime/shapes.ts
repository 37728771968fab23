// The graph shapes both halves of the runtime bench run, and the targets printed beside them.
export const BENCH_DEFAULTS = Object.freeze({
  smallFanOut: 1_000,
  largeFanOut: 10_000,
  chain: 100,
  /** The chain runs this many times on each side and the median run is reported (a 0.1 s figure moves with the machine's noise). */
  chainRuns: 5,
  /**
   * Untimed chains before the timed ones, on each side. A runtime serves for days, and a fresh
   * process's first chains run on code V8 has not optimised yet (measured here: weir's runs 1–10 in
   * a new process averaged 0.103 s, runs 31–80 0.065 s); the very first run gets a row of its own.
   */
  chainWarmUp: 20,
  workerConcurrency: 64,
  redisUrl: "redis://127.0.0.1:6379",
});

export type ShapeName = "fan-out 1,000" | "fan-out 10,000" | "chain 100, first run" | "chain 100" | "fan-out 10,000, live follower";

export interface ShapeResult {
  shape: ShapeName;
  /**
   * Create → the client learns the join (or the chain's last node) finished. The live-follower
   * row (weir only) streams every node's changes to the client, as `weir run --follow` does.
   */
  seconds: number;
  tasks: number;
}

export interface SystemResult {
  system: string;
  shapes: ShapeResult[];
  /** ready → started along the chain (the scheduler's dispatch delay, no slot contention), ms. */
  p50ReadyToStartMs: number;
  p99ReadyToStartMs: number;
  /** ready → started over the 10,000 fan-out's leaves: mostly waiting for one of the slots, ms. */
  fanOutWait: { p50Ms: number; p99Ms: number };
  /** Resident memory of the orchestrator after the 10,000-task fan-out. */
  rssMb: number;
  notes: string[];
}

export const TARGETS: Readonly<Record<string, { value: number; text: string }>> = Object.freeze({
  "fan-out 1,000": { value: 0.3, text: "< 0.3 s" },
  "chain 100": { value: 0.1, text: "< 0.1 s" },
  "fan-out 10,000": { value: 2, text: "< 2 s" },
  p99: { value: 5, text: "< 5 ms" },
  rss: { value: 200, text: "< 200 MB" },
});

/** The run with the median time (the upper one of an even count). */
export function medianRun<T extends { seconds: number }>(runs: readonly T[]): T {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (!median) throw new Error("medianRun of no runs");
  return median;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}
