// The client commands of `weir` (register, run, executions, status, logs, terminate, workers,
// workflows, backfill, recover, clear, demo): each adds itself to the program and loads what it
// needs only when it runs. They reach the runtime through AdminService alone (runtime/client.ts).
export { addBackfillCommand } from "./backfill.ts";
export { addClearCommand } from "./clear.ts";
export { addDemoCommand } from "./demo.ts";
export { addExecutionsCommand } from "./executions.ts";
export { addLogsCommand } from "./logs.ts";
export { addRecoverCommand } from "./recover.ts";
export { addRegisterCommand } from "./register.ts";
export { addRunCommand } from "./run.ts";
export { addStatusCommand } from "./status.ts";
export { addTerminateCommand } from "./terminate.ts";
export { addWorkersCommand } from "./workers.ts";
export { addWorkflowsCommand } from "./workflows.ts";
