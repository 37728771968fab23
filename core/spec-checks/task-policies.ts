// Per-task policies: a runtime to run, resources the scheduler can satisfy, sane retries and
// timeouts.
import type { TaskTemplate } from "../../proto/messages.ts";
import { Diagnostics } from "../diagnostics.ts";
import type { CheckContext } from "./context.ts";
import { spanOf } from "./context.ts";
import { durationText, seconds } from "./durations.ts";
import { SpecLimits } from "./limits.ts";

export function checkTaskPolicies(ctx: CheckContext, task: TaskTemplate): void {
  const location = spanOf(task.source);
  // Each problem names its config property, so the compiler can point at it rather than at the task.
  const at = (path: string) => (location === undefined ? { path } : { location, path });
  if (task.runtime.case === undefined) ctx.report(Diagnostics.TaskWithoutRuntime, [task.name], at("command"));
  const r = task.resources;
  if (r !== undefined) {
    if (!Number.isFinite(r.cpu) || r.cpu < 0) ctx.report(Diagnostics.InvalidCpu, [task.name, String(r.cpu)], at("resources.cpu"));
    if (r.gpu > SpecLimits.maxGpusPerTask) ctx.report(Diagnostics.TooManyGpus, [task.name, r.gpu, SpecLimits.maxGpusPerTask], at("resources.gpu"));
  }
  const retries = task.retries;
  if (retries !== undefined) {
    if (retries.attempts > SpecLimits.maxRetryAttempts) {
      ctx.report(Diagnostics.TooManyRetries, [task.name, retries.attempts, "retry attempts", SpecLimits.maxRetryAttempts], at("retries.attempts"));
    }
    if (retries.systemAttempts > SpecLimits.maxRetryAttempts) {
      ctx.report(
        Diagnostics.TooManyRetries,
        [task.name, retries.systemAttempts, "system retry attempts", SpecLimits.maxRetryAttempts],
        at("retries.systemAttempts"),
      );
    }
    for (const [name, d, property] of [
      ["the retry backoff", retries.backoff, "retries.backoff"],
      ["the retry max delay", retries.maxDelay, "retries.maxDelay"],
    ] as const) {
      if (d !== undefined && seconds(d) < 0) ctx.report(Diagnostics.InvalidDuration, [name, task.name, durationText(d)], at(property));
    }
    if (
      retries.backoff !== undefined &&
      retries.maxDelay !== undefined &&
      seconds(retries.maxDelay) > 0 &&
      seconds(retries.backoff) > seconds(retries.maxDelay)
    ) {
      ctx.report(Diagnostics.BackoffExceedsMaxDelay, [task.name, durationText(retries.backoff), durationText(retries.maxDelay)], at("retries.backoff"));
    }
  }
  if (task.timeout !== undefined) {
    const s = seconds(task.timeout);
    if (s <= 0 || s > SpecLimits.maxTimeoutSeconds) {
      ctx.report(Diagnostics.InvalidTimeout, [task.name, durationText(task.timeout), "7 days"], at("timeout"));
    }
  }
}
