// The state of checking one workflow template: its scopes and every node-to-node read found while
// typing its bindings (the graph checks use those reads as data dependencies).
import type { WorkflowTemplate } from "../../proto/messages.ts";
import type { SourceSpan } from "../diagnostics.ts";
import type { CheckContext } from "./context.ts";
import { spanOf } from "./context.ts";
import type { NodeEntry, Scope, WorkflowScopes } from "./scope.ts";
import { buildScopes } from "./scope.ts";

export interface NodeRead {
  /** The node whose binding (or condition, or arm output) reads; undefined for workflow outputs. */
  owner: NodeEntry | undefined;
  target: NodeEntry;
  /** True when read by the owner's own input bindings (not by a condition or nested arm). */
  direct: boolean;
}

export interface WorkflowCheck {
  ctx: CheckContext;
  workflow: WorkflowTemplate;
  scopes: WorkflowScopes;
  reads: NodeRead[];
}

/** Where a value is read: the scope that resolves names, the reading node, the place in source. */
export interface Site {
  scope: Scope;
  owner: NodeEntry | undefined;
  direct: boolean;
  location: SourceSpan | undefined;
}

export function startWorkflowCheck(ctx: CheckContext, workflow: WorkflowTemplate): WorkflowCheck {
  return { ctx, workflow, scopes: buildScopes(workflow), reads: [] };
}

export function where(wc: WorkflowCheck, location: SourceSpan | undefined, node?: string) {
  const w: { location?: SourceSpan; workflow: string; node?: string } = { workflow: wc.workflow.name };
  const loc = location ?? spanOf(wc.workflow.source);
  if (loc !== undefined) w.location = loc;
  if (node !== undefined) w.node = node;
  return w;
}
