// Branches: conditional arms plus a default arm; conditions compare comparable values; every arm
// binds every (non-optional) output the branch declares, with a type that fits it.
import { Comparison_Operator, SimpleType } from "../../proto/messages.ts";
import type { BindingValue, BooleanExpression, BranchNode, LiteralType } from "../../proto/messages.ts";
import { Diagnostics } from "../diagnostics.ts";
import { typeName } from "../type-names.ts";
import { spanOf } from "./context.ts";
import { didYouMean } from "./did-you-mean.ts";
import { checkEdge } from "./edges.ts";
import { literalText } from "./literal-fit.ts";
import type { NodeEntry, Scope } from "./scope.ts";
import { resolveValue } from "./values.ts";
import type { Site, WorkflowCheck } from "./workflow-check.ts";
import { where } from "./workflow-check.ts";

const operatorText: Readonly<Record<Comparison_Operator, string>> = Object.freeze({
  [Comparison_Operator.UNSPECIFIED]: "?",
  [Comparison_Operator.EQ]: "==",
  [Comparison_Operator.NE]: "!=",
  [Comparison_Operator.GT]: ">",
  [Comparison_Operator.GTE]: ">=",
  [Comparison_Operator.LT]: "<",
  [Comparison_Operator.LTE]: "<=",
});

type OperandClass = "number" | "string" | "bool" | "date" | "datetime" | "duration" | "enum" | "none" | "any" | "other";

interface Operand {
  label: string;
  cls: OperandClass;
  optional: boolean;
  /** Enum members, or the one string of a literal (compared against an enum's members). */
  values?: string[];
}

function classify(t: LiteralType, label: string): Operand {
  const optional = t.type.case === "optional";
  const inner = t.type.case === "optional" ? t.type.value.inner : t;
  const v = inner?.type;
  const base = { label: `${label} (${typeName(t)})`, optional };
  if (v?.case === "enumType") return { ...base, cls: "enum", values: v.value.values };
  if (v?.case !== "simple") return { ...base, cls: "other" };
  switch (v.value) {
    case SimpleType.INTEGER:
    case SimpleType.FLOAT:
      return { ...base, cls: "number" };
    case SimpleType.STRING:
      return { ...base, cls: "string" };
    case SimpleType.BOOLEAN:
      return { ...base, cls: "bool" };
    case SimpleType.DATE:
      return { ...base, cls: "date" };
    case SimpleType.DATETIME:
      return { ...base, cls: "datetime" };
    case SimpleType.DURATION:
      return { ...base, cls: "duration" };
    case SimpleType.ANY:
      return { ...base, cls: "any" };
    default:
      return { ...base, cls: "other" };
  }
}

function operand(wc: WorkflowCheck, site: Site, value: BindingValue | undefined, reader: string): Operand | undefined {
  if (value === undefined || value.value.case === undefined) return { label: "nothing", cls: "other", optional: false };
  if (value.value.case !== "literal") {
    const produced = resolveValue(wc, site, value, reader);
    return produced === undefined ? undefined : classify(produced.type, produced.label);
  }
  const lit = value.value.value;
  const label = `literal ${literalText(lit)}`;
  if (lit.value.case === "none") return { label, cls: "none", optional: true };
  if (lit.value.case !== "scalar") return { label, cls: "other", optional: false };
  const s = lit.value.value.value;
  switch (s.case) {
    case "integer":
    case "float":
      return { label, cls: "number", optional: false };
    case "string":
      return { label, cls: "string", optional: false, values: [s.value] };
    case "enumValue":
      return { label, cls: "enum", optional: false, values: [s.value] };
    case "boolean":
      return { label, cls: "bool", optional: false };
    case "date":
      return { label, cls: "date", optional: false };
    case "datetime":
      return { label, cls: "datetime", optional: false };
    case "duration":
      return { label, cls: "duration", optional: false };
    default:
      return { label, cls: "other", optional: false };
  }
}

const ordered: ReadonlySet<OperandClass> = new Set(["number", "string", "date", "datetime", "duration"]);

