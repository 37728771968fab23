// Step 1: read the day's CSV partition into a typed Arrow table.
import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { df, t, task } from "weir";
import { RawEvents } from "./schemas.ts";

export const ingest = task(
  {
    name: "ingest",
    inputs: { file: t.file({ format: "csv" }) },
    outputs: { table: RawEvents },
    retries: { attempts: 3, backoff: "2s", maxDelay: "1m" },
    timeout: "10m",
    cache: true,
  },
  async ({ file }, ctx) => {
    const rows: Array<Record<string, string>> = parse(await readFile(file.path, "utf8"), { columns: true, bom: true, skip_empty_lines: true });
    ctx.log(`read ${rows.length} rows from ${file.path}`);
    const blank = (v: string) => (v === "" ? null : v);
    return {
      table: df.table(RawEvents, {
        user_id: rows.map((r) => BigInt(r.user_id)),
        age: rows.map((r) => blank(r.age)),
        country: rows.map((r) => blank(r.country)),
        sessions: rows.map((r) => Number(r.sessions)),
        spend: rows.map((r) => (r.spend === "" ? null : Number(r.spend))),
        churned: rows.map((r) => r.churned === "1" || r.churned === "true"),
      }),
    };
  },
);
