// The node scopes of one workflow: its top level and each branch arm. A node sees the nodes of its
// own scope and of the scopes around it; the outside sees an arm only through the branch outputs.
import type { BranchCase, Node, WorkflowTemplate } from "../../proto/index.ts";

export interface Scope {
  /** "" for the workflow's top level, else "branchId#0", "branchId#otherwise", nested with "/". */
  id: string;
  parent?: Scope;
  /** The branch node whose arm this is. */
  branch?: Node;
  /** "arm 1", "the default arm". */
  armLabel?: string;
  arm?: BranchCase;
  nodes: Node[];
}

export interface NodeEntry {
  node: Node;
  scope: Scope;
}

export interface WorkflowScopes {
  workflow: WorkflowTemplate;
  top: Scope;
  scopes: Scope[];
  /** Every node by id; the first one wins when ids repeat (the duplicate check reports the rest). */
  byId: Map<string, NodeEntry>;
  /** Every node in walk order, duplicates included. */
  all: NodeEntry[];
}

export function buildScopes(workflow: WorkflowTemplate): WorkflowScopes {
  const top: Scope = { id: "", nodes: workflow.nodes };
  const result: WorkflowScopes = { workflow, top, scopes: [], byId: new Map(), all: [] };
  const walk = (scope: Scope): void => {
    result.scopes.push(scope);
    for (const node of scope.nodes) {
      result.all.push({ node, scope });
      if (!result.byId.has(node.id)) result.byId.set(node.id, { node, scope });
      if (node.target.case !== "branch") continue;
      const branch = node.target.value;
      const prefix = scope.id === "" ? node.id : `${scope.id}/${node.id}`;
      branch.cases.forEach((arm, i) => {
        walk({ id: `${prefix}#${i}`, parent: scope, branch: node, armLabel: `arm ${i + 1}`, arm, nodes: arm.nodes });
      });
      if (branch.otherwise !== undefined) {
        const arm = branch.otherwise;
        walk({ id: `${prefix}#otherwise`, parent: scope, branch: node, armLabel: "the default arm", arm, nodes: arm.nodes });
      }
    }
  };
  walk(top);
  return result;
}

/** Whether code in `from` may read nodes of `target` (same scope or an enclosing one). */
export function isVisible(from: Scope, target: Scope): boolean {
  for (let s: Scope | undefined = from; s !== undefined; s = s.parent) if (s === target) return true;
  return false;
}

/**
 * The node of `target` scope that a read from `owner` (in `ownerScope`) depends through: the owner
 * itself when both share a scope, else the branch node around the owner's arm at that level.
 */
export function dependentAt(owner: Node, ownerScope: Scope, target: Scope): Node | undefined {
  let node = owner;
  for (let s: Scope | undefined = ownerScope; s !== undefined; s = s.parent) {
    if (s === target) return node;
    if (s.branch === undefined) return undefined;
    node = s.branch;
  }
  return undefined;
}
