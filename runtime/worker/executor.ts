// The contract every executor (task threads, GPU child processes, commands) meets: start an
// attempt, get its outcome, stop it on cancel or timeout.
import type { LiteralSet } from "../../proto/index.ts";

/**
 * Outputs as a LiteralSet, or already encoded as its bytes (what task threads hand back); or an
 * error. `workdir`: the attempt's work directory, when a TypeScript task made one.
 */
export type AttemptOutcome = ({ outputs: LiteralSet | Uint8Array } | { error: { code: string; message: string } }) & { workdir?: string };

/** Told when the attempt's code starts (epoch ms): its timeout counts from then. */
export type OnStarted = (atMs: number) => void;

export interface AttemptHandle {
  readonly done: Promise<AttemptOutcome>;
  /** Ask the attempt to stop; kill its thread/process if it has not after the grace period. */
  stop(): void;
}
