// `weir worker`: the command that starts a worker in the current project.
import type { Command } from "commander";
import { WORKER_DEFAULTS } from "./defaults.ts";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("Run tasks for the runtime (start it in the project root)")
    .requiredOption("--server <host:port>", "the runtime's gRPC address")
    .option("--pool <name>", "a pool this worker serves (repeatable)", collect)
    .option("--concurrency <n>", "attempts run at once", String(WORKER_DEFAULTS.concurrency))
    .option("--gpus <auto|N>", "GPUs: 'auto' asks nvidia-smi, N declares devices 0..N-1", "0")
    .option("--label <k=v>", "a label the scheduler may match (repeatable)", collect)
    .option("--id <name>", "a stable worker id (kept across reconnects)")
    .option("--threads <n>", "task threads for TypeScript tasks", String(WORKER_DEFAULTS.threads))
    .action(async (opts: { server: string; pool?: string[]; concurrency: string; gpus: string; label?: string[]; id?: string; threads: string }) => {
      const concurrency = Number.parseInt(opts.concurrency, 10);
      const threads = Number.parseInt(opts.threads, 10);
      if (!(concurrency > 0) || !(threads > 0)) {
        program.error(`--concurrency and --threads take a positive integer (got ${opts.concurrency}, ${opts.threads})`, { exitCode: 2 });
      }
      const gpus = opts.gpus === "auto" ? "auto" : Number.parseInt(opts.gpus, 10);
      if (gpus !== "auto" && !(gpus >= 0)) program.error(`--gpus takes 'auto' or a number (got ${opts.gpus})`, { exitCode: 2 });
      const labels: Record<string, string> = {};
      for (const label of opts.label ?? []) {
        const eq = label.indexOf("=");
        if (eq <= 0) program.error(`--label ${label} is not k=v (e.g. --label zone=eu-west-1)`, { exitCode: 2 });
        labels[label.slice(0, eq)] = label.slice(eq + 1);
      }
      // Imported here so other commands never load gRPC or the worker.
      const { runWorker } = await import("./worker.ts");
      await runWorker({
        server: opts.server,
        pools: opts.pool?.length ? opts.pool : WORKER_DEFAULTS.pools,
        concurrency,
        threads,
        gpus,
        labels,
        id: opts.id ?? "",
        projectRoot: process.cwd(),
      });
    });
}
