// A calendar day's first and last instant in an IANA zone, for the backfill form's dates (read, as
// `weir backfill` reads a bare date, in the schedule's zone). Intl gives the zone's offset; two
// passes settle a day that starts at a DST change.
export function dayStart(date: string, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return zonedToUtc(Date.UTC(y, m - 1, d), timeZone);
}

export function dayEnd(date: string, timeZone: string): number {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return zonedToUtc(Date.UTC(y, m - 1, d + 1), timeZone) - 1;
}

function zonedToUtc(wall: number, timeZone: string): number {
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  return guess;
}

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
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - Math.floor(at / 1000) * 1000;
}
