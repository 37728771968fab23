// Composite nodes: a branch runs the arm whose condition holds, a subworkflow its body inline, a map
// one item per element of its list. A composite is RUNNING while its children run and settles when
// the last counted child has (failed when one failed), with outputs bound from its children's.
import { create } from "@bufbuild/protobuf";
import { LiteralSetSchema, NodeState } from "../../../proto/index.ts";
import { BindingError, collectionLiteral, resolveBindings, resolveValue, withHash } from "../model/bindings.ts";
import { evaluateCondition } from "./branches.ts";
import { mapWidthProblem } from "../model/limits.ts";
import { LiveNode, armScopeOf, subScopeOf } from "../model/execution-graph.ts";
import { bindingScope, counted, nodeError } from "./node-transitions.ts";
import { isFailure, isSuccess, isTerminal } from "../model/readiness.ts";
import type { SchedulerContext } from "../scheduler-context.ts";

export class Composites {
  constructor(private readonly ctx: Pick<SchedulerContext, "commits" | "config" | "nodes">) {}

  startBranch(n: LiveNode): void {
    const branch = n.spec!.target.case === "branch" ? n.spec!.target.value : undefined;
    if (!branch) return;
    const scope = bindingScope(n.scope);
    let arm = branch.cases.findIndex((c) => c.condition && evaluateCondition(c.condition, (v) => resolveValue(v, scope)));
    if (arm < 0) {
      if (!branch.otherwise) {
        n.outputs = create(LiteralSetSchema);
        return this.ctx.nodes.settle(n, NodeState.SKIPPED);
      }
      arm = branch.cases.length;
    }
    n.detail.arm = arm;
    this.activate(n);
  }

  startSubworkflow(n: LiveNode): void {
    const name = n.spec!.target.case === "subworkflow" ? n.spec!.target.value : "";
    const sub = n.exec.subworkflows.get(name);
    const scope = subScopeOf(n);
    if (!sub || !scope) throw new Error(`node "${n.id}" runs subworkflow "${name}", which the spec does not contain; recompile the workflow`);
    scope.inputs = resolveBindings(n.spec!.inputs, bindingScope(n.scope), sub.interface?.inputs ?? []).literals;
    this.activate(n);
  }

  startMap(n: LiveNode): void {
    this.expandMap(n, true);
    n.state = NodeState.RUNNING;
    this.ctx.commits.touchNode(n);
    n.openChildren = n.children.filter((c) => !isTerminal(c.state)).length;
    if (n.openChildren === 0) return this.finishComposite(n);
    for (const c of n.children) if (c.state === NodeState.PENDING) this.ctx.nodes.startNode(c);
  }

  /** Creates a map's items (or, after a reload, gives existing ones their inputs again). */
  expandMap(n: LiveNode, create_: boolean): void {
    const spec = n.spec!.target.case === "map" ? n.spec!.target.value : undefined;
    const task = spec && n.exec.tasks.get(spec.task);
    if (!spec || !task) throw new Error(`map node "${n.id}" names task "${spec?.task}", which the spec does not contain; recompile the workflow`);
    const scope = bindingScope(n.scope);
    const list = resolveValue(n.spec!.inputs.find((b) => b.var === spec.mappedInput)?.value, scope);
    if (list.value.case !== "collection") throw new BindingError(`map node "${n.id}": input "${spec.mappedInput}" is not a list`);
    const others = n.spec!.inputs.filter((b) => b.var !== spec.mappedInput);
    const base = resolveBindings(
      others,
      scope,
      (task.interface?.inputs ?? []).filter((v) => v.name !== spec.mappedInput),
    );
    const items = list.value.value.items;
    if (create_) {
      // The list is known only now: a map wider than the runtime's node limit fails here, bounded.
      const tooWide = mapWidthProblem(n.id, items.length, n.exec.nodes.size, this.ctx.config.maxNodes);
      if (tooWide) throw new BindingError(tooWide);
    }
    n.detail.mapSize = items.length;
    items.forEach((item, i) => {
      const id = `${n.id}[${i}]`;
      let child = n.exec.nodes.get(id);
      if (!child && create_) {
        child = n.exec.add(new LiveNode(n.exec, id, "item", undefined, n.scope, n, -1));
        child.index = i;
        n.children.push(child);
      }
      if (!child) return;
      child.task = task;
      child.inputs = create(LiteralSetSchema, { literals: { ...base.literals, [spec.mappedInput]: withHash(item) } });
      this.ctx.commits.touchNode(child);
    });
  }

  finishComposite(n: LiveNode): void {
    if (n.state !== NodeState.RUNNING) return;
    const kids = n.children.filter((c) => counted(c));
    const bad = kids.find((c) => isFailure(c.state));
    if (bad) {
      return this.ctx.nodes.fail(
        n,
        nodeError(n, "CHILD_FAILED", `"${bad.id}" ${NodeState[bad.state].toLowerCase().replace("_", " ")}${bad.error ? `: ${bad.error.message}` : ""}`),
      );
    }
    try {
      if (n.kind === "map") {
        // From the spec, not from an item: a map over an empty list still yields each output, empty.
        const mapped = n.spec!.target.case === "map" ? n.exec.tasks.get(n.spec!.target.value.task) : undefined;
        const names = mapped?.interface?.outputs.map((v) => v.name) ?? [];
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
      return this.ctx.nodes.fail(n, nodeError(n, "BINDING_FAILED", (err as Error).message));
    }
    this.ctx.nodes.settle(n, NodeState.SUCCEEDED);
  }

  /** A branch or subworkflow starts: its counted children that are ready start with it. */
  private activate(n: LiveNode): void {
    n.state = NodeState.RUNNING;
    this.ctx.commits.touchNode(n);
    const kids = n.children.filter((c) => counted(c));
    n.openChildren = kids.filter((c) => !isTerminal(c.state)).length;
    for (const c of n.children) if (!counted(c)) this.ctx.nodes.markSkippedTree(c);
    if (n.openChildren === 0) return this.finishComposite(n);
    for (const c of kids) {
      if (c.state !== NodeState.PENDING) continue;
      c.waitingOn = c.upstream.filter((u) => !isSuccess(u.state)).length;
      if (c.waitingOn === 0) this.ctx.nodes.startNode(c);
    }
  }
}
