// Runs a command task: its own process (its arguments never pass through a shell) in a process
// group of its own that dies with the worker (process-group.ts), in a fresh attempt directory,
// inputs written as files plus `inputs.json`, outputs read back from `$WEIR_OUTPUTS_DIR`
// (outputs.json, <name>.arrow or <name>.csv), stdout/stderr streamed as log lines, a non-zero exit
// reported as COMMAND_FAILED.
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { Table, tableFromIPC, tableToIPC } from "apache-arrow";
import { SimpleType } from "../../proto/index.ts";
import type { LiteralSet, LiteralType, TaskTemplate } from "../../proto/index.ts";
import { csvToTable, fromLiteral, LiteralError, tableToCsv } from "../../sdk/values.ts";
import type { LocalArtifactStore } from "../artifacts/index.ts";
import { AttemptFailure } from "./attempt-failure.ts";
import { gpuEnv } from "./gpus.ts";
import type { AttemptHandle, AttemptOutcome } from "./executor.ts";
import { collectOutputs } from "./outputs.ts";
import { spawnInGroup } from "./process-group.ts";

export interface CommandAttempt {
  task: TaskTemplate;
  inputs: LiteralSet;
  projectRoot: string;
  /** A fresh directory for this attempt; inputs/ and outputs/ are made inside it. */
  attemptDir: string;
  gpus: number[];
  store: LocalArtifactStore;
  stderrTailLines: number;
  killGraceMs: number;
  onLog(stream: "stdout" | "stderr" | "task", text: string): void;
  /** The command's process was started (epoch ms): its timeout counts from here. */
  onStarted?(atMs: number): void;
}

export function startCommand(attempt: CommandAttempt): AttemptHandle {
  let stopRequested = false;
  let kill: (() => void) | undefined;
  const done = runCommand(attempt, (k) => {
    kill = k;
    if (stopRequested) k();
  }).then(
    (outputs): AttemptOutcome => ({ outputs, workdir: attempt.attemptDir }),
    (err: unknown): AttemptOutcome => ({
      workdir: attempt.attemptDir,
      error:
        err instanceof AttemptFailure
          ? { code: err.code, message: err.message }
          : err instanceof LiteralError
            ? { code: "OUTPUT_INVALID", message: err.message }
            : { code: "COMMAND_FAILED", message: (err as Error).message },
    }),
  );
  return {
    done,
    stop: () => {
      stopRequested = true;
      kill?.();
    },
  };
}

async function runCommand(a: CommandAttempt, onSpawn: (kill: () => void) => void): Promise<LiteralSet> {
  const spec = a.task.runtime.case === "command" ? a.task.runtime.value : undefined;
  if (!spec || spec.command.length === 0) throw new AttemptFailure("TASK_NOT_FOUND", `task '${a.task.name}' has no command to run`);
  const inputsDir = join(a.attemptDir, "inputs");
  const outputsDir = join(a.attemptDir, "outputs");
  await mkdir(inputsDir, { recursive: true });
  await mkdir(outputsDir, { recursive: true });
  const manifestPath = join(a.attemptDir, "inputs.json");
  await writeFile(manifestPath, JSON.stringify(await writeInputs(a, inputsDir), null, 2));

  const [program, ...rest] = spec.command;
  const cwd = spec.cwd ? resolve(a.projectRoot, spec.cwd) : a.attemptDir;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...spec.env,
    WEIR_INPUTS_DIR: inputsDir,
    WEIR_OUTPUTS_DIR: outputsDir,
    WEIR_MANIFEST: manifestPath,
    ...gpuEnv(a.gpus),
  };
  const stderrTail: string[] = [];
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit, reject) => {
    const group = spawnInGroup(program, [...rest, ...spec.args], { cwd, env });
    const child = group.child;
    onSpawn(() => {
      group.kill("SIGTERM");
      setTimeout(() => group.kill("SIGKILL"), a.killGraceMs).unref();
    });
    lines(child.stdout, (line) => a.onLog("stdout", line));
    lines(child.stderr, (line) => {
      stderrTail.push(line);
      if (stderrTail.length > a.stderrTailLines) stderrTail.shift();
      a.onLog("stderr", line);
    });
    child.once("spawn", () => a.onStarted?.(Date.now()));
    child.on("error", (err) =>
      reject(new AttemptFailure("COMMAND_FAILED", `could not start '${program}' (cwd ${cwd}): ${err.message}; is it installed and on PATH?`)),
    );
    child.on("close", (code, signal) => resolveExit({ code, signal }));
  });
  if (exit.code !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    // The group's leader shell reports a program it could not exec as 127 (not found) or 126.
    const unstartable =
      exit.code === 127 || exit.code === 126 ? `; if '${program}' could not be started (cwd ${cwd}): is it installed, executable and on PATH?` : "";
    const tail = stderrTail.length ? `\nstderr (last ${stderrTail.length} lines):\n${stderrTail.join("\n")}` : " (no stderr)";
    throw new AttemptFailure("COMMAND_FAILED", `command '${spec.command.join(" ")}' ${how}${unstartable}${tail}`);
  }
  return collectOutputs(await readOutputs(a, outputsDir), a.task.interface?.outputs ?? [], a.store);
}

