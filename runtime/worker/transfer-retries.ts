// Retrying ArtifactService calls: which failures another try may fix (a broken connection, a runtime
// that restarted or is stopping), the jittered backoff between tries, and the error that says the
// tries ran out. A try that moved bytes resets the count, so a long download over a flaky link
// goes on as long as it progresses.
import { status } from "@grpc/grpc-js";

export interface TransferPolicy {
  readonly tries: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

/** Statuses of a connection or a runtime going away, not of a request the runtime refused. */
const TRANSIENT = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.INTERNAL, status.UNKNOWN, status.ABORTED, status.CANCELLED]);

/** Tries ran out: the last failure, and how many tries in a row failed. */
export class TransferExhausted extends Error {
  override readonly name = "TransferExhausted";
  constructor(
    readonly last: unknown,
    readonly tries: number,
  ) {
    super(`${tries} tries failed; the last: ${describeFailure(last)}`);
  }
}

/** Whether another try may succeed: the call failed in transit, not on the request. */
export function transient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" && TRANSIENT.has(code);
}

/** Backoff before the next try after `failures` failures in a row: doubling, capped, jittered into [½, 1]×. */
export function backoffMs(policy: TransferPolicy, failures: number, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, failures - 1));
  return Math.round(raw * (0.5 + random() * 0.5));
}

/**
 * `run` until it succeeds, retrying transient failures with backoff while fewer than `policy.tries`
 * in a row failed (a try that called `progressed` starts the count again). A failure that is not
 * transient is thrown as is; running out throws TransferExhausted; an aborted `signal` stops at once.
 */
export async function retrying<T>(policy: TransferPolicy, signal: AbortSignal | undefined, run: (progressed: () => void) => Promise<T>): Promise<T> {
  let failures = 0;
  for (;;) {
    let moved = false;
    try {
      return await run(() => (moved = true));
    } catch (err) {
      if (signal?.aborted || !transient(err)) throw err;
      failures = moved ? 1 : failures + 1;
      if (failures >= policy.tries) throw new TransferExhausted(err, failures);
      await pause(backoffMs(policy, failures), signal);
    }
  }
}

/** Waits `ms`, or less when `signal` aborts (then throws its reason). */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((ok, fail) => {
    if (signal?.aborted) return fail(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", stop);
      ok();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      fail(signal!.reason);
    };
    signal?.addEventListener("abort", stop, { once: true });
  });
}

/** A gRPC failure as `CODE: details`; anything else by its message. */
export function describeFailure(err: unknown): string {
  const e = err as { code?: unknown; details?: unknown; message?: unknown } | null;
  if (typeof e?.code === "number" && typeof e.details === "string") return `${status[e.code] ?? e.code}: ${e.details}`;
  return typeof e?.message === "string" ? e.message : String(err);
}
