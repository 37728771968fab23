// The weir runtime: the control plane (server, store, scheduler). Public: startServer for embedding
// (demo, e2e tests), addServerCommand for the CLI, the Store contract, defaults and error codes.
export { startServer, addServerCommand, type RunningServer } from "./server/index.ts";
export { RUNTIME_DEFAULTS, SERVER_DEFAULTS, type RuntimeConfig, type ServerOptions } from "./config.ts";
export { ATTEMPT_ERROR_CODES, RUNTIME_ERROR_CODES, RuntimeError, errorCodeInfo, type AttemptErrorCode, type RuntimeErrorCode } from "./error-codes.ts";
export { openStore, type Store } from "./store/index.ts";
export { createLogger, type Logger } from "./log.ts";
