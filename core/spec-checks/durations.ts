// google.protobuf.Duration as seconds, and as text in messages (written as every duration is:
// core/duration.ts).
import { durationMs, type Duration } from "@bufbuild/protobuf/wkt";
import { formatDuration } from "../duration.ts";

export function seconds(d: Duration): number {
  return Number(d.seconds) + d.nanos / 1e9;
}

export function durationText(d: Duration): string {
  return formatDuration(durationMs(d));
}
