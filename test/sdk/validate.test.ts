import { create } from "@bufbuild/protobuf";
import {
  Dictionary,
  Field,
  Float32,
  Float64,
  Int8,
  Int16,
  Int32,
  Int64,
  List,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Uint8,
  Uint32,
  Utf8,
  Vector,
  makeData,
  vectorFromArray,
} from "apache-arrow";
import { describe, expect, it } from "vitest";
import { ArrowTypeId, DataFrameTypeSchema, LiteralSchema, LiteralTypeSchema, SimpleType } from "../../proto/index.ts";
import type { ArrowType, DataFrameType } from "../../proto/index.ts";
import { validateLiteral, validateTable } from "../../sdk/validate.ts";

const INT = (bitWidth: number, signed = true) => ({ id: ArrowTypeId.INT, bitWidth, signed });
const declared = (columns: { name: string; type: Partial<ArrowType>; nullable?: boolean }[]): DataFrameType =>
  create(DataFrameTypeSchema, { format: "arrow", columns: columns as never });

function tableOf(fields: { name: string; type: Int32 | Int16 | Int64 | Float32 | Float64 | Utf8 | Uint8; values: unknown[] }[]): Table {
  const vectors = fields.map((f) => vectorFromArray(f.values, f.type));
  const schema = new Schema(fields.map((f) => new Field(f.name, f.type, true)));
  const data = makeData({
    type: new Struct(schema.fields),
    length: vectors[0]?.length ?? 0,
    nullCount: 0,
    children: vectors.map((v) => v.data[0]),
  });
  return new Table([new RecordBatch(schema, data)]);
}

describe("validateTable", () => {
  const schema = declared([
    { name: "name", type: { id: ArrowTypeId.UTF8 } },
    { name: "age", type: INT(32) },
    { name: "score", type: { id: ArrowTypeId.FLOAT, bitWidth: 64 }, nullable: true },
  ]);

  it("accepts equal types, lossless widenings and extra columns", () => {
    const table = tableOf([
      { name: "name", type: new Utf8(), values: ["a", "b"] },
      { name: "age", type: new Int16(), values: [1, 2] },
      { name: "score", type: new Float32(), values: [0.5, null] },
      { name: "extra", type: new Int64(), values: [1n, 2n] },
    ]);
    expect(validateTable(table, schema, "output 'people'")).toEqual([]);
  });

  it("names a missing column, a narrowing and a null in a non-nullable column", () => {
    const table = tableOf([
      { name: "name", type: new Utf8(), values: ["a", null] },
      { name: "score", type: new Float64(), values: [1, 2] },
    ]);
    expect(validateTable(table, schema, "output 'people'")).toEqual([
      "output 'people': column 'name' is declared non-nullable but contains 1 null(s)",
      "output 'people': missing column 'age' (int32) declared in the schema",
    ]);
    const narrowed = tableOf([
      { name: "name", type: new Utf8(), values: ["a"] },
      { name: "age", type: new Int64(), values: [1n] },
    ]);
    expect(validateTable(narrowed, schema, "t")).toEqual([
      "t: column 'age' is int64, but the schema declares int32 (only equal types or lossless widenings are accepted)",
      "t: missing column 'score' (float64) declared in the schema",
    ]);
  });

  it("accepts any table for df.any()", () => {
    expect(validateTable(tableOf([{ name: "x", type: new Int32(), values: [1] }]), create(DataFrameTypeSchema, { any: true }))).toEqual([]);
  });
});

