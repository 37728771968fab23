// Instants and spans as the page writes them: UTC clock times (what the runtime logs and schedules
// use), "3m ago", and durations in weir's one notation (core's formatDuration).
import { timestampMs } from "@bufbuild/protobuf/wkt";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { formatDuration } from "../../../core/duration.ts";

/** Milliseconds since the epoch, or undefined for an unset or zero timestamp. */
export function ms(t: Timestamp | undefined): number | undefined {
  if (!t) return undefined;
  const v = timestampMs(t);
  return v > 0 ? v : undefined;
}

/** "2024-05-01 02:00:13Z" */
export function instantText(at: number | undefined): string {
  if (at === undefined) return "—";
  return `${new Date(at).toISOString().replace("T", " ").slice(0, 19)}Z`;
}

export function agoText(at: number | undefined, now = Date.now()): string {
  if (at === undefined) return "—";
  const d = now - at;
  if (d < 0) return `in ${formatDuration(-d)}`;
  if (d < 1_000) return "just now";
  return `${formatDuration(d)} ago`;
}

export function spanText(from: number | undefined, to: number | undefined, now = Date.now()): string {
  if (from === undefined) return "—";
  return formatDuration((to ?? now) - from);
}
