// A schedule in a line ("cron 0 2 * * * UTC", "every 1h") and its next tick, from core's own
// schedule arithmetic (the same the runtime's ticker and `weir workflows` use).
import { durationMs } from "@bufbuild/protobuf/wkt";
import { formatDuration } from "../../../core/duration.ts";
import { nextTick } from "../../../core/schedule-ticks.ts";
import type { Schedule } from "../../../proto/messages.ts";

export function triggerText(s: Schedule): string {
  const t = s.trigger;
  if (t.case === "cron") return `cron ${t.value} ${s.timezone || "UTC"}`;
  if (t.case === "fixedRate") return `every ${formatDuration(durationMs(t.value))}`;
  return "no trigger";
}

/** The next tick after `now`, or undefined (none left in its window, or a schedule that cannot tick). */
export function nextTickAt(s: Schedule, now = Date.now()): number | undefined {
  try {
    return nextTick(s, now);
  } catch {
    return undefined;
  }
}
