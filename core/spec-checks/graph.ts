// The graph of one workflow: node ids unique, targets that exist, upstream ids that exist and
// include every same-scope node a node reads, and no cycles. A leaf whose outputs nobody reads is
// not reported: weir cannot tell a forgotten result from a side effect (deploy, publish, report),
// and a warning on every legitimate leaf would teach users to ignore warnings.
import type { Node } from "../../proto/messages.ts";
import { Diagnostics } from "../diagnostics.ts";
import { spanOf } from "./context.ts";
import { didYouMean } from "./did-you-mean.ts";
import type { NodeEntry, Scope } from "./scope.ts";
import { dependentAt } from "./scope.ts";
import type { WorkflowCheck } from "./workflow-check.ts";
import { where } from "./workflow-check.ts";

/** Checks that do not need the bindings typed: ids, targets, upstream names, emptiness. */
export function checkNodesExist(wc: WorkflowCheck): void {
  const { ctx, workflow, scopes } = wc;
  if (workflow.nodes.length === 0) ctx.report(Diagnostics.EmptyWorkflow, [workflow.name], where(wc, spanOf(workflow.source)));
  const seen = new Set<string>();
  for (const { node } of scopes.all) {
    const span = spanOf(node.source);
    if (seen.has(node.id)) ctx.report(Diagnostics.DuplicateNodeId, [node.id, workflow.name], where(wc, span, node.id));
    seen.add(node.id);
    const t = node.target;
    switch (t.case) {
      case "task":
      case "map": {
        const task = t.case === "task" ? t.value : t.value.task;
        if (!ctx.tasks.has(task)) ctx.report(Diagnostics.MissingTask, [node.id, task, didYouMean(task, ctx.tasks.keys())], where(wc, span, node.id));
        break;
      }
      case "subworkflow":
        if (!ctx.workflows.has(t.value)) {
          ctx.report(Diagnostics.MissingSubworkflow, [node.id, t.value, didYouMean(t.value, ctx.workflows.keys())], where(wc, span, node.id));
        }
        break;
      case undefined:
        ctx.report(Diagnostics.NodeWithoutTarget, [node.id], where(wc, span, node.id));
        break;
      default:
        break;
    }
  }
  for (const { node, scope } of scopes.all) {
    // An id the node also reads through a binding is reported there, as an unknown node.
    const unknown = node.upstream.filter((up) => !scopes.byId.has(up));
    if (unknown.length === 0) continue; // the common case: no per-node work beyond the lookups
    const read = referencedNodeIds(node);
    const inScope = scope.nodes.map((n) => n.id);
    for (const up of unknown) {
      if (!read.has(up)) {
        ctx.report(Diagnostics.UnknownUpstream, [node.id, up, didYouMean(up, inScope)], where(wc, spanOf(node.source), node.id));
      }
    }
  }
}

function referencedNodeIds(node: Node): Set<string> {
  const ids = new Set<string>();
  for (const b of node.inputs) {
    const v = b.value?.value;
    if (v?.case === "ref") ids.add(v.value.nodeId);
    if (v?.case === "template") for (const p of v.value.parts) if (p.part.case === "ref") ids.add(p.part.value.nodeId);
  }
  return ids;
}

/** Checks that need the reads collected while typing bindings: upstream lists and cycles. */
export function checkDependencies(wc: WorkflowCheck): void {
  const { ctx, scopes } = wc;
  // Dependencies per scope: upstream lists plus reads, a read from inside an arm counting as a
  // read by the branch node that holds the arm.
  const deps = new Map<string, Set<string>>();
  for (const { node, scope } of scopes.all) {
    const set = deps.get(node.id) ?? new Set<string>();
    for (const up of node.upstream) if (scopes.byId.get(up)?.scope === scope) set.add(up);
    deps.set(node.id, set);
  }
  const missingReported = new Set<string>();
  for (const read of wc.reads) {
    if (read.owner === undefined) continue;
    const dependent = dependentAt(read.owner.node, read.owner.scope, read.target.scope);
    if (dependent === undefined) continue;
    deps.get(dependent.id)?.add(read.target.node.id);
    const key = `${read.owner.node.id}\u0000${read.target.node.id}`;
    if (read.direct && read.owner.scope === read.target.scope && !read.owner.node.upstream.includes(read.target.node.id) && !missingReported.has(key)) {
      missingReported.add(key);
      ctx.report(Diagnostics.MissingUpstream, [read.owner.node.id, read.target.node.id], where(wc, spanOf(read.owner.node.source), read.owner.node.id));
    }
  }
  for (const scope of scopes.scopes) reportCycles(wc, scope, deps);
}

function reportCycles(wc: WorkflowCheck, scope: Scope, deps: Map<string, Set<string>>): void {
  const ids = new Set(scope.nodes.map((n) => n.id));
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, "open");
    stack.push(id);
    for (const dep of [...(deps.get(id) ?? [])].sort()) {
      if (!ids.has(dep)) continue;
      if (state.get(dep) === "open") {
        // deps point upstream; print the cycle in data-flow order: producer -> consumer.
        const loop = stack.slice(stack.indexOf(dep)).reverse();
        // Start at the node declared first, so the same cycle always reads the same way.
        const order = scope.nodes.map((n) => n.id);
        const start = loop.reduce((best, id, i) => (order.indexOf(id) < order.indexOf(loop[best]) ? i : best), 0);
        const cycle = [...loop.slice(start), ...loop.slice(0, start)];
        cycle.push(cycle[0]);
        const first = wc.scopes.byId.get(cycle[0])?.node;
        wc.ctx.report(Diagnostics.Cycle, [wc.workflow.name, cycle.join(" -> ")], where(wc, spanOf(first?.source), first?.id));
      } else if (state.get(dep) === undefined) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const node of scope.nodes) if (state.get(node.id) === undefined) visit(node.id);
}

export type { NodeEntry };
