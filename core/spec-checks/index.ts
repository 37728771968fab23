// Spec-level checks of a CompiledWorkflow, on the proto alone (no TypeScript): the compiler runs
// them after extraction and the runtime re-runs them on RegisterWorkflow, so both agree.
import type { CompiledWorkflow, WorkflowTemplate } from "../../proto/messages.ts";
import type { Diagnostic } from "../diagnostics.ts";
import { compareDiagnostics, Diagnostics } from "../diagnostics.ts";
import { checkBranch } from "./branches.ts";
import { checkNodeInputs } from "./bindings.ts";
import { CheckContext, spanOf } from "./context.ts";
import { checkDependencies, checkNodesExist } from "./graph.ts";
import { checkInterface } from "./interfaces.ts";
import { checkSubworkflowCycles, checkTemplateNames } from "./registry.ts";
import { checkSchedule } from "./schedule.ts";
import { checkSensor } from "./sensors.ts";
import { checkTaskPolicies } from "./task-policies.ts";
import { startWorkflowCheck } from "./workflow-check.ts";
import { checkWorkflowOutputs } from "./workflow-outputs.ts";

export { SpecLimits } from "./limits.ts";
export { levenshtein, closest, didYouMean } from "./did-you-mean.ts";
export { literalMismatch } from "./literal-fit.ts";
export { isTimeZone } from "./schedule.ts";

/**
 * Every problem of the spec, not only the first, sorted by location (file, line, column; those
 * without a location last). Any diagnostic of category "error" makes the spec invalid.
 */
export function checkCompiledWorkflow(spec: CompiledWorkflow): Diagnostic[] {
  const ctx = new CheckContext(spec);
  if (spec.workflow === undefined) {
    ctx.report(Diagnostics.MissingWorkflow, []);
    return ctx.diagnostics;
  }
  checkTemplateNames(ctx);
  checkSubworkflowCycles(ctx, spec.workflow);
  // Only the tasks and subworkflows reachable from the spec are listed, so check them all.
  const checkedTasks = new Set<string>();
  for (const task of spec.tasks) {
    if (checkedTasks.has(task.name)) continue;
    checkedTasks.add(task.name);
    checkInterface(ctx, `task '${task.name}'`, task.interface, spanOf(task.source));
    checkTaskPolicies(ctx, task);
  }
  for (const wf of [spec.workflow, ...spec.subworkflows]) checkWorkflow(ctx, wf);
  return ctx.diagnostics.sort(compareDiagnostics);
}

function checkWorkflow(ctx: CheckContext, workflow: WorkflowTemplate): void {
  checkInterface(ctx, `workflow '${workflow.name}'`, workflow.interface, spanOf(workflow.source), workflow.name);
  checkSchedule(ctx, workflow);
  const wc = startWorkflowCheck(ctx, workflow);
  checkNodesExist(wc);
  for (const entry of wc.scopes.all) {
    checkNodeInputs(wc, entry);
    checkSensor(wc, entry.node);
    if (entry.node.target.case === "branch") {
      const branch = entry.node.target.value;
      checkInterface(ctx, `branch '${entry.node.id}'`, branch.interface, spanOf(entry.node.source, workflow.source), workflow.name);
      checkBranch(wc, entry, branch);
    }
  }
  checkWorkflowOutputs(wc);
  checkDependencies(wc);
}
