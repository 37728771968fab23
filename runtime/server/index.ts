// The runtime's gRPC server: start it programmatically or add the `weir server` command.
export { startServer, type RunningServer } from "./server.ts";
export { addServerCommand } from "./cli.ts";
