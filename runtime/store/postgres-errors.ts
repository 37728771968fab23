// What went wrong with PostgreSQL, said as a STORE_FAILED that names the server and what to check:
// node-postgres's own messages ("connect ECONNREFUSED", "password authentication failed") do not
// say which store or which flag.
import { RuntimeError } from "../error-codes.ts";
import type { PostgresTarget } from "./postgres-url.ts";

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET"]);

/** `doing`: what failed, e.g. "commit" or "read". An error that is already a RuntimeError passes through. */
export function postgresError(err: unknown, target: PostgresTarget, doing: string): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const e = err as { code?: string; message?: string };
  const message = e.message || String(err);
  const where = `PostgreSQL at ${target.address}`;
  if ((e.code && UNREACHABLE.has(e.code)) || /timeout expired|Connection terminated due to connection timeout/i.test(message)) {
    return new RuntimeError("STORE_FAILED", `cannot connect to ${where}: ${message}; is it running? check --store (${target.display})`);
  }
  switch (e.code) {
    case "28P01":
    case "28000":
      return new RuntimeError("STORE_FAILED", `${where} refused user ${target.user}: ${message}; check the user and password in --store (${target.display})`);
    case "3D000":
      return new RuntimeError(
        "STORE_FAILED",
        `the database ${target.database} does not exist on ${where}; create it (createdb -h ${target.address.replace(/:(\d+)$/, " -p $1")} -U ${target.user} ${target.database}) or check --store`,
      );
    case "WR001":
      return new RuntimeError(
        "STORE_FAILED",
        `this replica was deposed (its lease lapsed; another replica drives its executions now), so ${where} refused its ${doing}: restart it to rejoin as a new replica`,
      );
    case "53300":
      return new RuntimeError("STORE_FAILED", `${where} has no connection slot left: ${message}; raise its max_connections or lower ?pool= in --store`);
  }
  return new RuntimeError("STORE_FAILED", `PostgreSQL ${doing} failed (${target.display}): ${message}`);
}