/** Why the two operands cannot be compared with `op`, or undefined when they can. */
function incomparable(l: Operand, r: Operand, op: Comparison_Operator): string | undefined {
  if (op === Comparison_Operator.UNSPECIFIED) return "the comparison has no operator";
  const equality = op === Comparison_Operator.EQ || op === Comparison_Operator.NE;
  if (l.cls === "any" || r.cls === "any") return undefined;
  if (l.cls === "none" || r.cls === "none") {
    if (!equality) return "none can only be compared with == or !=";
    const other = l.cls === "none" ? r : l;
    return other.optional || other.cls === "none" ? undefined : `${other.label} is never none`;
  }
  if (!equality && (l.optional || r.optional)) return "an optional value can only be compared with == or !=; test it against none first";
  if (l.cls === "other" || r.cls === "other") return "only numbers, strings, booleans, dates, datetimes, durations and enums can be compared";
  const enumSide = l.cls === "enum" ? l : r.cls === "enum" ? r : undefined;
  if (enumSide !== undefined) {
    const other = enumSide === l ? r : l;
    if (!equality) return "enum values can only be compared with == or !=";
    if (other.cls !== "enum" && other.cls !== "string") return "an enum can only be compared with an enum or a string";
    const members = new Set(enumSide.values ?? []);
    const stray = (other.values ?? []).filter((v) => !members.has(v));
    // Only a literal's value is known; a string-typed value is checked at run time.
    if (other.values !== undefined && stray.length === other.values.length && other.values.length > 0) {
      return `${stray.map((v) => `'${v}'`).join(", ")} is not a member of ${enumSide.label}, so the comparison is constant`;
    }
    return undefined;
  }
  if (l.cls !== r.cls) return `a ${l.cls} is not comparable with a ${r.cls}`;
  if (!equality && !ordered.has(l.cls)) return `${l.cls} values can only be compared with == or !=`;
  return undefined;
}

function checkCondition(wc: WorkflowCheck, site: Site, branchId: string, expr: BooleanExpression): void {
  const e = expr.expr;
  switch (e.case) {
    case "compound":
      if (e.value.left) checkCondition(wc, site, branchId, e.value.left);
      if (e.value.right) checkCondition(wc, site, branchId, e.value.right);
      return;
    case "not":
      checkCondition(wc, site, branchId, e.value);
      return;
    case "comparison": {
      const reader = `the condition of branch '${branchId}'`;
      const l = operand(wc, site, e.value.left, reader);
      const r = operand(wc, site, e.value.right, reader);
      if (l === undefined || r === undefined) return;
      const why = incomparable(l, r, e.value.operator);
      if (why !== undefined) {
        wc.ctx.report(
          Diagnostics.BranchConditionNotComparable,
          [branchId, l.label, r.label, operatorText[e.value.operator] ?? "?", why],
          where(wc, site.location, branchId),
        );
      }
      return;
    }
    default:
      return;
  }
}

export function checkBranch(wc: WorkflowCheck, entry: NodeEntry, branch: BranchNode): void {
  const { node } = entry;
  const nodeSpan = spanOf(node.source);
  if (branch.cases.length === 0) wc.ctx.report(Diagnostics.BranchWithoutCases, [node.id], where(wc, nodeSpan, node.id));
  if (branch.otherwise === undefined) wc.ctx.report(Diagnostics.BranchWithoutDefault, [node.id], where(wc, nodeSpan, node.id));
  const armScopes = wc.scopes.scopes.filter((s): s is Scope & { arm: NonNullable<Scope["arm"]> } => s.branch === node && s.arm !== undefined);
  const declared = branch.interface?.outputs ?? [];
  for (const scope of armScopes) {
    const arm = scope.arm;
    const armLabel = scope.armLabel ?? "an arm";
    if (arm !== branch.otherwise) {
      if (arm.condition === undefined) {
        wc.ctx.report(Diagnostics.BranchCaseWithoutCondition, [armLabel.replace("arm ", ""), node.id], where(wc, nodeSpan, node.id));
      } else {
        // Conditions are evaluated beside the branch node, not inside the arm.
        checkCondition(wc, { scope: entry.scope, owner: entry, direct: false, location: nodeSpan }, node.id, arm.condition);
      }
    }
    const bound = new Set<string>();
    for (const binding of arm.outputs) {
      const location = spanOf(binding.source, node.source);
      const out = declared.find((v) => v.name === binding.var);
      if (out === undefined) {
        wc.ctx.report(
          Diagnostics.UnknownBranchOutput,
          [
            armLabel,
            node.id,
            binding.var,
            didYouMean(
              binding.var,
              declared.map((v) => v.name),
            ),
          ],
          where(wc, location, node.id),
        );
        continue;
      }
      if (bound.has(binding.var)) {
        wc.ctx.report(Diagnostics.BranchOutputBoundTwice, [binding.var, armLabel, node.id], where(wc, location, node.id));
        continue;
      }
      bound.add(binding.var);
      checkEdge(wc, { scope, owner: entry, direct: false, location }, binding.value, {
        label: `output '${binding.var}' of branch '${node.id}' (${armLabel})`,
        type: out.type,
      });
    }
    for (const out of declared) {
      if (!bound.has(out.name) && out.type?.type.case !== "optional") {
        wc.ctx.report(Diagnostics.BranchOutputNotBoundInArm, [capitalize(armLabel), node.id, out.name], where(wc, spanOf(node.source), node.id));
      }
    }
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