describe("validateTable checks the data at every depth with core's relation", () => {
  const table = (name: string, vector: Vector) => new Table({ [name]: vector });
  const column = (name: string, type: object, nullable = false) => declared([{ name, type: type as Partial<ArrowType>, nullable }]);
  const UTF8 = { id: ArrowTypeId.UTF8 };
  const list = (item: Partial<ArrowType>, nullable = false) => ({ id: ArrowTypeId.LIST, children: [{ name: "item", type: item, nullable }] });
  const dictionary = (value: Partial<ArrowType>, valueNullable = false, index: Partial<ArrowType> = {}) => ({
    id: ArrowTypeId.DICTIONARY,
    ...index,
    children: [{ name: "value", type: value, nullable: valueNullable }],
  });

  it("follows the widening rules, int and float never mixing", () => {
    const ints = (type: Int16 | Int64 | Uint8, values: unknown[]) => table("a", vectorFromArray(values, type));
    expect(validateTable(ints(new Int16(), [1]), column("a", INT(64)))).toEqual([]);
    expect(validateTable(ints(new Uint8(), [1]), column("a", INT(16)))).toEqual([]);
    expect(validateTable(ints(new Int64(), [1n]), column("a", INT(32)))).toHaveLength(1);
    expect(validateTable(ints(new Int16(), [1]), column("a", INT(8, false)))).toHaveLength(1);
    expect(validateTable(table("a", vectorFromArray([1], new Int32())), column("a", { id: ArrowTypeId.FLOAT, bitWidth: 64 }))).toHaveLength(1);
  });

  it("refuses null list items under a non-null item, whatever the produced item field claims", () => {
    for (const itemNullable of [true, false]) {
      const type = new List(new Field("item", new Utf8(), itemNullable));
      const t = table("tags", vectorFromArray([["a", null], ["b"]], type));
      expect(validateTable(t, column("tags", list(UTF8)), "output 'x'")).toEqual([
        "output 'x': column 'tags[]' is declared non-nullable but contains 1 null(s)",
      ]);
      expect(validateTable(t, column("tags", list(UTF8, true)))).toEqual([]);
    }
    // A nullable item field without nulls is fine.
    const clean = table("tags", vectorFromArray([["a"], ["b"]], new List(new Field("item", new Utf8(), true))));
    expect(validateTable(clean, column("tags", list(UTF8)))).toEqual([]);
  });

  it("refuses a null struct field under a non-null field, but not the fields of a null struct", () => {
    const type = new Struct([new Field("a", new Utf8(), true)]);
    const wanted = column("s", { id: ArrowTypeId.STRUCT, children: [{ name: "a", type: UTF8, nullable: false }] as never }, true);
    expect(validateTable(table("s", vectorFromArray([{ a: "x" }, { a: null }], type)), wanted, "t")).toEqual([
      "t: column 's.a' is declared non-nullable but contains 1 null(s)",
    ]);
    expect(validateTable(table("s", vectorFromArray([{ a: "x" }, null], type)), wanted)).toEqual([]);
  });

  it("checks the dictionary's index type and its values' nulls", () => {
    const dict = (index: Int32 | Uint32 | Int8, values: (string | null)[], indices: number[]) => {
      const data = makeData({
        type: new Dictionary(new Utf8(), index),
        data: index instanceof Uint32 ? new Uint32Array(indices) : index instanceof Int8 ? new Int8Array(indices) : new Int32Array(indices),
        dictionary: vectorFromArray(values, new Utf8()),
        length: indices.length,
        nullCount: 0,
      });
      return table("k", new Vector([data]));
    };
    expect(validateTable(dict(new Int32(), ["a", "b"], [0, 1]), column("k", dictionary(UTF8)))).toEqual([]);
    expect(validateTable(dict(new Int8(), ["a", "b"], [0, 1]), column("k", dictionary(UTF8)))).toEqual([]);
    expect(validateTable(dict(new Uint32(), ["a", "b"], [0, 1]), column("k", dictionary(UTF8)), "t")).toEqual([
      "t: column 'k' is dictionary<uint32, utf8>, but the schema declares dictionary<utf8> (only equal types or lossless widenings are accepted)",
    ]);
    // A null value counts only where a row decodes to it.
    expect(validateTable(dict(new Int32(), ["a", null], [0, 0]), column("k", dictionary(UTF8)))).toEqual([]);
    expect(validateTable(dict(new Int32(), ["a", null], [0, 1, 1]), column("k", UTF8), "t")).toEqual([
      "t: column 'k' is declared non-nullable but contains 2 null(s)",
    ]);
    expect(validateTable(dict(new Int32(), ["a", null], [0, 1]), column("k", dictionary(UTF8)), "t")).toEqual([
      "t: column 'k.value' is declared non-nullable but contains 1 null(s)",
    ]);
    expect(validateTable(dict(new Int32(), ["a", null], [0, 1]), column("k", UTF8, true))).toEqual([]);
  });

  it("reads only the rows of a sliced table", () => {
    const t = table("tags", vectorFromArray([["a"], [null], ["b"]], new List(new Field("item", new Utf8(), true))));
    expect(validateTable(t.slice(2), column("tags", list(UTF8)))).toEqual([]);
    expect(validateTable(t.slice(1, 2), column("tags", list(UTF8)))).toHaveLength(1);
  });
});

describe("validateLiteral", () => {
  const DATE = create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.DATE } });
  it("names the input and what it got", () => {
    const lit = create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "string", value: "yesterday" } } } });
    expect(validateLiteral(lit, DATE, "input 'day'")).toEqual(["input 'day': expected date (YYYY-MM-DD), got string 'yesterday'"]);
    const bad = create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "date", value: "2023-02-30" } } } });
    expect(validateLiteral(bad, DATE, "input 'day'")).toEqual(["input 'day': expected date (YYYY-MM-DD), got date '2023-02-30'"]);
    const ok = create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "date", value: "2024-02-29" } } } });
    expect(validateLiteral(ok, DATE, "input 'day'")).toEqual([]);
  });

  it("checks a dataframe ref's recorded schema, nullability included", () => {
    const type = create(LiteralTypeSchema, {
      type: { case: "dataframe", value: { columns: [{ name: "age", type: INT(64), nullable: false }] } },
    });
    const ref = (nullable: boolean, bitWidth: number) =>
      create(LiteralSchema, {
        value: {
          case: "dataframe",
          value: { uri: "file:///x", sha256: "ab", rows: 1n, schema: { columns: [{ name: "age", type: INT(bitWidth), nullable }] } },
        },
      });
    expect(validateLiteral(ref(false, 32), type, "input 'df'")).toEqual([]);
    expect(validateLiteral(ref(true, 32), type, "input 'df'")).toEqual(["input 'df': column 'age' may contain nulls, but the schema declares it non-nullable"]);
  });

  it("reports every bad item of a list", () => {
    const type = create(LiteralTypeSchema, { type: { case: "collection", value: { item: DATE } } });
    const item = (v: string) => ({ value: { case: "scalar" as const, value: { value: { case: "string" as const, value: v } } } });
    const lit = create(LiteralSchema, { value: { case: "collection", value: { items: [item("a"), item("b")] } } });
    expect(validateLiteral(lit, type, "input 'days'")).toHaveLength(2);
  });
});
