// Run-time type checks of values against LiteralTypes: JS values before they are stored, Literals
// the server receives, and Arrow tables a task produced. One message per problem, naming its path.
// Tables (and stored tables' recorded types) are checked with core's relation, the compiler's own.
import { create } from "@bufbuild/protobuf";
import { Table } from "apache-arrow";
import { checkAssignable } from "../core/index.ts";
import type { Incompatibility } from "../core/index.ts";
import { BlobKind, DataFrameTypeSchema, LiteralTypeSchema, SimpleType } from "../proto/messages.ts";
import type { DataFrameType, Literal, LiteralType } from "../proto/messages.ts";
import { describeArrowType, observeTable } from "./literal-arrow.ts";

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True for a real calendar date written as YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  const m = DATE_PATTERN.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** How messages name a type: "int", "date (YYYY-MM-DD)", "list<string>", "enum (a | b)". */
export function describeType(type: LiteralType | undefined): string {
  const t = type?.type;
  switch (t?.case) {
    case "simple":
      return SIMPLE_NAMES[t.value] ?? "unknown";
    case "enumType":
      return `enum (${t.value.values.join(" | ")})`;
    case "blob":
      return `${t.value.kind === BlobKind.DIRECTORY ? "dir" : "file"}${t.value.format ? ` (${t.value.format})` : ""}`;
    case "collection":
      return `list<${describeType(t.value.item)}>`;
    case "map":
      return `map<string, ${describeType(t.value.value)}>`;
    case "optional":
      return `optional<${describeType(t.value.inner)}>`;
    case "union":
      return t.value.variants.map(describeType).join(" | ");
    case "struct":
      return `struct {${t.value.fields.map((f) => ` ${f.name}${f.optional ? "?" : ""}: ${describeType(f.type)}`).join(";")} }`;
    case "dataframe":
      return t.value.any ? "dataframe (any columns)" : `dataframe {${t.value.columns.map((c) => ` ${c.name}: ${describeArrowType(c.type)}`).join(",")} }`;
    default:
      return "unknown";
  }
}

const SIMPLE_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [SimpleType.INTEGER]: "int",
  [SimpleType.FLOAT]: "float",
  [SimpleType.STRING]: "string",
  [SimpleType.BOOLEAN]: "bool",
  [SimpleType.DATE]: "date (YYYY-MM-DD)",
  [SimpleType.DATETIME]: "datetime",
  [SimpleType.DURATION]: "duration (milliseconds)",
  [SimpleType.ANY]: "any",
});

/** "string 'yesterday'", "number 3.5", "array of 3", "undefined": what a message says it got. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return `string '${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  if (value instanceof Date) return `Date ${Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString()}`;
  if (Array.isArray(value)) return `array of ${value.length}`;
  if (value instanceof Table) return `Arrow table of ${value.numRows} rows`;
  return typeof value === "object" ? "object" : typeof value;
}

function expected(label: string, type: LiteralType | undefined, got: string): string {
  return `${label}: expected ${describeType(type)}, got ${got}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Table);
}

/**
 * Problems of a JS value (what a task returns, what a caller passes) against a type; [] = valid.
 * `json` is set inside structs, where values come from JSON (datetimes are ISO strings there).
 */
export function validateValue(value: unknown, type: LiteralType | undefined, label = "value", json = false): string[] {
  const t = type?.type;
  switch (t?.case) {
    case "simple":
      return validateSimpleValue(value, t.value, type, label, json);
    case "enumType":
      return typeof value === "string" && t.value.values.includes(value) ? [] : [expected(label, type, describeValue(value))];
    case "blob":
      return isPlainObject(value) && typeof value.path === "string" && value.path.length > 0
        ? []
        : [`${label}: expected ${describeType(type)} as { path: string }, got ${describeValue(value)}`];
    case "collection":
      if (!Array.isArray(value)) return [expected(label, type, describeValue(value))];
      return value.flatMap((item, i) => validateValue(item, t.value.item, `${label}[${i}]`, json));
    case "map":
      if (!isPlainObject(value)) return [expected(label, type, describeValue(value))];
      return Object.entries(value).flatMap(([k, v]) => validateValue(v, t.value.value, `${label}[${JSON.stringify(k)}]`, json));
    case "optional":
      return value === undefined || value === null ? [] : validateValue(value, t.value.inner, label, json);
    case "union":
      return t.value.variants.some((variant) => validateValue(value, variant, label, json).length === 0) ? [] : [expected(label, type, describeValue(value))];
    case "struct": {
      if (!isPlainObject(value)) return [expected(label, type, describeValue(value))];
      const problems: string[] = [];
      for (const field of t.value.fields) {
        const fieldValue = value[field.name];
        if (fieldValue === undefined || fieldValue === null) {
          if (!field.optional) problems.push(`${label}.${field.name}: missing required field (${describeType(field.type)})`);
          continue;
        }
        problems.push(...validateValue(fieldValue, field.type, `${label}.${field.name}`, true));
      }
      return problems;
    }
    case "dataframe":
      if (!(value instanceof Table)) return [expected(label, type, describeValue(value))];
      return validateTable(value, t.value, label);
    default:
      return [`${label}: the declared type is empty (the spec is malformed; recompile it)`];
  }
}

