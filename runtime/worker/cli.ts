// `weir worker`: the command that starts a worker in the current project.
import type { Command } from "commander";
import { formatDuration, parseDuration } from "../../core/index.ts";
import type { SecurityFlags } from "../channel-security.ts";
import { WORKER_DEFAULTS, type ArtifactsFlag } from "./defaults.ts";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface WorkerFlags extends SecurityFlags {
  server: string;
  pool?: string[];
  concurrency: string;
  gpus: string;
  gpuName?: string;
  label?: string[];
  id?: string;
  threads: string;
  drainTimeout: string;
  keepFailedWork: string;
  artifacts: string;
  artifactCache?: string;
}

const ARTIFACTS_FLAGS: readonly ArtifactsFlag[] = ["auto", "shared", "remote"];

/** "30s" → 30000; undefined when the text is not a duration. */
function durationFlag(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

export function addWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description("Run tasks for the runtime (start it in the project root)")
    .requiredOption("--server <host:port>", "the runtime's gRPC address (https://host:port for TLS); several replicas separated by commas, tried in turn")
    .option("--tls", "speak TLS, trusting the system's CAs")
    .option("--tls-ca <pem>", "speak TLS, trusting this CA (default $WEIR_TLS_CA)")
    .option("--token-file <file>", "send the token in this file (default $WEIR_TOKEN)")
    .option("--pool <name>", "a pool this worker serves (repeatable)", collect)
    .option("--concurrency <n>", "attempts run at once", String(WORKER_DEFAULTS.concurrency))
    .option("--gpus <auto|N>", "GPUs: 'auto' asks nvidia-smi, N declares devices 0..N-1", "0")
    .option("--gpu-name <model>", "the model of the devices --gpus N declares (e.g. 'NVIDIA A100'), so tasks with a gpuType can match them")
    .option("--label <k=v>", "a label the scheduler may match (repeatable)", collect)
    .option("--id <name>", "a stable worker id (kept across reconnects)")
    .option("--threads <n>", "task threads for TypeScript tasks", String(WORKER_DEFAULTS.threads))
    .option(
      "--drain-timeout <duration>",
      "on SIGTERM/SIGINT, how long running attempts may finish before they are stopped",
      formatDuration(WORKER_DEFAULTS.drainTimeoutMs),
    )
    .option(
      "--keep-failed-work <duration>",
      "how long a failed attempt's work directory (.weir/work/…) is kept; 0s removes it",
      formatDuration(WORKER_DEFAULTS.keepFailedWorkMs),
    )
    .option(
      "--artifacts <auto|shared|remote>",
      "how to reach the runtime's artifacts: its disk (shared), its ArtifactService (remote, for a worker on another host), or auto: shared only where the runtime's store id is found at its artifact root",
      WORKER_DEFAULTS.artifacts,
    )
    .option("--artifact-cache <dir>", `where a remote worker keeps the artifacts it fetched and produced (default ${WORKER_DEFAULTS.artifactCacheDir})`)
    .action(async (opts: WorkerFlags) => {
      const concurrency = Number.parseInt(opts.concurrency, 10);
      const threads = Number.parseInt(opts.threads, 10);
      if (!(concurrency > 0) || !(threads > 0)) {
        program.error(`--concurrency and --threads take a positive integer (got ${opts.concurrency}, ${opts.threads})`, { exitCode: 2 });
      }
      const drainTimeoutMs = durationFlag(opts.drainTimeout);
      const keepFailedWorkMs = durationFlag(opts.keepFailedWork);
      if (drainTimeoutMs === undefined || keepFailedWorkMs === undefined) {
        program.error(`--drain-timeout and --keep-failed-work take a duration such as 30s, 15m or 24h (got ${opts.drainTimeout}, ${opts.keepFailedWork})`, {
          exitCode: 2,
        });
      }
      if (!ARTIFACTS_FLAGS.includes(opts.artifacts as ArtifactsFlag)) {
        program.error(`--artifacts takes ${ARTIFACTS_FLAGS.join(", ")} (got ${opts.artifacts})`, { exitCode: 2 });
      }
      const gpus = opts.gpus === "auto" ? "auto" : Number.parseInt(opts.gpus, 10);
      if (gpus !== "auto" && !(gpus >= 0)) program.error(`--gpus takes 'auto' or a number (got ${opts.gpus})`, { exitCode: 2 });
      if (opts.gpuName !== undefined && !(typeof gpus === "number" && gpus > 0)) {
        program.error(
          `--gpu-name names the devices --gpus N declares; with --gpus ${opts.gpus} there are none to name${gpus === "auto" ? " (nvidia-smi names what it finds)" : ""}`,
          { exitCode: 2 },
        );
      }
      const labels: Record<string, string> = {};
      for (const label of opts.label ?? []) {
        const eq = label.indexOf("=");
        if (eq <= 0) program.error(`--label ${label} is not k=v (e.g. --label zone=eu-west-1)`, { exitCode: 2 });
        labels[label.slice(0, eq)] = label.slice(eq + 1);
      }
      // Imported here so other commands never load gRPC or the worker.
      const { resolveChannel } = await import("../channel-security.ts");
      const { CredentialError } = await import("../credentials.ts");
      let channel: ReturnType<typeof resolveChannel>;
      try {
        // Several replicas: one address each, one TLS and token setting for all.
        const channels = String(opts.server)
          .split(",")
          .filter((a) => a.trim())
          .map((a) => resolveChannel(a.trim(), opts));
        channel = { target: channels.map((c) => c.target).join(","), security: channels[0]!.security };
      } catch (err) {
        if (err instanceof CredentialError) program.error(`error [${err.code}]: ${err.message}`, { exitCode: 2 });
        throw err;
      }
      const { runWorker } = await import("./worker.ts");
      const { ConnectionRefused } = await import("./connection.ts");
      await runWorker({
        server: channel.target,
        security: channel.security,
        pools: opts.pool?.length ? opts.pool : WORKER_DEFAULTS.pools,
        concurrency,
        threads,
        gpus,
        gpuName: opts.gpuName,
        labels,
        id: opts.id ?? "",
        projectRoot: process.cwd(),
        drainTimeoutMs,
        keepFailedWorkMs,
        artifacts: opts.artifacts as ArtifactsFlag,
        artifactCache: opts.artifactCache ?? "",
      }).catch((err: unknown) => {
        if (!(err instanceof ConnectionRefused)) throw err;
        process.stderr.write(`error [${err.code}]: ${err.message}\n`);
        process.exit(1);
      });
    });
}
