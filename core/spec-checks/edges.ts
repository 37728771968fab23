// One edge: the value bound to a consumer (node input, map item, workflow output, branch output)
// against the consumer's declared type, with one detail line per difference.
import type { BindingValue, LiteralType } from "../../proto/messages.ts";
import { Diagnostics } from "../diagnostics.ts";
import { checkAssignable, isAnyType } from "../compatibility.ts";
import { typeName } from "../type-names.ts";
import { literalMismatch, literalText } from "./literal-fit.ts";
import { listOf } from "./node-shape.ts";
import type { Produced } from "./values.ts";
import { resolveValue } from "./values.ts";
import type { Site, WorkflowCheck } from "./workflow-check.ts";
import { where } from "./workflow-check.ts";

export interface Consumer {
  /** "input 'df' of node 'train' (task 'train')". */
  label: string;
  type: LiteralType | undefined;
  /** A map's mapped input: the binding is a list, each item feeds `type`. */
  mapped?: { nodeId: string; input: string };
}

export function checkEdge(wc: WorkflowCheck, site: Site, value: BindingValue | undefined, consumer: Consumer): void {
  const node = site.owner?.node.id;
  if (value === undefined || value.value.case === undefined) {
    wc.ctx.report(Diagnostics.EmptyBinding, [consumer.label], where(wc, site.location, node));
    return;
  }
  if (value.value.case === "literal") {
    const expected = consumer.mapped ? listOf(consumer.type) : consumer.type;
    const why = literalMismatch(value.value.value, expected);
    if (why !== undefined) {
      wc.ctx.report(Diagnostics.LiteralTypeMismatch, [literalText(value.value.value), consumer.label, typeName(expected)], {
        ...where(wc, site.location, node),
        details: [why],
      });
    }
    return;
  }
  const produced = resolveValue(wc, site, value, consumer.label);
  if (produced === undefined || consumer.type === undefined) return;
  if (consumer.mapped !== undefined) {
    const p = produced.type.type;
    if (p.case !== "collection" || p.value.item === undefined) {
      if (isAnyType(produced.type) && p.case === "simple") return uncheckedEdge(wc, site, produced, consumer);
      wc.ctx.report(
        Diagnostics.MapInputNotList,
        [consumer.mapped.input, consumer.mapped.nodeId, produced.label, typeName(produced.type)],
        where(wc, site.location, node),
      );
      return;
    }
    compare(wc, site, { type: p.value.item, label: `each item of ${produced.label}` }, consumer);
    return;
  }
  compare(wc, site, produced, consumer);
}

function compare(wc: WorkflowCheck, site: Site, produced: Produced, consumer: Consumer & { type: LiteralType | undefined }): void {
  if (consumer.type === undefined) return;
  const issues = checkAssignable(produced.type, consumer.type);
  if (issues.length > 0) {
    wc.ctx.report(Diagnostics.EdgeTypeMismatch, [produced.label, typeName(produced.type), consumer.label, typeName(consumer.type)], {
      ...where(wc, site.location, site.owner?.node.id),
      details: issues.map((i) => i.message),
    });
    return;
  }
  // A consumer that accepts 'any' is warned about where it is declared; an 'any' producer into a
  // typed consumer is the edge nothing checked, so it gets its own warning.
  if (isAnyType(produced.type) && !isAnyType(consumer.type)) uncheckedEdge(wc, site, produced, consumer);
}

function uncheckedEdge(wc: WorkflowCheck, site: Site, produced: Produced, consumer: Consumer): void {
  wc.ctx.report(
    Diagnostics.UncheckedEdge,
    [produced.label, typeName(produced.type), consumer.label, typeName(consumer.type)],
    where(wc, site.location, site.owner?.node.id),
  );
}
