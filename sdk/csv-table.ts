// CSV ↔ Arrow for command tasks, so tools without an Arrow reader (a stdlib-only Python script)
// can read input tables and write output tables, and for `weir run --input name=@x.csv`. CSV is
// read by csv-parse (RFC 4180: quoted fields, doubled quotes, CRLF or LF, a UTF-8 BOM dropped) and
// converted to the declared Arrow schema.
import { Table, vectorFromArray } from "apache-arrow";
import type { Vector } from "apache-arrow";
import { parse } from "csv-parse/sync";
import { ArrowTypeId } from "../proto/messages.ts";
import type { DataFrameType } from "../proto/messages.ts";
import { protoToArrowType } from "./literal-arrow.ts";
import { LiteralError } from "./literal-error.ts";

/** Rows of fields; a row may be shorter or longer than the header (a missing field reads as empty). */
function csvRows(text: string): string[][] {
  try {
    return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, record_delimiter: ["\r\n", "\n", "\r"] });
  } catch (err) {
    throw new LiteralError("VALUE_INVALID", [`the CSV is malformed: ${(err as Error).message}`]);
  }
}

function cell(text: string, id: ArrowTypeId | undefined, bitWidth: number, where: string): unknown {
  if (text === "") return null;
  switch (id) {
    case ArrowTypeId.INT: {
      if (!/^[-+]?\d+$/.test(text.trim())) throw new LiteralError("VALUE_INVALID", [`${where}: '${text}' is not an integer`]);
      return bitWidth === 64 ? BigInt(text.trim()) : Number(text);
    }
    case ArrowTypeId.FLOAT: {
      const n = Number(text);
      if (Number.isNaN(n) && text.trim() !== "NaN") throw new LiteralError("VALUE_INVALID", [`${where}: '${text}' is not a number`]);
      return n;
    }
    case ArrowTypeId.BOOL:
      if (/^(true|1)$/i.test(text)) return true;
      if (/^(false|0)$/i.test(text)) return false;
      throw new LiteralError("VALUE_INVALID", [`${where}: '${text}' is not true/false`]);
    case ArrowTypeId.DATE:
    case ArrowTypeId.TIMESTAMP: {
      const d = new Date(text);
      if (Number.isNaN(d.getTime())) throw new LiteralError("VALUE_INVALID", [`${where}: '${text}' is not a date`]);
      return d;
    }
    default:
      return text;
  }
}

/** A CSV text (header row first) as a table with the declared columns' types; undeclared columns stay utf8. */
export function csvToTable(text: string, schema: DataFrameType): Table {
  const [header = [], ...rows] = csvRows(text);
  const declared = new Map(schema.columns.map((c) => [c.name, c]));
  const vectors: Record<string, Vector> = {};
  header.forEach((name, index) => {
    const column = declared.get(name);
    const values = rows.map((row, r) => cell(row[index] ?? "", column?.type?.id, column?.type?.bitWidth ?? 0, `CSV row ${r + 2}, column '${name}'`));
    vectors[name] = column ? vectorFromArray(values, protoToArrowType(column.type)) : vectorFromArray(values.map((v) => (v === null ? null : String(v))));
  });
  return new Table(vectors);
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === "object" && !(typeof value === "bigint")
        ? JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v))
        : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A table as CSV with a header row (dates as ISO text, nested values as JSON). */
export function tableToCsv(table: Table): string {
  const names = table.schema.fields.map((f) => f.name);
  const lines = [names.map(csvField).join(",")];
  for (const row of table) {
    const record = row as unknown as Record<string, unknown>;
    lines.push(
      names
        .map((n) => {
          const v = record[n];
          return csvField(v !== null && typeof v === "object" && "toJSON" in (v as object) && !(v instanceof Date) ? (v as { toJSON(): unknown }).toJSON() : v);
        })
        .join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}
