// The compiled workflow's tables: one template per name, and subworkflows that do not call
// themselves (directly or through each other).
import type { WorkflowTemplate } from "../../proto/messages.ts";
import { Diagnostics } from "../diagnostics.ts";
import { walkWorkflow } from "../spec-walk.ts";
import type { CheckContext } from "./context.ts";
import { spanOf } from "./context.ts";

export function checkTemplateNames(ctx: CheckContext): void {
  const tasks = new Set<string>();
  for (const task of ctx.spec.tasks) {
    if (tasks.has(task.name)) ctx.report(Diagnostics.DuplicateTemplateName, ["tasks", task.name], located(spanOf(task.source)));
    tasks.add(task.name);
  }
  const workflows = new Set<string>(ctx.spec.workflow ? [ctx.spec.workflow.name] : []);
  for (const wf of ctx.spec.subworkflows) {
    if (workflows.has(wf.name)) ctx.report(Diagnostics.DuplicateTemplateName, ["workflows", wf.name], located(spanOf(wf.source)));
    workflows.add(wf.name);
  }
}

function located(location: ReturnType<typeof spanOf>) {
  return location === undefined ? {} : { location };
}

function subworkflowsCalled(workflow: WorkflowTemplate): Set<string> {
  const called = new Set<string>();
  walkWorkflow(workflow, { node: ({ node }) => void (node.target.case === "subworkflow" && called.add(node.target.value)) });
  return called;
}

export function checkSubworkflowCycles(ctx: CheckContext, root: WorkflowTemplate): void {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (wf: WorkflowTemplate): void => {
    state.set(wf.name, "open");
    stack.push(wf.name);
    for (const name of [...subworkflowsCalled(wf)].sort()) {
      const callee = ctx.workflows.get(name);
      if (callee === undefined) continue; // reported as a missing subworkflow
      if (state.get(name) === "open") {
        const cycle = [...stack.slice(stack.indexOf(name)), name].join(" -> ");
        const location = spanOf(wf.source);
        ctx.report(Diagnostics.SubworkflowCycle, [cycle], { workflow: wf.name, ...located(location) });
      } else if (state.get(name) === undefined) {
        visit(callee);
      }
    }
    stack.pop();
    state.set(wf.name, "done");
  };
  visit(root);
}
