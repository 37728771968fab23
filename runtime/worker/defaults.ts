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
  /**
   * Reconnect tries back off (jittered) to at most this: a worker is back within about a second of
   * the runtime listening again, after any outage, well inside a restarted runtime's grace window.
   */
  reconnectMaxMs: 1_000,
  /**
   * Results written this long before the stream broke are sent again on reconnect: they may have
   * died in a socket buffer, or with a runtime killed before it committed them. Covers a dead
   * connection's detection (keepalive 10 s + 5 s); the runtime drops those whose lease it settled.
   */
  resultResendMs: 15_000,
  /** How long a cancelled or timed-out attempt may take to stop before its thread/process is killed. */
  killGraceMs: 2_000,
  /** Log lines kept while the stream is down; older ones are dropped (results never are). */
  maxBufferedLogs: 10_000,
  /** Lines of stderr quoted in a COMMAND_FAILED message. */
  stderrTailLines: 20,
  /** A task's code hash is recomputed at most this often while its module file is unchanged. */
  codeHashRecheckMs: 1_000,
  /** How long SIGTERM/SIGINT waits for running attempts before stopping them (`--drain-timeout`). */
  drainTimeoutMs: 30_000,
  /** How long a failed attempt's work directory is kept for inspection (`--keep-failed-work`). */
  keepFailedWorkMs: 24 * 3_600_000,
  /** `--artifacts`: auto shares the runtime's disk only when its store id is found there (artifact-mode.ts). */
  artifacts: "auto" as ArtifactsFlag,
  /** `--artifact-cache`, relative to the project root: the blobs a remote worker fetched and produced. */
  artifactCacheDir: ".weir/artifact-cache",
  artifactTransfer: Object.freeze({
    /** Tries of one transfer in a row without a byte of progress (a download that resumes and moves on starts counting again). */
    tries: 5,
    /** Backoff between tries: doubling from here, capped, jittered into [½, 1]×. */
    initialBackoffMs: 200,
    maxBackoffMs: 3_000,
    /** Blobs one attempt moves at once. */
    parallel: 4,
    /** Deadline of one StatBlob call. */
    statTimeoutMs: 30_000,
  }),
});

/** How a worker reaches artifacts: the runtime's disk, ArtifactService, or whichever its store id says. */
export type ArtifactsFlag = "auto" | "shared" | "remote";
