// Runs TypeScript task attempts inside a task host (a worker thread, or a child process for GPU
// tasks): loads the module (the worker has checked its code hash against the compiled version),
// converts inputs, calls the task, checks and stores its outputs. Talks to the worker through
// `post` only.
//
// Protocol (worker → host): `config` (project and artifact roots) first, then `task` once per task
// template (its bytes, under a small id), then `runs` batches that name the template by id and
// carry only the attempt's own fields, and `abort`. Host → worker: `log`, `started` (a task with a
// timeout is about to be called: its timeout counts from here), and `done` batches. A template is
// decoded and its module loaded once per host, not per attempt.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { LiteralSetSchema, TaskTemplateSchema } from "../../proto/index.ts";
import type { LiteralSet, TaskTemplate } from "../../proto/index.ts";
import { fromLiteral, LiteralError } from "../../sdk/values.ts";
import { LocalArtifactStore } from "../artifacts/index.ts";
import { AttemptFailure, describeThrown } from "./attempt-failure.ts";
import { collectOutputs } from "./outputs.ts";
import type { Refinable } from "./outputs.ts";
import { TransferList } from "./transfer-list.ts";
import { attemptWorkDir } from "./work-dirs.ts";

/** Worker → host, first: where the project and the artifacts are (sent again if they change). */
export interface HostConfig {
  type: "config";
  projectRoot: string;
  artifactRoot: string;
}

/** Worker → host: a task template (protobuf bytes) the following runs name by `tid`. */
export interface TaskDefinition {
  type: "task";
  tid: number;
  task: Uint8Array;
}

/** One attempt: its lease (as the id), its template's id, its inputs (LiteralSet bytes). */
export interface RunItem {
  id: string;
  tid: number;
  inputs: Uint8Array;
  executionId: string;
  nodeId: string;
  attempt: number;
}

/** Worker → host: the attempts assigned in one event-loop turn. */
export interface RunBatch {
  type: "runs";
  runs: RunItem[];
}

/** Worker → host: ask an attempt to stop (its ctx.signal aborts); the worker kills the host if it does not. */
export interface AbortRequest {
  type: "abort";
  id: string;
}

export type HostRequest = HostConfig | TaskDefinition | RunBatch | AbortRequest;

/** An attempt's outcome: its outputs as LiteralSet bytes, or an error. */
export interface DoneItem {
  id: string;
  outputs?: Uint8Array;
  error?: { code: string; message: string };
  /** The attempt's work directory, when the task made one (ctx.workdir). */
  workdir?: string;
}

export type HostMessage =
  | { type: "log"; id: string; text: string }
  /** The task is about to be called (epoch ms); sent only for a task with a timeout. */
  | { type: "started"; id: string; at: number }
  | { type: "done"; results: DoneItem[] };

/** How a host sends: `transfer` lists buffers it gives away (ignored where it cannot transfer). */
export type HostPost = (msg: HostMessage, transfer?: ArrayBuffer[]) => void;

interface LoadedTask {
  fn: (inputs: Record<string, unknown>, ctx: unknown) => unknown;
  config?: { outputs?: Record<string, { kind?: string; schema?: Refinable }> };
}

interface Loaded {
  task: LoadedTask;
  refinements: Record<string, Refinable | undefined>;
}

/** A template as this host knows it: decoded and its module loaded once. */
interface Template {
  task: TaskTemplate;
  loading: Promise<Loaded> | undefined;
  /** Set once loaded: attempts then start without waiting a turn. */
  loaded: Loaded | undefined;
}

const NO_BYTES = new Uint8Array(0);
/** How long a timed task's call waits, turn by turn, for another's outputs to be stored. */
const MAX_YIELD_MS = 50;

/**
 * An attempt's cancellation. Its AbortSignal is made when the task first reads `ctx.signal`: making
 * one costs Node 20 more than running a short task, and most tasks never look.
 */
class Cancellation {
  /** The attempt's ctx once its task was called: its work directory, if made, goes with the outcome. */
  context: AttemptContext | undefined;
  /** A timed task returned and its outputs are being stored (counted in the host's timedCollecting). */
  collecting = false;
  private controller: AbortController | undefined;
  private reason: unknown;
  private aborted = false;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** What a task function gets as `ctx` (a class: cheaper to make than an object literal with getters). */
class AttemptContext {
  readonly attempt: number;
  readonly executionId: string;
  readonly nodeId: string;
  readonly #projectRoot: string;
  readonly #cancellation: Cancellation;
  #workdir: string | undefined;

  constructor(
    readonly log: (text: string) => void,
    item: RunItem,
    projectRoot: string,
    cancellation: Cancellation,
  ) {
    this.attempt = item.attempt;
    this.executionId = item.executionId;
    this.nodeId = item.nodeId;
    this.#projectRoot = projectRoot;
    this.#cancellation = cancellation;
  }

