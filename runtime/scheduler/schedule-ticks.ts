// The ticks of a schedule (cron via cron-parser, or a fixed rate) over a time range, and the
// literal a tick gives the workflow's kickoff input.
import { create } from "@bufbuild/protobuf";
import { durationMs, timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { CronExpressionParser } from "cron-parser";
import { LiteralSchema, SimpleType, type Literal, type Schedule, type TypedInterface } from "../../proto/index.ts";
import { RuntimeError } from "../error-codes.ts";
import { withHash } from "./bindings.ts";

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
    let it;
    try {
      it = CronExpressionParser.parse(t.value, { currentDate: new Date(start - 1), endDate: new Date(end), tz: schedule.timezone || "UTC" });
    } catch (err) {
      throw new RuntimeError("INVALID_ARGUMENT", `the schedule's cron expression "${t.value}" is invalid: ${(err as Error).message}`);
    }
    while (ticks.length < limit && it.hasNext()) {
      const at = it.next().getTime();
      if (at > end) break;
      if (at >= start) ticks.push(at);
    }
  } else if (t.case === "fixedRate") {
    const step = durationMs(t.value);
    if (step <= 0) throw new RuntimeError("INVALID_ARGUMENT", "the schedule's fixed rate must be positive");
    const from = schedule.start ? timestampMs(schedule.start) : (origin ?? start);
    let at = from + Math.max(0, Math.ceil((start - from) / step)) * step;
    for (; at <= end && ticks.length < limit; at += step) ticks.push(at);
  } else {
    throw new RuntimeError("FAILED_PRECONDITION", "the workflow's schedule has neither a cron expression nor a fixed rate");
  }
  return ticks;
}

/** The last tick in [start, end] (ms), or undefined; cheap however long the range (catchup off after an outage). */
export function latestTick(schedule: Schedule, start: number, end: number, origin?: number): number | undefined {
  if (end < start) return undefined;
  const t = schedule.trigger;
  if (t.case === "cron") {
    let it;
    try {
      it = CronExpressionParser.parse(t.value, { currentDate: new Date(end + 1), tz: schedule.timezone || "UTC" });
    } catch (err) {
      throw new RuntimeError("INVALID_ARGUMENT", `the schedule's cron expression "${t.value}" is invalid: ${(err as Error).message}`);
    }
    const at = it.prev().getTime();
    return at >= start && at <= end ? at : undefined;
  }
  if (t.case === "fixedRate") {
    const step = durationMs(t.value);
    if (step <= 0) throw new RuntimeError("INVALID_ARGUMENT", "the schedule's fixed rate must be positive");
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

/** The tick as the kickoff input's type wants it: a date (YYYY-MM-DD in the schedule's zone) or a datetime. */
export function kickoffLiteral(iface: TypedInterface | undefined, input: string, tick: number, timezone = ""): Literal {
  const v = iface?.inputs.find((x) => x.name === input);
  const t = v?.type?.type;
  const simple = t?.case === "simple" ? t.value : t?.case === "optional" && t.value.inner?.type.case === "simple" ? t.value.inner.type.value : undefined;
  const value =
    simple === SimpleType.DATE
      ? { case: "date" as const, value: localDate(tick, timezone || "UTC") }
      : { case: "datetime" as const, value: timestampFromMs(tick) };
  return withHash(create(LiteralSchema, { value: { case: "scalar", value: { value } } }));
}

/** YYYY-MM-DD of an instant in an IANA zone (en-CA formats dates that way). */
function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(ms));
}
