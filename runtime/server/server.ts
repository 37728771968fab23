// The runtime's gRPC server: opens the store, starts the scheduler, and serves AdminService,
// WorkerService, health checking and reflection on one port.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Server } from "@grpc/grpc-js";
import { AdminService, grpcServiceDefinition } from "../../proto/index.ts";
import { SERVER_DEFAULTS, type ServerOptions } from "../config.ts";
import { createLogger } from "../log.ts";
import { Engine, ScheduleTicker } from "../scheduler/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { adminService } from "./admin-service.ts";
import { exposureWarnings, serverCredentials, tokenInterceptor } from "./auth.ts";
import { tolerantDefinition } from "./handlers.ts";
import { addHealth } from "./health.ts";
import { enableNoDelay } from "./no-delay.ts";
import { addReflection } from "./reflection.ts";
import { workerService, workerServiceDefinition } from "./worker-service.ts";

export interface RunningServer {
  readonly port: number;
  readonly address: string;
  readonly store: Store;
  readonly engine: Engine;
  /**
   * Resolves, once the server has stopped, if the store failed to commit: memory then held
   * transitions the store did not, so the runtime stopped rather than act on them. Never otherwise.
   */
  readonly failed: Promise<Error>;
  stop(): Promise<void>;
}

export async function startServer(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  const opts: ServerOptions = { ...SERVER_DEFAULTS, projectRoot: process.cwd(), ...options };
  const log = createLogger(opts.logLevel);
  // Before anything opens: a certificate and key that do not fit fail here, with a clear message.
  const credentials = serverCredentials(opts.tls);
  const token = opts.token || undefined;
  const projectRoot = resolve(opts.projectRoot);
  const artifactRoot = resolve(projectRoot, opts.artifactRoot);
  mkdirSync(artifactRoot, { recursive: true });
  const store = openStore(opts.storeUrl, projectRoot);
  let storeFailed: (err: Error) => void = () => {};
  const failed = new Promise<Error>((ok) => (storeFailed = ok));
  let running: RunningServer | undefined;
  let storeError: Error | undefined;
  // Stops the server for a failed commit; one that fails before it listens stops it once it does.
  const stopForStoreFailure = (): void => {
    if (running && storeError) void running.stop().finally(() => storeFailed(storeError!));
  };
  const engine = new Engine({
    store,
    log,
    projectRoot,
    config: { heartbeatIntervalMs: opts.heartbeatIntervalMs, heartbeatTimeoutMs: opts.heartbeatTimeoutMs, restartGraceMs: opts.restartGraceMs },
    onStoreFailure: (err) => {
      log.fatal({ err }, "weir runtime stopping: the store could not commit; restart it once the store is writable again: it resumes from what was committed");
      storeError = err;
      stopForStoreFailure();
    },
  });
  await engine.start();
  const ticker = new ScheduleTicker({ store, engine, log });

  const server = new Server({
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    interceptors: token ? [tokenInterceptor(token, log)] : [],
  });
  if (!enableNoDelay(server)) log.warn("could not disable Nagle's algorithm on server sockets; dispatch latency will be higher");
  server.addService(tolerantDefinition(grpcServiceDefinition(AdminService)), adminService({
    store, engine, log, config: engine.config, artifactRoot,
    onWorkflowRegistered: (name) => void ticker.workflowRegistered(name).catch((err) => log.error({ workflow: name, err }, "schedule ticker could not re-plan")),
  }));
  server.addService(workerServiceDefinition(), workerService({ engine, log, artifactRoot }));
  addHealth(server);
  addReflection(server);
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync(`${opts.host}:${opts.port}`, credentials, (err, p) => (err ? fail(err) : ok(p))),
  );
  const address = `${opts.host}:${port}`;
  log.info({ address, tls: opts.tls !== undefined, auth: token ? "token" : "none", store: store.url, artifactRoot }, "weir runtime listening");
  for (const warning of exposureWarnings(opts.host, opts.tls !== undefined, token !== undefined)) log.warn(warning);
  await ticker.start();

  let stopped = false;
  running = {
    port,
    address,
    store,
    engine,
    failed,
    async stop() {
      if (stopped) return;
      stopped = true;
      await ticker.stop();
      await engine.stop();
      await new Promise<void>((ok) => {
        const force = setTimeout(() => (server.forceShutdown(), ok()), 2_000);
        server.tryShutdown(() => (clearTimeout(force), ok()));
      });
      await store.close();
    },
  };
  stopForStoreFailure();
  return running;
}
