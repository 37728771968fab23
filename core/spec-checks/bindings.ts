// Node inputs: every binding names a real input once, every required input is bound, and every
// bound value's type fits the input (map items against the task input, subworkflow inputs too).
import { Diagnostics } from "../diagnostics.ts";
import { spanOf } from "./context.ts";
import { didYouMean } from "./did-you-mean.ts";
import { checkEdge } from "./edges.ts";
import { isOptionalInput, nodeShape } from "./node-shape.ts";
import type { NodeEntry } from "./scope.ts";
import type { WorkflowCheck } from "./workflow-check.ts";
import { where } from "./workflow-check.ts";

export function checkNodeInputs(wc: WorkflowCheck, entry: NodeEntry): void {
  const { node } = entry;
  const shape = nodeShape(wc.ctx, node);
  const nodeLabel = `node '${node.id}' (${shape.label})`;
  const nodeSpan = spanOf(node.source);
  if (node.target.case === "map" && shape.inputs !== undefined) {
    const mapped = node.target.value.mappedInput;
    if (!shape.inputs.some((s) => s.name === mapped)) {
      wc.ctx.report(
        Diagnostics.UnknownMappedInput,
        [
          node.id,
          mapped,
          node.target.value.task,
          didYouMean(
            mapped,
            shape.inputs.map((s) => s.name),
          ),
        ],
        where(wc, nodeSpan, node.id),
      );
    }
  }
  const seen = new Set<string>();
  for (const binding of node.inputs) {
    const location = spanOf(binding.source, node.source);
    const site = { scope: entry.scope, owner: entry, direct: true, location };
    if (shape.inputs === undefined) {
      // Unknown target (reported elsewhere): still resolve references so they count as reads.
      checkEdge(wc, site, binding.value, { label: `input '${binding.var}' of ${nodeLabel}`, type: undefined });
      continue;
    }
    const slot = shape.inputs.find((s) => s.name === binding.var);
    if (slot === undefined) {
      wc.ctx.report(
        Diagnostics.UnknownInput,
        [
          nodeLabel,
          binding.var,
          didYouMean(
            binding.var,
            shape.inputs.map((s) => s.name),
          ),
        ],
        where(wc, location, node.id),
      );
      continue;
    }
    if (seen.has(binding.var)) {
      wc.ctx.report(Diagnostics.InputBoundTwice, [binding.var, nodeLabel], where(wc, location, node.id));
      continue;
    }
    seen.add(binding.var);
    checkEdge(wc, site, binding.value, {
      label: `input '${binding.var}' of ${nodeLabel}`,
      type: slot.type,
      ...(slot.mapped ? { mapped: { nodeId: node.id, input: slot.name } } : {}),
    });
  }
  for (const slot of shape.inputs ?? []) {
    if (!seen.has(slot.name) && !isOptionalInput(slot)) {
      wc.ctx.report(Diagnostics.UnboundInput, [slot.name, nodeLabel], { ...where(wc, nodeSpan, node.id), path: `inputs.${slot.name}` });
    }
  }
}
