// A node's transitions: it starts once its upstream has succeeded (a task is answered from the
// cache or queues its first attempt; composites and sensors start in their own parts) and settles
// in a terminal state, which makes its dependants ready or skips them and rolls up to its
// composite or its execution.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExecutionErrorSchema, ExecutionState, LiteralSetSchema, NodeState, type ExecutionError } from "../../../proto/index.ts";
import { errorCodeInfo } from "../../error-codes.ts";
import { BindingError, resolveBindings, type BindingScope } from "../model/bindings.ts";
import { artifactsExist, cacheKey } from "./cache-key.ts";
import type { LiveNode, Scope } from "../model/execution-graph.ts";
import { isFailure, isSuccess, isTerminal } from "../model/readiness.ts";
import type { SchedulerContext } from "../scheduler-context.ts";

export class NodeTransitions {
  constructor(private readonly ctx: Pick<SchedulerContext, "attempts" | "commits" | "composites" | "log" | "runs" | "sensors" | "store">) {}

  startNode(n: LiveNode): void {
    if (n.state !== NodeState.PENDING || n.exec.init.state !== ExecutionState.RUNNING) return;
    n.startedAt = Date.now();
    this.ctx.commits.touchNode(n);
    try {
      switch (n.kind) {
        case "task":
          return this.startTask(n);
        case "item":
          return this.ctx.attempts.queueAttempt(n);
        case "sensor":
          return this.ctx.sensors.start(n, n.startedAt);
        case "branch":
          return this.ctx.composites.startBranch(n);
        case "subworkflow":
          return this.ctx.composites.startSubworkflow(n);
        case "map":
          return this.ctx.composites.startMap(n);
      }
    } catch (err) {
      const code = err instanceof BindingError ? "BINDING_FAILED" : "NO_TASK";
      this.fail(n, nodeError(n, code, (err as Error).message));
    }
  }

  private startTask(n: LiveNode): void {
    const t = n.spec!.target;
    const task = n.exec.tasks.get(t.case === "task" ? t.value : "");
    if (!task) throw new Error(`node "${n.id}" names task "${t.value}", which the spec does not contain; recompile the workflow`);
    n.task = task;
    n.inputs = resolveBindings(n.spec!.inputs, bindingScope(n.scope), task.interface?.inputs ?? []);
    if (task.cache?.enabled) {
      n.state = NodeState.QUEUED;
      const key = cacheKey(task, n.inputs);
      void this.ctx.store.getCache(key).then(
        (hit) => {
          if (n.state !== NodeState.QUEUED || n.attempts.length) return;
          const outputs = hit && fromBinary(LiteralSetSchema, hit.outputs);
          if (outputs && artifactsExist(outputs)) {
            n.outputs = outputs;
            this.settle(n, NodeState.CACHED);
          } else this.ctx.attempts.queueAttempt(n);
        },
        (err) => {
          this.ctx.log.warn({ err, node: n.id }, "cache lookup failed; running the task");
          this.ctx.attempts.queueAttempt(n);
        },
      );
      return;
    }
    this.ctx.attempts.queueAttempt(n);
  }

  fail(n: LiveNode, err: ExecutionError, state: NodeState = NodeState.FAILED): void {
    if (!err.nodeId) err.nodeId = n.id;
    n.error = err;
    this.ctx.log.info({ execution: n.exec.id, node: n.id, code: err.code }, err.message);
    this.settle(n, state);
  }

  skip(n: LiveNode, err: ExecutionError | undefined): void {
    if (isTerminal(n.state)) return;
    n.error = err;
    this.settle(n, NodeState.SKIPPED);
  }

  upstreamError(n: LiveNode): ExecutionError {
    const up = n.upstream.find((u) => isFailure(u.state));
    return nodeError(n, "UPSTREAM_FAILED", `upstream node "${up?.id}" ${up ? NodeState[up.state].toLowerCase().replace("_", " ") : "did not succeed"}`);
  }

  /** A node reached a terminal state: record it, make dependants ready or skip them, roll up. */
  settle(n: LiveNode, state: NodeState): void {
    clearTimeout(n.timer);
    n.timer = undefined;
    n.state = state;
    n.finishedAt = Date.now();
    n.startedAt ||= n.finishedAt;
    this.ctx.commits.touchNode(n);
    if (state === NodeState.SUCCEEDED && n.task?.cache?.enabled && n.inputs && n.outputs) {
      this.ctx.commits.addRow("cache", {
        key: cacheKey(n.task, n.inputs),
        task: n.task.name,
        outputs: toBinary(LiteralSetSchema, n.outputs),
        createdAt: n.finishedAt,
      });
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
      if (c.state === NodeState.RUNNING && counted(n) && --c.openChildren === 0) this.ctx.composites.finishComposite(c);
    } else if (--n.exec.openTop === 0) this.ctx.runs.finishExecution(n.exec);
  }

  /** Marks a node (and what it contains) SKIPPED without roll-up: its container is not running it. */
  markSkippedTree(n: LiveNode): void {
    if (isTerminal(n.state)) return;
    n.state = NodeState.SKIPPED;
    this.ctx.commits.touchNode(n);
    for (const c of n.children) this.markSkippedTree(c);
  }
}

/** Where a node's bindings resolve: its scope's workflow inputs and the outputs of nodes that succeeded. */
export function bindingScope(scope: Scope): BindingScope {
  return {
    workflowInput: (name) => scope.input(name),
    nodeOutput: (id, output) => {
      const n = scope.lookup(id);
      return n && isSuccess(n.state) ? n.outputs?.literals[output] : undefined;
    },
  };
}

export function nodeError(n: LiveNode, code: string, message: string): ExecutionError {
  return create(ExecutionErrorSchema, { code, message, kind: errorCodeInfo(code).kind, nodeId: n.id });
}

/** Whether a child counts toward its composite's completion (branch: only the chosen arm). */
export function counted(child: LiveNode): boolean {
  return child.containerActive();
}
