// Wall-clock times in an IANA zone as instants: what `weir backfill --from 2026-01-31` and the web
// UI's backfill form read a bare date or a local datetime as. Intl gives the zone's offset; two
// passes settle a time at a DST change. Browser-safe (no node built-ins): the UI imports it.

/** The UTC instant (ms) of a wall-clock time in `timeZone`; month 1-12, and a day past the month's end rolls over. */
export function zonedToUtc(y: number, m: number, d: number, hh: number, mm: number, ss: number, ms: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d, hh, mm, ss, ms);
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  return guess;
}

/** The first instant of calendar day `date` (YYYY-MM-DD) in `timeZone`. */
export function dayStart(date: string, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return zonedToUtc(y, m, d, 0, 0, 0, 0, timeZone);
}

/** The last millisecond of calendar day `date` (YYYY-MM-DD) in `timeZone`. */
export function dayEnd(date: string, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return zonedToUtc(y, m, d + 1, 0, 0, 0, 0, timeZone) - 1;
}

/** The zone's offset from UTC at an instant. */
function offsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(at / 1000) * 1000;
}
