// The ticks of a schedule (cron via cron-parser, or a fixed rate) over a time range, and the
// literal a tick gives the workflow's kickoff input.
import { create } from "@bufbuild/protobuf";
import { durationMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { CronExpressionParser } from "cron-parser";
import { LiteralSchema, SimpleType, type Literal, type Schedule, type TypedInterface } from "../../proto/index.ts";
import { RuntimeError } from "../error-codes.ts";
import { withHash } from "./bindings.ts";

/** Every tick in [start, end] (ms), at most `limit` of them. */
export function scheduleTicks(schedule: Schedule, start: number, end: number, limit = 10_000): number[] {
  const ticks: number[] = [];
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
      ticks.push(at);
    }
  } else if (t.case === "fixedRate") {
    const step = durationMs(t.value);
    if (step <= 0) throw new RuntimeError("INVALID_ARGUMENT", "the schedule's fixed rate must be positive");
    const origin = schedule.start ? Number(schedule.start.seconds) * 1000 : start;
    let at = origin + Math.max(0, Math.ceil((start - origin) / step)) * step;
    for (; at <= end && ticks.length < limit; at += step) ticks.push(at);
  } else {
    throw new RuntimeError("FAILED_PRECONDITION", "the workflow's schedule has neither a cron expression nor a fixed rate");
  }
  return ticks;
}

/** The tick as the kickoff input's type wants it: a date (YYYY-MM-DD, UTC) or a datetime. */
export function kickoffLiteral(iface: TypedInterface | undefined, input: string, tick: number): Literal {
  const v = iface?.inputs.find((x) => x.name === input);
  const t = v?.type?.type;
  const simple = t?.case === "simple" ? t.value : t?.case === "optional" && t.value.inner?.type.case === "simple" ? t.value.inner.type.value : undefined;
  const value =
    simple === SimpleType.DATE
      ? { case: "date" as const, value: new Date(tick).toISOString().slice(0, 10) }
      : { case: "datetime" as const, value: timestampFromMs(tick) };
  return withHash(create(LiteralSchema, { value: { case: "scalar", value: { value } } }));
}
