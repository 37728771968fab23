// CSV ↔ Arrow (command tasks' tables, `weir run --input name=@x.csv`): RFC 4180 as csv-parse reads
// it, converted to the declared schema.
import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { ArrowTypeId, DataFrameTypeSchema } from "../../proto/index.ts";
import type { ArrowType, DataFrameType } from "../../proto/index.ts";
import { csvToTable, LiteralError, tableToCsv } from "../../sdk/values.ts";

const declared = (columns: { name: string; type: Partial<ArrowType>; nullable?: boolean }[]): DataFrameType =>
  create(DataFrameTypeSchema, { format: "arrow", columns: columns as never });

const Orders = declared([
  { name: "item", type: { id: ArrowTypeId.UTF8 } },
  { name: "qty", type: { id: ArrowTypeId.INT, bitWidth: 64, signed: true } },
  { name: "price", type: { id: ArrowTypeId.FLOAT, bitWidth: 64 }, nullable: true },
  { name: "fresh", type: { id: ArrowTypeId.BOOL }, nullable: true },
]);

const rows = (text: string) =>
  csvToTable(text, Orders)
    .toArray()
    .map((r) => ({ ...(r as object) }));

describe("csvToTable", () => {
  it("reads quoted fields, doubled quotes, embedded newlines and CRLF into the declared types", () => {
    const text = 'item,qty,price,fresh\r\n"pear, green",4,1.5,true\r\n"say ""hi""",1,,0\r\n"two\nlines",2,3,\r\n';
    expect(rows(text)).toEqual([
      { item: "pear, green", qty: 4n, price: 1.5, fresh: true },
      { item: 'say "hi"', qty: 1n, price: null, fresh: false },
      { item: "two\nlines", qty: 2n, price: 3, fresh: null },
    ]);
  });

  it("drops a UTF-8 byte order mark from the first header name", () => {
    const table = csvToTable("\uFEFFitem,qty\napple,3\n", Orders);
    expect(table.schema.fields.map((f) => f.name)).toEqual(["item", "qty"]);
    expect(table.getChild("qty")!.get(0)).toBe(3n);
  });

  it("skips blank lines, reads a short row's missing fields as null and keeps undeclared columns as text", () => {
    expect(rows("item,qty,note\napple,3,x\n\nplum\n")).toEqual([
      { item: "apple", qty: 3n, note: "x" },
      { item: "plum", qty: null, note: null },
    ]);
  });

  it("names the row and column of a value that does not fit, and refuses malformed CSV", () => {
    expect(() => csvToTable("item,qty\napple,many\n", Orders)).toThrow("CSV row 2, column 'qty': 'many' is not an integer");
    expect(() => csvToTable('item,qty\n"apple,3\n', Orders)).toThrow(LiteralError);
    expect(() => csvToTable('item,qty\n"apple,3\n', Orders)).toThrow(/the CSV is malformed: Quote Not Closed/);
  });

  it("reads back what tableToCsv writes", () => {
    const text = 'item,qty,price,fresh\n"pear, green",4,1.5,true\n"say ""hi""",1,,false\n';
    const table = csvToTable(text, Orders);
    expect(tableToCsv(table)).toBe(text);
    expect(rows(tableToCsv(table))).toEqual(rows(text));
  });
});
