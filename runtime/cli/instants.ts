// Parses the instants CLI users type (`2026-01-31`, `2026-01-31T09:00`, `2026-01-31T09:00:00Z`) in a
// given IANA zone; a bare date means the start of that day there, or its end (`endOfDay`).
import { CliError } from "./action.ts";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const ZONED = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Milliseconds since the epoch of what `text` names, read in `timeZone` when it carries no offset. */
export function parseInstant(text: string, timeZone: string, option: string, endOfDay = false): number {
  const s = text.trim();
  const date = DATE.exec(s);
  if (date) {
    const [, y, m, d] = date.map(Number) as [number, number, number, number];
    if (!validDate(y, m, d)) throw bad(text, option);
    const start = zonedToUtc(y, m, d, 0, 0, 0, 0, timeZone);
    return endOfDay ? zonedToUtc(y, m, d + 1, 0, 0, 0, 0, timeZone) - 1 : start;
  }
  if (ZONED.test(s)) {
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) throw bad(text, option);
    return ms;
  }
  const local = LOCAL_DATETIME.exec(s);
  if (local) {
    const [y, m, d, hh, mm, ss] = local.slice(1, 7).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
    if (!validDate(y, m, d) || hh > 23 || mm > 59 || ss > 59) throw bad(text, option);
    return zonedToUtc(y, m, d, hh, mm, ss, local[7] ? Number(local[7].padEnd(3, "0")) : 0, timeZone);
  }
  throw bad(text, option);
}

function bad(text: string, option: string): CliError {
  return new CliError("BAD_TIME", `${option} ${text} is not a date (2026-01-31) or a datetime (2026-01-31T09:00, 2026-01-31T09:00:00Z)`, 2);
}

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** The UTC instant of a wall-clock time in a zone (two passes settle DST edges). */
function zonedToUtc(y: number, m: number, d: number, hh: number, mm: number, ss: number, ms: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d, hh, mm, ss, ms);
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  return guess;
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
