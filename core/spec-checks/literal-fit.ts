// Whether a literal written in a workflow body fits the type of the input it is bound to.
import { BlobKind, SimpleType } from "../../proto/messages.ts";
import type { Literal, LiteralType } from "../../proto/messages.ts";
import { checkAssignable } from "../compatibility.ts";
import { create } from "@bufbuild/protobuf";
import { LiteralTypeSchema } from "../../proto/messages.ts";
import { typeName } from "../type-names.ts";

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(text: string): boolean {
  const m = isoDate.exec(text);
  if (m === null) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** A short rendering of a literal for messages: `42`, `'abc'`, `[3 items]`, `none`. */
export function literalText(lit: Literal): string {
  const v = lit.value;
  switch (v.case) {
    case "scalar": {
      const s = v.value.value;
      switch (s.case) {
        case "string":
        case "enumValue":
        case "date":
          return `'${s.value}'`;
        case "integer":
        case "float":
        case "boolean":
          return String(s.value);
        case "json":
          return s.value.length > 40 ? `${s.value.slice(0, 37)}...` : s.value;
        case "datetime":
          return "a datetime";
        case "duration":
          return "a duration";
        default:
          return "an empty scalar";
      }
    }
    case "collection":
      return `[${v.value.items.length} item${v.value.items.length === 1 ? "" : "s"}]`;
    case "map":
      return `{${Object.keys(v.value.entries).length} entries}`;
    case "none":
      return "none";
    case "blob":
      return `blob '${v.value.uri}'`;
    case "dataframe":
      return `dataframe '${v.value.uri}'`;
    default:
      return "an empty literal";
  }
}

/** Why the literal does not fit the type, or undefined when it fits. */
export function literalMismatch(lit: Literal, type: LiteralType | undefined): string | undefined {
  if (type === undefined) return "the input has no type";
  const t = type.type;
  const v = lit.value;
  if (t.case === "simple" && t.value === SimpleType.ANY) return undefined;
  if (t.case === "optional") return v.case === "none" ? undefined : literalMismatch(lit, t.value.inner);
  if (t.case === "union") {
    return t.value.variants.some((variant) => literalMismatch(lit, variant) === undefined) ? undefined : `it matches no variant of ${typeName(type)}`;
  }
  if (v.case === "none") return `none is only allowed for optional inputs`;
  const expected = `a ${typeName(type)} is expected`;
  switch (t.case) {
    case "simple": {
      if (v.case !== "scalar") return expected;
      const s = v.value.value;
      switch (t.value) {
        case SimpleType.INTEGER:
          return s.case === "integer" ? undefined : expected;
        case SimpleType.FLOAT:
          // A written constant like `1` is exact as a float; only edges refuse int → float.
          return s.case === "float" || s.case === "integer" ? undefined : expected;
        case SimpleType.STRING:
          return s.case === "string" ? undefined : expected;
        case SimpleType.BOOLEAN:
          return s.case === "boolean" ? undefined : expected;
        case SimpleType.DATE:
          if (s.case !== "date") return expected;
          return validDate(s.value) ? undefined : `'${s.value}' is not a valid YYYY-MM-DD date`;
        case SimpleType.DATETIME:
          return s.case === "datetime" ? undefined : expected;
        case SimpleType.DURATION:
          return s.case === "duration" ? undefined : expected;
        default:
          return expected;
      }
    }
    case "enumType": {
      if (v.case !== "scalar") return expected;
      const s = v.value.value;
      if (s.case !== "enumValue" && s.case !== "string") return expected;
      return t.value.values.includes(s.value) ? undefined : `'${s.value}' is not one of ${t.value.values.map((x) => `'${x}'`).join(", ")}`;
    }
    case "struct": {
      if (v.case !== "scalar" || v.value.value.case !== "json") return expected;
      let parsed: unknown;
      try {
        parsed = JSON.parse(v.value.value.value);
      } catch {
        return "its JSON does not parse";
      }
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return "its JSON is not an object";
      const missing = t.value.fields.filter((f) => !f.optional && !(f.name in parsed));
      return missing.length === 0 ? undefined : `field${missing.length > 1 ? "s" : ""} ${missing.map((f) => `'${f.name}'`).join(", ")} missing`;
    }
    case "collection": {
      if (v.case !== "collection") return expected;
      for (const [i, item] of v.value.items.entries()) {
        const why = literalMismatch(item, t.value.item);
        if (why !== undefined) return `item ${i}: ${why}`;
      }
      return undefined;
    }
    case "map": {
      if (v.case !== "map") return expected;
      for (const [key, entry] of Object.entries(v.value.entries)) {
        const why = literalMismatch(entry, t.value.value);
        if (why !== undefined) return `entry '${key}': ${why}`;
      }
      return undefined;
    }
    case "blob": {
      if (v.case !== "blob") return expected;
      if (v.value.kind !== BlobKind.UNSPECIFIED && v.value.kind !== t.value.kind) return expected;
      if (t.value.format !== "" && v.value.format !== "" && v.value.format !== t.value.format) {
        return `its format '${v.value.format}' is not '${t.value.format}'`;
      }
      return undefined;
    }
    case "dataframe": {
      if (v.case !== "dataframe") return expected;
      if (v.value.schema === undefined) return undefined; // schema checked by the worker on read
      const produced = create(LiteralTypeSchema, { type: { case: "dataframe", value: v.value.schema } });
      const issues = checkAssignable(produced, type);
      return issues.length === 0 ? undefined : issues.map((i) => i.message).join("; ");
    }
    default:
      return "the input's type is not set";
  }
}
