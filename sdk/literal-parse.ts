// Parses the text of a CLI `--input name=value` into the JS value of the input's declared type,
// with an error that names the expected type and shows an accepted example.
import { SimpleType } from "../proto/messages.ts";
import type { LiteralType } from "../proto/messages.ts";
import { parseDuration } from "../core/index.ts";
import { LiteralError } from "./literal-error.ts";
import { describeType, isIsoDate, validateValue } from "./validate.ts";

const EXAMPLES: Readonly<Record<number, string>> = Object.freeze({
  [SimpleType.INTEGER]: "42",
  [SimpleType.FLOAT]: "0.5",
  [SimpleType.BOOLEAN]: "true",
  [SimpleType.DATE]: "2024-05-01",
  [SimpleType.DATETIME]: "2024-05-01T12:00:00Z",
  [SimpleType.DURATION]: "30m",
});

function fail(label: string, type: LiteralType, text: string, hint?: string): never {
  const example = type.type.case === "simple" ? EXAMPLES[type.type.value] : undefined;
  const detail = hint ?? (example ? `, e.g. ${example}` : "");
  throw new LiteralError("INPUT_UNPARSABLE", [`${label}: expected ${describeType(type)}${detail}, got '${text}'`]);
}

/**
 * `text` as a JS value of `type`: ints, floats, bools (true/false/1/0/yes/no), dates, ISO
 * datetimes, durations ("30m", "1h30m" or milliseconds), enum members, file/dir paths, JSON for
 * lists, maps and structs; "" or "null" for an absent optional. Throws LiteralError.
 */
export function parseInputValue(text: string, type: LiteralType, label = "value"): unknown {
  const t = type.type;
  switch (t.case) {
    case "simple":
      return parseSimple(text, t.value, type, label);
    case "enumType":
      if (t.value.values.includes(text)) return text;
      return fail(label, type, text, ` (one of ${t.value.values.map((v) => `'${v}'`).join(", ")})`);
    case "blob":
      if (text.length === 0) fail(label, type, text, " (a path)");
      return { path: text, ...(t.value.format ? { format: t.value.format } : {}) };
    case "optional":
      return text === "" || text === "null" || !t.value.inner ? undefined : parseInputValue(text, t.value.inner, label);
    case "union": {
      for (const variant of t.value.variants) {
        try {
          return parseInputValue(text, variant, label);
        } catch {
          // try the next variant; the union's own message below names all of them
        }
      }
      return fail(label, type, text);
    }
    case "collection":
    case "map":
    case "struct": {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return fail(label, type, text, " written as JSON");
      }
      const problems = validateValue(parsed, type, label, true);
      if (problems.length > 0) throw new LiteralError("INPUT_UNPARSABLE", problems);
      return parsed;
    }
    case "dataframe":
      return fail(label, type, text, " (dataframes cannot be given on the command line; pass a file input instead)");
    default:
      return fail(label, type, text);
  }
}

function parseSimple(text: string, simple: SimpleType, type: LiteralType, label: string): unknown {
  const trimmed = text.trim();
  switch (simple) {
    case SimpleType.INTEGER: {
      if (!/^[-+]?\d+$/.test(trimmed)) return fail(label, type, text);
      const big = BigInt(trimmed);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    case SimpleType.FLOAT: {
      const n = trimmed === "" ? Number.NaN : Number(trimmed);
      if (Number.isNaN(n) && trimmed !== "NaN") return fail(label, type, text);
      return n;
    }
    case SimpleType.STRING:
      return text;
    case SimpleType.BOOLEAN: {
      const lower = trimmed.toLowerCase();
      if (["true", "1", "yes"].includes(lower)) return true;
      if (["false", "0", "no"].includes(lower)) return false;
      return fail(label, type, text, " (true or false)");
    }
    case SimpleType.DATE:
      return isIsoDate(trimmed) ? trimmed : fail(label, type, text);
    case SimpleType.DATETIME: {
      // Date-only text would parse as UTC midnight silently; require a time so intent is explicit.
      const d = new Date(trimmed);
      if (!/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(trimmed) || Number.isNaN(d.getTime())) return fail(label, type, text);
      return d;
    }
    case SimpleType.DURATION: {
      if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
      try {
        return parseDuration(trimmed);
      } catch {
        return fail(label, type, text);
      }
    }
    default: {
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    }
  }
}
