// `weir server`: runs the runtime in the foreground until SIGINT/SIGTERM.
import type { Command } from "commander";
import { SERVER_DEFAULTS } from "../config.ts";

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
    .action(async (o: { store: string; port: string; host: string; artifacts: string; project?: string; logLevel: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`weir server: --port ${o.port} is not a port number (0-65535)\n`);
        process.exit(2);
      }
      const { existsSync } = await import("node:fs");
      const { resolve } = await import("node:path");
      const projectRoot = resolve(o.project ?? ".");
      if (!existsSync(projectRoot)) {
        process.stderr.write(`weir server: --project ${o.project} does not exist; pass the directory your workflows' sensor paths are relative to\n`);
        process.exit(2);
      }
      const { startServer } = await import("./server.ts");
      const server = await startServer({ storeUrl: o.store, port, host: o.host, artifactRoot: o.artifacts, projectRoot, logLevel: o.logLevel });
      process.stdout.write(`weir runtime listening on ${server.address}\n`);
      const shutdown = (): void => void server.stop().then(() => process.exit(0));
      process.once("SIGINT", shutdown);
      process.once("SIGTERM", shutdown);
    });
}
