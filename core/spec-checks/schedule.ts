// Schedules: a valid cron expression (cron-parser) in a real IANA zone, or a fixed rate of at
// least a second; a start before the end; a kickoff input that can take the tick's time.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { CronExpressionParser } from "cron-parser";
import { SimpleType } from "../../proto/messages.ts";
import type { WorkflowTemplate } from "../../proto/messages.ts";
import { Diagnostics } from "../diagnostics.ts";
import type { CheckContext } from "./context.ts";
import { spanOf } from "./context.ts";
import { didYouMean } from "./did-you-mean.ts";
import { durationText, seconds } from "./durations.ts";
import { SpecLimits } from "./limits.ts";

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function checkSchedule(ctx: CheckContext, workflow: WorkflowTemplate): void {
  const schedule = workflow.schedule;
  if (schedule === undefined) return;
  const location = spanOf(workflow.source);
  // Each problem names its property, so the compiler can point at it rather than at the workflow.
  const at = (property: string) => ({ workflow: workflow.name, path: `schedule.${property}`, ...(location === undefined ? {} : { location }) });
  const zoneOk = schedule.timezone === "" || isTimeZone(schedule.timezone);
  if (!zoneOk) ctx.report(Diagnostics.UnknownTimezone, [schedule.timezone, workflow.name], at("timezone"));
  const trigger = schedule.trigger;
  switch (trigger.case) {
    case "cron": {
      // cron-parser fills in missing fields ("* * *" parses); a schedule must say all of them.
      const fields = trigger.value.trim().split(/\s+/).length;
      if (!trigger.value.trim().startsWith("@") && fields !== 5 && fields !== 6) {
        ctx.report(
          Diagnostics.InvalidCron,
          [
            trigger.value,
            workflow.name,
            `it has ${fields} field${fields === 1 ? "" : "s"}; use 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first)`,
          ],
          at("cron"),
        );
        break;
      }
      try {
        CronExpressionParser.parse(trigger.value, { tz: zoneOk && schedule.timezone !== "" ? schedule.timezone : "UTC", strict: false });
      } catch (e) {
        ctx.report(Diagnostics.InvalidCron, [trigger.value, workflow.name, e instanceof Error ? e.message : String(e)], at("cron"));
      }
      break;
    }
    case "fixedRate":
      if (seconds(trigger.value) < SpecLimits.minFixedRateSeconds) {
        ctx.report(Diagnostics.FixedRateTooShort, [workflow.name, durationText(trigger.value), `${SpecLimits.minFixedRateSeconds}s`], at("every"));
      }
      break;
    default:
      ctx.report(Diagnostics.ScheduleWithoutTrigger, [workflow.name], { ...at(""), path: "schedule" });
  }
  if (schedule.start !== undefined && schedule.end !== undefined) {
    const start = timestampDate(schedule.start);
    const end = timestampDate(schedule.end);
    if (start.getTime() > end.getTime()) {
      ctx.report(Diagnostics.ScheduleStartAfterEnd, [workflow.name, start.toISOString(), end.toISOString()], at("start"));
    }
  }
  if (schedule.kickoffInput !== "") {
    const inputs = workflow.interface?.inputs ?? [];
    const input = inputs.find((v) => v.name === schedule.kickoffInput);
    if (input === undefined) {
      ctx.report(
        Diagnostics.InvalidKickoffInput,
        [
          workflow.name,
          schedule.kickoffInput,
          `which the workflow does not declare${didYouMean(
            schedule.kickoffInput,
            inputs.map((v) => v.name),
          ).replace(/^;/, ",")}`,
        ],
        at("kickoffInput"),
      );
    } else {
      const t = input.type?.type;
      const inner = t?.case === "optional" ? t.value.inner?.type : t;
      if (!(inner?.case === "simple" && (inner.value === SimpleType.DATE || inner.value === SimpleType.DATETIME))) {
        ctx.report(Diagnostics.InvalidKickoffInput, [workflow.name, schedule.kickoffInput, "which is neither a date nor a datetime"], at("kickoffInput"));
      }
    }
  }
}
