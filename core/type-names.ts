// Short, readable names of weir types for diagnostics: "int", "list<string>",
// "dataframe{age: Int32, country: Utf8?}"; Arrow column types are named like apache-arrow's.
import { ArrowTypeId, BlobKind, SimpleType, TimeUnit } from "../proto/messages.ts";
import type { ArrowType, DataFrameColumn, LiteralType } from "../proto/messages.ts";

const simpleNames: Readonly<Record<SimpleType, string>> = Object.freeze({
  [SimpleType.UNSPECIFIED]: "unspecified",
  [SimpleType.INTEGER]: "int",
  [SimpleType.FLOAT]: "float",
  [SimpleType.STRING]: "string",
  [SimpleType.BOOLEAN]: "bool",
  [SimpleType.DATE]: "date",
  [SimpleType.DATETIME]: "datetime",
  [SimpleType.DURATION]: "duration",
  [SimpleType.ANY]: "any",
});

const unitNames: Readonly<Record<TimeUnit, string>> = Object.freeze({
  [TimeUnit.UNSPECIFIED]: "UNSPECIFIED",
  [TimeUnit.SECOND]: "SECOND",
  [TimeUnit.MILLISECOND]: "MILLISECOND",
  [TimeUnit.MICROSECOND]: "MICROSECOND",
  [TimeUnit.NANOSECOND]: "NANOSECOND",
  [TimeUnit.DAY]: "DAY",
});

export function typeName(t: LiteralType | undefined): string {
  if (t === undefined) return "<missing type>";
  const v = t.type;
  switch (v.case) {
    case "simple":
      return simpleNames[v.value] ?? `simple(${v.value})`;
    case "enumType":
      return `enum{${v.value.values.join(", ")}}`;
    case "blob": {
      const kind = v.value.kind === BlobKind.DIRECTORY ? "dir" : v.value.kind === BlobKind.FILE ? "file" : "blob";
      return v.value.format === "" ? kind : `${kind}<${v.value.format}>`;
    }
    case "collection":
      return `list<${typeName(v.value.item)}>`;
    case "map":
      return `map<string, ${typeName(v.value.value)}>`;
    case "optional":
      return `optional<${typeName(v.value.inner)}>`;
    case "union":
      return v.value.variants.map(typeName).join(" | ") || "never";
    case "struct":
      return `{${v.value.fields.map((f) => `${f.name}${f.optional ? "?" : ""}: ${typeName(f.type)}`).join(", ")}}`;
    case "dataframe":
      if (v.value.any) return "dataframe(any)";
      return `dataframe{${v.value.columns.map(columnName).join(", ")}}`;
    default:
      return "<unset type>";
  }
}

/** `name: Type` with a trailing `?` when nullable. */
export function columnName(c: DataFrameColumn): string {
  return `${c.name}: ${arrowTypeName(c.type)}${c.nullable ? "?" : ""}`;
}

/** apache-arrow's `DataType.toString()` spelling (Decimal as `Decimal(p, s)`). */
export function arrowTypeName(a: ArrowType | undefined): string {
  if (a === undefined) return "<missing arrow type>";
  const child = (i: number): string => {
    const c = a.children[i];
    return c === undefined ? "<missing child>" : `${arrowTypeName(c.type)}${c.nullable ? "?" : ""}`;
  };
  switch (a.id) {
    case ArrowTypeId.INT:
      return `${a.signed ? "Int" : "Uint"}${a.bitWidth}`;
    case ArrowTypeId.FLOAT:
      return `Float${a.bitWidth}`;
    case ArrowTypeId.BOOL:
      return "Bool";
    case ArrowTypeId.UTF8:
      return "Utf8";
    case ArrowTypeId.LARGE_UTF8:
      return "LargeUtf8";
    case ArrowTypeId.BINARY:
      return "Binary";
    case ArrowTypeId.DATE:
      return a.unit === TimeUnit.MILLISECOND ? "Date64<MILLISECOND>" : `Date32<${unitNames[a.unit] ?? a.unit}>`;
    case ArrowTypeId.TIMESTAMP:
      return `Timestamp<${unitNames[a.unit] ?? a.unit}${a.timezone ? `, ${a.timezone}` : ""}>`;
    case ArrowTypeId.DURATION:
      return `Duration<${unitNames[a.unit] ?? a.unit}>`;
    case ArrowTypeId.DECIMAL:
      return `Decimal(${a.precision}, ${a.scale})`;
    case ArrowTypeId.LIST:
      return `List<${child(0)}>`;
    case ArrowTypeId.STRUCT:
      return `Struct<{${a.children.map(columnName).join(", ")}}>`;
    case ArrowTypeId.DICTIONARY:
      return `Dictionary<${dictionaryIndexName(a)}, ${child(0)}>`;
    default:
      return "Unspecified";
  }
}

/** A dictionary's index type lives in its own bit_width/signed; unset means Int32 (Arrow's default). */
export function dictionaryIndexName(a: ArrowType): string {
  return a.bitWidth === 0 ? "Int32" : `${a.signed ? "Int" : "Uint"}${a.bitWidth}`;
}
