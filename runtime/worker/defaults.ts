// The worker's defaults, in one frozen object (CLI flags and constructor options override them).
import { availableParallelism } from "node:os";

export const WORKER_DEFAULTS = Object.freeze({
  concurrency: 8,
  pools: Object.freeze(["cpu"]) as readonly string[],
  /** Task threads for TypeScript tasks: each runs many async attempts; tsx loads once per thread. */
  threads: Math.max(1, Math.min(4, availableParallelism())),
  /** Used until the runtime's Registered message says otherwise. */
  heartbeatIntervalMs: 5_000,
  reconnectInitialMs: 100,
  reconnectMaxMs: 5_000,
  /** How long a cancelled or timed-out attempt may take to stop before its thread/process is killed. */
  killGraceMs: 2_000,
  /** Log lines kept while the stream is down; older ones are dropped (results never are). */
  maxBufferedLogs: 10_000,
  /** Lines of stderr quoted in a COMMAND_FAILED message. */
  stderrTailLines: 20,
  /** A task's code hash is recomputed at most this often while its module file is unchanged. */
  codeHashRecheckMs: 1_000,
});