function validateSimpleValue(value: unknown, simple: SimpleType, type: LiteralType | undefined, label: string, json: boolean): string[] {
  const ok = (() => {
    switch (simple) {
      case SimpleType.INTEGER:
        if (typeof value === "bigint") return value >= INT64_MIN && value <= INT64_MAX;
        return typeof value === "number" && Number.isSafeInteger(value);
      case SimpleType.FLOAT:
        return typeof value === "number";
      case SimpleType.STRING:
        return typeof value === "string";
      case SimpleType.BOOLEAN:
        return typeof value === "boolean";
      case SimpleType.DATE:
        return typeof value === "string" && isIsoDate(value);
      case SimpleType.DATETIME:
        if (json && typeof value === "string") return !Number.isNaN(Date.parse(value));
        return value instanceof Date && !Number.isNaN(value.getTime());
      case SimpleType.DURATION:
        return typeof value === "number" && Number.isFinite(value);
      case SimpleType.ANY:
        return value !== undefined;
      default:
        return false;
    }
  })();
  return ok ? [] : [expected(label, type, describeValue(value))];
}

/** Problems of a Literal against a type; [] = valid. `label` names the value: "input 'day'". */
export function validateLiteral(lit: Literal, type: LiteralType | undefined, label = "value"): string[] {
  const t = type?.type;
  const v = lit.value;
  const got = () => describeLiteral(lit);
  switch (t?.case) {
    case "simple": {
      if (t.value === SimpleType.ANY) return v.case === undefined ? [expected(label, type, "an empty literal")] : [];
      if (v.case !== "scalar") return [expected(label, type, got())];
      const s = v.value.value;
      const ok =
        (t.value === SimpleType.INTEGER && s.case === "integer") ||
        (t.value === SimpleType.FLOAT && s.case === "float") ||
        // Every enum value is a string.
        (t.value === SimpleType.STRING && (s.case === "string" || s.case === "enumValue")) ||
        (t.value === SimpleType.BOOLEAN && s.case === "boolean") ||
        (t.value === SimpleType.DATE && s.case === "date" && isIsoDate(s.value)) ||
        (t.value === SimpleType.DATETIME && s.case === "datetime") ||
        (t.value === SimpleType.DURATION && s.case === "duration");
      return ok ? [] : [expected(label, type, got())];
    }
    case "enumType":
      return v.case === "scalar" && v.value.value.case === "enumValue" && t.value.values.includes(v.value.value.value) ? [] : [expected(label, type, got())];
    case "blob": {
      if (v.case !== "blob") return [expected(label, type, got())];
      const wantKind = t.value.kind === BlobKind.DIRECTORY ? BlobKind.DIRECTORY : BlobKind.FILE;
      if ((v.value.kind || BlobKind.FILE) !== wantKind) return [expected(label, type, got())];
      if (t.value.format && v.value.format && t.value.format !== v.value.format) {
        return [`${label}: expected a file of format '${t.value.format}', got format '${v.value.format}'`];
      }
      return [];
    }
    case "collection":
      if (v.case !== "collection") return [expected(label, type, got())];
      return v.value.items.flatMap((item, i) => validateLiteral(item, t.value.item, `${label}[${i}]`));
    case "map":
      if (v.case !== "map") return [expected(label, type, got())];
      return Object.entries(v.value.entries).flatMap(([k, item]) => validateLiteral(item, t.value.value, `${label}[${JSON.stringify(k)}]`));
    case "optional":
      return v.case === "none" ? [] : validateLiteral(lit, t.value.inner, label);
    case "union":
      return t.value.variants.some((variant) => validateLiteral(lit, variant, label).length === 0) ? [] : [expected(label, type, got())];
    case "struct": {
      if (v.case !== "scalar" || v.value.value.case !== "json") return [expected(label, type, got())];
      let parsed: unknown;
      try {
        parsed = JSON.parse(v.value.value.value);
      } catch {
        return [`${label}: expected ${describeType(type)}, got JSON that does not parse`];
      }
      return validateValue(parsed, type, label, true);
    }
    case "dataframe": {
      if (v.case !== "dataframe") return [expected(label, type, got())];
      if (t.value.any) return [];
      return tableProblems(v.value.schema ?? create(DataFrameTypeSchema, { format: "arrow" }), t.value, label);
    }
    default:
      return [`${label}: the declared type is empty (the spec is malformed; recompile it)`];
  }
}

