// The runtime's gRPC server: takes the store's lock, opens the store, starts the scheduler, and
// serves AdminService, WorkerService, health checking and reflection on one port. Stopping is
// graceful: no new calls, streams ended, calls in progress finished, the last commits made.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { Server } from "@grpc/grpc-js";
import { AdminService, grpcServiceDefinition } from "../../proto/index.ts";
import { SERVER_DEFAULTS, type ServerOptions } from "../config.ts";
import { RuntimeError } from "../error-codes.ts";
import { createLogger } from "../log.ts";
import { Engine, ScheduleTicker } from "../scheduler/index.ts";
import { lockStore, openStore, type RuntimeLock, type Store } from "../store/index.ts";
import { adminService } from "./admin-service.ts";
import { exposureWarnings, serverCredentials, tokenInterceptor } from "./auth.ts";
import { tolerantDefinition } from "./handlers.ts";
import { addHealth } from "./health.ts";
import { LiteralAdmission } from "./literal-admission.ts";
import { MESSAGE_LIMITS } from "./message-limits.ts";
import { enableNoDelay } from "./no-delay.ts";
import { OpenCalls } from "./open-calls.ts";
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
  /**
   * Stops gracefully: no new calls; worker streams and watches ended (workers reconnect once a
   * runtime is back); calls in progress given `stopGraceMs` to finish; the commits they made
   * written; the store closed and its lock released. Resolves when all of that is done.
   */
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
  const sensorRoots = { projectRoot, extra: opts.sensorRoots.map((r) => resolve(projectRoot, r)), artifactRoot };
  mkdirSync(artifactRoot, { recursive: true });
  // Before the store opens (its migrations write): a second runtime on the same file stops here.
  const lock = lockStore(opts.storeUrl, projectRoot);
  let store: Store | undefined;
  try {
    store = openStore(opts.storeUrl, projectRoot);
    return await serve(store, lock);
  } catch (err) {
    await store?.close().catch(() => undefined);
    lock?.release();
    throw err;
  }

  async function serve(store: Store, lock: RuntimeLock | undefined): Promise<RunningServer> {
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
      sensorRoots: sensorRoots.extra,
      artifactRoot,
      config: {
        heartbeatIntervalMs: opts.heartbeatIntervalMs,
        heartbeatTimeoutMs: opts.heartbeatTimeoutMs,
        restartGraceMs: opts.restartGraceMs,
        maxNodes: opts.maxNodes,
      },
      onStoreFailure: (err) => {
        log.fatal(
          { err },
          "weir runtime stopping: the store could not commit; restart it once the store is writable again: it resumes from what was committed",
        );
        storeError = err;
        stopForStoreFailure();
      },
    });
    await engine.start();
    const ticker = new ScheduleTicker({ store, engine, log });
    const open = new OpenCalls();
    const literals = new LiteralAdmission(artifactRoot);

    const server = new Server({
      // The largest message any method takes; each method's own limit is checked before decoding (message-limits.ts).
      "grpc.max_receive_message_length": MESSAGE_LIMITS.transportBytes,
      interceptors: token ? [tokenInterceptor(token, log)] : [],
    });
    if (!enableNoDelay(server)) log.warn("could not disable Nagle's algorithm on server sockets; dispatch latency will be higher");
    server.addService(
      tolerantDefinition(grpcServiceDefinition(AdminService)),
      adminService({
        store,
        engine,
        log,
        config: engine.config,
        artifactRoot,
        literals,
        sensorRoots,
        open,
        onWorkflowRegistered: (name) =>
          void ticker.workflowRegistered(name).catch((err) => log.error({ workflow: name, err }, "schedule ticker could not re-plan")),
      }),
    );
    server.addService(workerServiceDefinition(), workerService({ engine, log, artifactRoot, literals, open }));
    addHealth(server);
    addReflection(server);
    const port = await new Promise<number>((ok, fail) =>
      server.bindAsync(`${opts.host}:${opts.port}`, credentials, (err, p) => (err ? fail(err) : ok(p))),
    ).catch(async (err: Error) => {
      await engine.stop();
      throw new RuntimeError("FAILED_PRECONDITION", `cannot listen on ${opts.host}:${opts.port}: ${err.message}; pass another --port or --host`);
    });
    const address = `${opts.host}:${port}`;
    lock?.announce(address);
    log.info({ address, tls: opts.tls !== undefined, auth: token ? "token" : "none", store: store.url, artifactRoot }, "weir runtime listening");
    for (const warning of exposureWarnings(opts.host, opts.tls !== undefined, token !== undefined)) log.warn(warning);
    await ticker.start();

    let stopping: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      await ticker.stop();
      // No new connections or calls; those in progress go on.
      const drained = new Promise<void>((ok) => server.tryShutdown(() => ok()));
      open.closeAll();
      let grace: NodeJS.Timeout | undefined;
      const late = await Promise.race([drained.then(() => false), new Promise<boolean>((ok) => (grace = setTimeout(() => ok(true), opts.stopGraceMs)))]);
      clearTimeout(grace);
      if (late) {
        log.warn({ graceMs: opts.stopGraceMs }, "calls still in progress at the end of the stop's grace period were cancelled");
        server.forceShutdown();
      }
      // Every call has ended: what they changed is committed, then nothing more is.
      await engine.stop();
      await store.close();
      lock?.release();
      log.info({ address }, "weir runtime stopped");
    };
    running = {
      port,
      address,
      store,
      engine,
      failed,
      stop() {
        stopping ??= stop();
        return stopping;
      },
    };
    stopForStoreFailure();
    return running;
  }
}
