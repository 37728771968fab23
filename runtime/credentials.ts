// What TLS and token authentication read from flags, files and the environment, shared by
// `weir server`, `weir worker` and the CLI. The token only ever comes from a file or $WEIR_TOKEN
// (never argv, where `ps` shows it) and is never logged or echoed in a message.
import { readFileSync } from "node:fs";

/** The environment variable holding the shared token (the runtime's and its clients'). */
export const TOKEN_ENV = "WEIR_TOKEN";

/** A credential setting that cannot be used: a usage error (exit 2) naming the flag or variable. */
export class CredentialError extends Error {
  override readonly name = "CredentialError";
  constructor(
    readonly code: "BAD_TOKEN" | "BAD_TLS_FILE" | "BAD_TLS_SETTING",
    message: string,
  ) {
    super(message);
  }
}

/** Reads a PEM file given as `flag`; a missing, unreadable or non-PEM file is a CredentialError. */
export function readPem(flag: string, path: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (err) {
    throw new CredentialError("BAD_TLS_FILE", `${flag} ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!pem.includes("-----BEGIN ")) throw new CredentialError("BAD_TLS_FILE", `${flag} ${path}: not a PEM file (no "-----BEGIN" line)`);
  return pem;
}

/**
 * The shared token from `--token-file` (first) or $WEIR_TOKEN, surrounding whitespace trimmed;
 * undefined when neither is set. It must fit in an HTTP header: visible ASCII, no spaces.
 */
export function resolveToken(tokenFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  let token: string;
  let source: string;
  if (tokenFile !== undefined) {
    source = `--token-file ${tokenFile}`;
    try {
      token = readFileSync(tokenFile, "utf8");
    } catch (err) {
      throw new CredentialError("BAD_TOKEN", `${source}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  } else {
    const fromEnv = env[TOKEN_ENV];
    if (fromEnv === undefined || fromEnv === "") return undefined;
    source = `$${TOKEN_ENV}`;
    token = fromEnv;
  }
  token = token.trim();
  if (token === "") throw new CredentialError("BAD_TOKEN", `${source} is empty; put the shared token in it`);
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new CredentialError(
      "BAD_TOKEN",
      `${source} holds spaces or characters outside visible ASCII; a token travels in an HTTP header (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  return token;
}
