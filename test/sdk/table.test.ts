import { tableFromIPC, tableToIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { df } from "../../sdk/index.ts";

const Events = df.schema({
  id: df.int64(),
  age: df.int32(),
  country: df.dictionary(df.utf8()),
  note: df.utf8().nullable(),
  at: df.timestamp("ms", "UTC"),
});

describe("df.table", () => {
  it("builds a table with exactly the declared Arrow types and nullability", () => {
    const table = df.table(Events, {
      id: [1n, 2n],
      age: [31, 47],
      country: ["fr", "fr"],
      note: ["hi", null],
      at: [Date.UTC(2026, 0, 1), new Date(Date.UTC(2026, 0, 2))],
    });
    const fields = table.schema.fields.map((f) => `${f.name}:${f.type}:${f.nullable}`);
    expect(fields).toEqual([
      "id:Int64:false",
      "age:Int32:false",
      "country:Dictionary<Int32, Utf8>:false",
      "note:Utf8:true",
      "at:Timestamp<MILLISECOND, UTC>:false",
    ]);
    expect(table.numRows).toBe(2);
    const back = tableFromIPC(tableToIPC(table, "file"));
    expect(back.getChild("note")!.get(1)).toBeNull();
    expect(back.getChild("country")!.get(0)).toBe("fr");
  });

  it("refuses nulls in a non-nullable column, naming it", () => {
    const S = df.schema({ age: df.int32() });
    expect(() => df.table(S, { age: [1, null as unknown as number] })).toThrow(/column 'age' is declared non-nullable/);
  });

  it("refuses columns of different lengths and missing columns", () => {
    const S = df.schema({ a: df.int32(), b: df.int32() });
    expect(() => df.table(S, { a: [1, 2], b: [1] })).toThrow(/differ in length/);
    expect(() => df.table(S, { a: [1] } as never)).toThrow(/missing column\(s\) b/);
  });
});
