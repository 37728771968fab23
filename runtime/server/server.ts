// The runtime's gRPC server: takes the store's lock, opens the store, starts the scheduler, and
// serves AdminService, WorkerService, ArtifactService, health checking and reflection on one port.
// Beside it, the HTTP port (http/): the web UI, /metrics and AdminService over Connect, from the same
// handlers. Stopping is graceful: no new calls, streams ended, calls in progress finished, the last
// commits made.
import { mkdirSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { Server } from "@grpc/grpc-js";
import { AdminService, ArtifactService, grpcServiceDefinition } from "../../proto/index.ts";
import { LocalArtifactStore, ensureStoreId } from "../artifacts/index.ts";
import { SERVER_DEFAULTS, type ServerOptions } from "../config.ts";
import { RuntimeError } from "../error-codes.ts";
import { createLogger } from "../log.ts";
import { RuntimeMetrics } from "../metrics/index.ts";
import { Engine, ScheduleTicker } from "../scheduler/index.ts";
import { lockStore, openStore, type RuntimeLock, type Store } from "../store/index.ts";
import { adminMethods } from "./admin-service.ts";
import { artifactMethods } from "./artifact-service.ts";
import { grpcService } from "./grpc-adapter.ts";
import { exposureWarnings, serverCredentials, tokenInterceptor } from "./auth.ts";
import { tolerantDefinition } from "./handlers.ts";
import { addHealth } from "./health.ts";
import { LiteralAdmission } from "./literal-admission.ts";
import { MESSAGE_LIMITS } from "./message-limits.ts";
import type { HttpServer } from "./http/http-server.ts";
import { openHttpPort } from "./http/http-port.ts";
import { enableNoDelay } from "./no-delay.ts";
import { OpenCalls } from "./open-calls.ts";
import { addReflection } from "./reflection.ts";
import { ReplicaPeers } from "./replica-peers.ts";
import { workerService, workerServiceDefinition } from "./worker-service.ts";

export interface RunningServer {
  readonly port: number;
  readonly address: string;
  /** The HTTP port (UI, /metrics, Connect), unless `httpPort: false`; `url` is the UI's address. */
  readonly http?: { readonly port: number; readonly address: string; readonly url: string };
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

/** Where other replicas and workers reach this runtime: `advertise`, or the listening address with a wildcard host named. */
function advertisedAddress(opts: ServerOptions, port: number): string {
  if (opts.advertise) return opts.advertise;
  const wildcard = opts.host === "0.0.0.0" || opts.host === "::" || opts.host === "";
  return `${wildcard ? hostname() : opts.host}:${port}`;
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
  // Workers that read the same id at this path share the disk; others use ArtifactService.
  const storeId = ensureStoreId(artifactRoot);
  // Before the store opens (its migrations write): a second runtime on the same file stops here.
  const lock = lockStore(opts.storeUrl, projectRoot);
  let store: Store | undefined;
  try {
    store = await openStore(opts.storeUrl, projectRoot);
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
    // On PostgreSQL this runtime is one replica of those sharing the database.
    let ticker: ScheduleTicker | undefined;
    const startTicker = async (): Promise<void> => {
      ticker = new ScheduleTicker({ store, engine, log, observer: metrics });
      await ticker.start();
    };
    const peers = await ReplicaPeers.join(store, opts, log, {
      leading: (leads) => {
        log.info({ leads }, leads ? "this replica leads: it runs the schedules" : "this replica no longer leads");
        const previous = ticker;
        ticker = undefined;
        void previous?.stop();
        if (leads) void startTicker().catch((err) => log.error({ err }, "schedule ticker could not start"));
      },
      lost: (err) => {
        log.fatal({ err }, "weir replica stopping: it no longer drives its executions; restart it to rejoin");
        storeError = err;
        stopForStoreFailure();
      },
    });
    // Only a runtime with an HTTP port serves metrics; without one, the engine reports to nobody.
    const metrics: RuntimeMetrics | undefined = opts.httpPort === false ? undefined : new RuntimeMetrics(() => engine.occupancy());
    const engine = new Engine({
      store,
      observer: metrics,
      log,
      projectRoot,
      sensorRoots: sensorRoots.extra,
      artifactRoot,
      config: {
        heartbeatIntervalMs: opts.heartbeatIntervalMs,
        heartbeatTimeoutMs: opts.heartbeatTimeoutMs,
        restartGraceMs: opts.restartGraceMs,
        maxNodes: opts.maxNodes,
        // A worker that failed over from a dead replica keeps its attempts until one adopts them.
        ...(peers ? { foreignLeaseGraceMs: opts.restartGraceMs } : {}),
      },
      replica: peers?.role,
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
    const open = new OpenCalls();
    const literals = new LiteralAdmission(artifactRoot);

    const server = new Server({
      // The largest message any method takes; each method's own limit is checked before decoding (message-limits.ts).
      "grpc.max_receive_message_length": MESSAGE_LIMITS.transportBytes,
      interceptors: token ? [tokenInterceptor(token, log)] : [],
    });
    if (!enableNoDelay(server)) log.warn("could not disable Nagle's algorithm on server sockets; dispatch latency will be higher");
    // One implementation of AdminService, served over gRPC here and over Connect on the HTTP port.
    const admin = adminMethods({
      store,
      engine,
      log,
      config: engine.config,
      artifactRoot,
      literals,
      sensorRoots,
      open,
      peers,
      onWorkflowRegistered: (name) =>
        void ticker?.workflowRegistered(name).catch((err) => log.error({ workflow: name, err }, "schedule ticker could not re-plan")),
    });
    server.addService(tolerantDefinition(grpcServiceDefinition(AdminService)), grpcService(AdminService, admin, log));
    server.addService(workerServiceDefinition(), workerService({ engine, log, artifactRoot, storeId, literals, open }));
    // ArtifactService likewise: workers over gRPC, the web UI over Connect.
    const artifacts = artifactMethods({ store: new LocalArtifactStore(artifactRoot) });
    server.addService(tolerantDefinition(grpcServiceDefinition(ArtifactService)), grpcService(ArtifactService, artifacts, log));
    addHealth(server);
    addReflection(server);
    const port = await new Promise<number>((ok, fail) =>
      server.bindAsync(`${opts.host}:${opts.port}`, credentials, (err, p) => (err ? fail(err) : ok(p))),
    ).catch(async (err: Error) => {
      await engine.stop();
      throw new RuntimeError("FAILED_PRECONDITION", `cannot listen on ${opts.host}:${opts.port}: ${err.message}; pass another --port or --host`);
    });
    const address = `${opts.host}:${port}`;
    let http: HttpServer | undefined;
    if (metrics) {
      http = await openHttpPort({ ...opts, token }, { admin, artifacts, metrics, log }).catch(async (err: Error) => {
        server.forceShutdown();
        await engine.stop();
        throw err;
      });
    }
    lock?.announce(address);
    log.info(
      { address, http: http?.url, tls: opts.tls !== undefined, auth: token ? "token" : "none", store: store.url, artifactRoot },
      "weir runtime listening",
    );
    for (const warning of exposureWarnings(opts.host, opts.tls !== undefined, token !== undefined)) log.warn(warning);
    // A replica starts its ticker when it leads; the leader learns other replicas' registrations each round.
    if (peers) await peers.start(engine, advertisedAddress(opts, port), () => ticker?.start());
    else await startTicker();

    let stopping: Promise<void> | undefined;
    const stop = async (): Promise<void> => {
      await ticker?.stop();
      // No new connections or calls; those in progress go on.
      const drained = Promise.all([new Promise<void>((ok) => server.tryShutdown(() => ok())), http?.close()]);
      open.closeAll();
      let grace: NodeJS.Timeout | undefined;
      const late = await Promise.race([drained.then(() => false), new Promise<boolean>((ok) => (grace = setTimeout(() => ok(true), opts.stopGraceMs)))]);
      clearTimeout(grace);
      if (late) {
        log.warn({ graceMs: opts.stopGraceMs }, "calls still in progress at the end of the stop's grace period were cancelled");
        server.forceShutdown();
        http?.closeAll();
      }
      // Every call has ended: what they changed is committed, then nothing more is.
      await engine.stop();
      await peers?.leave();
      await store.close();
      lock?.release();
      log.info({ address }, "weir runtime stopped");
    };
    running = {
      port,
      address,
      http: http && { port: http.port, address: http.address, url: http.url },
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
