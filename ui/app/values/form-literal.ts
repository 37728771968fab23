// What a person typed into the run form, as the Literal the runtime takes, checked against the
// input's declared type before anything is sent (the runtime validates again; this is for a
// message beside the field instead of a refused call). Literals go without their hash: the
// runtime computes every hash itself.
import { create } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { parseDuration } from "../../../core/duration.ts";
import { typeName } from "../../../core/type-names.ts";
import { LiteralSchema, SimpleType, type Literal, type LiteralType, type Scalar } from "../../../proto/messages.ts";

/** A field's raw value: text (most inputs), a checkbox, or an artifact already uploaded. */
export type FieldValue = string | boolean | { uploaded: Literal };

export class FieldError extends Error {}

const scalar = (value: Scalar["value"]): Literal => create(LiteralSchema, { value: { case: "scalar", value: { value } } });
const NONE = (): Literal => create(LiteralSchema, { value: { case: "none", value: {} } });

/** The literal for one input, or a FieldError saying what is wrong with the value. */
export function literalFromField(type: LiteralType, raw: FieldValue): Literal {
  if (typeof raw === "object") return raw.uploaded;
  const t = type.type;
  if (t.case === "optional") {
    if (raw === "") return NONE();
    return literalFromField(t.value.inner!, raw);
  }
  if (typeof raw === "boolean") {
    if (t.case === "simple" && t.value === SimpleType.BOOLEAN) return scalar({ case: "boolean", value: raw });
    throw new FieldError(`expected ${typeName(type)}`);
  }
  const text = raw.trim();
  if (text === "") throw new FieldError("required");
  switch (t.case) {
    case "simple":
      return simpleFromText(t.value, text);
    case "enumType":
      if (!t.value.values.includes(text)) throw new FieldError(`one of ${t.value.values.join(", ")}`);
      return scalar({ case: "enumValue", value: text });
    case "struct":
    case "collection":
    case "map":
    case "union":
      return literalFromJson(type, parseJson(text));
    case "blob":
    case "dataframe":
      throw new FieldError("choose a file to upload");
    default:
      throw new FieldError(`cannot enter a ${typeName(type)} here`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FieldError(`not JSON: ${(err as Error).message}`);
  }
}

function simpleFromText(kind: SimpleType, text: string): Literal {
  switch (kind) {
    case SimpleType.INTEGER:
      if (!/^[-+]?\d+$/.test(text)) throw new FieldError("a whole number");
      return scalar({ case: "integer", value: BigInt(text) });
    case SimpleType.FLOAT: {
      const n = Number(text);
      if (!Number.isFinite(n)) throw new FieldError("a number");
      return scalar({ case: "float", value: n });
    }
    case SimpleType.STRING:
    case SimpleType.ANY:
      return scalar({ case: "string", value: text });
    case SimpleType.BOOLEAN:
      if (text !== "true" && text !== "false") throw new FieldError("true or false");
      return scalar({ case: "boolean", value: text === "true" });
    case SimpleType.DATE:
      if (!isDate(text)) throw new FieldError("a date like 2024-05-01");
      return scalar({ case: "date", value: text });
    case SimpleType.DATETIME: {
      // A datetime-local field has no zone: it is the browser's local time.
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) throw new FieldError("a date and time");
      return scalar({ case: "datetime", value: timestampFromMs(ms) });
    }
    case SimpleType.DURATION:
      try {
        return scalar({ case: "duration", value: durationFromMs(parseDuration(text)) });
      } catch {
        throw new FieldError('a duration like "90s", "15m" or "1h30m"');
      }
    default:
      throw new FieldError("an unsupported type");
  }
}

function isDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** A JSON value (a list, a map, a struct, or a scalar inside them) as a literal of `type`. */
export function literalFromJson(type: LiteralType, value: unknown, where = "value"): Literal {
  const t = type.type;
  switch (t.case) {
    case "optional":
      return value === null ? NONE() : literalFromJson(t.value.inner!, value, where);
    case "collection":
      if (!Array.isArray(value)) throw new FieldError(`${where}: expected a JSON list`);
      return create(LiteralSchema, {
        value: { case: "collection", value: { items: value.map((v, i) => literalFromJson(t.value.item!, v, `${where}[${i}]`)) } },
      });
    case "map": {
      if (!isObject(value)) throw new FieldError(`${where}: expected a JSON object`);
      const entries: Record<string, Literal> = {};
      for (const [k, v] of Object.entries(value)) entries[k] = literalFromJson(t.value.value!, v, `${where}.${k}`);
      return create(LiteralSchema, { value: { case: "map", value: { entries } } });
    }
    case "struct": {
      if (!isObject(value)) throw new FieldError(`${where}: expected a JSON object`);
      const missing = t.value.fields.filter((f) => !f.optional && !(f.name in value)).map((f) => f.name);
      if (missing.length > 0) throw new FieldError(`${where}: missing ${missing.join(", ")}`);
      return scalar({ case: "json", value: JSON.stringify(value) });
    }
    case "union": {
      for (const variant of t.value.variants) {
        try {
          return literalFromJson(variant, value, where);
        } catch {
          // try the next variant
        }
      }
      throw new FieldError(`${where}: not a ${typeName(type)}`);
    }
    case "simple":
      if (t.value === SimpleType.INTEGER && typeof value === "number" && Number.isInteger(value)) return scalar({ case: "integer", value: BigInt(value) });
      if (t.value === SimpleType.FLOAT && typeof value === "number") return scalar({ case: "float", value });
      if (t.value === SimpleType.BOOLEAN && typeof value === "boolean") return scalar({ case: "boolean", value });
      if (typeof value === "string") return simpleFromText(t.value, value);
      throw new FieldError(`${where}: expected ${typeName(type)}`);
    case "enumType":
      if (typeof value !== "string" || !t.value.values.includes(value)) throw new FieldError(`${where}: one of ${t.value.values.join(", ")}`);
      return scalar({ case: "enumValue", value });
    default:
      throw new FieldError(`${where}: a ${typeName(type)} cannot be given as JSON`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
