// Runs TypeScript task attempts inside a task host (a worker thread, or a child process for GPU
// tasks): checks the code hash against the compiled version, loads the module, converts inputs,
// calls the task, checks and stores its outputs. Talks to the worker through `post` only.
import { mkdirSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { LiteralSetSchema, TaskTemplateSchema } from "../../proto/index.ts";
import type { LiteralSet, TaskTemplate } from "../../proto/index.ts";
import { fromLiteral, LiteralError } from "../../sdk/index.ts";
import { CodeHashError, taskCodeHash, taskVersion } from "../../compiler/code-hash.ts";
import { LocalArtifactStore } from "../artifacts/index.ts";
import { AttemptFailure, describeThrown } from "./attempt-failure.ts";
import { WORKER_DEFAULTS } from "./defaults.ts";
import { collectOutputs } from "./outputs.ts";
import type { Refinable } from "./outputs.ts";

/** Worker → host: run one attempt. Protobuf messages travel as bytes (structured clone loses them). */
export interface RunRequest {
  type: "run";
  id: string;
  task: Uint8Array;
  inputs: Uint8Array;
  executionId: string;
  nodeId: string;
  attempt: number;
  projectRoot: string;
  artifactRoot: string;
  workdir: string;
}

/** Worker → host: ask an attempt to stop (its ctx.signal aborts); the worker kills the host if it does not. */
export interface AbortRequest {
  type: "abort";
  id: string;
}

export type HostRequest = RunRequest | AbortRequest;

export type HostMessage =
  | { type: "log"; id: string; text: string }
  | { type: "done"; id: string; outputs?: Uint8Array; error?: { code: string; message: string } };

interface LoadedTask {
  fn: (inputs: Record<string, unknown>, ctx: unknown) => unknown;
  config?: { outputs?: Record<string, { kind?: string; schema?: Refinable }> };
}

interface VersionCheck {
  mtimeMs: number;
  checkedAt: number;
  version: string;
  codeHash: string;
}

export function createTaskRunner(post: (msg: HostMessage) => void): (req: HostRequest) => void {
  const stores = new Map<string, LocalArtifactStore>();
  const versions = new Map<string, VersionCheck>();
  const aborts = new Map<string, AbortController>();
  // Loaded modules by URL: import() of a cached module still crosses tsx's loader hooks, which
  // costs more than a no-op task, so each module is imported once per code hash.
  const modules = new Map<string, Promise<Record<string, unknown>>>();

  const storeFor = (root: string) => {
    let store = stores.get(root);
    if (!store) stores.set(root, (store = new LocalArtifactStore(root)));
    return store;
  };

  // The version this worker's code would compile to, recomputed when the module file changes
  // (and at most every codeHashRecheckMs otherwise, to notice edits to imported modules).
  const currentVersion = (req: RunRequest, task: TaskTemplate, modulePath: string): VersionCheck => {
    const key = `${modulePath}#${task.runtime.case === "node" ? task.runtime.value.exportName : ""}#${task.version}`;
    const mtimeMs = statSync(modulePath).mtimeMs;
    const cached = versions.get(key);
    const now = Date.now();
    if (cached && cached.mtimeMs === mtimeMs && now - cached.checkedAt < WORKER_DEFAULTS.codeHashRecheckMs) return cached;
    const runtime = task.runtime.value as { module: string; exportName: string };
    const codeHash = taskCodeHash(req.projectRoot, runtime.module, runtime.exportName);
    const check = { mtimeMs, checkedAt: now, codeHash, version: taskVersion(task.interface!, codeHash) };
    versions.set(key, check);
    return check;
  };

  async function load(req: RunRequest, task: TaskTemplate): Promise<LoadedTask> {
    if (task.runtime.case !== "node") throw new AttemptFailure("TASK_NOT_FOUND", `task '${task.name}' is not a TypeScript task`);
    const { module, exportName } = task.runtime.value;
    const modulePath = resolve(req.projectRoot, module);
    let check: VersionCheck;
    try {
      check = currentVersion(req, task, modulePath);
    } catch (err) {
      if (err instanceof CodeHashError || (err as NodeJS.ErrnoException).code === "ENOENT") {
        throw new AttemptFailure("TASK_NOT_FOUND", `task '${task.name}': ${(err as Error).message} (worker project root ${req.projectRoot}); start the worker in the project the workflow was compiled from`);
      }
      throw err;
    }
    if (check.version !== task.version) {
      throw new AttemptFailure(
        "CODE_HASH_MISMATCH",
        `task '${task.name}' in ${module} changed since it was compiled (spec version ${task.version.slice(0, 12) || "(none)"}, code on this worker ${check.version.slice(0, 12)}); run \`weir compile\` and \`weir register\` again`,
      );
    }
    // The code hash in the URL makes a recompiled module load fresh instead of from the ESM cache.
    const url = `${pathToFileURL(modulePath).href}?v=${check.codeHash.slice(0, 16)}`;
    let loading = modules.get(url);
    if (!loading) {
      loading = import(url) as Promise<Record<string, unknown>>;
      modules.set(url, loading);
      loading.catch(() => modules.delete(url));
    }
    const mod = await loading;
    const exported = mod[exportName] as LoadedTask | undefined;
    if (!exported || typeof exported.fn !== "function") {
      throw new AttemptFailure("TASK_NOT_FOUND", `module ${module} has no exported TypeScript task '${exportName}' (found ${exported === undefined ? "nothing" : typeof exported})`);
    }
    return exported;
  }

  async function run(req: RunRequest, abort: AbortController): Promise<Uint8Array> {
    const task = fromBinary(TaskTemplateSchema, req.task);
    const inputs = fromBinary(LiteralSetSchema, req.inputs);
    const loaded = await load(req, task);
    const store = storeFor(req.artifactRoot);
    const values = await readInputs(task, inputs, store);
    let workdir: string | undefined;
    const ctx = {
      log: (text: string) => post({ type: "log", id: req.id, text: String(text) }),
      attempt: req.attempt,
      executionId: req.executionId,
      nodeId: req.nodeId,
      signal: abort.signal,
      // Made on first use: most tasks never touch it, and 10,000 empty dirs help nobody.
      get workdir(): string {
        if (!workdir) mkdirSync((workdir = req.workdir), { recursive: true });
        return workdir;
      },
    };
    let produced: unknown;
    try {
      produced = await loaded.fn(values, ctx);
    } catch (err) {
      throw new AttemptFailure("TASK_FAILED", `task '${task.name}' threw: ${describeThrown(err)}`);
    }
    const refinements: Record<string, Refinable | undefined> = {};
    for (const [name, type] of Object.entries(loaded.config?.outputs ?? {})) {
      if (type?.kind === "struct" && typeof type.schema?.safeParse === "function") refinements[name] = type.schema;
    }
    const outputs = await collectOutputs(produced, task.interface?.outputs ?? [], store, refinements);
    return toBinary(LiteralSetSchema, outputs);
  }

  return (req) => {
    if (req.type === "abort") {
      aborts.get(req.id)?.abort(new Error("cancelled"));
      return;
    }
    const abort = new AbortController();
    aborts.set(req.id, abort);
    run(req, abort).then(
      (outputs) => post({ type: "done", id: req.id, outputs }),
      (err: unknown) => {
        const failure =
          err instanceof AttemptFailure
            ? { code: err.code, message: err.message }
            : err instanceof LiteralError
              ? { code: "OUTPUT_INVALID", message: err.message }
              : { code: "TASK_FAILED", message: describeThrown(err) };
        post({ type: "done", id: req.id, error: failure });
      },
    ).finally(() => aborts.delete(req.id));
  };
}

async function readInputs(task: TaskTemplate, inputs: LiteralSet, store: LocalArtifactStore): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const variable of task.interface?.inputs ?? []) {
    const lit = inputs.literals[variable.name];
    const label = `input '${variable.name}'`;
    if (!lit) {
      if (variable.type?.type.case === "optional") continue;
      problems.push(`${label}: missing (the task declares it, the assignment did not carry it)`);
      continue;
    }
    try {
      values[variable.name] = await fromLiteral(lit, variable.type!, store, label);
    } catch (err) {
      problems.push(err instanceof LiteralError ? err.message : `${label}: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0) throw new AttemptFailure("INPUT_INVALID", problems.join("\n"));
  return values;
}

