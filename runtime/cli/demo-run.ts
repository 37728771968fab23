// The body of `weir demo`, loaded only when the command runs (it pulls in the runtime, the
// compiler and gRPC). Every part it starts is stopped again, whatever happens.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { formatDuration } from "../../core/index.ts";
import { NodeState, ExecutionState, type ExecutionEvent } from "../../proto/index.ts";
import { connectAdmin } from "../client.ts";
import { startServer } from "../server/index.ts";
import { discoverGpus } from "../worker/index.ts";
import { CliError } from "./action.ts";
import { generatePartition } from "./demo-data.ts";
import { DEMO_DEFAULTS } from "./demo.ts";
import { followExecution } from "./follow.ts";
import { parseInputs } from "./inputs.ts";
import { colors, formatLiteral, renderSummary } from "./render.ts";
import { compileProject } from "./spec-source.ts";

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const WEIR_BIN = join(PACKAGE_ROOT, "bin", "weir.js");
const PROJECT = join(PACKAGE_ROOT, "examples", "ml-pipeline");

export interface DemoSettings {
  day: string;
  rows: number;
}

const say = (line = "") => process.stdout.write(`${line}\n`);

export async function runDemo(settings: DemoSettings): Promise<number> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(settings.day)) throw new CliError("BAD_DAY", `--day ${settings.day} is not a date like 2024-05-01`, 2);
  if (!(settings.rows > 0)) throw new CliError("BAD_ROWS", "--rows takes a positive integer", 2);
  const stateDir = resolve(DEMO_DEFAULTS.stateDir);
  await mkdir(stateDir, { recursive: true });
  // A fresh partition every time, so the sensor is seen waiting for it.
  const partitionDir = join(PROJECT, "data", "incoming", settings.day);
  await rm(partitionDir, { recursive: true, force: true });

  say(colors.bold("weir demo") + colors.dim(` — ${relative(process.cwd(), PROJECT) || PROJECT}, day ${settings.day}`));
  const server = await startServer({
    storeUrl: `sqlite:${join(stateDir, "weir.db")}`,
    port: 0,
    host: "127.0.0.1",
    artifactRoot: join(stateDir, "artifacts"),
    projectRoot: PROJECT,
    logLevel: process.env.WEIR_LOG_LEVEL ?? "error",
  });
  say(`  runtime   ${server.address}  ${colors.dim(`(store ${relative(process.cwd(), join(stateDir, "weir.db"))})`)}`);
  // The UI follows the run live while the demo lasts (the runtime stops with it).
  if (server.http) say(`  UI        ${server.http.url}  ${colors.dim("(open it to watch the run; /metrics beside it)")}`);

  const gpus = await discoverGpus("auto");
  const gpuFlag = gpus.devices.length > 0 ? "auto" : "1";
  const workerLog = join(stateDir, "demo-worker.log");
  const worker = startWorker(server.address, gpuFlag, workerLog);
  say(`  worker    pid ${worker.pid}, pools cpu+gpu  ${colors.dim(`(log ${relative(process.cwd(), workerLog)})`)}`);
  if (gpus.devices.length === 0) {
    say(colors.yellow(`  note      no GPU here (${gpus.note.split(";")[0]}); the local worker serves pool "gpu" with one`));
    say(colors.yellow(`            declared device, so "train" runs on the CPU. On a GPU machine it gets a real one.`));
  } else {
    say(`  gpus      ${gpus.note}`);
  }

  const client = connectAdmin(server.address);
  const workerExit = new Promise<never>((_, reject) =>
    worker.once("exit", (code, signal) =>
      reject(new CliError("WORKER_EXITED", `the demo worker exited early (${signal ?? `code ${code}`}); see ${workerLog}`)),
    ),
  );
  workerExit.catch(() => {});
  const interrupted = new AbortController();
  const onSigint = () => interrupted.abort();
  process.once("SIGINT", onSigint);
  try {
    const started = performance.now();
    const specs = await compileProject(PROJECT);
    say(`  compiled  ${specs.length} workflow(s) in ${formatDuration(performance.now() - started)}`);
    for (const spec of specs) {
      const r = await client.registerWorkflow({ spec });
      say(`  register  ${r.name}@${r.version.slice(0, 12)} ${colors.dim(r.created ? "created" : "unchanged")}`);
    }
    const spec = specs.find((s) => s.workflow?.name === DEMO_DEFAULTS.workflow);
    if (!spec) throw new CliError("NO_DEMO_WORKFLOW", `${PROJECT} has no workflow named ${DEMO_DEFAULTS.workflow}`);
    const inputs = await parseInputs([`day=${settings.day}`], spec.workflow?.interface?.inputs ?? [], DEMO_DEFAULTS.workflow);
    const { execution } = await client.createExecution({ workflow: DEMO_DEFAULTS.workflow, inputs: { literals: inputs } });
    if (!execution) throw new CliError("NO_EXECUTION", "CreateExecution answered without an execution");
    say(`  run       ${execution.id}`);
    say();

    const data = dropPartitionOnWait(settings);
    const final = await Promise.race([
      followExecution(client, execution.id, {
        spec,
        write: say,
        onEvent: data.onEvent,
        signal: interrupted.signal,
      }),
      workerExit,
    ]).finally(() => data.cancel());
    say(renderSummary(final));
    say(renderArtifacts(final.nodes));
    return final.state === ExecutionState.SUCCEEDED ? 0 : 1;
  } catch (err) {
    if (interrupted.signal.aborted) {
      say(colors.yellow("\ninterrupted — stopping the worker and the runtime"));
      return 130;
    }
    throw err;
  } finally {
    process.off("SIGINT", onSigint);
    client.close();
    await stopWorker(worker);
    await server.stop();
    if (process.exitCode && process.exitCode !== 0) await printTail(workerLog);
  }
}

