import { create } from "@bufbuild/protobuf";
import { Field, Float32, Float64, Int16, Int32, Int64, Schema, Table, Uint8, Utf8, vectorFromArray, makeData, Struct, RecordBatch } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { ArrowTypeId, DataFrameTypeSchema, LiteralSchema, LiteralTypeSchema, SimpleType } from "../../proto/index.ts";
import type { ArrowType, DataFrameType } from "../../proto/index.ts";
import { arrowTypeToProto } from "../../sdk/literals.ts";
import { isArrowAssignable, validateLiteral, validateTable } from "../../sdk/validate.ts";

const INT = (bitWidth: number, signed = true) => ({ id: ArrowTypeId.INT, bitWidth, signed });
const declared = (columns: { name: string; type: Partial<ArrowType>; nullable?: boolean }[]): DataFrameType =>
  create(DataFrameTypeSchema, { format: "arrow", columns: columns as never });

function tableOf(fields: { name: string; type: Int32 | Int16 | Int64 | Float32 | Float64 | Utf8 | Uint8; values: unknown[] }[]): Table {
  const vectors = fields.map((f) => vectorFromArray(f.values, f.type));
  const schema = new Schema(fields.map((f, i) => new Field(f.name, f.type, true)));
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

describe("isArrowAssignable", () => {
  const p = (t: Int32 | Int16 | Int64 | Uint8 | Float32 | Float64 | Utf8) => arrowTypeToProto(t);
  it("follows DESIGN.md's widening rules", () => {
    expect(isArrowAssignable(p(new Int16()), p(new Int64()))).toBe(true);
    expect(isArrowAssignable(p(new Int64()), p(new Int32()))).toBe(false);
    expect(isArrowAssignable(p(new Uint8()), p(new Int16()))).toBe(true);
    expect(isArrowAssignable(p(new Int16()), p(new Uint8()))).toBe(false);
    expect(isArrowAssignable(p(new Float32()), p(new Float64()))).toBe(true);
    expect(isArrowAssignable(p(new Int32()), p(new Float64()))).toBe(false);
    expect(isArrowAssignable(p(new Utf8()), p(new Utf8()))).toBe(true);
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
        value: { case: "dataframe", value: { uri: "file:///x", sha256: "ab", rows: 1n, schema: { columns: [{ name: "age", type: INT(bitWidth), nullable }] } } },
      });
    expect(validateLiteral(ref(false, 32), type, "input 'df'")).toEqual([]);
    expect(validateLiteral(ref(true, 32), type, "input 'df'")).toEqual([
      "input 'df': column 'age' may contain nulls, but the schema declares it non-nullable",
    ]);
  });

  it("reports every bad item of a list", () => {
    const type = create(LiteralTypeSchema, { type: { case: "collection", value: { item: DATE } } });
    const item = (v: string) => ({ value: { case: "scalar" as const, value: { value: { case: "string" as const, value: v } } } });
    const lit = create(LiteralSchema, { value: { case: "collection", value: { items: [item("a"), item("b")] } } });
    expect(validateLiteral(lit, type, "input 'days'")).toHaveLength(2);
  });
});
