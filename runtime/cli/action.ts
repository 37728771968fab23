// What every client command shares: the --server/--json options and TLS and the token, one
// connection per command, and turning errors into a readable line and an exit code (1 for
// failures, 2 for usage).
import type { Command } from "commander";
import type { SecurityFlags } from "../channel-security.ts";
import type { AdminClient } from "../client.ts";

export interface ClientCommandOptions extends SecurityFlags {
  server?: string;
  json?: boolean;
}

/** A failure the CLI itself detected: printed as `error [CODE]: message`, exit 1 (2 for usage). */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

/** Adds the options every client command takes. */
export function withClientOptions(command: Command): Command {
  return command
    .option("--server <host:port>", "address of the weir runtime (default $WEIR_SERVER or 127.0.0.1:7070; https://host:port for TLS)")
    .option("--tls", "speak TLS, trusting the system's CAs")
    .option("--tls-ca <pem>", "speak TLS, trusting this CA (default $WEIR_TLS_CA)")
    .option("--token-file <file>", "send the token in this file (default $WEIR_TOKEN)")
    .option("--json", "print machine-readable JSON instead of tables");
}

/**
 * Runs a command body with a connected AdminClient, closing it afterwards. The body returns the
 * process exit code (0 when it returns nothing).
 */
export async function withClient(options: ClientCommandOptions, body: (client: AdminClient) => Promise<number | void>): Promise<void> {
  const { connectAdmin, resolveServerAddress } = await import("../client.ts");
  const { resolveChannel } = await import("../channel-security.ts");
  const { CredentialError } = await import("../credentials.ts");
  let channel: ReturnType<typeof resolveChannel>;
  try {
    channel = resolveChannel(resolveServerAddress(options.server), options);
  } catch (err) {
    process.exitCode = reportError(err instanceof CredentialError ? new CliError(err.code, err.message, 2) : err, options.json === true);
    return;
  }
  const client = connectAdmin(channel.target, { security: channel.security });
  try {
    process.exitCode = (await body(client)) ?? 0;
  } catch (err) {
    process.exitCode = reportError(err, options.json === true);
  } finally {
    client.close();
  }
}

/** Prints an error the way a person (or a script, with --json) wants it; returns the exit code. */
export function reportError(err: unknown, json: boolean): number {
  const code = (err as { code?: unknown }).code;
  const known = err instanceof Error && typeof code === "string";
  const message = err instanceof Error ? err.message : String(err);
  const exitCode = err instanceof CliError ? err.exitCode : 1;
  if (json) {
    process.stderr.write(`${JSON.stringify({ error: { code: known ? code : "INTERNAL", message } })}\n`);
  } else if (known) {
    process.stderr.write(`error [${code}]: ${message}\n`);
  } else {
    process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? message) : message}\n`);
  }
  return exitCode;
}

/** Prints a JSON document on stdout (bigints as strings, so 64-bit values survive). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`);
}
