// A dataframe's first rows, read in the browser: its Arrow IPC file downloaded from the runtime's
// artifact store (ArtifactService over Connect, by sha256) and read with apache-arrow, loaded on
// first use. Only small files are fetched whole: a larger one is named by its size instead.
import { artifacts } from "../api/admin.ts";

export const PREVIEW = Object.freeze({
  /** The largest file downloaded for a preview. */
  maxBytes: 8 * 1024 * 1024,
  rows: 10,
});

export type Preview =
  | { readonly kind: "rows"; readonly columns: readonly string[]; readonly rows: readonly (readonly string[])[] }
  | { readonly kind: "skipped"; readonly bytes: number };

export async function loadPreview(sha256: string, signal: AbortSignal): Promise<Preview> {
  const stat = await artifacts.statBlob({ sha256 }, { signal });
  const size = Number(stat.size);
  if (size > PREVIEW.maxBytes) return { kind: "skipped", bytes: size };
  const bytes = new Uint8Array(size);
  for await (const chunk of artifacts.downloadBlob({ sha256 }, { signal })) bytes.set(chunk.data, Number(chunk.offset));
  const { tableFromIPC } = await import("apache-arrow");
  const table = tableFromIPC(bytes);
  const columns = table.schema.fields.map((f) => f.name);
  const rows: string[][] = [];
  for (let i = 0; i < Math.min(PREVIEW.rows, table.numRows); i++) {
    const row = table.get(i);
    rows.push(columns.map((c) => cellText(row?.[c])));
  }
  return { kind: "rows", columns, rows };
}

/** One cell as text: numbers and strings as they are, nested values (lists, structs) as JSON. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return `${v.byteLength} bytes`;
  if (typeof v === "object") {
    const plain = "toJSON" in v && typeof v.toJSON === "function" ? v.toJSON() : v;
    return JSON.stringify(plain, (_, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
  }
  return String(v);
}
