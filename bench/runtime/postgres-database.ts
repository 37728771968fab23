// A fresh database on the local PostgreSQL server for one half of the runtime bench, dropped at the
// end: both PostgreSQL halves run on the same server, each in its own database.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const BENCH_POSTGRES = Object.freeze({
  /** The maintenance connection (creates and drops the bench's databases). `WEIR_BENCH_POSTGRES` overrides it. */
  server: process.env.WEIR_BENCH_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/postgres",
});

export interface BenchDatabase {
  readonly url: string;
  query(sql: string, values?: unknown[]): Promise<pg.QueryResult>;
  drop(): Promise<void>;
}

export async function benchDatabase(label: string): Promise<BenchDatabase> {
  const name = `weir_bench_${label}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: BENCH_POSTGRES.server });
  await admin.connect().catch((err: Error) => {
    throw new Error(`cannot reach PostgreSQL at ${BENCH_POSTGRES.server} for the bench: ${err.message} — start it or set WEIR_BENCH_POSTGRES`);
  });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(BENCH_POSTGRES.server);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  return {
    url: url.href,
    query: (sql, values) => client.query(sql, values),
    async drop() {
      await client.end().catch(() => {});
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