  get signal(): AbortSignal {
    return this.#cancellation.signal;
  }

  /** Made on first use: most tasks never touch it, and 10,000 empty dirs help nobody. */
  get workdir(): string {
    if (!this.#workdir) {
      // The worker checked the ids before sending the attempt; this cannot leave the work root.
      const dir = attemptWorkDir(this.#projectRoot, this.executionId, this.nodeId, this.attempt);
      mkdirSync(dir, { recursive: true });
      this.#workdir = dir;
    }
    return this.#workdir;
  }

  /** The work directory if the task made one. */
  get madeWorkdir(): string | undefined {
    return this.#workdir;
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as PromiseLike<unknown>).then === "function";
}

export function createTaskRunner(post: HostPost): (req: HostRequest) => void {
  let projectRoot = process.cwd();
  let store: LocalArtifactStore | undefined;
  let artifactRoot = "";
  const templates = new Map<number, Template>();
  /** Attempts in flight. */
  const aborts = new Map<string, Cancellation>();
  // Loaded modules by URL: import() of a cached module still crosses tsx's loader hooks, which
  // costs more than a no-op task, so each module is imported once per code hash.
  const modules = new Map<string, Promise<Record<string, unknown>>>();
  // Outcomes of this turn, posted together: one message per turn instead of one per attempt.
  let done: DoneItem[] = [];
  const transfer = new TransferList();
  let flushing = false;
  /** A `runs` batch is being started: outcomes that arrive meanwhile wait for its end. */
  let starting = false;
  /** An outcome waiting in `done` is of a task with a timeout (see call()). */
  let timedWaiting = false;
  /** Timed attempts whose task returned and whose outputs are being stored. */
  let timedCollecting = 0;

  const flush = (): void => {
    const results = done;
    done = [];
    timedWaiting = false;
    if (results.length > 0) post({ type: "done", results }, transfer.take());
  };
  const flushLater = (): void => {
    flushing = false;
    flush();
  };
  const finish = (item: DoneItem, timed = false): void => {
    if (timed) timedWaiting = true;
    const inFlight = aborts.get(item.id);
    if (inFlight?.collecting) timedCollecting--;
    const workdir = inFlight?.context?.madeWorkdir;
    if (workdir) item.workdir = workdir;
    aborts.delete(item.id);
    done.push(item);
    // A buffer of its own (toBinary's) is given away, not copied.
    transfer.add(item.outputs);
    // The last attempt in flight posts at once (a chain's hop waits on it); otherwise attempts
    // finishing in the same turn go together.
    if (aborts.size === 0 && !starting) flush();
    else if (!flushing) {
      flushing = true;
      setImmediate(flushLater);
    }
  };

  async function load(t: Template): Promise<Loaded> {
    const task = t.task;
    const { module, exportName } = task.runtime.value as { module: string; exportName: string };
    // The version (interface + code hash) in the URL makes a recompiled module load fresh instead
    // of from the ESM cache. The worker checked the code against it before sending the attempt.
    const url = `${pathToFileURL(resolve(projectRoot, module)).href}?v=${task.version.slice(0, 16)}`;
    let loading = modules.get(url);
    if (!loading) {
      loading = import(url) as Promise<Record<string, unknown>>;
      modules.set(url, loading);
      loading.catch(() => modules.delete(url));
    }
    const mod = await loading;
    const exported = mod[exportName] as LoadedTask | undefined;
    if (!exported || typeof exported.fn !== "function") {
      throw new AttemptFailure(
        "TASK_NOT_FOUND",
        `module ${module} has no exported TypeScript task '${exportName}' (found ${exported === undefined ? "nothing" : typeof exported})`,
      );
    }
    const refinements: Record<string, Refinable | undefined> = {};
    for (const [name, type] of Object.entries(exported.config?.outputs ?? {})) {
      if (type?.kind === "struct" && typeof type.schema?.safeParse === "function") refinements[name] = type.schema;
    }
    return { task: exported, refinements };
  }

  /**
   * Runs an attempt: its outputs' bytes, at once when every step is synchronous (a loaded module,
   * no inputs to read, a task that returns a plain value), else a promise. Throws or rejects with
   * the attempt's failure.
   */
  function run(item: RunItem, cancellation: Cancellation): Uint8Array | Promise<Uint8Array> {
    const t = templates.get(item.tid);
    if (!t)
      throw new AttemptFailure(
        "TASK_NOT_FOUND",
        `the task host was given attempt ${item.id} of template ${item.tid} before the template itself; this is a worker bug, retry the attempt`,
      );
    if (t.task.runtime.case !== "node") throw new AttemptFailure("TASK_NOT_FOUND", `task '${t.task.name}' is not a TypeScript task`);
    const loaded = t.loaded;
    if (!loaded) {
      if (!t.loading) {
        t.loading = load(t);
        t.loading.then(
          (l) => (t.loaded = l),
          () => (t.loading = undefined),
        );
      }
      return t.loading.then(() => run(item, cancellation));
    }
    const task = t.task;
    store ??= new LocalArtifactStore(artifactRoot);
    const declared = task.interface?.inputs ?? [];
    if (declared.length === 0) return call(task, loaded, item, {}, cancellation);
    return readInputs(task, item.inputs.byteLength ? fromBinary(LiteralSetSchema, item.inputs) : undefined, store).then((values) =>
      call(task, loaded, item, values, cancellation),
    );
  }

  function call(
    task: TaskTemplate,
    loaded: Loaded,
    item: RunItem,
    values: Record<string, unknown>,
    cancellation: Cancellation,
    since?: number,
  ): Uint8Array | Promise<Uint8Array> {
    // A timed task that returned is having its outputs stored (promise steps queued ahead of this
    // call or not): let it finish first, briefly, or code that holds the thread would hold its
    // outcome too, and the worker would time out an attempt that had ended in time.
    if (timedCollecting > 0) {
      const waitingSince = since ?? Date.now();
      if (Date.now() - waitingSince < MAX_YIELD_MS) {
        return new Promise<void>((r) => setImmediate(r)).then(() => call(task, loaded, item, values, cancellation, waitingSince));
      }
    }
    // Outcomes of timed tasks leave before this task's code runs, for the same reason.
    if (timedWaiting) flush();
    const ctx = new AttemptContext((text) => post({ type: "log", id: item.id, text: String(text) }), item, projectRoot, cancellation);
    cancellation.context = ctx;
    const timed = task.timeout !== undefined;
    // Its timeout counts from now, not from when it was queued here behind other attempts' code.
    if (timed) post({ type: "started", id: item.id, at: Date.now() });
    const threw = (err: unknown): never => {
      throw new AttemptFailure("TASK_FAILED", `task '${task.name}' threw: ${describeThrown(err)}`);
    };
    const returned = (value: unknown): Uint8Array | Promise<Uint8Array> => {
      if (timed && !cancellation.collecting) {
        cancellation.collecting = true;
        timedCollecting++;
      }
      return outputsOf(task, loaded, value);
    };
    let produced: unknown;
    try {
      produced = loaded.task.fn(values, ctx);
    } catch (err) {
      threw(err);
    }
    if (isThenable(produced)) return Promise.resolve(produced).then(returned, threw);
    return returned(produced);
  }

  /** Checks and stores what the task returned; nothing to do for a task that declares no outputs. */
  function outputsOf(task: TaskTemplate, loaded: Loaded, produced: unknown): Uint8Array | Promise<Uint8Array> {
    const outputs = task.interface?.outputs ?? [];
    if (outputs.length === 0) return NO_BYTES;
    return collectOutputs(produced, outputs, store!, loaded.refinements).then((literals) => toBinary(LiteralSetSchema, literals));
  }

  const failed = (id: string, err: unknown, timed: boolean): void => {
    const error =
      err instanceof AttemptFailure
        ? { code: err.code, message: err.message }
        : err instanceof LiteralError
          ? { code: "OUTPUT_INVALID", message: err.message }
          : { code: "TASK_FAILED", message: describeThrown(err) };
    finish({ id, error }, timed);
  };

  const start = (item: RunItem): void => {
    const cancellation = new Cancellation();
    aborts.set(item.id, cancellation);
    const timed = templates.get(item.tid)?.task.timeout !== undefined;
    let outputs: Uint8Array | Promise<Uint8Array>;
    try {
      outputs = run(item, cancellation);
    } catch (err) {
      failed(item.id, err, timed);
      return;
    }
    if (outputs instanceof Uint8Array) finish({ id: item.id, outputs }, timed);
    else
      outputs.then(
        (bytes) => finish({ id: item.id, outputs: bytes }, timed),
        (err: unknown) => failed(item.id, err, timed),
      );
  };

  return (req) => {
    switch (req.type) {
      case "config":
        projectRoot = req.projectRoot;
        if (req.artifactRoot !== artifactRoot) store = undefined;
        artifactRoot = req.artifactRoot;
        return;
      case "task":
        templates.set(req.tid, { task: fromBinary(TaskTemplateSchema, req.task), loading: undefined, loaded: undefined });
        return;
      case "runs":
        starting = true;
        try {
          for (const item of req.runs) start(item);
        } finally {
          starting = false;
        }
        // Attempts that finished while the batch started go together, at once if none is left.
        if (done.length > 0 && aborts.size === 0) flush();
        return;
      case "abort":
        aborts.get(req.id)?.abort(new Error("cancelled"));
        return;
    }
  };
}

async function readInputs(task: TaskTemplate, inputs: LiteralSet | undefined, store: LocalArtifactStore): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const variable of task.interface?.inputs ?? []) {
    const lit = inputs?.literals[variable.name];
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
