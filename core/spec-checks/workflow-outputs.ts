// Workflow outputs: each declared output bound exactly once, to a value whose type fits it.
import { Diagnostics } from "../diagnostics.ts";
import { spanOf } from "./context.ts";
import { didYouMean } from "./did-you-mean.ts";
import { checkEdge } from "./edges.ts";
import type { WorkflowCheck } from "./workflow-check.ts";
import { where } from "./workflow-check.ts";

export function checkWorkflowOutputs(wc: WorkflowCheck): void {
  const { workflow } = wc;
  const declared = workflow.interface?.outputs ?? [];
  const bound = new Set<string>();
  for (const binding of workflow.outputs) {
    const location = spanOf(binding.source, workflow.source);
    const out = declared.find((v) => v.name === binding.var);
    if (out === undefined) {
      wc.ctx.report(
        Diagnostics.UnknownWorkflowOutput,
        [
          workflow.name,
          binding.var,
          didYouMean(
            binding.var,
            declared.map((v) => v.name),
          ),
        ],
        where(wc, location),
      );
      continue;
    }
    if (bound.has(binding.var)) {
      wc.ctx.report(Diagnostics.WorkflowOutputBoundTwice, [binding.var, workflow.name], where(wc, location));
      continue;
    }
    bound.add(binding.var);
    checkEdge(wc, { scope: wc.scopes.top, owner: undefined, direct: false, location }, binding.value, {
      label: `output '${binding.var}' of workflow '${workflow.name}'`,
      type: out.type,
    });
  }
  for (const out of declared) {
    if (!bound.has(out.name)) {
      wc.ctx.report(Diagnostics.WorkflowOutputUnbound, [out.name, workflow.name], { ...where(wc, spanOf(workflow.source)), path: `outputs.${out.name}` });
    }
  }
}
