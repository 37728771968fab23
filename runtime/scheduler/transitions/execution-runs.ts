// An execution from admission to its end: RUNNING with what is ready started (at creation, after a
// reload or a clear), then SUCCEEDED or FAILED once its last top-level node settles, or TERMINATED
// on request. An ended execution leaves memory at its last commit and admits the next of its group.
import { create } from "@bufbuild/protobuf";
import { ErrorKind, ExecutionErrorSchema, ExecutionState, NodeState } from "../../../proto/index.ts";
import { RuntimeError } from "../../error-codes.ts";
import { resolveBindings } from "../model/bindings.ts";
import type { LiveExecution, LiveNode } from "../model/execution-graph.ts";
import type { MemoryRelease } from "../memory-release.ts";
import { bindingScope, counted, nodeError } from "./node-transitions.ts";
import { isFailure, isSuccess, isTerminal } from "../model/readiness.ts";
import type { SchedulerContext } from "../scheduler-context.ts";

export class ExecutionRuns {
  constructor(
    private readonly ctx: SchedulerContext,
    private readonly memoryRelease: MemoryRelease,
  ) {}

  /** Moves an admitted execution to RUNNING and starts what is ready. */
  run(exec: LiveExecution): void {
    exec.init.state = ExecutionState.RUNNING;
    exec.init.startedAt ||= Date.now();
    this.ctx.commits.touchExec(exec);
    this.recount(exec);
    this.resume(exec);
  }

  /** Recomputes the counters readiness uses from node states (after creation, reload or clear). */
  recount(exec: LiveExecution): void {
    for (const n of exec.nodes.values()) {
      n.waitingOn = n.upstream.filter((u) => !isSuccess(u.state)).length;
      if (n.state === NodeState.RUNNING && n.children.length) {
        n.openChildren = n.children.filter((c) => counted(c) && !isTerminal(c.state)).length;
      }
    }
    exec.openTop = exec.top.filter((n) => !isTerminal(n.state)).length;
    exec.inflight = 0;
    for (const n of exec.nodes.values()) {
      const last = n.attempts.at(-1);
      if (last && (last.state === NodeState.QUEUED || last.state === NodeState.RUNNING) && last.token) exec.inflight++;
    }
  }

  /** Starts every ready node and re-arms what a reload left in flight. */
  resume(exec: LiveExecution): void {
    const { nodes, attempts, composites } = this.ctx;
    const now = Date.now();
    for (const n of [...exec.nodes.values()]) {
      if (n.state === NodeState.PENDING) {
        if (n.waitingOn === 0 && n.containerActive()) nodes.startNode(n);
        else if (n.upstream.some((u) => isFailure(u.state)) && n.containerActive()) nodes.skip(n, nodes.upstreamError(n));
      } else if (n.state === NodeState.QUEUED && (n.kind === "task" || n.kind === "item")) {
        const last = n.attempts.at(-1);
        const due = n.detail.retryAt ?? 0;
        if (due > now) n.timer = setTimeout(() => attempts.queueAttempt(n), due - now);
        else if (last && last.state === NodeState.QUEUED) {
          // A queued attempt reloaded from the store: its inputs were never part of its record.
          attempts.bindInputs(n);
          attempts.admit(last);
        } else attempts.queueAttempt(n);
      } else if (n.state === NodeState.WAITING) {
        this.ctx.sensors.start(n, n.detail.sensorStart ?? now);
      } else if (n.state === NodeState.RUNNING && n.children.length && n.openChildren === 0 && n.kind !== "map") {
        composites.finishComposite(n);
      }
    }
    for (const n of exec.nodes.values()) {
      if (n.kind === "map" && n.state === NodeState.RUNNING && n.openChildren === 0) composites.finishComposite(n);
    }
    if (exec.openTop === 0 && exec.init.state === ExecutionState.RUNNING) this.finishExecution(exec);
  }

  finishExecution(exec: LiveExecution): void {
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

  /** Cancels running attempts, marks the rest CANCELLED and the execution TERMINATED. */
  async terminate(id: string, reason: string): Promise<void> {
    const { dispatcher, attempts, commits } = this.ctx;
    const exec = this.ctx.executions.get(id);
    if (!exec) {
      const rec = await this.ctx.store.getExecution(id);
      if (!rec) throw new RuntimeError("NOT_FOUND", `execution ${id} does not exist; list executions with \`weir executions\``);
      if (rec.state === ExecutionState.QUEUED || rec.state === ExecutionState.RUNNING) {
        // Recorded as live but not driven here: it could not be reloaded (the log says why).
        throw new RuntimeError(
          "FAILED_PRECONDITION",
          `execution ${id} is ${ExecutionState[rec.state]} in the store but this runtime is not driving it (it could not be reloaded at start; see the runtime's log)`,
        );
      }
      return; // already ended: nothing to terminate
    }
    const why = reason || "terminated by request";
    const err = (n: LiveNode) => nodeError(n, "CANCELLED", why);
    dispatcher.withdraw((a) => a.node.exec === exec);
    exec.held.length = 0;
    for (const n of exec.nodes.values()) {
      if (isTerminal(n.state)) continue;
      for (const a of n.attempts) {
        if (a.state === NodeState.RUNNING) {
          attempts.sendCancel(dispatcher.workers.get(a.workerId), a.token, why);
          attempts.finishAttempt(a, NodeState.CANCELLED, err(n));
        } else if (a.state === NodeState.QUEUED) {
          a.state = NodeState.CANCELLED;
          a.finishedAt = Date.now();
          commits.touchAttempt(a);
          this.ctx.observer.attemptEnded(exec.init.workflow, n.task?.name ?? "", NodeState.CANCELLED);
        }
      }
      clearTimeout(n.timer);
      n.state = NodeState.CANCELLED;
      n.error = err(n);
      n.finishedAt = Date.now();
      commits.touchNode(n);
    }
    exec.error = create(ExecutionErrorSchema, { code: "TERMINATED", message: why, kind: ErrorKind.USER });
    if (exec.init.state === ExecutionState.QUEUED) this.ctx.admission.withdraw(exec.id);
    exec.init.state = ExecutionState.TERMINATED;
    this.end(exec);
    await commits.committed();
  }

  /** The engine stops: no timers fire and no collection runs after it. */
  stop(): void {
    this.memoryRelease.stop();
    for (const exec of this.ctx.executions.values()) this.clearTimers(exec);
  }

  private end(exec: LiveExecution): void {
    exec.init.finishedAt = Date.now();
    this.ctx.commits.touchExec(exec);
    this.clearTimers(exec);
    this.ctx.log.info({ execution: exec.id, state: ExecutionState[exec.init.state] }, "execution ended");
    this.ctx.observer.executionEnded(exec.init.workflow, exec.init.state);
    this.ctx.commits.afterCommit(() => {
      this.ctx.executions.delete(exec.id);
      this.memoryRelease.ended(exec.nodes.size);
    });
    for (const next of this.ctx.admission.release(exec.id)) {
      const e = this.ctx.executions.get(next);
      if (e) this.run(e);
    }
  }

  private clearTimers(exec: LiveExecution): void {
    for (const n of exec.nodes.values()) {
      clearTimeout(n.timer);
      for (const a of n.attempts) if (a.state !== NodeState.RUNNING) clearTimeout(a.timer);
    }
  }
}
