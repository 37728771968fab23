// The one walk over a workflow's node tree: its top level, every branch arm (nested to any depth),
// and, when asked, the subworkflows its nodes call. Map and sensor nodes are leaves (a map runs one
// task per item). Every pass over a spec's nodes goes through here, so none forgets an arm.
import type { BranchCase, Node, WorkflowTemplate } from "../proto/messages.ts";

/** A list of nodes that see each other: a workflow's top level, a branch arm, an entered subworkflow. */
export interface Scope {
  /** "" for the top level, "branchId#0" / "branchId#otherwise" for arms, "nodeId@workflow" for an entered subworkflow; nested with "/". */
  id: string;
  parent?: Scope;
  /** The workflow template whose nodes these are. */
  workflow: WorkflowTemplate;
  /** The branch node whose arm this is. */
  branch?: Node;
  /** "arm 1", "the default arm". */
  armLabel?: string;
  arm?: BranchCase;
  /** The subworkflow node through which this template was entered. */
  caller?: Node;
  nodes: Node[];
}

export interface NodeVisit {
  node: Node;
  scope: Scope;
}

export interface SpecVisitor {
  /** Each scope, before its nodes. */
  scope?(scope: Scope): void;
  /** Each node, before what lies inside it; return false to skip that (a branch's arms, a subworkflow). */
  node?(visit: NodeVisit): boolean | void;
}

export interface WalkOptions {
  /**
   * Enters subworkflow nodes: the template a name stands for (undefined: not entered). A template
   * already being walked on the current path is not entered again (the cycle check reports it).
   */
  subworkflow?(name: string): WorkflowTemplate | undefined;
}

/** Visits every node of `workflow` depth first, in declaration order: a branch's arms right after it. */
export function walkWorkflow(workflow: WorkflowTemplate, visitor: SpecVisitor, options: WalkOptions = {}): void {
  walkScope({ id: "", workflow, nodes: workflow.nodes }, visitor, options, new Set([workflow.name]));
}

function walkScope(scope: Scope, visitor: SpecVisitor, options: WalkOptions, entered: Set<string>): void {
  visitor.scope?.(scope);
  for (const node of scope.nodes) {
    if (visitor.node?.({ node, scope }) === false) continue;
    const prefix = scope.id === "" ? node.id : `${scope.id}/${node.id}`;
    const target = node.target;
    if (target.case === "branch") {
      const branch = target.value;
      const arm = (id: string, armLabel: string, value: BranchCase) =>
        walkScope({ id, parent: scope, workflow: scope.workflow, branch: node, armLabel, arm: value, nodes: value.nodes }, visitor, options, entered);
      for (const [i, value] of branch.cases.entries()) arm(`${prefix}#${i}`, `arm ${i + 1}`, value);
      if (branch.otherwise !== undefined) arm(`${prefix}#otherwise`, "the default arm", branch.otherwise);
    } else if (target.case === "subworkflow" && options.subworkflow !== undefined && !entered.has(target.value)) {
      const callee = options.subworkflow(target.value);
      if (callee === undefined) continue;
      entered.add(callee.name);
      walkScope({ id: `${prefix}@${callee.name}`, parent: scope, workflow: callee, caller: node, nodes: callee.nodes }, visitor, options, entered);
      entered.delete(callee.name);
    }
  }
}

/** Every node of the workflow with its scope, in walk order (arms included, subworkflows not). */
export function workflowNodes(workflow: WorkflowTemplate): NodeVisit[] {
  const visits: NodeVisit[] = [];
  walkWorkflow(workflow, { node: (visit) => void visits.push(visit) });
  return visits;
}
