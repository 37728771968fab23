// The scheduler: event-driven and durable. Hot state (executions in flight, ready queues, worker
// slots) lives in memory; every transition of one event-loop turn is committed to the store in one
// transaction, and only then are Assigns, Cancels and replies sent (commit before acknowledge).
// The Engine is the facade the server calls; its parts, one file each, share a SchedulerContext.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  ErrorKind,
  ExecutionErrorSchema,
  ExecutionState,
  LiteralSetSchema,
  NodeState,
  RegisterSchema,
  type CompiledWorkflow,
  type Heartbeat,
  type LiteralSet,
  type Log,
  type Node,
  type Register,
  type Result,
  type SourceLocation,
} from "../../proto/index.ts";
import { RUNTIME_DEFAULTS, type RuntimeConfig } from "../config.ts";
import { RuntimeError, errorCodeInfo } from "../error-codes.ts";
import type { Logger } from "../log.ts";
import type { ExecutionRecord, NodeRecord, Store } from "../store/index.ts";
import { Admission } from "./admission.ts";
import { Attempts } from "./attempts.ts";
import { resolveBindings, withHash } from "./bindings.ts";
import { Composites } from "./composites.ts";
import { Dispatcher, WorkerSlot, type WorkerLink } from "./dispatcher.ts";
import { RExecution, RNode, subScopeOf, type ExecutionInit, type RAttempt } from "./execution-graph.ts";
import { ExecutionRuns, groupOf } from "./execution-runs.ts";
import { GroupCommit } from "./group-commit.ts";
import { newId } from "./ids.ts";
import { MemoryRelease } from "./memory-release.ts";
import { NodeTransitions, bindingScope } from "./node-transitions.ts";
import { isSuccess } from "./readiness.ts";
import type { SchedulerContext } from "./scheduler-context.ts";
import { SensorWaits } from "./sensor-waits.ts";
import { applyNodeRecord, attemptOf, executionInitOf } from "./store-records.ts";
import { WatchHub, type ExecutionWatcher } from "./watch-hub.ts";
import { WorkflowSpecs } from "./workflow-specs.ts";

export { newId };

export interface EngineOptions {
  readonly store: Store;
  readonly log: Logger;
  readonly projectRoot: string;
  readonly config?: Partial<RuntimeConfig>;
}

export interface CreateExecutionArgs {
  workflow: string;
  version?: string;
  inputs: LiteralSet;
  executionId?: string;
  maxParallelism?: number;
  scheduledFor?: number;
  backfillId?: string;
  recoveredFrom?: string;
  /** Node records whose success is reused instead of rerun (RecoverExecution). */
  reuse?: ReadonlyMap<string, NodeRecord>;
  /** Max active runs of the group this execution belongs to (backfills, schedules). */
  maxActiveRuns?: number;
}

export class Engine {
  readonly config: RuntimeConfig;
  readonly dispatcher: Dispatcher;
  private readonly ctx: SchedulerContext;
  private readonly watches: WatchHub;
  private livenessTimer: NodeJS.Timeout | undefined;

  constructor(opts: EngineOptions) {
    const config = (this.config = Object.freeze({ ...RUNTIME_DEFAULTS, ...opts.config }));
    const log = opts.log.child({ part: "scheduler" });
    // The parts reach each other through ctx only when called, never while being built.
    const ctx = {} as SchedulerContext;
    this.watches = new WatchHub(() => ctx.commits.scheduleFlush());
    const memoryRelease = new MemoryRelease(config.releaseMemoryMinNodes, config.releaseMemoryDelayMs, () => ctx.executions.size > 0);
    Object.assign(ctx, {
      store: opts.store,
      log,
      config,
      executions: new Map(),
      specs: new WorkflowSpecs(opts.store),
      admission: new Admission(),
      dispatcher: new Dispatcher((att, w) => ctx.attempts.assign(att, w)),
      commits: new GroupCommit(opts.store, log, this.watches),
      runs: new ExecutionRuns(ctx, memoryRelease),
      nodes: new NodeTransitions(ctx),
      composites: new Composites(ctx),
      sensors: new SensorWaits(ctx, opts.projectRoot),
      attempts: new Attempts(ctx),
    } satisfies SchedulerContext);
    this.ctx = ctx;
    this.dispatcher = ctx.dispatcher;
  }

