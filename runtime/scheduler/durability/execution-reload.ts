// Reload from the store. After a restart, executions that had not ended come back into memory as
// their records left them; running attempts keep their lease until their worker reconnects and
// reports them, or is declared lost. ClearNodes reloads an ended execution to rerun some nodes.
import { ExecutionState, NodeState, type CompiledWorkflow } from "../../../proto/index.ts";
import { RuntimeError } from "../../error-codes.ts";
import type { ExecutionRecord } from "../../store/index.ts";
import { resolveBindings } from "../model/bindings.ts";
import { LiveExecution, LiveNode, subScopeOf, type ExecutionInit } from "../model/execution-graph.ts";
import { admissionGroups, type AdmissionGroup } from "../dispatch/admission.ts";
import { bindingScope } from "../transitions/node-transitions.ts";
import { isSuccess } from "../model/readiness.ts";
import type { SchedulerContext } from "../scheduler-context.ts";
import { applyNodeRecord, attemptOf, executionInitOf } from "./store-records.ts";

export class ExecutionReload {
  constructor(private readonly ctx: SchedulerContext) {}

  /** Reloads every execution that had not ended (at start). */
  async reloadActive(): Promise<void> {
    // Running executions first, so they hold their group's slots before any queued one is admitted;
    // otherwise a restart would start every queued run of a backfill or schedule at once.
    await this.reload(await this.ctx.store.listActiveExecutions());
  }

  /**
   * Loads executions a replica now owns (adopted from a dead one, or claimed): those that have not
   * ended and are not in memory already. Returns the ids loaded.
   */
  async adopt(ids: readonly string[]): Promise<string[]> {
    const records: ExecutionRecord[] = [];
    for (const id of ids) {
      if (this.ctx.executions.has(id)) continue;
      // Read now: an execution that ended here since the owner query leaves memory only after the
      // commit that records its end, so this read sees that end.
      const rec = await this.ctx.store.getExecution(id);
      if (rec && (rec.state === ExecutionState.QUEUED || rec.state === ExecutionState.RUNNING) && !this.ctx.executions.has(id)) records.push(rec);
    }
    await this.reload(records);
    return records.map((r) => r.id).filter((id) => this.ctx.executions.has(id));
  }

  private async reload(active: readonly ExecutionRecord[]): Promise<void> {
    const ordered = [...active.filter((r) => r.state === ExecutionState.RUNNING), ...active.filter((r) => r.state !== ExecutionState.RUNNING)];
    for (const rec of ordered) {
      try {
        await this.hydrate(rec);
      } catch (err) {
        this.ctx.log.error({ execution: rec.id, err }, "could not reload execution");
      }
    }
  }

  /** Clears nodes of an ended execution (and their downstream, or only what did not succeed) and reruns them. */
  async clearNodes(id: string, nodeIds: readonly string[], downstream: boolean): Promise<void> {
    if (this.ctx.executions.has(id))
      throw new RuntimeError("FAILED_PRECONDITION", `execution ${id} is still running; wait for it to end or terminate it first`);
    const rec = await this.ctx.store.getExecution(id);
    if (!rec) throw new RuntimeError("NOT_FOUND", `execution ${id} does not exist`);
    const exec = await this.hydrate(rec, true);
    const unknown = nodeIds.filter((n) => !exec.nodes.has(n));
    if (unknown.length) {
      this.ctx.executions.delete(id);
      throw new RuntimeError("INVALID_ARGUMENT", `execution ${id} has no node ${unknown.map((u) => `"${u}"`).join(", ")}`);
    }
    const reset = new Set<LiveNode>();
    const visit = (n: LiveNode, all: boolean): void => {
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
    await this.ctx.commits.committed();
  }

  private async hydrate(rec: ExecutionRecord, ended = false): Promise<LiveExecution> {
    const spec = await this.ctx.specs.load(rec.workflow, rec.version);
    const exec = new LiveExecution(executionInitOf(rec, spec));
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
          const child = exec.add(new LiveNode(exec, `${n.id}[${i}]`, "item", undefined, n.scope, n, -1));
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
      this.ctx.workers.reattach(last, now);
      this.ctx.attempts.restore(last, now);
    }
    const groups = await this.admissionGroupsOf(exec.init, spec);
    if (exec.init.state === ExecutionState.QUEUED) {
      if (this.ctx.admission.admit(groups, exec.id)) this.ctx.runs.run(exec);
    } else {
      this.ctx.admission.occupy(groups, exec.id);
      this.ctx.runs.resume(exec);
    }
    return exec;
  }

  /** The admission groups of a reloaded execution: its workflow's, and its backfill's with the recorded limit. */
  private async admissionGroupsOf(init: ExecutionInit, spec: CompiledWorkflow): Promise<AdmissionGroup[]> {
    const backfill = init.backfillId
      ? { id: init.backfillId, maxActiveRuns: (await this.ctx.store.getBackfill(init.backfillId))?.maxActiveRuns ?? 0 }
      : undefined;
    return admissionGroups(init.workflow, spec, backfill);
  }
}
