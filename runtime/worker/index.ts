// The worker: what `weir worker` runs. Public: the Worker class, runWorker, the CLI command, GPU discovery.
export { Worker, runWorker } from "./worker.ts";
export type { WorkerOptions } from "./worker.ts";
export { addWorkerCommand } from "./cli.ts";
export { discoverGpus, parseNvidiaSmi } from "./gpus.ts";
export { WORKER_DEFAULTS } from "./defaults.ts";
