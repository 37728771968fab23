// The runtime's HTTP port, beside gRPC: AdminService and ArtifactService over Connect and gRPC-Web
// for browsers (the same handlers the gRPC port serves), Prometheus metrics at /metrics, /healthz, and the web UI's
// files at every other path. HTTPS with the gRPC port's certificate when the runtime has TLS. With
// a token, every call and /metrics need it, checked before a byte of the request is read (the UI's
// files hold no data: the page asks for the token and sends it with each call); /healthz is open.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { DescService } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import type { ServerTls } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { RuntimeMetrics } from "../../metrics/index.ts";
import { REFUSALS, tokenCheck } from "../auth.ts";
import { servicePathPrefix } from "./connect-adapter.ts";
import { refuseCall } from "./call-refusal.ts";
import type { UiFiles } from "./ui-files.ts";

/** What a call that arrives while the runtime stops is told. */
const STOPPING = "the weir runtime is stopping; call again once it is back";

export interface HttpDeps {
  readonly host: string;
  readonly tls?: ServerTls;
  readonly token?: string;
  readonly log: Logger;
  /** The services `connect` serves: a path under one of theirs goes to it, after the token check. */
  readonly services: readonly DescService[];
  /** Those services over Connect (connect-adapter.ts). */
  readonly connect: (req: IncomingMessage, res: ServerResponse) => void;
  readonly metrics: RuntimeMetrics;
  readonly ui: UiFiles;
}

export interface HttpServer {
  readonly port: number;
  /** `host:port`. */
  readonly address: string;
  /** The UI's address: `http://host:port/` (https with TLS). */
  readonly url: string;
  /** Stops taking connections; resolves once every open one has ended (see `closeAll`). */
  close(): Promise<void>;
  /** Ends every connection now, calls in progress included. */
  closeAll(): void;
}

/** Starts the HTTP port on `port` (0: any free one); fails with the listen error (EADDRINUSE, …). */
export async function startHttpServer(deps: HttpDeps, port: number): Promise<HttpServer> {
  let closing = false;
  const handle = requestHandler(deps, () => closing);
  const server: Server = deps.tls ? createHttpsServer({ cert: deps.tls.cert, key: deps.tls.key }, handle) : createHttpServer(handle);
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(port, deps.host, () => {
      server.off("error", fail);
      ok();
    });
  });
  server.on("error", (err) => deps.log.error({ err }, "the HTTP port failed"));
  const bound = (server.address() as { port: number }).port;
  const host = deps.host.includes(":") ? `[${deps.host}]` : deps.host;
  const closed = new Promise<void>((ok) => server.once("close", () => ok()));
  return {
    port: bound,
    address: `${host}:${bound}`,
    url: `${deps.tls ? "https" : "http"}://${host}:${bound}/`,
    close: () => {
      closing = true;
      server.close();
      // Connections whose calls have ended since are idle now: close them too.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      return closed.finally(() => clearInterval(idle));
    },
    closeAll: () => server.closeAllConnections(),
  };
}

function requestHandler(deps: HttpDeps, closing: () => boolean) {
  const { log, connect, metrics, ui } = deps;
  const prefixes = deps.services.map(servicePathPrefix);
  const check = deps.token ? tokenCheck(deps.token) : undefined;
  /** Why a request lacks the token (REFUSALS' key), or undefined when it may go on. */
  const refusal = (req: IncomingMessage) => check?.({ get: () => req.headersDistinct.authorization ?? [] });

  return (req: IncomingMessage, res: ServerResponse): void => {
    const pathname = (req.url ?? "/").split("?", 1)[0]!;
    if (prefixes.some((prefix) => pathname.startsWith(prefix))) {
      const refused = refusal(req);
      if (refused !== undefined) {
        log.warn({ method: pathname, peer: req.socket.remoteAddress, refusal: refused }, "refused a call without a valid token");
        return refuseCall(req, res, Code.Unauthenticated, REFUSALS[refused]);
      }
      // A call on a connection kept open while the runtime stops is refused, as gRPC refuses one.
      if (closing()) return refuseCall(req, res, Code.Unavailable, STOPPING);
      return connect(req, res);
    }
    if (pathname === "/metrics") {
      const refused = refusal(req);
      if (refused !== undefined) {
        log.warn({ path: pathname, peer: req.socket.remoteAddress, refusal: refused }, "refused a scrape without a valid token");
        res.writeHead(401, { "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="weir"' });
        return void res.end(`${REFUSALS[refused]}\n`);
      }
      if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed(res);
      metrics.text().then(
        (text) => {
          res.writeHead(200, { "content-type": metrics.contentType, "cache-control": "no-store" });
          res.end(req.method === "HEAD" ? undefined : text);
        },
        (err: Error) => {
          log.error({ err }, "could not collect the metrics");
          res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
          res.end(`could not collect the metrics: ${err.message}\n`);
        },
      );
      return;
    }
    if (pathname === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      return void res.end("ok\n");
    }
    ui.serve(req, res, pathname).catch((err: Error) => {
      log.error({ err, path: pathname }, "could not serve a UI file");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end();
    });
  };
}

function methodNotAllowed(res: ServerResponse): void {
  res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
  res.end("read the metrics with GET\n");
}
