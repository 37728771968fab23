// Which HTTP port the runtime opens, and with what: `httpPort` as ServerOptions gives it (a port, or
// false for none), else HTTP_DEFAULTS.port beside the gRPC port, or any free port when the gRPC
// port was 0 (tests, `weir demo`) or when the default is taken (a second runtime on one machine
// still starts, and says where its UI is). A port asked for by name that is taken fails the start.
import { HTTP_DEFAULTS, type ServerOptions } from "../../config.ts";
import { RuntimeError } from "../../error-codes.ts";
import type { Logger } from "../../log.ts";
import type { RuntimeMetrics } from "../../metrics/index.ts";
import { AdminService, ArtifactService } from "../../../proto/index.ts";
import type { AdminMethods } from "../admin-service.ts";
import type { ArtifactMethods } from "../artifact-service.ts";
import { connectHandler, connectService } from "./connect-adapter.ts";
import { type HttpServer, startHttpServer } from "./http-server.ts";
import { type UiLocator, UiFiles } from "./ui-files.ts";

/** ui/'s own build (esbuild, cached), loaded on the first visit: never on the way to gRPC listening. */
const builtUi: UiLocator = async () => (await import("../../../ui/index.ts")).buildUi();

export async function openHttpPort(
  opts: Pick<ServerOptions, "host" | "port" | "httpPort" | "uiRoot" | "tls" | "token">,
  parts: { admin: AdminMethods; artifacts: ArtifactMethods; metrics: RuntimeMetrics; log: Logger },
): Promise<HttpServer> {
  const { log } = parts;
  const uiRoot = opts.uiRoot;
  const deps = {
    host: opts.host,
    tls: opts.tls,
    token: opts.token,
    log,
    services: [AdminService, ArtifactService],
    connect: connectHandler([connectService(AdminService, parts.admin), connectService(ArtifactService, parts.artifacts)], log),
    metrics: parts.metrics,
    ui: new UiFiles(uiRoot !== undefined ? () => Promise.resolve(uiRoot) : builtUi, log),
  };
  const asked = opts.httpPort;
  const port = asked === undefined || asked === false ? (opts.port === 0 ? 0 : HTTP_DEFAULTS.port) : asked;
  const listen = (p: number): Promise<HttpServer> =>
    startHttpServer(deps, p).catch((err: NodeJS.ErrnoException) => {
      if (asked === undefined && p !== 0 && err.code === "EADDRINUSE") {
        log.warn({ port: p }, `the HTTP port ${p} is in use; serving the UI and /metrics on a free port instead (pass --http <port> to choose)`);
        return listen(0);
      }
      throw new RuntimeError(
        "FAILED_PRECONDITION",
        `cannot listen on ${opts.host}:${p} for HTTP (the UI, /metrics): ${err.message}; pass another --http port, or --no-http`,
      );
    });
  return listen(port);
}
