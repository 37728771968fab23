// The PostgreSQL store's commit: one or more StoreBatches (a group commit) written by one statement,
// so one round trip and one transaction. Each table's rows travel as one array per column and are
// inserted with `unnest`, every table in its own data-modifying WITH clause of that statement; each
// table's conflict rule is the one SQLite applies (batch-tables.ts). A replica's commit is fenced:
// every insert reads a `fence` clause calling weir_fence(epoch) (postgres-migrations.ts, 4), so the
// whole statement fails once the replica is deposed; its new executions are owned by it, and the
// workers it writes are connected to it.
import { BATCH_TABLE_KEYS, BATCH_TABLES, type BatchTable, type Column } from "./batch-tables.ts";
import type { StoreBatch } from "./store.ts";

type Row = Record<string, unknown>;

/** A table's definition over plain rows: this file reads records field by field. */
const tableOf = (key: keyof StoreBatch): BatchTable<Row> => BATCH_TABLES[key] as unknown as BatchTable<Row>;

export interface CommitStatement {
  /** A prepared statement's name: the same tables give the same text, parsed once per connection. */
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

/** What a replica adds to a table's rows: the executions it creates are its own, the workers it writes connected to it. */
const REPLICA_COLUMNS: Partial<Record<keyof StoreBatch, { readonly name: string; readonly onConflict: boolean }>> = {
  // Only the replica driving an execution writes its row, so the last writer is its owner (one that
  // reran an ended execution's nodes took it over).
  executions: { name: "owner", onConflict: true },
  workers: { name: "replica", onConflict: true },
};

/**
 * The statement writing `batches` in order, as if each were applied after the one before; undefined
 * when they hold no row. With `epoch`, fenced: it fails unless that replica is still current.
 */
export function commitStatement(batches: readonly StoreBatch[], epoch?: bigint): CommitStatement | undefined {
  let mask = 0;
  const values: unknown[] = [];
  BATCH_TABLE_KEYS.forEach((key, i) => {
    const table = tableOf(key);
    const rows = mergedRows(
      table,
      batches.map((b) => b[key] as readonly object[] as readonly Row[]),
    );
    if (!rows.length) return;
    mask |= 1 << i;
    for (const c of table.columns) values.push(columnValues(rows, c));
  });
  if (!mask) return undefined;
  const fenced = epoch !== undefined;
  if (fenced) values.push(epoch);
  return { name: `weir_commit_${mask}${fenced ? "_fenced" : ""}`, text: statementText(mask, fenced), values };
}

const TEXTS = new Map<string, string>();

/**
 * `WITH t0 AS (INSERT …), t1 AS (INSERT …) INSERT …`: the tables in `mask`, parameters in table then
 * column order; fenced, the epoch is the last parameter and every insert waits on the fence.
 */
function statementText(mask: number, fenced: boolean): string {
  const cacheKey = `${mask}${fenced ? "f" : ""}`;
  let text = TEXTS.get(cacheKey);
  if (text) return text;
  const inserts: string[] = [];
  let next = 1;
  BATCH_TABLE_KEYS.forEach((key, i) => {
    if (!(mask & (1 << i))) return;
    const t = tableOf(key);
    const params = t.columns.map((c) => `$${next++}::${c.type}[]`).join(", ");
    const extra = fenced ? REPLICA_COLUMNS[key] : undefined;
    const columns = [...t.columns.map((c) => c.name), ...(extra ? [extra.name] : [])].join(", ");
    const select = `SELECT u.*${extra ? ", (SELECT epoch FROM fence)" : ""} FROM unnest(${params}) AS u${fenced ? " WHERE (SELECT ok FROM fence)" : ""}`;
    inserts.push(`INSERT INTO ${t.table} (${columns}) ${select}${conflictClause(t, extra?.onConflict ? extra.name : undefined)}`);
  });
  const last = inserts.pop()!;
  const clauses = inserts.map((s, i) => `w${i} AS (${s})`);
  // MATERIALIZED: evaluated once per statement, whichever inserts read it.
  if (fenced) clauses.unshift(`fence AS MATERIALIZED (SELECT weir_fence($${next}::bigint) AS ok, $${next}::bigint AS epoch)`);
  text = clauses.length ? `WITH ${clauses.join(", ")} ${last}` : last;
  TEXTS.set(cacheKey, text);
  return text;
}

/** SQLite's INSERT OR IGNORE / OR REPLACE / upsert, in PostgreSQL's words (`also`: one more column a conflict overwrites). */
function conflictClause(t: BatchTable<Row>, also?: string): string {
  const c = t.onConflict;
  if (c.kind === "append") return "";
  if (c.kind === "ignore") return " ON CONFLICT DO NOTHING";
  const updated = [...(c.kind === "update" ? c.columns : t.columns.map((col) => col.name).filter((n) => !t.key.includes(n))), ...(also ? [also] : [])];
  return ` ON CONFLICT (${t.key.join(", ")}) DO UPDATE SET ${updated.map((n) => `${n} = EXCLUDED.${n}`).join(", ")}`;
}

/**
 * The rows of one table, batch after batch, with each key once: PostgreSQL's upsert may not touch
 * a row twice in one statement, so rows sharing a key are merged into what SQLite would have left
 * after applying them in order (ignore: the first; replace: the last; update: the first with the
 * last one's updated columns). Appended rows (logs) stay as they are, in order.
 */
function mergedRows(t: BatchTable<Row>, lists: readonly (readonly Row[])[]): Row[] {
  const rows: Row[] = [];
  const c = t.onConflict;
  if (c.kind === "append") {
    for (const list of lists) for (const r of list) rows.push(r);
    return rows;
  }
  const keyFields = t.key.map((k) => t.columns.find((col) => col.name === k)!.field);
  const updatedFields = c.kind === "update" ? c.columns.map((n) => t.columns.find((col) => col.name === n)!.field) : [];
  const at = new Map<string, number>();
  for (const list of lists) {
    for (const r of list) {
      const key = keyFields.length === 1 ? String(r[keyFields[0]!]) : keyFields.map((f) => String(r[f])).join("\0");
      const i = at.get(key);
      if (i === undefined) {
        at.set(key, rows.length);
        rows.push(r);
      } else if (c.kind === "replace") rows[i] = r;
      else if (c.kind === "update") {
        const merged: Row = { ...rows[i] };
        for (const f of updatedFields) merged[f] = r[f];
        rows[i] = merged;
      }
    }
  }
  return rows;
}

/**
 * One column's values as node-postgres sends an array parameter. PostgreSQL's text cannot hold
 * NUL, which SQLite's can: a task's log line or a worker's hostname may carry one, so it is
 * written as U+FFFD rather than failing the whole commit.
 */
function columnValues(rows: readonly Row[], c: Column<Row>): unknown[] {
  const out = new Array<unknown>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i]![c.field];
    out[i] = c.type === "text" && typeof v === "string" && v.includes("\0") ? v.replaceAll("\0", "\uFFFD") : v;
  }
  return out;
}
