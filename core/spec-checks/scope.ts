// The node scopes of one workflow: its top level and each branch arm. A node sees the nodes of its
// own scope and of the scopes around it; the outside sees an arm only through the branch outputs.
import type { Node, WorkflowTemplate } from "../../proto/messages.ts";
import { walkWorkflow } from "../spec-walk.ts";
import type { NodeVisit, Scope } from "../spec-walk.ts";

export type { Scope };
export type NodeEntry = NodeVisit;

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
  const scopes: Scope[] = [];
  const byId = new Map<string, NodeEntry>();
  const all: NodeEntry[] = [];
  walkWorkflow(workflow, {
    scope: (scope) => void scopes.push(scope),
    node: (entry) => {
      all.push(entry);
      if (!byId.has(entry.node.id)) byId.set(entry.node.id, entry);
    },
  });
  return { workflow, top: scopes[0], scopes, byId, all };
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
