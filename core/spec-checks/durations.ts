// google.protobuf.Duration as seconds, and a readable rendering for messages.
import type { Duration } from "@bufbuild/protobuf/wkt";

export function seconds(d: Duration): number {
  return Number(d.seconds) + d.nanos / 1e9;
}

export function durationText(d: Duration): string {
  const s = seconds(d);
  if (Math.abs(s) >= 86400 && s % 3600 === 0) return `${s / 3600}h`;
  if (Math.abs(s) >= 60 && s % 60 === 0) return `${s / 60}m`;
  if (Math.abs(s) >= 1 || s === 0) return `${s}s`;
  return `${Math.round(s * 1000)}ms`;
}