function startWorker(address: string, gpus: string, logPath: string): ChildProcess {
  const log = createWriteStream(logPath, { flags: "w" });
  const child = spawn(
    process.execPath,
    // http:// keeps the worker on plaintext (the embedded runtime's) whatever $WEIR_TLS_CA says.
    [WEIR_BIN, "worker", "--server", `http://${address}`, "--pool", "cpu", "--pool", "gpu", "--gpus", gpus, "--id", "demo-worker"],
    { cwd: PROJECT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WEIR_LOG_LEVEL: process.env.WEIR_LOG_LEVEL ?? "info" } },
  );
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  child.once("exit", () => log.end());
  return child;
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), DEMO_DEFAULTS.workerStopMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Writes the day's partition once the sensor has visibly waited for it (or after a fallback
 * delay), the way an upstream export lands while the pipeline is already running.
 */
function dropPartitionOnWait(settings: DemoSettings): { onEvent: (e: ExecutionEvent) => void; cancel: () => void } {
  let scheduled = false;
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    void generatePartition(PROJECT, settings.day, { rows: settings.rows }).then((p) =>
      say(colors.dim(`  … ${relative(process.cwd(), p.path)} landed (${p.rows} rows)`)),
    );
  };
  const schedule = (delay: number) => {
    if (scheduled) return;
    scheduled = true;
    clearTimeout(timer);
    timer = setTimeout(write, delay);
  };
  timer = setTimeout(() => schedule(0), DEMO_DEFAULTS.dataFallbackMs);
  return {
    onEvent(event) {
      const nodes = event.snapshot ? event.snapshot.nodes : event.nodes;
      if (nodes.some((n) => n.state === NodeState.WAITING)) schedule(DEMO_DEFAULTS.dataDelayMs);
    },
    cancel: () => clearTimeout(timer),
  };
}

/** Where each node's table, file and value landed, so the reader can open them. */
function renderArtifacts(nodes: { nodeId: string; outputs?: { literals: Record<string, import("../../proto/index.ts").Literal> } }[]): string {
  const lines = ["", colors.bold("where the outputs landed")];
  for (const node of nodes) {
    for (const [name, literal] of Object.entries(node.outputs?.literals ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      let text = formatLiteral(literal);
      const uri = literal.value.case === "dataframe" || literal.value.case === "blob" ? literal.value.value.uri : undefined;
      if (uri?.startsWith("file://")) text = text.replace(uri, relative(process.cwd(), fileURLToPath(uri)));
      lines.push(`  ${`${node.nodeId}.${name}`.padEnd(24)} ${text}`);
    }
  }
  return lines.join("\n");
}

async function printTail(path: string): Promise<void> {
  const text = await readFile(path, "utf8").catch(() => "");
  const tail = text.trimEnd().split("\n").slice(-15);
  if (tail.length > 0 && tail[0] !== "") process.stderr.write(`${colors.dim(`last lines of ${path}:`)}\n${tail.join("\n")}\n`);
}
