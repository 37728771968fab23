// Real Arrow tables for the agreement table's worker check: data that a producer of the declared
// dataframe type may produce, with a null wherever the type allows one (a nullable column's last
// row, a nullable list item, a nullable struct field, a nullable dictionary value), so a consumer
// that refuses those nulls is tested against the data, not against a schema's claims.
import { RecordBatch, Schema, Struct, Table, Vector, makeData, vectorFromArray } from "apache-arrow";
import type { Data, Dictionary } from "apache-arrow";
import type { Column, DataFrameType } from "../../sdk/dataframe.ts";
import { arrowDataType, arrowField } from "../../sdk/table.ts";

const ROWS = 4;

type Descriptor = Column & Record<string, any>;

/** A table of `ROWS` rows holding values of every column of `type`, nulls where allowed. */
export function sampleTable(type: DataFrameType): Table {
  const entries = Object.entries(type.columns) as Array<[string, Descriptor]>;
  const fields = entries.map(([name, column]) => arrowField(name, column));
  const children = entries.map(([, column]) => sampleData(column));
  const schema = new Schema(fields);
  return new Table([new RecordBatch(schema, makeData({ type: new Struct(fields), length: ROWS, children, nullCount: 0 }))]);
}

function sampleData(column: Descriptor): Data {
  if (column.arrow === "dictionary") return dictionaryData(column);
  const values = Array.from({ length: ROWS }, (_, row) => (column.nullable && row === ROWS - 1 ? null : sampleValue(column, row)));
  return vectorFromArray(values, arrowDataType(column)).data[0];
}

function sampleValue(column: Descriptor, row: number): unknown {
  switch (column.arrow) {
    case "int64":
    case "uint64":
      return BigInt(row + 1);
    case "int8":
    case "int16":
    case "int32":
    case "uint8":
    case "uint16":
    case "uint32":
      return row + 1;
    case "float16":
    case "float32":
    case "float64":
      return row + 0.5;
    case "bool":
      return row % 2 === 0;
    case "utf8":
    case "largeUtf8":
      return `s${row}`;
    case "binary":
      return new Uint8Array([row]);
    case "date":
      return new Date(Date.UTC(2024, 0, row + 1));
    case "timestamp":
      return Date.UTC(2024, 0, row + 1);
    case "list": {
      const child = column.child as Descriptor;
      return [sampleValue(child, row), child.nullable ? null : sampleValue(child, row + 1)];
    }
    case "struct": {
      const out: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(column.children as Record<string, Descriptor>)) {
        out[name] = child.nullable && row === 1 ? null : sampleValue(child, row);
      }
      return out;
    }
    default:
      throw new Error(`sample-tables: no sample for Arrow type '${column.arrow}' (add one)`);
  }
}

// Dictionary data built by hand: apache-arrow's builder cannot make a non-null index point at a
// null value, nor 64-bit indices. Values "s0", "s1" (and null when nullable); the last row is null
// when the column is.
function dictionaryData(column: Descriptor): Data {
  const value = column.value as Descriptor;
  const dictionaryValues = [sampleValue(value, 0), sampleValue(value, 1), ...(value.nullable ? [null] : [])];
  const indices = [0, 1, value.nullable ? 2 : 0, 1];
  const index = (column.index ?? "int32") as string;
  const data = index.endsWith("64")
    ? (index.startsWith("u") ? BigUint64Array : BigInt64Array).from(indices.map(BigInt))
    : ({ int8: Int8Array, int16: Int16Array, int32: Int32Array, uint8: Uint8Array, uint16: Uint16Array, uint32: Uint32Array } as const)[index as "int8"].from(
        indices,
      );
  const type = arrowDataType(column) as Dictionary;
  return makeData({
    type,
    data: data as never,
    dictionary: new Vector([vectorFromArray(dictionaryValues, type.dictionary).data[0]]),
    length: ROWS,
    nullCount: column.nullable ? 1 : 0,
    ...(column.nullable ? { nullBitmap: Uint8Array.of(0b0111) } : {}),
  });
}
