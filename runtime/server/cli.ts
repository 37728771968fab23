// `weir server`: runs the runtime in the foreground until SIGINT/SIGTERM.
import type { Command } from "commander";
import { SERVER_DEFAULTS } from "../config.ts";

interface ServerFlags {
  store: string;
  port: string;
  host: string;
  artifacts: string;
  project?: string;
  logLevel: string;
  tlsCert?: string;
  tlsKey?: string;
  tokenFile?: string;
}

export function addServerCommand(program: Command): Command {
  return program
    .command("server")
    .description("Run the weir runtime (gRPC control plane, metastore and scheduler)")
    .option("--store <url>", "metastore URL", SERVER_DEFAULTS.storeUrl)
    .option("--port <port>", "port to listen on (0 = any free port)", String(SERVER_DEFAULTS.port))
    .option("--host <host>", "interface to listen on", SERVER_DEFAULTS.host)
    .option("--artifacts <dir>", "artifact directory shared with workers", SERVER_DEFAULTS.artifactRoot)
    .option("--project <dir>", "project root: relative sensor paths resolve here (default: the current directory)")
    .option("--log-level <level>", "log level (debug, info, warn, error, silent)", SERVER_DEFAULTS.logLevel)
    .option("--tls-cert <pem>", "serve TLS with this certificate chain (with --tls-key)")
    .option("--tls-key <pem>", "the private key of --tls-cert")
    .option("--token-file <file>", "require this shared token on every call but health checks (default $WEIR_TOKEN)")
    .action(async (o: ServerFlags) => {
      const fail = (message: string): never => {
        process.stderr.write(`weir server: ${message}\n`);
        process.exit(2);
      };
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${o.port} is not a port number (0-65535)`);
      const { existsSync } = await import("node:fs");
      const { resolve } = await import("node:path");
      const projectRoot = resolve(o.project ?? ".");
      if (!existsSync(projectRoot)) fail(`--project ${o.project} does not exist; pass the directory your workflows' sensor paths are relative to`);
      if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) fail("--tls-cert and --tls-key go together: pass both to serve TLS, neither for plaintext");
      const { CredentialError, readPem, resolveToken } = await import("../credentials.ts");
      const { startServer } = await import("./server.ts");
      try {
        const tls = o.tlsCert !== undefined ? { cert: readPem("--tls-cert", o.tlsCert), key: readPem("--tls-key", o.tlsKey!) } : undefined;
        const token = resolveToken(o.tokenFile);
        const server = await startServer({ storeUrl: o.store, port, host: o.host, artifactRoot: o.artifacts, projectRoot, logLevel: o.logLevel, tls, token });
        process.stdout.write(`weir runtime listening on ${server.address}${tls ? " (TLS)" : ""}${token ? ", token required" : ""}\n`);
        void server.failed.then(() => process.exit(1));
        const shutdown = (): void => void server.stop().then(() => process.exit(0));
        process.once("SIGINT", shutdown);
        process.once("SIGTERM", shutdown);
      } catch (err) {
        if (err instanceof CredentialError) fail(err.message);
        throw err;
      }
    });
}
