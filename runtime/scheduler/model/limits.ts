// Bounded work: how many nodes an execution of a spec has once expanded, computed without expanding
// it. Subworkflows are inlined (a node plus its body), every branch arm is instantiated, and a map
// has one node per item, so a 2 KiB spec of 24 nested subworkflows each calling the next twice
// would make 2^24 nodes: the runtime refuses it at RegisterWorkflow and CreateExecution, and a map
// whose list turns out too long when it starts fails instead of expanding (RuntimeConfig.maxNodes).
import { workflowNodes } from "../../../core/index.ts";
import type { CompiledWorkflow, LiteralSet, Node, WorkflowTemplate } from "../../../proto/index.ts";

/**
 * Nodes of one execution of `spec`: 1 per node, plus a subworkflow's expanded body, every arm of a
 * branch, and a map's items when its list is known (a literal list, or for the top-level body a
 * workflow input given in `inputs`; otherwise the map counts 1 and its width is checked when it
 * starts, mapWidthProblem). Each subworkflow's size is counted once (memoised). Saturates at
 * Infinity, which a subworkflow cycle (refused by the spec checks) also gives.
 */
export function expandedNodeCount(spec: CompiledWorkflow, inputs?: LiteralSet): number {
  const templates = new Map(spec.subworkflows.map((w) => [w.name, w]));
  const sizes = new Map<string, number>();
  // Subworkflows in dependency order, callees first, without recursion (a chain may be long).
  const order: WorkflowTemplate[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: Array<{ wf: WorkflowTemplate; callees: string[] }> = [];
  const enter = (wf: WorkflowTemplate): void => {
    state.set(wf.name, "open");
    stack.push({ wf, callees: [...calledSubworkflows(wf)] });
  };
  for (const wf of spec.subworkflows) {
    if (state.has(wf.name)) continue;
    enter(wf);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const next = top.callees.pop();
      if (next === undefined) {
        stack.pop();
        state.set(top.wf.name, "done");
        order.push(top.wf);
        continue;
      }
      const callee = templates.get(next);
      if (!callee) continue;
      if (state.get(next) === "open") sizes.set(next, Number.POSITIVE_INFINITY);
      else if (!state.has(next)) enter(callee);
    }
  }
  for (const wf of order) if (!sizes.has(wf.name)) sizes.set(wf.name, bodySize(wf, sizes, undefined));
  return spec.workflow ? bodySize(spec.workflow, sizes, inputs) : 0;
}

/** Nodes of a workflow's body, every branch arm included; `inputs` are its workflow inputs when known (the top level). */
function bodySize(wf: WorkflowTemplate, sizes: ReadonlyMap<string, number>, inputs: LiteralSet | undefined): number {
  let total = 0;
  for (const { node } of workflowNodes(wf)) {
    total += 1;
    const t = node.target;
    if (t.case === "subworkflow") total += sizes.get(t.value) ?? 0;
    else if (t.case === "map") total += mapWidth(node, t.value.mappedInput, inputs) ?? 0;
  }
  return total;
}

/** A map's item count when its list is known before it starts. */
function mapWidth(n: Node, mappedInput: string, inputs: LiteralSet | undefined): number | undefined {
  const v = n.inputs.find((b) => b.var === mappedInput)?.value?.value;
  const list = v?.case === "literal" ? v.value : v?.case === "workflowInput" ? inputs?.literals[v.value] : undefined;
  return list?.value.case === "collection" ? list.value.value.items.length : undefined;
}

function calledSubworkflows(wf: WorkflowTemplate): Set<string> {
  const called = new Set<string>();
  for (const { node } of workflowNodes(wf)) if (node.target.case === "subworkflow") called.add(node.target.value);
  return called;
}

/** Why a spec of `count` expanded nodes may not run, or undefined. */
export function expandedSizeProblem(workflow: string, count: number, maxNodes: number): string | undefined {
  if (count <= maxNodes) return undefined;
  const figure = Number.isFinite(count) ? count.toLocaleString("en-US") : "an unbounded number of";
  return `an execution of ${workflow} would have ${figure} nodes once its subworkflows, branches and known maps are expanded; this runtime runs at most ${maxNodes.toLocaleString("en-US")} per execution (weir server --max-nodes)`;
}

/**
 * Why map node `nodeId` may not expand to `width` items in an execution already holding
 * `currentNodes` nodes (the map's own node included), or undefined. The engine calls this when a
 * map's list is known, before creating its items; a problem fails the map node.
 */
export function mapWidthProblem(nodeId: string, width: number, currentNodes: number, maxNodes: number): string | undefined {
  if (currentNodes + width <= maxNodes) return undefined;
  return `map "${nodeId}" has ${width.toLocaleString("en-US")} items, which would make ${(currentNodes + width).toLocaleString("en-US")} nodes in this execution; this runtime runs at most ${maxNodes.toLocaleString("en-US")} per execution (weir server --max-nodes)`;
}