/** "string 'x'", "int 3", "a list of 2", "a file", "a dataframe": what a Literal holds. */
export function describeLiteral(lit: Literal): string {
  const v = lit.value;
  switch (v.case) {
    case "scalar": {
      const s = v.value.value;
      switch (s.case) {
        case "integer":
          return `int ${s.value}`;
        case "float":
          return `float ${s.value}`;
        case "string":
          return describeValue(s.value);
        case "boolean":
          return `bool ${s.value}`;
        case "date":
          return `date '${s.value}'`;
        case "datetime":
          return "datetime";
        case "duration":
          return "duration";
        case "enumValue":
          return `enum value '${s.value}'`;
        case "json":
          return "a JSON struct";
        default:
          return "an empty scalar";
      }
    }
    case "collection":
      return `a list of ${v.value.items.length}`;
    case "map":
      return `a map of ${Object.keys(v.value.entries).length}`;
    case "none":
      return "none";
    case "blob":
      return v.value.kind === BlobKind.DIRECTORY ? "a directory" : "a file";
    case "dataframe":
      return "a dataframe";
    default:
      return "an empty literal";
  }
}

/**
 * Problems of an Arrow table against a declared dataframe schema, by core's relation: what the
 * table holds (its Arrow types, dictionary index types included, and the nulls its data holds at
 * every depth: columns, list items, struct fields, dictionary values) must be assignable to the
 * declared type. Extra columns are fine (projection); `df.any()` accepts any table.
 */
export function validateTable(table: Table, type: DataFrameType, label = "table"): string[] {
  if (type.any) return [];
  const observed = observeTable(table);
  return tableProblems(observed.type, type, label, observed.nulls);
}

// `nulls` counts the nulls met when the data is at hand; for a stored table, its recorded type
// (observed from the data when it was written) says only whether there are any.
function tableProblems(actual: DataFrameType, declared: DataFrameType, label: string, nulls?: ReadonlyMap<string, number>): string[] {
  const produced = create(LiteralTypeSchema, { type: { case: "dataframe", value: actual } });
  const wanted = create(LiteralTypeSchema, { type: { case: "dataframe", value: declared } });
  return checkAssignable(produced, wanted).map((issue) => tableProblem(issue, label, nulls));
}

function tableProblem(issue: Incompatibility, label: string, nulls: ReadonlyMap<string, number> | undefined): string {
  const column = issue.path;
  switch (issue.reason) {
    case "missing-column":
      return `${label}: missing column '${column}' (${describeArrowType(issue.consumerColumn?.type)}) declared in the schema`;
    case "arrow-type":
      return (
        `${label}: column '${column}' is ${describeArrowType(issue.producerColumn?.type)}, but the schema declares ` +
        `${describeArrowType(issue.consumerColumn?.type)} (only equal types or lossless widenings are accepted)`
      );
    case "nullability": {
      // A decoded dictionary's nulls are its values' (counted under "<column>.value").
      const count = nulls?.get(column) ?? nulls?.get(`${column}.value`);
      return count === undefined
        ? `${label}: column '${column}' may contain nulls, but the schema declares it non-nullable`
        : `${label}: column '${column}' is declared non-nullable but contains ${count} null(s)`;
    }
    default:
      return `${label}: ${issue.message}`;
  }
}
