// The runtime's defaults, in one frozen object: every option elsewhere is a Partial merged over these.
export interface RuntimeConfig {
  /** How often workers heartbeat (sent to them in Registered). */
  readonly heartbeatIntervalMs: number;
  /** A worker silent this long is lost; its attempts are retried. */
  readonly heartbeatTimeoutMs: number;
  /** How often the runtime looks for silent workers; bounds lost detection at timeout + this. */
  readonly livenessCheckMs: number;
  /**
   * After a restart, how long the workers of reloaded attempts have to reconnect before any is
   * declared lost: well past a worker's reconnect interval (at most ~1 s), so work that finished
   * while the runtime was down is delivered, not run again.
   */
  readonly restartGraceMs: number;
  /**
   * How long a worker may report attempts this runtime does not hold before it is told to cancel
   * them: 0 alone; a replica gives another replica's dead executions time to be adopted here (a
   * worker that failed over keeps running what the dead replica gave it).
   */
  readonly foreignLeaseGraceMs: number;
  /** System retries (lost workers, preemption) when a task's RetryPolicy gives none. */
  readonly systemRetries: number;
  /** First user-retry backoff when a task's RetryPolicy gives none. */
  readonly retryBackoffMs: number;
  /** Cap on a retry backoff when a task's RetryPolicy gives none. */
  readonly retryMaxDelayMs: number;
  /** Backoff before a system retry (a lost worker's attempt). */
  readonly systemRetryBackoffMs: number;
  /** Sensor poke interval and timeout when the spec gives none. */
  readonly sensorPokeMs: number;
  readonly sensorTimeoutMs: number;
  /** Default page size of ListExecutions. */
  readonly listLimit: number;
  /**
   * CreateExecution's response lists the nodes (all just created) only up to this many; past it
   * the Execution comes without nodes (watch it or GetExecution for them), since encoding a
   * 10,000-node snapshot nobody reads cost more than running the first tasks.
   */
  readonly createResponseMaxNodes: number;
  /** An execution with at least this many nodes gets one full GC this long after it ends (scheduler/memory-release.ts). */
  readonly releaseMemoryMinNodes: number;
  readonly releaseMemoryDelayMs: number;
  /**
   * The most nodes one execution may have once subworkflows, branch arms and map items are
   * expanded (`weir server --max-nodes`): a larger spec is refused at RegisterWorkflow and
   * CreateExecution, a map whose list would pass it fails when it starts (scheduler/model/limits.ts).
   */
  readonly maxNodes: number;
}

export const RUNTIME_DEFAULTS: RuntimeConfig = Object.freeze({
  heartbeatIntervalMs: 1_000,
  heartbeatTimeoutMs: 3_000,
  livenessCheckMs: 200,
  restartGraceMs: 10_000,
  foreignLeaseGraceMs: 0,
  systemRetries: 3,
  retryBackoffMs: 1_000,
  retryMaxDelayMs: 60_000,
  systemRetryBackoffMs: 0,
  sensorPokeMs: 30_000,
  sensorTimeoutMs: 24 * 3_600_000,
  listLimit: 100,
  releaseMemoryMinNodes: 5_000,
  releaseMemoryDelayMs: 100,
  createResponseMaxNodes: 1_000,
  maxNodes: 100_000,
});

export interface ServerOptions {
  /** `sqlite:<path>`, `sqlite::memory:` for a throwaway store, or `postgres://user@host:port/database`. */
  readonly storeUrl: string;
  /** 0 picks any free port. */
  readonly port: number;
  readonly host: string;
  /**
   * host:port other replicas and redirected workers reach this one at (`--advertise`); unset: the
   * listening address, with this machine's hostname in place of a wildcard host (0.0.0.0, ::).
   */
  readonly advertise?: string;
  /** Where workers write outputs (made absolute against projectRoot). */
  readonly artifactRoot: string;
  /** Relative sensor paths resolve against this, and sensor paths must stay inside it (or `sensorRoots`). */
  readonly projectRoot: string;
  /** Further directories sensor paths may name (`--sensor-root`, repeatable). */
  readonly sensorRoots: readonly string[];
  /** See RuntimeConfig.maxNodes. */
  readonly maxNodes: number;
  /**
   * On stop, how long calls in progress (an upload, a unary call waiting for its commit) may take
   * to finish once worker streams and watches have been ended; then they are cancelled.
   */
  readonly stopGraceMs: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  /** After a restart, how long workers have to come back before their attempts are lost. */
  readonly restartGraceMs: number;
  /** pino level: "info", "debug", "silent", ... */
  readonly logLevel: string;
  /** PEM certificate chain and private key: the server speaks TLS when set, plaintext otherwise. */
  readonly tls?: ServerTls;
  /** When set, every call but health checking must carry `authorization: Bearer <token>`. */
  readonly token?: string;
  /**
   * The HTTP port (the web UI, `/metrics`, AdminService over Connect), on `host`: a port (0: any
   * free one; one in use fails the start), or false for none. Unset: HTTP_DEFAULTS.port beside the
   * gRPC port, or any free port when that one is taken or when `port` is 0.
   */
  readonly httpPort?: number | false;
  /** The folder of the web UI's files (index.html and assets); unset: ui/'s own build, made on first visit. */
  readonly uiRoot?: string;
}

export interface ServerTls {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export const SERVER_DEFAULTS: Omit<ServerOptions, "projectRoot"> = Object.freeze({
  storeUrl: "sqlite:.weir/weir.db",
  port: 7070,
  host: "127.0.0.1",
  artifactRoot: ".weir/artifacts",
  heartbeatIntervalMs: RUNTIME_DEFAULTS.heartbeatIntervalMs,
  heartbeatTimeoutMs: RUNTIME_DEFAULTS.heartbeatTimeoutMs,
  restartGraceMs: RUNTIME_DEFAULTS.restartGraceMs,
  logLevel: process.env.WEIR_LOG_LEVEL ?? "info",
  sensorRoots: [],
  maxNodes: RUNTIME_DEFAULTS.maxNodes,
  stopGraceMs: 5_000,
});

/** The HTTP port's defaults (`weir server --http`). */
export const HTTP_DEFAULTS = Object.freeze({
  /** Beside the gRPC port's 7070. */
  port: 7071,
});

/** UploadArtifact (`weir run --input name=@path`): shared by the CLI, which checks first, and the runtime. */
export const UPLOAD_LIMITS = Object.freeze({
  /** The most one upload (a file, or a directory's files together) may hold: 1 GiB. */
  maxBytes: 1024 * 1024 * 1024,
  /** The bytes a client sends per message (well under UploadArtifact's 4 MiB message limit, server/message-limits.ts). */
  chunkBytes: 1024 * 1024,
});