  // ---------------------------------------------------------------------------------------------
  // Life cycle

  /** Reloads in-flight executions from the store and starts lost-worker detection. */
  async start(): Promise<void> {
    this.ctx.attempts.startLeasesAfter(await this.ctx.store.maxLeaseToken());
    // Running executions first, so they hold their group's slots before any queued one is admitted;
    // otherwise a restart would start every queued run of a backfill or schedule at once.
    const active = await this.ctx.store.listActiveExecutions();
    const ordered = [...active.filter((r) => r.state === ExecutionState.RUNNING), ...active.filter((r) => r.state !== ExecutionState.RUNNING)];
    for (const rec of ordered) {
      try {
        await this.hydrate(rec);
      } catch (err) {
        this.ctx.log.error({ execution: rec.id, err }, "could not reload execution");
      }
    }
    this.livenessTimer = setInterval(() => this.checkLiveness(), this.config.livenessCheckMs);
    this.livenessTimer.unref();
    await this.committed();
  }

  async stop(): Promise<void> {
    this.ctx.sensors.stop();
    clearInterval(this.livenessTimer);
    this.ctx.runs.stop();
    await this.ctx.commits.drain();
  }

  /** Resolves once everything changed so far is committed. */
  committed(): Promise<void> {
    return this.ctx.commits.committed();
  }

  // ---------------------------------------------------------------------------------------------
  // Executions

  loadSpec(workflow: string, version?: string): Promise<CompiledWorkflow> {
    return this.ctx.specs.load(workflow, version);
  }

