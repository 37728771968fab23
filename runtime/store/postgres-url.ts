// A `--store postgres://user[:password]@host[:port]/database[?pool=N&…]` URL: where the PostgreSQL
// store connects, how many connections it keeps, and how logs and errors name it (never with the
// password). Parameters other than weir's own `pool` go to node-postgres as they are (sslmode, …).
import { RuntimeError } from "../error-codes.ts";

export interface PostgresTarget {
  /** For node-postgres: the URL without weir's own parameters. */
  readonly connectionString: string;
  readonly database: string;
  readonly user: string;
  /** `host:port`, for messages. */
  readonly address: string;
  /** The URL with its password hidden: what `Store.url` and the logs show. */
  readonly display: string;
  /** Connections in the pool (commits and reads); the runtime lock holds one more. */
  readonly poolSize: number;
}

export const POSTGRES_URL_DEFAULTS = Object.freeze({ poolSize: 4, maxPoolSize: 64, port: 5432 });

const USAGE = "expected postgres://user@host:port/database, e.g. postgres://postgres@127.0.0.1:5432/weir";

export function isPostgresUrl(url: string): boolean {
  return url.startsWith("postgres:") || url.startsWith("postgresql:");
}

export function parsePostgresUrl(url: string): PostgresTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RuntimeError("INVALID_ARGUMENT", `cannot read the store URL ${hidePassword(url)}; ${USAGE}`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (!database || database.includes("/")) {
    throw new RuntimeError("INVALID_ARGUMENT", `the store URL ${hidePassword(url)} names no database; ${USAGE}`);
  }
  const pool = u.searchParams.get("pool");
  let poolSize: number = POSTGRES_URL_DEFAULTS.poolSize;
  if (pool !== null) {
    poolSize = Number(pool);
    if (!/^\d+$/.test(pool) || poolSize < 1 || poolSize > POSTGRES_URL_DEFAULTS.maxPoolSize) {
      throw new RuntimeError(
        "INVALID_ARGUMENT",
        `the store URL's ?pool=${pool} is not a number of connections from 1 to ${POSTGRES_URL_DEFAULTS.maxPoolSize}; omit it for ${POSTGRES_URL_DEFAULTS.poolSize}`,
      );
    }
    u.searchParams.delete("pool");
  }
  const host = u.hostname || u.searchParams.get("host") || "localhost";
  const display = new URL(u.href);
  if (display.password) display.password = "***";
  return Object.freeze({
    connectionString: u.href,
    database,
    user: decodeURIComponent(u.username) || process.env.PGUSER || process.env.USER || "",
    address: `${host}:${u.port || POSTGRES_URL_DEFAULTS.port}`,
    display: display.href,
    poolSize,
  });
}

/** For a URL too broken to parse: drop whatever sits between `://` and `@`. */
function hidePassword(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//…@");
}
