// Retry decisions: which budget an error consumes, whether any is left, and the backoff before the
// next attempt (exponential, with jitter so that a failed fan-out does not retry in lockstep).
import { durationMs } from "@bufbuild/protobuf/wkt";
import { ErrorKind, type RetryPolicy } from "../../../proto/index.ts";
import type { RuntimeConfig } from "../../config.ts";
import { errorCodeInfo } from "../../error-codes.ts";

export interface RetriesUsed {
  readonly user: number;
  readonly system: number;
}

export type RetryDecision =
  | { readonly retry: false; readonly reason: string }
  | { readonly retry: true; readonly budget: "user" | "system"; readonly delayMs: number };

export function decideRetry(
  policy: RetryPolicy | undefined,
  error: { code: string; kind: ErrorKind },
  used: RetriesUsed,
  config: Pick<RuntimeConfig, "systemRetries" | "retryBackoffMs" | "retryMaxDelayMs" | "systemRetryBackoffMs">,
  random: () => number = Math.random,
): RetryDecision {
  const info = errorCodeInfo(error.code);
  if (!info.retryable) return { retry: false, reason: `${error.code} is not retryable` };
  const kind = error.kind === ErrorKind.UNSPECIFIED ? info.kind : error.kind;
  if (kind === ErrorKind.SYSTEM) {
    const budget = policy?.systemAttempts || config.systemRetries;
    if (used.system >= budget) return { retry: false, reason: `system retries exhausted (${budget})` };
    return { retry: true, budget: "system", delayMs: config.systemRetryBackoffMs };
  }
  const budget = policy?.attempts ?? 0;
  if (used.user >= budget) return { retry: false, reason: budget === 0 ? "the task has no retries" : `retries exhausted (${budget})` };
  return { retry: true, budget: "user", delayMs: backoffMs(policy, used.user + 1, config, random) };
}

/** Backoff before the n-th retry (1-based): base·2^(n−1), capped, then jittered into [½, 1]×. */
export function backoffMs(
  policy: RetryPolicy | undefined,
  retry: number,
  config: Pick<RuntimeConfig, "retryBackoffMs" | "retryMaxDelayMs">,
  random: () => number = Math.random,
): number {
  const base = policy?.backoff ? durationMs(policy.backoff) : config.retryBackoffMs;
  const max = policy?.maxDelay ? durationMs(policy.maxDelay) : config.retryMaxDelayMs;
  const raw = Math.min(max, base * 2 ** Math.max(0, retry - 1));
  return Math.round(raw * (0.5 + random() * 0.5));
}
