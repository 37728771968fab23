// The contract every executor (task threads, GPU child processes, commands) meets: start an
// attempt, get its outcome, stop it on cancel or timeout.
import type { LiteralSet } from "../../proto/index.ts";

export type AttemptOutcome = { outputs: LiteralSet } | { error: { code: string; message: string } };

export interface AttemptHandle {
  readonly done: Promise<AttemptOutcome>;
  /** Ask the attempt to stop; kill its thread/process if it has not after the grace period. */
  stop(): void;
}
