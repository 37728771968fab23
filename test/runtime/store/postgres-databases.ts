// Fresh PostgreSQL databases for tests: each made on the local server from a maintenance connection
// (`CREATE DATABASE weir_test_<random>`) and dropped with every session still in it (`WITH (FORCE)`),
// so tests never share state and a killed runtime's connections do not keep one alive.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const TEST_POSTGRES = Object.freeze({
  /** The maintenance connection; `WEIR_TEST_POSTGRES` overrides it. */
  server: process.env.WEIR_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test",
});

export interface TestDatabase {
  readonly name: string;
  /** `postgres://…/<name>`: what `--store` takes. */
  readonly url: string;
  /** Drops it, ending every session still in it; twice is fine. */
  drop(): Promise<void>;
}

async function maintenance<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES.server, connectionTimeoutMillis: 10_000 });
  await client.connect().catch((err: Error) => {
    throw new Error(`cannot reach PostgreSQL at ${TEST_POSTGRES.server} for the tests: ${err.message}; start it (.ci/run does) or set WEIR_TEST_POSTGRES`);
  });
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `weir_test_${randomBytes(6).toString("hex")}`;
  await maintenance((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_POSTGRES.server);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: url.href,
    drop: () => (dropped ??= maintenance(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)))),
  };
}

/** Runs `sql` on the database itself (a connection of its own, closed after). */
export async function queryDatabase<R extends pg.QueryResultRow = Record<string, unknown>>(
  db: TestDatabase,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