function lines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const part of parts) onLine(part.replace(/\r$/, ""));
  });
  stream.on("end", () => {
    if (buffered) onLine(buffered);
  });
}

// ---- inputs -----------------------------------------------------------------------------------

async function writeInputs(a: CommandAttempt, dir: string): Promise<Record<string, unknown>> {
  const manifest: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const variable of a.task.interface?.inputs ?? []) {
    const lit = a.inputs.literals[variable.name];
    if (!lit) {
      if (variable.type?.type.case !== "optional") problems.push(`input '${variable.name}': missing from the assignment`);
      continue;
    }
    try {
      const value = await fromLiteral(lit, variable.type!, a.store, `input '${variable.name}'`);
      manifest[variable.name] = await manifestValue(value, variable.type, dir, variable.name);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (problems.length > 0) throw new AttemptFailure("INPUT_INVALID", problems.join("\n"));
  return manifest;
}

// JSON for scalars and structures; tables written as <name>.arrow and <name>.csv; files by path.
async function manifestValue(value: unknown, type: LiteralType | undefined, dir: string, name: string): Promise<unknown> {
  if (value === undefined) return null;
  if (value instanceof Table) {
    const arrowPath = join(dir, `${name}.arrow`);
    const csvPath = join(dir, `${name}.csv`);
    await writeFile(arrowPath, tableToIPC(value, "file"));
    await writeFile(csvPath, tableToCsv(value));
    return { path: arrowPath, csv: csvPath, format: "arrow", rows: value.numRows };
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) {
    const item = type?.type.case === "collection" ? type.type.value.item : undefined;
    return Promise.all(value.map((v, i) => manifestValue(v, item, dir, `${name}.${i}`)));
  }
  if (value !== null && typeof value === "object") {
    if (type?.type.case === "blob") return value;
    const valueType = type?.type.case === "map" ? type.type.value.value : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = valueType ? await manifestValue(v, valueType, dir, `${name}.${k}`) : v;
    return out;
  }
  return value;
}

// ---- outputs ----------------------------------------------------------------------------------

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

async function readOutputs(a: CommandAttempt, dir: string): Promise<Record<string, unknown>> {
  const outputs = a.task.interface?.outputs ?? [];
  const jsonPath = join(dir, "outputs.json");
  let written: Record<string, unknown> = {};
  if (await exists(jsonPath)) {
    try {
      written = JSON.parse(await readFile(jsonPath, "utf8")) as Record<string, unknown>;
    } catch (err) {
      throw new AttemptFailure("OUTPUT_INVALID", `$WEIR_OUTPUTS_DIR/outputs.json is not valid JSON: ${(err as Error).message}`);
    }
  }
  const values: Record<string, unknown> = {};
  for (const output of outputs) {
    const t = output.type?.type;
    const given = written[output.name];
    if (t?.case === "dataframe") {
      const path = typeof given === "object" && given && "path" in given ? resolveIn(dir, String((given as { path: string }).path)) : undefined;
      const arrowPath = path ?? join(dir, `${output.name}.arrow`);
      const csvPath = path ?? join(dir, `${output.name}.csv`);
      if (arrowPath.endsWith(".arrow") && (await exists(arrowPath))) values[output.name] = tableFromIPC(await readFile(arrowPath));
      else if (await exists(csvPath)) {
        try {
          values[output.name] = csvToTable(await readFile(csvPath, "utf8"), t.value);
        } catch (err) {
          throw new AttemptFailure("OUTPUT_INVALID", `output '${output.name}': ${(err as Error).message}`);
        }
      }
      continue;
    }
    if (t?.case === "blob") {
      if (given && typeof given === "object" && "path" in given) {
        values[output.name] = { ...(given as object), path: resolveIn(dir, String((given as { path: string }).path)) };
      } else if (typeof given === "string") values[output.name] = { path: resolveIn(dir, given) };
      else if (await exists(join(dir, output.name))) values[output.name] = { path: join(dir, output.name) };
      continue;
    }
    values[output.name] = jsonToValue(given, output.type);
  }
  return values;
}

function resolveIn(dir: string, path: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

/** JSON as written by a script → the JS value toLiteral expects (datetimes as Date). */
function jsonToValue(value: unknown, type: LiteralType | undefined): unknown {
  const t = type?.type;
  if (value === null || value === undefined) return undefined;
  switch (t?.case) {
    case "simple":
      if (t.value === SimpleType.DATETIME && typeof value === "string") return new Date(value);
      if (t.value === SimpleType.INTEGER && typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
      return value;
    case "optional":
      return jsonToValue(value, t.value.inner);
    case "collection":
      return Array.isArray(value) ? value.map((v) => jsonToValue(v, t.value.item)) : value;
    case "map":
      return typeof value === "object" && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, jsonToValue(v, t.value.value)]))
        : value;
    default:
      return value;
  }
}
