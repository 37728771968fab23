// Types the value bound to an input: resolves output references (with attribute paths into
// structs), workflow inputs and templates, reporting every name that does not resolve.
import { create } from "@bufbuild/protobuf";
import { LiteralTypeSchema, SimpleType } from "../../proto/messages.ts";
import type { BindingValue, LiteralType, OutputReference } from "../../proto/messages.ts";
import { Diagnostics } from "../diagnostics.ts";
import { isStringable } from "../compatibility.ts";
import { typeName } from "../type-names.ts";
import { didYouMean } from "./did-you-mean.ts";
import { nodeShape } from "./node-shape.ts";
import { isVisible } from "./scope.ts";
import type { Site, WorkflowCheck } from "./workflow-check.ts";
import { where } from "./workflow-check.ts";

/** A typed value and how to name it in a message ("output 'x' of node 'n' (task 't')"). */
export interface Produced {
  type: LiteralType;
  label: string;
}

const stringType = create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.STRING } });

export function resolveRef(wc: WorkflowCheck, site: Site, ref: OutputReference, reader: string): Produced | undefined {
  const entry = wc.scopes.byId.get(ref.nodeId);
  const node = site.owner?.node.id;
  if (entry === undefined) {
    const visible = wc.scopes.all.filter((e) => isVisible(site.scope, e.scope)).map((e) => e.node.id);
    wc.ctx.report(Diagnostics.UnknownNode, [reader, ref.nodeId, wc.workflow.name, didYouMean(ref.nodeId, visible)], where(wc, site.location, node));
    return undefined;
  }
  if (!isVisible(site.scope, entry.scope)) {
    wc.ctx.report(Diagnostics.NodeNotInScope, [reader, ref.nodeId], where(wc, site.location, node));
    return undefined;
  }
  wc.reads.push({ owner: site.owner, target: entry, direct: site.direct });
  const shape = nodeShape(wc.ctx, entry.node);
  if (shape.outputs === undefined) return undefined; // the unknown target is reported on that node
  const type = shape.outputs.get(ref.output);
  if (!shape.outputs.has(ref.output)) {
    wc.ctx.report(
      Diagnostics.UnknownOutput,
      [ref.nodeId, shape.label, ref.output, didYouMean(ref.output, shape.outputs.keys())],
      where(wc, site.location, node),
    );
    return undefined;
  }
  if (type === undefined) return undefined; // reported by the type validity check
  let label = `output '${ref.output}' of node '${ref.nodeId}' (${shape.label})`;
  let current: LiteralType = type;
  for (const attr of ref.attrPath) {
    let optional = false;
    let inner = current;
    if (inner.type.case === "optional" && inner.type.value.inner !== undefined) {
      optional = true;
      inner = inner.type.value.inner;
    }
    if (inner.type.case !== "struct") {
      wc.ctx.report(Diagnostics.AttributeOfNonStruct, [attr, label, typeName(current)], where(wc, site.location, node));
      return undefined;
    }
    const field = inner.type.value.fields.find((f) => f.name === attr);
    if (field === undefined || field.type === undefined) {
      wc.ctx.report(
        Diagnostics.UnknownStructField,
        [
          label,
          attr,
          didYouMean(
            attr,
            inner.type.value.fields.map((f) => f.name),
          ),
        ],
        where(wc, site.location, node),
      );
      return undefined;
    }
    // Reading through an optional struct, or an optional field, may yield nothing.
    current = optional || field.optional ? optionalOf(field.type) : field.type;
    label = `field '${attr}' of ${label}`;
  }
  return { type: current, label };
}

function optionalOf(t: LiteralType): LiteralType {
  if (t.type.case === "optional") return t;
  return create(LiteralTypeSchema, { type: { case: "optional", value: { inner: t } } });
}

export function resolveWorkflowInput(wc: WorkflowCheck, site: Site, name: string): Produced | undefined {
  const inputs = wc.workflow.interface?.inputs ?? [];
  const input = inputs.find((v) => v.name === name);
  if (input === undefined) {
    wc.ctx.report(
      Diagnostics.UnknownWorkflowInput,
      [
        wc.workflow.name,
        name,
        didYouMean(
          name,
          inputs.map((v) => v.name),
        ),
      ],
      where(wc, site.location, site.owner?.node.id),
    );
    return undefined;
  }
  if (input.type === undefined) return undefined;
  return { type: input.type, label: `input '${name}' of workflow '${wc.workflow.name}'` };
}

/**
 * The type of a non-literal binding value; undefined when it does not resolve (already reported).
 * Literals are checked against the consumer directly (see literal-fit.ts), so they return undefined.
 */
export function resolveValue(wc: WorkflowCheck, site: Site, value: BindingValue, reader: string): Produced | undefined {
  const v = value.value;
  switch (v.case) {
    case "ref":
      return resolveRef(wc, site, v.value, reader);
    case "workflowInput":
      return resolveWorkflowInput(wc, site, v.value);
    case "template": {
      for (const part of v.value.parts) {
        const p = part.part;
        const produced =
          p.case === "ref" ? resolveRef(wc, site, p.value, reader) : p.case === "workflowInput" ? resolveWorkflowInput(wc, site, p.value) : undefined;
        if (produced !== undefined && !isStringable(produced.type)) {
          wc.ctx.report(
            Diagnostics.TemplatePartNotStringable,
            [produced.label, typeName(produced.type), `the template bound to ${reader}`],
            where(wc, site.location, site.owner?.node.id),
          );
        }
      }
      return { type: stringType, label: "a string template" };
    }
    default:
      return undefined;
  }
}
