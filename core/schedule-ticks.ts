// When a schedule ticks (cron via cron-parser, or a fixed rate) over a time range: the runtime's
// ticker and backfills create executions at these instants, and `weir workflows` shows the next one.
import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { CronExpressionParser } from "cron-parser";
import type { CronExpression } from "cron-parser";
import type { Schedule } from "../proto/messages.ts";

/**
 * A schedule that cannot tick: an invalid cron expression, a fixed rate that is not positive, no
 * trigger. A registered workflow's schedule passed the spec checks (WEIR5003-5005), so the runtime
 * meets this only for a spec stored before them.
 */
export class ScheduleError extends Error {
  constructor(
    readonly code: "INVALID_SCHEDULE" | "NO_TRIGGER",
    message: string,
  ) {
    super(message);
    this.name = "ScheduleError";
  }
}

/**
 * Every tick in [start, end] (ms), at most `limit` of them. A fixed rate counts from the
 * schedule's own start, else from `origin` (default: the range's start; the ticker passes 0, the
 * epoch, so its ticks stay on the same grid whatever range it asks about).
 */
export function scheduleTicks(schedule: Schedule, start: number, end: number, limit = 10_000, origin?: number): number[] {
  const ticks: number[] = [];
  if (end < start) return ticks;
  const t = schedule.trigger;
  if (t.case === "cron") {
    let it: CronExpression;
    try {
      it = CronExpressionParser.parse(t.value, { currentDate: new Date(start - 1), endDate: new Date(end), tz: schedule.timezone || "UTC" });
    } catch (err) {
      throw new ScheduleError("INVALID_SCHEDULE", `the schedule's cron expression "${t.value}" is invalid: ${(err as Error).message}`);
    }
    while (ticks.length < limit && it.hasNext()) {
      const at = it.next().getTime();
      if (at > end) break;
      if (at >= start) ticks.push(at);
    }
  } else if (t.case === "fixedRate") {
    const step = durationMs(t.value);
    if (step <= 0) throw new ScheduleError("INVALID_SCHEDULE", "the schedule's fixed rate must be positive");
    const from = schedule.start ? timestampMs(schedule.start) : (origin ?? start);
    let at = from + Math.max(0, Math.ceil((start - from) / step)) * step;
    for (; at <= end && ticks.length < limit; at += step) ticks.push(at);
  } else {
    throw new ScheduleError("NO_TRIGGER", "the workflow's schedule has neither a cron expression nor a fixed rate");
  }
  return ticks;
}

/** The last tick in [start, end] (ms), or undefined; cheap however long the range (catchup off after an outage). */
export function latestTick(schedule: Schedule, start: number, end: number, origin?: number): number | undefined {
  if (end < start) return undefined;
  const t = schedule.trigger;
  if (t.case === "cron") {
    let it: CronExpression;
    try {
      it = CronExpressionParser.parse(t.value, { currentDate: new Date(end + 1), tz: schedule.timezone || "UTC" });
    } catch (err) {
      throw new ScheduleError("INVALID_SCHEDULE", `the schedule's cron expression "${t.value}" is invalid: ${(err as Error).message}`);
    }
    const at = it.prev().getTime();
    return at >= start && at <= end ? at : undefined;
  }
  if (t.case === "fixedRate") {
    const step = durationMs(t.value);
    if (step <= 0) throw new ScheduleError("INVALID_SCHEDULE", "the schedule's fixed rate must be positive");
    const from = schedule.start ? timestampMs(schedule.start) : (origin ?? start);
    if (end < from) return undefined;
    const at = from + Math.floor((end - from) / step) * step;
    return at >= start ? at : undefined;
  }
  return scheduleTicks(schedule, start, end).at(-1);
}

/** The schedule's [start, end] window in ms (unbounded sides as ±Infinity). */
export function scheduleWindow(schedule: Schedule): { start: number; end: number } {
  return {
    start: schedule.start ? timestampMs(schedule.start) : Number.NEGATIVE_INFINITY,
    end: schedule.end ? timestampMs(schedule.end) : Number.POSITIVE_INFINITY,
  };
}

/** How far ahead nextTick looks: a cron that matches nothing within this horizon never ticks. */
const NEXT_TICK_HORIZON_MS = 5 * 366 * 86_400_000;

/** The first tick strictly after `after`, within the schedule's window; undefined when none is left. */
export function nextTick(schedule: Schedule, after: number): number | undefined {
  const win = scheduleWindow(schedule);
  const start = Math.max(after + 1, win.start);
  const end = Math.min(win.end, start + NEXT_TICK_HORIZON_MS);
  return scheduleTicks(schedule, start, end, 1, 0)[0];
}
