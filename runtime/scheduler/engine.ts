// The scheduler: event-driven and durable. Hot state (executions in flight, ready queues, worker
// slots) lives in memory; every transition of one event-loop turn is committed to the store in one
// transaction, and only then are Assigns, Cancels and replies sent (commit before acknowledge).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationMs } from "@bufbuild/protobuf/wkt";
import {
  CompiledWorkflowSchema,
  ErrorKind,
  ExecutionErrorSchema,
  ExecutionState,
  LiteralSetSchema,
  NodeState,
  RegisterSchema,
  ServerMessageSchema,
  type CompiledWorkflow,
  type ExecutionError,
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
import { encodeAssign } from "./assign-encoding.ts";
import { BindingError, collectionLiteral, literalToText, resolveBindings, resolveValue, withHash, type BindingScope } from "./bindings.ts";
import { evaluateCondition } from "./branches.ts";
import { GroupCommit } from "./group-commit.ts";
import { artifactsExist, cacheKey } from "./cache-key.ts";
import { Dispatcher, WorkerSlot, gpusOf, type WorkerLink } from "./dispatcher.ts";
import { RExecution, RNode, Scope, armScopeOf, subScopeOf, type ExecutionInit, type RAttempt } from "./execution-graph.ts";
import { LeaseTable } from "./leases.ts";
import { MemoryRelease } from "./memory-release.ts";
import { isFailure, isSuccess, isTerminal } from "./readiness.ts";
import { decideRetry } from "./retries.ts";
import { humanDuration, pokeFile, sensorPath } from "./sensors.ts";
import { applyNodeRecord, attemptOf, executionInitOf } from "./store-records.ts";
import { WatchHub, type ExecutionWatcher } from "./watch-hub.ts";

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

const ATTEMPT_STATE_OF: Record<string, NodeState> = {
  TIMED_OUT: NodeState.TIMED_OUT,
  LOST: NodeState.LOST,
  CANCELLED: NodeState.CANCELLED,
};

let idCounter = 0;
export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${(idCounter++ % 1296).toString(36).padStart(2, "0")}${Math.random().toString(36).slice(2, 6)}`;
}

export class Engine {
  readonly config: RuntimeConfig;
  readonly dispatcher: Dispatcher;
  private readonly store: Store;
  private readonly log: Logger;
  private readonly projectRoot: string;
  private leases = new LeaseTable<RAttempt>(0n);
  private readonly executions = new Map<string, RExecution>();
  private readonly specs = new Map<string, CompiledWorkflow>();
  private readonly admission = new Admission();
  private readonly memoryRelease: MemoryRelease;
  private readonly watches = new WatchHub(() => this.commits.scheduleFlush());
  private readonly commits: GroupCommit;

  private livenessTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(opts: EngineOptions) {
    this.store = opts.store;
    this.log = opts.log.child({ part: "scheduler" });
    this.projectRoot = opts.projectRoot;
    this.config = Object.freeze({ ...RUNTIME_DEFAULTS, ...opts.config });
    this.commits = new GroupCommit(this.store, this.log, this.watches);
    this.dispatcher = new Dispatcher((att, w) => this.assign(att, w));
    this.memoryRelease = new MemoryRelease(this.config.releaseMemoryMinNodes, this.config.releaseMemoryDelayMs, () => this.executions.size > 0);
  }

  // ---------------------------------------------------------------------------------------------
  // Life cycle

  /** Reloads in-flight executions from the store and starts lost-worker detection. */
  async start(): Promise<void> {
    this.leases = new LeaseTable<RAttempt>(await this.store.maxLeaseToken());
    // Running executions first, so they hold their group's slots before any queued one is admitted;
    // otherwise a restart would start every queued run of a backfill or schedule at once.
    const active = await this.store.listActiveExecutions();
    const ordered = [...active.filter((r) => r.state === ExecutionState.RUNNING), ...active.filter((r) => r.state !== ExecutionState.RUNNING)];
    for (const rec of ordered) {
      try {
        await this.hydrate(rec);
      } catch (err) {
        this.log.error({ execution: rec.id, err }, "could not reload execution");
      }
    }
    this.livenessTimer = setInterval(() => this.checkLiveness(), this.config.livenessCheckMs);
    this.livenessTimer.unref();
    await this.committed();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.livenessTimer);
    this.memoryRelease.stop();
    for (const exec of this.executions.values()) this.clearTimers(exec);
    await this.commits.drain();
  }

  /** Resolves once everything changed so far is committed. */
  committed(): Promise<void> {
    return this.commits.committed();
  }

  // ---------------------------------------------------------------------------------------------
  // Executions

  async loadSpec(workflow: string, version?: string): Promise<CompiledWorkflow> {
    const key = `${workflow}@${version ?? ""}`;
    const cached = version ? this.specs.get(key) : undefined;
    if (cached) return cached;
    const rec = await this.store.getWorkflow(workflow, version || undefined);
    if (!rec) {
      throw new RuntimeError("NOT_FOUND", `workflow ${workflow}${version ? ` version ${version}` : ""} is not registered; register it with \`weir register\` first`);
    }
    const spec = fromBinary(CompiledWorkflowSchema, rec.spec);
    this.specs.set(`${workflow}@${rec.version}`, spec);
    return spec;
  }

  /** Creates and starts (or queues, past max active runs) an execution; resolves after commit. */
  async createExecution(args: CreateExecutionArgs): Promise<string> {
    if (args.executionId) {
      const existing = this.executions.get(args.executionId) ?? (await this.store.getExecution(args.executionId));
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
    this.executions.set(exec.id, exec);
    for (const [id, rec] of args.reuse ?? []) {
      const n = exec.nodes.get(id);
      if (!n || !isSuccess(rec.state)) continue;
      n.state = rec.state;
      n.outputs = rec.outputs ? fromBinary(LiteralSetSchema, rec.outputs) : create(LiteralSetSchema);
      n.startedAt = rec.startedAt;
      n.finishedAt = rec.finishedAt;
    }
    this.commits.touchExec(exec);
    for (const n of exec.nodes.values()) this.commits.touchNode(n);
    const group = groupOf(exec.init);
    if (group && args.maxActiveRuns) this.admission.setLimit(group, args.maxActiveRuns);
    if (this.admission.admit(group, exec.id)) this.run(exec);
    await this.committed();
    return exec.id;
  }

  /** Moves an admitted execution to RUNNING and starts what is ready. */
  private run(exec: RExecution): void {
    exec.init.state = ExecutionState.RUNNING;
    exec.init.startedAt ||= Date.now();
    this.commits.touchExec(exec);
    this.recount(exec);
    this.resume(exec);
  }

  /** Recomputes the counters readiness uses from node states (after creation, reload or clear). */
  private recount(exec: RExecution): void {
    for (const n of exec.nodes.values()) {
      n.waitingOn = n.upstream.filter((u) => !isSuccess(u.state)).length;
      if (n.state === NodeState.RUNNING && n.children.length) {
        n.openChildren = n.children.filter((c) => this.counted(c) && !isTerminal(c.state)).length;
      }
    }
    exec.openTop = exec.top.filter((n) => !isTerminal(n.state)).length;
    exec.inflight = 0;
    for (const n of exec.nodes.values()) {
      const last = n.attempts.at(-1);
      if (last && (last.state === NodeState.QUEUED || last.state === NodeState.RUNNING) && last.token) exec.inflight++;
    }
  }

  /** Whether a child counts toward its composite's completion (branch: only the chosen arm). */
  private counted(child: RNode): boolean {
    return child.containerActive();
  }

  /** Starts every ready node and re-arms what a reload left in flight. */
  private resume(exec: RExecution): void {
    const now = Date.now();
    for (const n of [...exec.nodes.values()]) {
      if (n.state === NodeState.PENDING) {
        if (n.waitingOn === 0 && n.containerActive()) this.startNode(n);
        else if (n.upstream.some((u) => isFailure(u.state)) && n.containerActive()) this.skip(n, this.upstreamError(n));
      } else if (n.state === NodeState.QUEUED && (n.kind === "task" || n.kind === "item")) {
        const last = n.attempts.at(-1);
        const due = n.detail.retryAt ?? 0;
        if (due > now) n.timer = setTimeout(() => this.queueAttempt(n), due - now);
        else if (last && last.state === NodeState.QUEUED) this.admit(last);
        else this.queueAttempt(n);
      } else if (n.state === NodeState.WAITING) {
        this.startSensor(n, n.detail.sensorStart ?? now);
      } else if (n.state === NodeState.RUNNING && n.children.length && n.openChildren === 0 && n.kind !== "map") {
        this.finishComposite(n);
      }
    }
    for (const n of exec.nodes.values()) {
      if (n.kind === "map" && n.state === NodeState.RUNNING && n.openChildren === 0) this.finishComposite(n);
    }
    if (exec.openTop === 0 && exec.init.state === ExecutionState.RUNNING) this.finishExecution(exec);
  }

  // ---------------------------------------------------------------------------------------------
  // Nodes

  private scopeFor(n: RNode): BindingScope {
    return bindingScope(n.scope);
  }

  private startNode(n: RNode): void {
    if (n.state !== NodeState.PENDING || n.exec.init.state !== ExecutionState.RUNNING) return;
    n.startedAt = Date.now();
    this.commits.touchNode(n);
    try {
      switch (n.kind) {
        case "task":
          return this.startTask(n);
        case "item":
          return this.queueAttempt(n);
        case "sensor":
          return this.startSensor(n, n.startedAt);
        case "branch":
          return this.startBranch(n);
        case "subworkflow":
          return this.startSubworkflow(n);
        case "map":
          return this.startMap(n);
      }
    } catch (err) {
      const code = err instanceof BindingError ? "BINDING_FAILED" : "NO_TASK";
      this.fail(n, nodeError(n, code, (err as Error).message));
    }
  }

  private startTask(n: RNode): void {
    const t = n.spec!.target;
    const task = n.exec.tasks.get(t.case === "task" ? t.value : "");
    if (!task) throw new Error(`node "${n.id}" names task "${t.value}", which the spec does not contain; recompile the workflow`);
    n.task = task;
    n.inputs = resolveBindings(n.spec!.inputs, this.scopeFor(n), task.interface?.inputs ?? []);
    if (task.cache?.enabled) {
      n.state = NodeState.QUEUED;
      const key = cacheKey(task, n.inputs);
      void this.store.getCache(key).then(
        (hit) => {
          if (n.state !== NodeState.QUEUED || n.attempts.length) return;
          const outputs = hit && fromBinary(LiteralSetSchema, hit.outputs);
          if (outputs && artifactsExist(outputs)) {
            n.outputs = outputs;
            this.settle(n, NodeState.CACHED);
          } else this.queueAttempt(n);
        },
        (err) => {
          this.log.warn({ err, node: n.id }, "cache lookup failed; running the task");
          this.queueAttempt(n);
        },
      );
      return;
    }
    this.queueAttempt(n);
  }

  private queueAttempt(n: RNode): void {
    if (isTerminal(n.state) || n.exec.init.state !== ExecutionState.RUNNING) return;
    n.timer = undefined;
    delete n.detail.retryAt;
    if (!n.inputs) {
      // Reloaded after a restart: inputs are re-resolved from the (recorded) upstream outputs.
      if (n.kind === "item") this.expandMap(n.container!, false);
      else n.inputs = resolveBindings(n.spec!.inputs, this.scopeFor(n), n.task?.interface?.inputs ?? []);
    }
    if (!n.task && n.spec?.target.case === "task") n.task = n.exec.tasks.get(n.spec.target.value);
    const att: RAttempt = {
      node: n,
      number: n.attempts.length + 1,
      state: NodeState.QUEUED,
      workerId: "",
      token: 0n,
      queuedAt: Date.now(),
      startedAt: 0,
      finishedAt: 0,
      error: undefined,
      gpus: [],
      timer: undefined,
    };
    n.attempts.push(att);
    n.state = NodeState.QUEUED;
    this.commits.touchNode(n);
    this.commits.touchAttempt(att);
    this.admit(att);
  }

  /** Applies the execution's parallelism limit and a map's concurrency before the dispatcher. */
  private admit(att: RAttempt): void {
    const exec = att.node.exec;
    if (!this.gateOpen(att)) {
      exec.held.push(att);
      return;
    }
    this.enter(att);
    this.dispatcher.submit(att);
  }

  private gateOpen(att: RAttempt): boolean {
    const exec = att.node.exec;
    if (exec.inflight >= exec.limit) return false;
    const map = att.node.kind === "item" ? att.node.container : undefined;
    const limit = map?.spec?.target.case === "map" ? map.spec.target.value.concurrency : 0;
    return !limit || ((map as RNode & { itemsInFlight?: number }).itemsInFlight ?? 0) < limit;
  }

  private enter(att: RAttempt): void {
    att.node.exec.inflight++;
    const map = att.node.kind === "item" ? (att.node.container as RNode & { itemsInFlight?: number }) : undefined;
    if (map) map.itemsInFlight = (map.itemsInFlight ?? 0) + 1;
  }

  private leave(att: RAttempt): void {
    const exec = att.node.exec;
    exec.inflight--;
    const map = att.node.kind === "item" ? (att.node.container as RNode & { itemsInFlight?: number }) : undefined;
    if (map) map.itemsInFlight = (map.itemsInFlight ?? 1) - 1;
    for (let i = 0; i < exec.held.length && exec.inflight < exec.limit; i++) {
      const next = exec.held[i];
      if (!this.gateOpen(next)) continue;
      exec.held.splice(i--, 1);
      this.enter(next);
      this.dispatcher.submit(next);
    }
  }

  /** Dispatcher callback: the attempt goes to this worker with a fresh lease. */
  private assign(att: RAttempt, w: WorkerSlot): void {
    const now = Date.now();
    const n = att.node;
    att.token = this.leases.grant(att);
    att.workerId = w.id;
    att.startedAt = now;
    att.state = NodeState.RUNNING;
    att.gpus = w.freeGpus.splice(0, gpusOf(att));
    w.running.set(att.token, att);
    n.state = NodeState.RUNNING;
    this.commits.touchNode(n);
    this.commits.touchAttempt(att);
    this.commits.addRow("leases", { token: att.token, executionId: n.exec.id, nodeId: n.id, attempt: att.number, workerId: w.id, grantedAt: now, releasedAt: 0 });
    const timeoutMs = n.task?.timeout ? durationMs(n.task.timeout) : 0;
    if (timeoutMs > 0) att.timer = setTimeout(() => this.onTimeout(att, timeoutMs), timeoutMs);
    const msg = encodeAssign({
      leaseToken: att.token,
      executionId: n.exec.id,
      nodeId: n.id,
      attempt: att.number,
      task: n.task,
      inputs: n.inputs,
      gpus: att.gpus,
      deadlineMs: timeoutMs > 0 ? now + timeoutMs : 0,
    });
    const link = w.link;
    this.commits.afterCommit(() => link?.send(msg));
  }

  /** Ends an attempt's hold on its worker and lease. */
  private finishAttempt(att: RAttempt, state: NodeState, error?: ExecutionError): void {
    clearTimeout(att.timer);
    att.timer = undefined;
    const wasRunning = att.state === NodeState.RUNNING;
    att.state = state;
    att.finishedAt = Date.now();
    att.error = error;
    this.commits.touchAttempt(att);
    if (att.token) {
      this.leases.release(att.token);
      this.commits.addRow("leases", {
        token: att.token, executionId: att.node.exec.id, nodeId: att.node.id, attempt: att.number,
        workerId: att.workerId, grantedAt: att.startedAt, releasedAt: att.finishedAt,
      });
    }
    const w = this.dispatcher.workers.get(att.workerId);
    if (wasRunning && w && w.running.delete(att.token)) {
      w.freeGpus.push(...att.gpus);
      queueMicrotask(() => this.dispatcher.fill(w));
    }
    this.leave(att);
  }

  /** An attempt failed: retry within budget, else the node fails. */
  private attemptFailed(att: RAttempt, err: ExecutionError): void {
    const n = att.node;
    const state = ATTEMPT_STATE_OF[err.code] ?? NodeState.FAILED;
    this.finishAttempt(att, state, err);
    const decision = decideRetry(n.task?.retries, { code: err.code, kind: err.kind }, { user: n.userRetries, system: n.systemRetries }, this.config);
    if (decision.retry && n.exec.init.state === ExecutionState.RUNNING) {
      if (decision.budget === "user") n.userRetries++;
      else n.systemRetries++;
      this.log.info({ execution: n.exec.id, node: n.id, attempt: att.number, code: err.code, delayMs: decision.delayMs }, "retrying");
      if (decision.delayMs > 0) {
        n.state = NodeState.QUEUED;
        n.detail.retryAt = Date.now() + decision.delayMs;
        this.commits.touchNode(n);
        n.timer = setTimeout(() => this.queueAttempt(n), decision.delayMs);
      } else this.queueAttempt(n);
      return;
    }
    this.fail(n, err, state);
  }

  private onTimeout(att: RAttempt, timeoutMs: number): void {
    if (att.state !== NodeState.RUNNING) return;
    const w = this.dispatcher.workers.get(att.workerId);
    const reason = `attempt ${att.number} of ${att.node.id} ran past its timeout of ${humanDuration(timeoutMs)}`;
    this.sendCancel(w, att.token, reason);
    this.attemptFailed(att, create(ExecutionErrorSchema, { code: "TIMED_OUT", message: reason, kind: ErrorKind.USER, nodeId: att.node.id }));
  }

  private sendCancel(w: WorkerSlot | undefined, token: bigint, reason: string): void {
    const link = w?.link;
    if (!link) return;
    const msg = create(ServerMessageSchema, { msg: { case: "cancel", value: { leaseToken: token, reason } } });
    this.commits.afterCommit(() => link.send(msg));
  }

  private fail(n: RNode, err: ExecutionError, state: NodeState = NodeState.FAILED): void {
    if (!err.nodeId) err.nodeId = n.id;
    n.error = err;
    this.log.info({ execution: n.exec.id, node: n.id, code: err.code }, err.message);
    this.settle(n, state);
  }

  private skip(n: RNode, err: ExecutionError | undefined): void {
    if (isTerminal(n.state)) return;
    n.error = err;
    this.settle(n, NodeState.SKIPPED);
  }

  private upstreamError(n: RNode): ExecutionError {
    const up = n.upstream.find((u) => isFailure(u.state));
    return nodeError(n, "UPSTREAM_FAILED", `upstream node "${up?.id}" ${up ? NodeState[up.state].toLowerCase().replace("_", " ") : "did not succeed"}`);
  }

  /** A node reached a terminal state: record it, make dependants ready or skip them, roll up. */
  private settle(n: RNode, state: NodeState): void {
    clearTimeout(n.timer);
    n.timer = undefined;
    n.state = state;
    n.finishedAt = Date.now();
    n.startedAt ||= n.finishedAt;
    this.commits.touchNode(n);
    if (state === NodeState.SUCCEEDED && n.task?.cache?.enabled && n.inputs && n.outputs) {
      this.commits.addRow("cache", { key: cacheKey(n.task, n.inputs), task: n.task.name, outputs: toBinary(LiteralSetSchema, n.outputs), createdAt: n.finishedAt });
    }
    for (const child of n.children) if (!isTerminal(child.state)) this.markSkippedTree(child);
    const ok = isSuccess(state);
    for (const d of n.downstream) {
      if (d.state !== NodeState.PENDING) continue;
      if (ok) {
        if (--d.waitingOn === 0 && d.containerActive()) this.startNode(d);
      } else if (d.containerActive() || !d.container) {
        this.skip(d, this.upstreamError(d));
      } else this.markSkippedTree(d);
    }
    const c = n.container;
    if (c) {
      if (c.state === NodeState.RUNNING && this.counted(n) && --c.openChildren === 0) this.finishComposite(c);
    } else if (--n.exec.openTop === 0) this.finishExecution(n.exec);
  }

  /** Marks a node (and what it contains) SKIPPED without roll-up: its container is not running it. */
  private markSkippedTree(n: RNode): void {
    if (isTerminal(n.state)) return;
    n.state = NodeState.SKIPPED;
    this.commits.touchNode(n);
    for (const c of n.children) this.markSkippedTree(c);
  }

  // --- composites

  private activate(n: RNode): void {
    n.state = NodeState.RUNNING;
    this.commits.touchNode(n);
    const kids = n.children.filter((c) => this.counted(c));
    n.openChildren = kids.filter((c) => !isTerminal(c.state)).length;
    for (const c of n.children) if (!this.counted(c)) this.markSkippedTree(c);
    if (n.openChildren === 0) return this.finishComposite(n);
    for (const c of kids) {
      if (c.state !== NodeState.PENDING) continue;
      c.waitingOn = c.upstream.filter((u) => !isSuccess(u.state)).length;
      if (c.waitingOn === 0) this.startNode(c);
    }
  }

  private startBranch(n: RNode): void {
    const branch = n.spec!.target.case === "branch" ? n.spec!.target.value : undefined;
    if (!branch) return;
    const scope = this.scopeFor(n);
    let arm = branch.cases.findIndex((c) => c.condition && evaluateCondition(c.condition, (v) => resolveValue(v, scope)));
    if (arm < 0) {
      if (!branch.otherwise) {
        n.outputs = create(LiteralSetSchema);
        return this.settle(n, NodeState.SKIPPED);
      }
      arm = branch.cases.length;
    }
    n.detail.arm = arm;
    this.activate(n);
  }

  private startSubworkflow(n: RNode): void {
    const name = n.spec!.target.case === "subworkflow" ? n.spec!.target.value : "";
    const sub = n.exec.subworkflows.get(name);
    const scope = subScopeOf(n);
    if (!sub || !scope) throw new Error(`node "${n.id}" runs subworkflow "${name}", which the spec does not contain; recompile the workflow`);
    scope.inputs = resolveBindings(n.spec!.inputs, this.scopeFor(n), sub.interface?.inputs ?? []).literals;
    this.activate(n);
  }

  private startMap(n: RNode): void {
    this.expandMap(n, true);
    n.state = NodeState.RUNNING;
    this.commits.touchNode(n);
    n.openChildren = n.children.filter((c) => !isTerminal(c.state)).length;
    if (n.openChildren === 0) return this.finishComposite(n);
    for (const c of n.children) if (c.state === NodeState.PENDING) this.startNode(c);
  }

  /** Creates a map's items (or, after a reload, gives existing ones their inputs again). */
  private expandMap(n: RNode, create_: boolean): void {
    const spec = n.spec!.target.case === "map" ? n.spec!.target.value : undefined;
    const task = spec && n.exec.tasks.get(spec.task);
    if (!spec || !task) throw new Error(`map node "${n.id}" names task "${spec?.task}", which the spec does not contain; recompile the workflow`);
    const scope = this.scopeFor(n);
    const list = resolveValue(n.spec!.inputs.find((b) => b.var === spec.mappedInput)?.value, scope);
    if (list.value.case !== "collection") throw new BindingError(`map node "${n.id}": input "${spec.mappedInput}" is not a list`);
    const others = n.spec!.inputs.filter((b) => b.var !== spec.mappedInput);
    const base = resolveBindings(others, scope, (task.interface?.inputs ?? []).filter((v) => v.name !== spec.mappedInput));
    const items = list.value.value.items;
    n.detail.mapSize = items.length;
    items.forEach((item, i) => {
      const id = `${n.id}[${i}]`;
      let child = n.exec.nodes.get(id);
      if (!child && create_) {
        child = n.exec.add(new RNode(n.exec, id, "item", undefined, n.scope, n, -1));
        child.index = i;
        n.children.push(child);
      }
      if (!child) return;
      child.task = task;
      child.inputs = create(LiteralSetSchema, { literals: { ...base.literals, [spec.mappedInput]: withHash(item) } });
      this.commits.touchNode(child);
    });
  }

  private finishComposite(n: RNode): void {
    if (n.state !== NodeState.RUNNING) return;
    const counted = n.children.filter((c) => this.counted(c));
    const bad = counted.find((c) => isFailure(c.state));
    if (bad) {
      return this.fail(n, nodeError(n, "CHILD_FAILED", `"${bad.id}" ${NodeState[bad.state].toLowerCase().replace("_", " ")}${bad.error ? `: ${bad.error.message}` : ""}`));
    }
    try {
      if (n.kind === "map") {
        const names = n.children[0]?.task?.interface?.outputs.map((v) => v.name) ?? [];
        const ordered = [...n.children].sort((a, b) => a.index - b.index);
        n.outputs = create(LiteralSetSchema);
        for (const name of names) n.outputs.literals[name] = collectionLiteral(ordered.map((c) => c.outputs!.literals[name]));
      } else if (n.kind === "subworkflow") {
        const sub = n.exec.subworkflows.get(n.spec!.target.value as string)!;
        n.outputs = resolveBindings(sub.outputs, bindingScope(subScopeOf(n)!), []);
      } else if (n.kind === "branch") {
        const b = n.spec!.target.case === "branch" ? n.spec!.target.value : undefined;
        const arm = n.detail.arm ?? 0;
        const c = arm < (b?.cases.length ?? 0) ? b!.cases[arm] : b!.otherwise!;
        n.outputs = resolveBindings(c.outputs, bindingScope(armScopeOf(n, arm)!), []);
      }
    } catch (err) {
      return this.fail(n, nodeError(n, "BINDING_FAILED", (err as Error).message));
    }
    this.settle(n, NodeState.SUCCEEDED);
  }

  // --- sensors

  private startSensor(n: RNode, since: number): void {
    const sensor = n.spec!.target.case === "sensor" ? n.spec!.target.value.sensor : undefined;
    if (sensor?.case !== "file") throw new Error(`sensor "${n.id}" has no file condition`);
    const poke = sensor.value.pokeInterval ? durationMs(sensor.value.pokeInterval) : this.config.sensorPokeMs;
    const timeout = sensor.value.timeout ? durationMs(sensor.value.timeout) : this.config.sensorTimeoutMs;
    const pathBinding = n.spec!.inputs.find((b) => b.var === "path");
    const given = literalToText(resolveValue(pathBinding?.value, this.scopeFor(n)));
    const abs = sensorPath(given, this.projectRoot);
    n.state = NodeState.WAITING;
    n.detail.sensorStart = since;
    this.commits.touchNode(n);
    const check = (): void => {
      if (n.state !== NodeState.WAITING || this.stopped) return;
      void pokeFile(abs).then((lit) => {
        if (n.state !== NodeState.WAITING || this.stopped) return;
        if (lit) {
          n.outputs = create(LiteralSetSchema, { literals: { file: lit } });
          return this.settle(n, NodeState.SUCCEEDED);
        }
        const left = since + timeout - Date.now();
        if (left <= 0) {
          return this.fail(n, nodeError(n, "SENSOR_TIMEOUT", `file ${given} did not appear within ${humanDuration(timeout)}`));
        }
        n.timer = setTimeout(check, Math.min(poke, left));
      });
    };
    check();
  }

  // --- execution end

  private finishExecution(exec: RExecution): void {
    if (exec.init.state !== ExecutionState.RUNNING) return;
    const bad = exec.top.find((n) => isFailure(n.state));
    if (bad) {
      const cause = [...exec.nodes.values()].find((n) => n.error && n.state !== NodeState.SKIPPED) ?? bad;
      exec.error = cause.error ?? nodeError(bad, "UPSTREAM_FAILED", `node "${bad.id}" did not succeed`);
      exec.init.state = ExecutionState.FAILED;
    } else {
      try {
        exec.outputs = resolveBindings(exec.template.outputs, bindingScope(exec.root), []);
        exec.init.state = ExecutionState.SUCCEEDED;
      } catch (err) {
        exec.error = create(ExecutionErrorSchema, { code: "BINDING_FAILED", message: (err as Error).message, kind: ErrorKind.USER });
        exec.init.state = ExecutionState.FAILED;
      }
    }
    this.end(exec);
  }

  private end(exec: RExecution): void {
    exec.init.finishedAt = Date.now();
    this.commits.touchExec(exec);
    this.clearTimers(exec);
    this.log.info({ execution: exec.id, state: ExecutionState[exec.init.state] }, "execution ended");
    this.commits.afterCommit(() => {
      this.executions.delete(exec.id);
      this.memoryRelease.ended(exec.nodes.size);
    });
    for (const next of this.admission.release(groupOf(exec.init), exec.id)) {
      const e = this.executions.get(next);
      if (e) this.run(e);
    }
  }

  private clearTimers(exec: RExecution): void {
    for (const n of exec.nodes.values()) {
      clearTimeout(n.timer);
      for (const a of n.attempts) if (a.state !== NodeState.RUNNING) clearTimeout(a.timer);
    }
  }

  /** Cancels running attempts, marks the rest CANCELLED and the execution TERMINATED. */
  async terminate(id: string, reason: string): Promise<void> {
    const exec = this.executions.get(id);
    if (!exec) {
      const rec = await this.store.getExecution(id);
      if (!rec) throw new RuntimeError("NOT_FOUND", `execution ${id} does not exist; list executions with \`weir executions\``);
      return; // already ended: nothing to terminate
    }
    const why = reason || "terminated by request";
    const err = (n: RNode) => nodeError(n, "CANCELLED", why);
    this.dispatcher.withdraw((a) => a.node.exec === exec);
    exec.held.length = 0;
    for (const n of exec.nodes.values()) {
      if (isTerminal(n.state)) continue;
      for (const a of n.attempts) {
        if (a.state === NodeState.RUNNING) {
          this.sendCancel(this.dispatcher.workers.get(a.workerId), a.token, why);
          this.finishAttempt(a, NodeState.CANCELLED, err(n));
        } else if (a.state === NodeState.QUEUED) {
          a.state = NodeState.CANCELLED;
          a.finishedAt = Date.now();
          this.commits.touchAttempt(a);
        }
      }
      clearTimeout(n.timer);
      n.state = NodeState.CANCELLED;
      n.error = err(n);
      n.finishedAt = Date.now();
      this.commits.touchNode(n);
    }
    exec.error = create(ExecutionErrorSchema, { code: "TERMINATED", message: why, kind: ErrorKind.USER });
    if (exec.init.state === ExecutionState.QUEUED) this.admission.withdraw(groupOf(exec.init), exec.id);
    exec.init.state = ExecutionState.TERMINATED;
    this.end(exec);
    await this.committed();
  }

  /** Clears nodes of an ended execution (and their downstream, or only what did not succeed) and reruns them. */
  async clearNodes(id: string, nodeIds: readonly string[], downstream: boolean): Promise<void> {
    if (this.executions.has(id)) throw new RuntimeError("FAILED_PRECONDITION", `execution ${id} is still running; wait for it to end or terminate it first`);
    const rec = await this.store.getExecution(id);
    if (!rec) throw new RuntimeError("NOT_FOUND", `execution ${id} does not exist`);
    const exec = await this.hydrate(rec, true);
    const unknown = nodeIds.filter((n) => !exec.nodes.has(n));
    if (unknown.length) {
      this.executions.delete(id);
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
      this.commits.touchNode(n);
    }
    exec.error = undefined;
    exec.outputs = undefined;
    exec.init.finishedAt = 0;
    this.run(exec);
    await this.committed();
  }

  // ---------------------------------------------------------------------------------------------
  // Reload from the store (restart, ClearNodes)

  private async hydrate(rec: ExecutionRecord, ended = false): Promise<RExecution> {
    const spec = await this.loadSpec(rec.workflow, rec.version);
    const exec = new RExecution(executionInitOf(rec, spec));
    if (!ended) await this.restoreGroupLimit(exec.init, spec);
    const nodes = await this.store.getNodes(rec.id);
    const attempts = await this.store.getAttempts(rec.id);
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
        subScopeOf(n)!.inputs = resolveBindings(n.spec!.inputs, this.scopeFor(n), sub?.interface?.inputs ?? []).literals;
      }
    }
    this.executions.set(exec.id, exec);
    if (ended) return exec;
    this.recount(exec);
    // Running attempts keep their lease until their worker reconnects and reports them, or is declared lost.
    const now = Date.now();
    for (const n of exec.nodes.values()) {
      const last = n.attempts.at(-1);
      if (!last || last.state !== NodeState.RUNNING || !last.token || n.state !== NodeState.RUNNING) continue;
      this.leases.restore(last.token, last);
      let w = this.dispatcher.workers.get(last.workerId);
      if (!w) {
        w = new WorkerSlot(last.workerId, create(RegisterSchema), now);
        this.dispatcher.workers.set(w.id, w);
      }
      w.running.set(last.token, last);
      const timeoutMs = n.task?.timeout ? durationMs(n.task.timeout) : 0;
      if (timeoutMs > 0) last.timer = setTimeout(() => this.onTimeout(last, timeoutMs), Math.max(0, last.startedAt + timeoutMs - now));
    }
    if (exec.init.state === ExecutionState.QUEUED) {
      if (this.admission.admit(groupOf(exec.init), exec.id)) this.run(exec);
    } else {
      this.admission.occupy(groupOf(exec.init), exec.id);
      this.resume(exec);
    }
    return exec;
  }

  /** Max active runs of a reloaded execution's group: its backfill's, or its schedule's. */
  private async restoreGroupLimit(init: ExecutionInit, spec: CompiledWorkflow): Promise<void> {
    const group = groupOf(init);
    if (!group || this.admission.hasLimit(group)) return;
    const limit = init.backfillId
      ? (await this.store.getBackfill(init.backfillId))?.maxActiveRuns
      : spec.workflow?.schedule?.maxActiveRuns;
    if (limit) this.admission.setLimit(group, limit);
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
    this.log.info({ worker: id, pools: w.pools, capacity: w.capacity, gpus: w.freeGpus.length }, "worker connected");
    this.persistWorker(w);
    await this.committed();
    return w;
  }

  private persistWorker(w: WorkerSlot): void {
    this.commits.addRow("workers", {
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
    const att = this.leases.holder(r.leaseToken);
    if (!att || att.state !== NodeState.RUNNING || att.workerId !== w.id) {
      this.log.warn({ worker: w.id, lease: String(r.leaseToken) }, "rejected a result: its lease is not live (stale or unknown token)");
      return;
    }
    const n = att.node;
    if (r.outcome.case === "outputs") {
      for (const lit of Object.values(r.outcome.value.literals)) withHash(lit);
      this.finishAttempt(att, NodeState.SUCCEEDED);
      n.outputs = r.outcome.value;
      this.settle(n, NodeState.SUCCEEDED);
    } else {
      const e = r.outcome.case === "error" ? r.outcome.value : create(ExecutionErrorSchema, { code: "TASK_FAILED", message: "the worker sent a result with neither outputs nor error" });
      e.nodeId = n.id;
      if (e.kind === ErrorKind.UNSPECIFIED) e.kind = errorCodeInfo(e.code).kind;
      this.attemptFailed(att, e);
    }
  }

  onLog(w: WorkerSlot, l: Log): void {
    const att = this.leases.holder(l.leaseToken);
    if (!att || att.workerId !== w.id) {
      this.log.warn({ worker: w.id, lease: String(l.leaseToken) }, "rejected a log line: its lease is not live");
      return;
    }
    this.commits.addRow("logs", {
      executionId: att.node.exec.id, nodeId: att.node.id, attempt: att.number, stream: l.stream || "stdout", text: l.text,
      at: l.at ? Number(l.at.seconds) * 1000 + Math.floor(l.at.nanos / 1e6) : Date.now(),
    });
  }

  /** The stream broke: the worker keeps its attempts until the heartbeat timeout says otherwise. */
  onDisconnect(w: WorkerSlot, link: WorkerLink): void {
    if (w.link !== link) return;
    w.link = undefined;
    this.log.warn({ worker: w.id, running: w.running.size }, "worker stream closed");
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
      this.log.warn({ worker: w.id, silentMs: now - w.lastHeartbeat }, "worker lost: heartbeat timeout");
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
    this.attemptFailed(att, create(ExecutionErrorSchema, { code: "LOST", message: why, kind: ErrorKind.SYSTEM, nodeId: att.node.id }));
  }

  // ---------------------------------------------------------------------------------------------
  // Watching

  /**
   * Watches an execution in flight: its first snapshot is taken at the next commit (so it holds
   * only committed state and nothing committed after it is missed). Returns how to stop, or
   * undefined when the execution is not in flight (read the store instead).
   */
  watch(id: string, w: ExecutionWatcher): (() => void) | undefined {
    const exec = this.executions.get(id);
    return exec && this.watches.watch(exec, w);
  }

  isActive(id: string): boolean {
    return this.executions.has(id);
  }

  /** Nodes of an execution in flight (0 when it is not in memory). */
  nodeCount(id: string): number {
    return this.executions.get(id)?.nodes.size ?? 0;
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
    return { executions: this.executions.size, workers: this.dispatcher.workers.size, leases: this.leases.size };
  }
}

// -----------------------------------------------------------------------------------------------

function bindingScope(scope: Scope): BindingScope {
  return {
    workflowInput: (name) => scope.input(name),
    nodeOutput: (id, output) => {
      const n = scope.lookup(id);
      return n && isSuccess(n.state) ? n.outputs?.literals[output] : undefined;
    },
  };
}

function nodeError(n: RNode, code: string, message: string): ExecutionError {
  return create(ExecutionErrorSchema, { code, message, kind: errorCodeInfo(code).kind, nodeId: n.id });
}

function groupOf(e: ExecutionInit): string | undefined {
  if (e.backfillId) return `backfill:${e.backfillId}`;
  if (e.scheduledFor) return `schedule:${e.workflow}`;
  return undefined;
}
