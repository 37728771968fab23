// The scheduler: event-driven and durable. Hot state (executions in flight, ready queues, worker
// slots) lives in memory; every transition of one event-loop turn is committed to the store in one
// transaction, and only then are Assigns, Cancels and replies sent (commit before acknowledge).
// The Engine is the facade the server calls; it wires the parts (model/, transitions/, durability/,
// dispatch/, watching/: one file each), which reach one another through a SchedulerContext.
import { resolve } from "node:path";
import { create, fromBinary } from "@bufbuild/protobuf";
import {
  ExecutionState,
  LiteralSetSchema,
  type CompiledWorkflow,
  type Heartbeat,
  type LiteralSet,
  type Log,
  type Node,
  type Register,
  type Result,
  type SourceLocation,
  type Started,
} from "../../proto/index.ts";
import { RUNTIME_DEFAULTS, SERVER_DEFAULTS, type RuntimeConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { NodeRecord, Store } from "../store/index.ts";
import { Admission, admissionGroups } from "./dispatch/admission.ts";
import { Attempts } from "./transitions/attempts.ts";
import { withHash } from "./model/bindings.ts";
import { Composites } from "./transitions/composites.ts";
import { Dispatcher, type WorkerLink, type WorkerSlot } from "./dispatch/dispatcher.ts";
import { LiveExecution } from "./model/execution-graph.ts";
import { ExecutionReload } from "./durability/execution-reload.ts";
import { ExecutionRuns } from "./transitions/execution-runs.ts";
import { GroupCommit } from "./durability/group-commit.ts";
import { newId } from "./ids.ts";
import { MemoryRelease } from "./memory-release.ts";
import { NodeTransitions } from "./transitions/node-transitions.ts";
import { occupancyOf, type Occupancy } from "./occupancy.ts";
import { leaseRange, type ReplicaRole } from "./replication/replica-role.ts";
import { NO_OBSERVER, type SchedulerObserver } from "./scheduler-observer.ts";
import { isSuccess } from "./model/readiness.ts";
import type { SchedulerContext } from "./scheduler-context.ts";
import { SensorWaits } from "./transitions/sensor-waits.ts";
import { WatchHub, type ExecutionWatcher } from "./watching/watch-hub.ts";
import { Workers } from "./dispatch/workers.ts";
import { WorkflowSpecs } from "./model/workflow-specs.ts";

export interface EngineOptions {
  readonly store: Store;
  readonly log: Logger;
  readonly projectRoot: string;
  /** Directories outside the project root that sensor paths may name (`weir server --sensor-root`). */
  readonly sensorRoots?: readonly string[];
  /** The artifact store (absolute); what a sensor finds is stored there. Default: the project's `.weir/artifacts`. */
  readonly artifactRoot?: string;
  readonly config?: Partial<RuntimeConfig>;
  /**
   * A commit failed: memory now holds transitions the store does not, so the engine must not go on
   * (the server stops; a restart resumes from what was committed). Watches have been ended.
   */
  readonly onStoreFailure?: (err: Error) => void;
  /** Told of the transitions metrics count (the runtime's metrics); none by default. */
  readonly observer?: SchedulerObserver;
  /** Set when this runtime is one of several replicas on its store: it drives only what it owns. */
  readonly replica?: ReplicaRole;
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
  /** Max active runs of its backfill (the workflow's own limit comes from its spec's schedule). */
  maxActiveRuns?: number;
}

export class Engine {
  readonly config: RuntimeConfig;
  readonly dispatcher: Dispatcher;
  private readonly ctx: SchedulerContext;
  private readonly watches: WatchHub;
  private readonly reload: ExecutionReload;
  private readonly replica: ReplicaRole | undefined;

  constructor(opts: EngineOptions) {
    this.replica = opts.replica;
    const config = (this.config = Object.freeze({ ...RUNTIME_DEFAULTS, ...opts.config }));
    const log = opts.log.child({ part: "scheduler" });
    // Filled in below; the parts read it only when called, never while being built.
    const ctx = {} as SchedulerContext;
    const observer = opts.observer ?? NO_OBSERVER;
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
      commits: new GroupCommit(opts.store, log, this.watches, (err) => opts.onStoreFailure?.(err), observer),
      runs: new ExecutionRuns(ctx, memoryRelease),
      nodes: new NodeTransitions(ctx),
      composites: new Composites(ctx),
      sensors: new SensorWaits(ctx, {
        projectRoot: opts.projectRoot,
        extra: opts.sensorRoots ?? [],
        artifactRoot: opts.artifactRoot ?? resolve(opts.projectRoot, SERVER_DEFAULTS.artifactRoot),
      }),
      attempts: new Attempts(ctx),
      workers: new Workers(ctx),
      observer,
    } satisfies SchedulerContext);
    this.ctx = ctx;
    this.dispatcher = ctx.dispatcher;
    this.reload = new ExecutionReload(ctx);
  }

  // ---------------------------------------------------------------------------------------------
  // Life cycle

  /**
   * Reloads in-flight executions from the store and starts lost-worker detection. A replica
   * reloads nothing here: it loads what it owns as it adopts or claims it (`adopt`).
   */
  async start(): Promise<void> {
    if (this.replica) {
      const range = leaseRange(this.replica.epoch);
      this.ctx.attempts.startLeasesAfter(range.floor, range.end);
    } else this.ctx.attempts.startLeasesAfter(await this.ctx.store.maxLeaseToken());
    await this.ctx.workers.loadRecorded();
    if (!this.replica) await this.reload.reloadActive();
    this.ctx.workers.startLiveness();
    await this.committed();
  }

  /** A replica now owns these executions: those not ended and not in memory are loaded and driven. Returns those loaded. */
  adopt(ids: readonly string[]): Promise<string[]> {
    return this.reload.adopt(ids);
  }

  async stop(): Promise<void> {
    this.ctx.sensors.stop();
    this.ctx.workers.stop();
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
    const { executions, commits, admission } = this.ctx;
    if (args.executionId) {
      const existing = executions.get(args.executionId) ?? (await this.ctx.store.getExecution(args.executionId));
      if (existing) return args.executionId;
    }
    const spec = await this.loadSpec(args.workflow, args.version);
    for (const lit of Object.values(args.inputs.literals)) withHash(lit);
    const now = Date.now();
    const exec = new LiveExecution({
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
    executions.set(exec.id, exec);
    for (const [id, rec] of args.reuse ?? []) {
      const n = exec.nodes.get(id);
      if (!n || !isSuccess(rec.state)) continue;
      n.state = rec.state;
      n.outputs = rec.outputs ? fromBinary(LiteralSetSchema, rec.outputs) : create(LiteralSetSchema);
      n.startedAt = rec.startedAt;
      n.finishedAt = rec.finishedAt;
    }
    commits.touchExec(exec);
    for (const n of exec.nodes.values()) commits.touchNode(n);
    const backfill = args.backfillId ? { id: args.backfillId, maxActiveRuns: args.maxActiveRuns ?? 0 } : undefined;
    const groups = admissionGroups(exec.init.workflow, spec, backfill);
    const limited = groups.some((g) => g.limit > 0);
    if (this.replica && !this.replica.drivesNew(limited)) {
      // Recorded, then left for the replica that should drive it (one with workers, or the leader).
      await this.committed();
      executions.delete(exec.id);
      await this.replica.release(exec.id, limited);
      return exec.id;
    }
    if (this.replica && limited) {
      // Marked before it may start: a limited run is only ever driven by a leader.
      await this.committed();
      await this.replica.markLimited(exec.id);
    }
    if (admission.admit(groups, exec.id)) this.ctx.runs.run(exec);
    await this.committed();
    return exec.id;
  }

  /** Cancels running attempts, marks the rest CANCELLED and the execution TERMINATED. */
  terminate(id: string, reason: string): Promise<void> {
    return this.ctx.runs.terminate(id, reason);
  }

  /** Clears nodes of an ended execution (and their downstream, or only what did not succeed) and reruns them. */
  clearNodes(id: string, nodeIds: readonly string[], downstream: boolean): Promise<void> {
    return this.reload.clearNodes(id, nodeIds, downstream);
  }

  // ---------------------------------------------------------------------------------------------
  // Workers

  /** A worker registered (or re-registered with its id). Resolves with its slot after commit. */
  connectWorker(reg: Register, link: WorkerLink): Promise<WorkerSlot> {
    return this.ctx.workers.connect(reg, link);
  }

  /** Once the Registered reply is on its way: give the worker what is waiting. */
  ready(w: WorkerSlot): void {
    this.dispatcher.fill(w);
  }

  /** Attempts waiting for a worker slot, by pool (a replica publishes them). */
  waitingByPool(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const q of this.dispatcher.queueStates()) if (q.length) out[q.pool] = q.length;
    return out;
  }

  /** A replica lends an idle worker serving one of `pools` to the replica at `address`; true when one went. */
  redirectIdleWorker(address: string, pools: readonly string[]): boolean {
    return this.ctx.workers.redirectIdle(address, pools, this.config.heartbeatIntervalMs * 2);
  }

  onHeartbeat(w: WorkerSlot, hb: Heartbeat): void {
    this.ctx.workers.onHeartbeat(w, hb);
  }

  onResult(w: WorkerSlot, r: Result): void {
    this.ctx.workers.onResult(w, r);
  }

  onLog(w: WorkerSlot, l: Log): void {
    this.ctx.workers.onLog(w, l);
  }

  onStarted(w: WorkerSlot, s: Started): void {
    this.ctx.workers.onStarted(w, s);
  }

  /** The stream broke: the worker keeps its attempts until the heartbeat timeout says otherwise. */
  onDisconnect(w: WorkerSlot, link: WorkerLink): void {
    this.ctx.workers.onDisconnect(w, link);
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
        if (n.target.case === "branch")
          for (const c of [...n.target.value.cases, ...(n.target.value.otherwise ? [n.target.value.otherwise] : [])]) walk(c.nodes, `${prefix}${n.id}.`);
        if (n.target.case === "subworkflow") {
          const sub = spec.subworkflows.find((s) => s.name === n.target.value);
          if (sub) walk(sub.nodes, `${prefix}${n.id}.`);
        }
      }
    };
    if (spec.workflow) walk(spec.workflow.nodes, "");
    return out;
  }

  /** What the scheduler holds right now (executions, queues, workers, GPUs, sensors), for metrics. */
  occupancy(): Occupancy {
    return occupancyOf(this.ctx, Date.now());
  }

  stats(): { executions: number; workers: number; leases: number } {
    return { executions: this.ctx.executions.size, workers: this.dispatcher.workers.size, leases: this.ctx.attempts.liveLeases };
  }
}
