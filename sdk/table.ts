// `df.table(schema, columns)`: builds an Arrow Table whose Arrow types and nullability are exactly
// the declared schema's, so a task's output matches what the compiler checked.
import {
  Binary,
  Bool,
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  Duration,
  Field,
  Float16,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  LargeUtf8,
  List,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit as ArrowTimeUnit,
  Timestamp,
  Uint8,
  Uint16,
  Uint32,
  Uint64,
  Utf8,
  makeData,
  vectorFromArray,
  type DataType,
} from "apache-arrow";
import type { Column, DataFrameType } from "./dataframe.ts";

const timeUnits = { s: ArrowTimeUnit.SECOND, ms: ArrowTimeUnit.MILLISECOND, us: ArrowTimeUnit.MICROSECOND, ns: ArrowTimeUnit.NANOSECOND } as const;

/** The apache-arrow DataType of a column descriptor. */
export function arrowDataType(column: Column): DataType {
  const c = column as Column & Record<string, any>;
  switch (c.arrow) {
    case "int8":
      return new Int8();
    case "int16":
      return new Int16();
    case "int32":
      return new Int32();
    case "int64":
      return new Int64();
    case "uint8":
      return new Uint8();
    case "uint16":
      return new Uint16();
    case "uint32":
      return new Uint32();
    case "uint64":
      return new Uint64();
    case "float16":
      return new Float16();
    case "float32":
      return new Float32();
    case "float64":
      return new Float64();
    case "bool":
      return new Bool();
    case "utf8":
      return new Utf8();
    case "largeUtf8":
      return new LargeUtf8();
    case "binary":
      return new Binary();
    case "date":
      return c.unit === "millisecond" ? new DateMillisecond() : new DateDay();
    case "timestamp":
      return new Timestamp(timeUnits[c.unit as keyof typeof timeUnits], c.tz ?? null);
    case "duration":
      return new Duration(timeUnits[c.unit as keyof typeof timeUnits]);
    case "decimal":
      return new Decimal(c.scale, c.precision, 128);
    case "list":
      return new List(arrowField("item", c.child));
    case "struct":
      return new Struct(Object.entries(c.children as Record<string, Column>).map(([n, ch]) => arrowField(n, ch)));
    // apache-arrow types indices as 8 to 32 bits; Arrow allows 64 (pyarrow writes them, IPC keeps them).
    case "dictionary":
      return new Dictionary(arrowDataType(c.value), integerType(c.index ?? "int32") as Int32);
  }
  throw new Error(`weir: unknown Arrow column type '${String(c.arrow)}'`);
}

function integerType(name: string): Int8 | Int16 | Int32 | Int64 | Uint8 | Uint16 | Uint32 | Uint64 {
  switch (name) {
    case "int8":
      return new Int8();
    case "int16":
      return new Int16();
    case "int64":
      return new Int64();
    case "uint8":
      return new Uint8();
    case "uint16":
      return new Uint16();
    case "uint32":
      return new Uint32();
    case "uint64":
      return new Uint64();
    default:
      return new Int32();
  }
}

export function arrowField(name: string, column: Column): Field {
  return new Field(name, arrowDataType(column), column.nullable);
}

/** The Arrow schema of a dataframe type (column order as declared). */
export function arrowSchema(type: DataFrameType): Schema {
  return new Schema(Object.entries(type.columns).map(([name, column]) => arrowField(name, column)));
}

type Cell<C> = C extends { readonly arrow: infer A }
  ?
      | (A extends "int64" | "uint64"
          ? bigint | number
          : A extends "int8" | "int16" | "int32" | "uint8" | "uint16" | "uint32" | "float16" | "float32" | "float64" | "decimal"
            ? number
            : A extends "utf8" | "largeUtf8" | "dictionary"
              ? string
              : A extends "bool"
                ? boolean
                : A extends "binary"
                  ? Uint8Array
                  : A extends "date" | "timestamp"
                    ? Date | number
                    : A extends "duration"
                      ? number | bigint
                      : unknown)
      | (C extends { readonly nullable: true } ? null : never)
  : never;

export type TableColumns<T extends DataFrameType> = { [K in keyof T["columns"]]: ReadonlyArray<Cell<T["columns"][K]>> };

/**
 * Builds a table with exactly the declared schema. Every column must have the same length; a
 * null in a non-nullable column is refused here rather than by the worker's output check.
 */
export function table<T extends DataFrameType>(type: T, columns: TableColumns<T>): Table {
  const schema = arrowSchema(type);
  const values = columns as Record<string, ReadonlyArray<unknown>>;
  const lengths = new Set(schema.fields.map((f) => values[f.name]?.length ?? -1));
  if (lengths.has(-1)) {
    const missing = schema.fields.filter((f) => !values[f.name]).map((f) => f.name);
    throw new Error(`weir: df.table is missing column(s) ${missing.join(", ")}; pass an array for every declared column`);
  }
  if (lengths.size > 1) throw new Error(`weir: df.table columns differ in length (${[...lengths].join(", ")}); every column needs one value per row`);
  const length = schema.fields.length ? values[schema.fields[0].name].length : 0;
  const children = schema.fields.map((field) => {
    const data = values[field.name];
    if (!field.nullable && data.some((v) => v === null || v === undefined)) {
      throw new Error(`weir: column '${field.name}' is declared non-nullable but has nulls; filter them out or declare it .nullable()`);
    }
    // vectorFromArray builds one chunk from an array, so its single Data is the whole column.
    return vectorFromArray(data as unknown[], field.type).data[0];
  });
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, children, nullCount: 0 }));
  return new Table([batch]);
}
