// `weir server`: runs the runtime in the foreground until SIGINT/SIGTERM, which stop it gracefully
// (exit 0); a second signal while it stops ends it at once (exit 1). Exit 1 also when it cannot
// start (another runtime holds the store) or stops because its store failed; 2 on bad usage.
import type { Command } from "commander";
import { HTTP_DEFAULTS, SERVER_DEFAULTS } from "../config.ts";

interface ServerFlags {
  store: string;
  port: string;
  /** A port, false for --no-http, undefined for the default. */
  http?: string | false;
  host: string;
  advertise?: string;
  artifacts: string;
  project?: string;
  logLevel: string;
  tlsCert?: string;
  tlsKey?: string;
  tokenFile?: string;
  sensorRoot: string[];
  maxNodes: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function addServerCommand(program: Command): Command {
  return program
    .command("server")
    .description("Run the weir runtime (gRPC control plane, metastore and scheduler)")
    .option("--store <url>", "metastore URL", SERVER_DEFAULTS.storeUrl)
    .option("--port <port>", "port to listen on (0 = any free port)", String(SERVER_DEFAULTS.port))
    .option("--http <port>", `HTTP port for the web UI, /metrics and AdminService over Connect (default ${HTTP_DEFAULTS.port}; any free port with --port 0)`)
    .option("--no-http", "serve no HTTP port (no UI, no /metrics)")
    .option("--host <host>", "interface to listen on (both ports)", SERVER_DEFAULTS.host)
    .option("--advertise <host:port>", "where other replicas and workers reach this one (default: the listening address, the hostname for 0.0.0.0)")
    .option("--artifacts <dir>", "artifact directory (workers on this host read it; others go through ArtifactService)", SERVER_DEFAULTS.artifactRoot)
    .option("--project <dir>", "project root: relative sensor paths resolve here (default: the current directory)")
    .option("--log-level <level>", "log level (debug, info, warn, error, silent)", SERVER_DEFAULTS.logLevel)
    .option("--tls-cert <pem>", "serve TLS with this certificate chain (with --tls-key)")
    .option("--tls-key <pem>", "the private key of --tls-cert")
    .option("--token-file <file>", "require this shared token on every call but health checks (default $WEIR_TOKEN)")
    .option("--sensor-root <dir>", "a directory outside the project that sensor paths may name (repeatable)", collect, [])
    .option("--max-nodes <n>", "the most nodes one execution may have once expanded", String(SERVER_DEFAULTS.maxNodes))
    .action(async (o: ServerFlags) => {
      const fail = (message: string): never => {
        process.stderr.write(`weir server: ${message}\n`);
        process.exit(2);
      };
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${o.port} is not a port number (0-65535)`);
      const httpPort = typeof o.http === "string" ? Number(o.http) : o.http;
      if (typeof httpPort === "number" && (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535))
        fail(`--http ${o.http} is not a port number (0-65535); pass --no-http to serve no HTTP port`);
      if (o.advertise !== undefined && !/^[^\s/]+:\d{1,5}$/.test(o.advertise))
        fail(`--advertise ${o.advertise} is not host:port; give the address other replicas and workers reach this one at, e.g. a.internal:7070`);
      const maxNodes = Number(o.maxNodes);
      if (!Number.isSafeInteger(maxNodes) || maxNodes < 1) fail(`--max-nodes ${o.maxNodes} is not a positive whole number`);
      const { existsSync } = await import("node:fs");
      const { resolve } = await import("node:path");
      const projectRoot = resolve(o.project ?? ".");
      if (!existsSync(projectRoot)) fail(`--project ${o.project} does not exist; pass the directory your workflows' sensor paths are relative to`);
      if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) fail("--tls-cert and --tls-key go together: pass both to serve TLS, neither for plaintext");
      const sensorRoots = o.sensorRoot.map((r) => resolve(r));
      for (const [i, root] of sensorRoots.entries())
        if (!existsSync(root)) fail(`--sensor-root ${o.sensorRoot[i]} does not exist; pass a directory sensor paths may name`);
      const { CredentialError, readPem, resolveToken } = await import("../credentials.ts");
      const { RuntimeError } = await import("../error-codes.ts");
      const { startServer } = await import("./server.ts");
      try {
        const tls = o.tlsCert !== undefined ? { cert: readPem("--tls-cert", o.tlsCert), key: readPem("--tls-key", o.tlsKey!) } : undefined;
        const token = resolveToken(o.tokenFile);
        const server = await startServer({
          storeUrl: o.store,
          port,
          httpPort,
          host: o.host,
          advertise: o.advertise,
          artifactRoot: o.artifacts,
          projectRoot,
          logLevel: o.logLevel,
          tls,
          token,
          sensorRoots,
          maxNodes,
        });
        process.stdout.write(`weir runtime listening on ${server.address}${tls ? " (TLS)" : ""}${token ? ", token required" : ""}\n`);
        if (server.http) process.stdout.write(`weir UI: ${server.http.url} (also /metrics, and AdminService over Connect)\n`);
        void server.failed.then(() => process.exit(1));
        let stopping = false;
        const shutdown = (signal: NodeJS.Signals): void => {
          if (stopping) {
            process.stderr.write(`weir server: ${signal} again: stopping now, without finishing what is in progress\n`);
            process.exit(1);
          }
          stopping = true;
          process.stdout.write(`weir runtime stopping (${signal}): finishing calls in progress and the last commits\n`);
          server.stop().then(
            () => process.exit(0),
            (err: Error) => {
              process.stderr.write(`weir server: could not stop cleanly: ${err.message}\n`);
              process.exit(1);
            },
          );
        };
        process.on("SIGINT", shutdown);
        process.on("SIGTERM", shutdown);
      } catch (err) {
        if (err instanceof CredentialError) fail(err.message);
        if (err instanceof RuntimeError) {
          // Could not start (another runtime holds the store, the store cannot open): not a usage error.
          process.stderr.write(`weir server: ${err.message}\n`);
          process.exit(1);
        }
        throw err;
      }
    });
}
