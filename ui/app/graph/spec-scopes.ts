// Where a spec node's local ids resolve, as the runtime resolves them: a body's own nodes first,
// then, inside a branch arm, the enclosing body's; a subworkflow's body sees only its own nodes,
// and its workflow inputs are the bindings of the subworkflow node that calls it.
import type { BranchNode, Node, WorkflowTemplate } from "../../../proto/messages.ts";

export interface Level {
  /** What the runtime puts before a local id in this body ("", "sub.", "branch."). */
  prefix: string;
  nodes: Map<string, Node>;
  /** The enclosing body, for a branch arm. */
  parent?: Level;
  /** The subworkflow node whose bindings give this body's workflow inputs (none at the top). */
  caller?: { node: Node; level: Level };
}

export interface Resolved {
  /** The runtime id. */
  id: string;
  node: Node;
  level: Level;
}

export function resolveIn(level: Level | undefined, localId: string): Resolved | undefined {
  for (let l = level; l; l = l.parent) {
    const node = l.nodes.get(localId);
    if (node) return { id: l.prefix + localId, node, level: l };
  }
  return undefined;
}

export function bodyLevel(template: WorkflowTemplate, prefix: string, caller?: Level["caller"]): Level {
  return { prefix, nodes: new Map(template.nodes.map((n) => [n.id, n])), caller };
}

export function armsOf(branch: BranchNode): BranchNode["cases"] {
  return [...branch.cases, ...(branch.otherwise ? [branch.otherwise] : [])];
}

/** The one body all of a branch's arms share (the runtime prefixes them all with the branch's id). */
export function armLevel(branch: BranchNode, branchId: string, level: Level): Level {
  return { prefix: `${branchId}.`, nodes: new Map(armsOf(branch).flatMap((a) => a.nodes.map((n) => [n.id, n]))), parent: level, caller: level.caller };
}

/** Every spec node under its runtime id with the body it resolves in, subworkflows and arms included. */
export function placeNodes(top: WorkflowTemplate, subworkflows: readonly WorkflowTemplate[]): Map<string, Resolved> {
  const subs = new Map(subworkflows.map((s) => [s.name, s]));
  const out = new Map<string, Resolved>();
  const walk = (level: Level, depth: number) => {
    // A spec that calls itself is refused at registration; the bound keeps a bad one from hanging the page.
    if (depth > 64) return;
    for (const n of level.nodes.values()) {
      const id = level.prefix + n.id;
      out.set(id, { id, node: n, level });
      const t = n.target;
      if (t.case === "subworkflow") {
        const sub = subs.get(t.value);
        if (sub) walk(bodyLevel(sub, `${id}.`, { node: n, level }), depth + 1);
      } else if (t.case === "branch") walk(armLevel(t.value, id, level), depth + 1);
    }
  };
  walk(bodyLevel(top, ""), 0);
  return out;
}
