// Parses the instants CLI users type (`2026-01-31`, `2026-01-31T09:00`, `2026-01-31T09:00:00Z`) in a
// given IANA zone; a bare date means the start of that day there, or its end (`endOfDay`).
import { zonedToUtc } from "../../core/index.ts";
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