  /** Creates and starts (or queues, past max active runs) an execution; resolves after commit. */
  async createExecution(args: CreateExecutionArgs): Promise<string> {
    if (args.executionId) {
      const existing = this.ctx.executions.get(args.executionId) ?? (await this.ctx.store.getExecution(args.executionId));
      if (existing) return args.executionId;
    }
    const spec = await this.loadSpec(args.workflow, args.version);
    for (const lit of Object.values(args.inputs.literals)) withHash(lit);
    const now = Date.now();
    const exec = new RExecution({
      id: args.executionId || newId(args.workflow.replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 24) || "ex"),
      workflow: args.workflow,
      version: spec.workflow!.version,
      spec,
      inputs: args.inputs,
      state: ExecutionState.QUEUED,
      createdAt: now,
      startedAt: 0,
      finishedAt: 0,
      scheduledFor: args.scheduledFor ?? 0,
      backfillId: args.backfillId ?? "",
      recoveredFrom: args.recoveredFrom ?? "",
      maxParallelism: args.maxParallelism ?? 0,
    });
    this.ctx.executions.set(exec.id, exec);
    for (const [id, rec] of args.reuse ?? []) {
      const n = exec.nodes.get(id);
      if (!n || !isSuccess(rec.state)) continue;
      n.state = rec.state;
      n.outputs = rec.outputs ? fromBinary(LiteralSetSchema, rec.outputs) : create(LiteralSetSchema);
      n.startedAt = rec.startedAt;
      n.finishedAt = rec.finishedAt;
    }
    this.ctx.commits.touchExec(exec);
    for (const n of exec.nodes.values()) this.ctx.commits.touchNode(n);
    const group = groupOf(exec.init);
    if (group && args.maxActiveRuns) this.ctx.admission.setLimit(group, args.maxActiveRuns);
    if (this.ctx.admission.admit(group, exec.id)) this.ctx.runs.run(exec);
    await this.committed();
    return exec.id;
  }

  /** Cancels running attempts, marks the rest CANCELLED and the execution TERMINATED. */
  terminate(id: string, reason: string): Promise<void> {
    return this.ctx.runs.terminate(id, reason);
  }

  /** Clears nodes of an ended execution (and their downstream, or only what did not succeed) and reruns them. */
  async clearNodes(id: string, nodeIds: readonly string[], downstream: boolean): Promise<void> {
    if (this.ctx.executions.has(id)) throw new RuntimeError("FAILED_PRECONDITION", `execution ${id} is still running; wait for it to end or terminate it first`);
    const rec = await this.ctx.store.getExecution(id);
    if (!rec) throw new RuntimeError("NOT_FOUND", `execution ${id} does not exist`);
    const exec = await this.hydrate(rec, true);
    const unknown = nodeIds.filter((n) => !exec.nodes.has(n));
    if (unknown.length) {
      this.ctx.executions.delete(id);
      throw new RuntimeError("INVALID_ARGUMENT", `execution ${id} has no node ${unknown.map((u) => `"${u}"`).join(", ")}`);
    }
    const reset = new Set<RNode>();
    const visit = (n: RNode, all: boolean): void => {
      if (reset.has(n)) return;
      reset.add(n);
      for (const c of n.children) visit(c, true);
      for (const d of n.downstream) if (all || !isSuccess(d.state)) visit(d, all);
      if (n.container) visit(n.container, false);
    };
    for (const nid of nodeIds) visit(exec.nodes.get(nid)!, downstream);
    for (const n of reset) {
      n.state = NodeState.PENDING;
      n.outputs = undefined;
      n.error = undefined;
      n.finishedAt = 0;
      n.userRetries = n.systemRetries = 0;
      n.detail = {};
      n.inputs = undefined;
      if (n.kind === "item") n.inputs = undefined;
      this.ctx.commits.touchNode(n);
    }
    exec.error = undefined;
    exec.outputs = undefined;
    exec.init.finishedAt = 0;
    this.ctx.runs.run(exec);
    await this.committed();
  }

  // ---------------------------------------------------------------------------------------------
  // Reload from the store (restart, ClearNodes)

  private async hydrate(rec: ExecutionRecord, ended = false): Promise<RExecution> {
    const spec = await this.loadSpec(rec.workflow, rec.version);
    const exec = new RExecution(executionInitOf(rec, spec));
    if (!ended) await this.restoreGroupLimit(exec.init, spec);
    const nodes = await this.ctx.store.getNodes(rec.id);
    const attempts = await this.ctx.store.getAttempts(rec.id);
    const byId = new Map(nodes.map((n) => [n.nodeId, n]));
    // Parents before children: map items are recreated from their map's recorded size.
    for (const n of [...exec.nodes.values()]) {
      const r = byId.get(n.id);
      if (!r) continue;
      applyNodeRecord(n, r);
      if (n.kind === "map" && n.detail.mapSize !== undefined) {
        for (let i = 0; i < n.detail.mapSize; i++) {
          const child = exec.add(new RNode(exec, `${n.id}[${i}]`, "item", undefined, n.scope, n, -1));
          child.index = i;
          n.children.push(child);
          const cr = byId.get(child.id);
          if (cr) applyNodeRecord(child, cr);
        }
        const spec = n.spec!.target.case === "map" ? n.spec!.target.value : undefined;
        for (const c of n.children) c.task = spec && exec.tasks.get(spec.task);
      }
    }
    for (const a of attempts) {
      const n = exec.nodes.get(a.nodeId);
      if (!n) continue;
      if (n.kind === "task" && n.spec?.target.case === "task") n.task = exec.tasks.get(n.spec.target.value);
      n.attempts.push(attemptOf(n, a));
    }
    for (const n of exec.nodes.values()) {
      if (n.kind === "subworkflow" && n.state === NodeState.RUNNING) {
        const sub = exec.subworkflows.get(n.spec!.target.value as string);
        subScopeOf(n)!.inputs = resolveBindings(n.spec!.inputs, bindingScope(n.scope), sub?.interface?.inputs ?? []).literals;
      }
    }
    this.ctx.executions.set(exec.id, exec);
    if (ended) return exec;
    this.ctx.runs.recount(exec);
    // Running attempts keep their lease until their worker reconnects and reports them, or is declared lost.
    const now = Date.now();
    for (const n of exec.nodes.values()) {
      const last = n.attempts.at(-1);
      if (!last || last.state !== NodeState.RUNNING || !last.token || n.state !== NodeState.RUNNING) continue;
      let w = this.dispatcher.workers.get(last.workerId);
      if (!w) {
        w = new WorkerSlot(last.workerId, create(RegisterSchema), now);
        this.dispatcher.workers.set(w.id, w);
      }
      w.running.set(last.token, last);
      this.ctx.attempts.restore(last, now);
    }
    if (exec.init.state === ExecutionState.QUEUED) {
      if (this.ctx.admission.admit(groupOf(exec.init), exec.id)) this.ctx.runs.run(exec);
    } else {
      this.ctx.admission.occupy(groupOf(exec.init), exec.id);
      this.ctx.runs.resume(exec);
    }
    return exec;
  }

  /** Max active runs of a reloaded execution's group: its backfill's, or its schedule's. */
  private async restoreGroupLimit(init: ExecutionInit, spec: CompiledWorkflow): Promise<void> {
    const group = groupOf(init);
    if (!group || this.ctx.admission.hasLimit(group)) return;
    const limit = init.backfillId
      ? (await this.ctx.store.getBackfill(init.backfillId))?.maxActiveRuns
      : spec.workflow?.schedule?.maxActiveRuns;
    if (limit) this.ctx.admission.setLimit(group, limit);
  }

  // ---------------------------------------------------------------------------------------------
  // Workers

  /** A worker registered (or re-registered with its id). Resolves with its slot after commit. */
  async connectWorker(reg: Register, link: WorkerLink): Promise<WorkerSlot> {
    const now = Date.now();
    const id = reg.workerId || newId("worker");
    let w = this.dispatcher.workers.get(id);
    if (w) {
      if (w.link && w.link !== link) w.link.close();
      w.register = reg;
      w.link = link;
      w.lastHeartbeat = now;
      w.connectedAt = now;
      w.awaitingReport = w.running.size > 0;
    } else {
      w = new WorkerSlot(id, reg, now);
      w.link = link;
      this.dispatcher.workers.set(id, w);
    }
    this.ctx.log.info({ worker: id, pools: w.pools, capacity: w.capacity, gpus: w.freeGpus.length }, "worker connected");
    this.persistWorker(w);
    await this.committed();
    return w;
  }

  private persistWorker(w: WorkerSlot): void {
    this.ctx.commits.addRow("workers", {
      id: w.id, hostname: w.register.hostname, register: toBinary(RegisterSchema, w.register),
      connectedAt: w.connectedAt, lastHeartbeat: w.lastHeartbeat, connected: w.connected,
    });
  }

  /** Once the Registered reply is on its way: give the worker what is waiting. */
  ready(w: WorkerSlot): void {
    this.dispatcher.fill(w);
  }

  onHeartbeat(w: WorkerSlot, hb: Heartbeat): void {
    w.lastHeartbeat = Date.now();
    if (w.awaitingReport) {
      w.awaitingReport = false;
      const alive = new Set(hb.running);
      for (const [token, att] of [...w.running]) {
        if (!alive.has(token)) this.lose(att, `worker ${w.id} reconnected without attempt ${att.number} of ${att.node.id}`);
      }
      this.dispatcher.fill(w);
    }
  }

  onResult(w: WorkerSlot, r: Result): void {
    const att = this.ctx.attempts.holder(r.leaseToken);
    if (!att || att.state !== NodeState.RUNNING || att.workerId !== w.id) {
      this.ctx.log.warn({ worker: w.id, lease: String(r.leaseToken) }, "rejected a result: its lease is not live (stale or unknown token)");
      return;
    }
    const n = att.node;
    if (r.outcome.case === "outputs") {
      for (const lit of Object.values(r.outcome.value.literals)) withHash(lit);
      this.ctx.attempts.finishAttempt(att, NodeState.SUCCEEDED);
      n.outputs = r.outcome.value;
      this.ctx.nodes.settle(n, NodeState.SUCCEEDED);
    } else {
      const e = r.outcome.case === "error" ? r.outcome.value : create(ExecutionErrorSchema, { code: "TASK_FAILED", message: "the worker sent a result with neither outputs nor error" });
      e.nodeId = n.id;
      if (e.kind === ErrorKind.UNSPECIFIED) e.kind = errorCodeInfo(e.code).kind;
      this.ctx.attempts.attemptFailed(att, e);
    }
  }

  onLog(w: WorkerSlot, l: Log): void {
    const att = this.ctx.attempts.holder(l.leaseToken);
    if (!att || att.workerId !== w.id) {
      this.ctx.log.warn({ worker: w.id, lease: String(l.leaseToken) }, "rejected a log line: its lease is not live");
      return;
    }
    this.ctx.commits.addRow("logs", {
      executionId: att.node.exec.id, nodeId: att.node.id, attempt: att.number, stream: l.stream || "stdout", text: l.text,
      at: l.at ? Number(l.at.seconds) * 1000 + Math.floor(l.at.nanos / 1e6) : Date.now(),
    });
  }

  /** The stream broke: the worker keeps its attempts until the heartbeat timeout says otherwise. */
  onDisconnect(w: WorkerSlot, link: WorkerLink): void {
    if (w.link !== link) return;
    w.link = undefined;
    this.ctx.log.warn({ worker: w.id, running: w.running.size }, "worker stream closed");
    this.persistWorker(w);
  }

  private checkLiveness(): void {
    const now = Date.now();
    for (const w of this.dispatcher.workers.values()) {
      if (now - w.lastHeartbeat <= this.config.heartbeatTimeoutMs) continue;
      if (!w.running.size && !w.link) {
        this.dispatcher.workers.delete(w.id);
        continue;
      }
      if (!w.running.size) continue;
      this.ctx.log.warn({ worker: w.id, silentMs: now - w.lastHeartbeat }, "worker lost: heartbeat timeout");
      // Take the silent worker out of dispatch before retrying its attempts, so a retry never
      // lands back on the frozen process (a zombie that may wake up later).
      if (w.link) {
        w.link.close();
        w.link = undefined;
      }
      this.dispatcher.workers.delete(w.id);
      for (const att of [...w.running.values()]) this.lose(att, `worker ${w.id} missed heartbeats for ${now - w.lastHeartbeat} ms`);
      this.persistWorker(w);
    }
  }

  private lose(att: RAttempt, why: string): void {
    if (att.state !== NodeState.RUNNING) return;
    this.ctx.attempts.attemptFailed(att, create(ExecutionErrorSchema, { code: "LOST", message: why, kind: ErrorKind.SYSTEM, nodeId: att.node.id }));
  }

  // ---------------------------------------------------------------------------------------------
  // Watching

  /**
   * Watches an execution in flight: its first snapshot is taken at the next commit (so it holds
   * only committed state and nothing committed after it is missed). Returns how to stop, or
   * undefined when the execution is not in flight (read the store instead).
   */
  watch(id: string, w: ExecutionWatcher): (() => void) | undefined {
    const exec = this.ctx.executions.get(id);
    return exec && this.watches.watch(exec, w);
  }

  isActive(id: string): boolean {
    return this.ctx.executions.has(id);
  }

  /** Nodes of an execution in flight (0 when it is not in memory). */
  nodeCount(id: string): number {
    return this.ctx.executions.get(id)?.nodes.size ?? 0;
  }

  /** Source locations of an execution's nodes (for snapshots). */
  sourcesOf(spec: CompiledWorkflow): Map<string, SourceLocation> {
    const out = new Map();
    const walk = (nodes: readonly Node[], prefix: string): void => {
      for (const n of nodes) {
        if (n.source) out.set(prefix + n.id, n.source);
        if (n.target.case === "branch") for (const c of [...n.target.value.cases, ...(n.target.value.otherwise ? [n.target.value.otherwise] : [])]) walk(c.nodes, `${prefix}${n.id}.`);
        if (n.target.case === "subworkflow") {
          const sub = spec.subworkflows.find((s) => s.name === n.target.value);
          if (sub) walk(sub.nodes, `${prefix}${n.id}.`);
        }
      }
    };
    if (spec.workflow) walk(spec.workflow.nodes, "");
    return out;
  }

  stats(): { executions: number; workers: number; leases: number } {
    return { executions: this.ctx.executions.size, workers: this.dispatcher.workers.size, leases: this.ctx.attempts.liveLeases };
  }
}
