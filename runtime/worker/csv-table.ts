// CSV ↔ Arrow for command tasks, so tools without an Arrow reader (a stdlib-only Python script)
// can read input tables and write output tables; CSV is converted to the declared Arrow schema.
import { Table, vectorFromArray } from "apache-arrow";
import type { Vector } from "apache-arrow";
import { ArrowTypeId } from "../../proto/index.ts";
import type { DataFrameType } from "../../proto/index.ts";
import { protoToArrowType } from "../../sdk/index.ts";

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) as rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) row.push(field), rows.push(row);
  return rows;
}

function cell(text: string, id: ArrowTypeId | undefined, bitWidth: number, where: string): unknown {
  if (text === "") return null;
  switch (id) {
    case ArrowTypeId.INT: {
      if (!/^[-+]?\d+$/.test(text.trim())) throw new Error(`${where}: '${text}' is not an integer`);
      return bitWidth === 64 ? BigInt(text.trim()) : Number(text);
    }
    case ArrowTypeId.FLOAT: {
      const n = Number(text);
      if (Number.isNaN(n) && text.trim() !== "NaN") throw new Error(`${where}: '${text}' is not a number`);
      return n;
    }
    case ArrowTypeId.BOOL:
      if (/^(true|1)$/i.test(text)) return true;
      if (/^(false|0)$/i.test(text)) return false;
      throw new Error(`${where}: '${text}' is not true/false`);
    case ArrowTypeId.DATE:
    case ArrowTypeId.TIMESTAMP: {
      const d = new Date(text);
      if (Number.isNaN(d.getTime())) throw new Error(`${where}: '${text}' is not a date`);
      return d;
    }
    default:
      return text;
  }
}

/** A CSV text (header row first) as a table with the declared columns' types; undeclared columns stay utf8. */
export function csvToTable(text: string, schema: DataFrameType): Table {
  const [header = [], ...rows] = parseCsv(text).filter((r) => !(r.length === 1 && r[0] === ""));
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
    value instanceof Date ? value.toISOString() : typeof value === "object" && !(typeof value === "bigint") ? JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A table as CSV with a header row (dates as ISO text, nested values as JSON). */
export function tableToCsv(table: Table): string {
  const names = table.schema.fields.map((f) => f.name);
  const lines = [names.map(csvField).join(",")];
  for (const row of table) {
    const record = row as unknown as Record<string, unknown>;
    lines.push(names.map((n) => {
      const v = record[n];
      return csvField(v !== null && typeof v === "object" && "toJSON" in (v as object) && !(v instanceof Date) ? (v as { toJSON(): unknown }).toJSON() : v);
    }).join(","));
  }
  return `${lines.join("\n")}\n`;
}
