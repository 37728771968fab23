// Run-time evaluation of a branch's conditions over resolved literals.
import { timestampMs, durationMs } from "@bufbuild/protobuf/wkt";
import { BooleanExpression_Conjunction, Comparison_Operator, type BooleanExpression, type BindingValue, type Literal } from "../../../proto/index.ts";

export type ValueResolver = (value: BindingValue) => Literal;

/** Evaluates an expression; throws BindingError (from bindings.ts) when an operand cannot be resolved. */
export function evaluateCondition(expr: BooleanExpression, resolve: ValueResolver): boolean {
  const e = expr.expr;
  switch (e.case) {
    case "comparison": {
      const left = comparable(resolve(e.value.left!));
      const right = comparable(resolve(e.value.right!));
      return compare(e.value.operator, left, right);
    }
    case "compound": {
      const l = evaluateCondition(e.value.left!, resolve);
      if (e.value.conjunction === BooleanExpression_Conjunction.OR) return l || evaluateCondition(e.value.right!, resolve);
      return l && evaluateCondition(e.value.right!, resolve);
    }
    case "not":
      return !evaluateCondition(e.value, resolve);
    default:
      throw new Error("empty boolean expression in the spec");
  }
}

type Comparable = number | string | boolean | null;

/** Reduces a scalar literal to a JS value that compares the way its type orders. */
export function comparable(lit: Literal): Comparable {
  const v = lit.value;
  if (v.case === "none") return null;
  if (v.case !== "scalar") return lit.hash || JSON.stringify(v.case);
  const s = v.value.value;
  switch (s.case) {
    case "integer":
      return Number(s.value);
    case "datetime":
      return timestampMs(s.value);
    case "duration":
      return durationMs(s.value);
    case undefined:
      return null;
    default:
      return s.value as Comparable;
  }
}

function compare(op: Comparison_Operator, l: Comparable, r: Comparable): boolean {
  switch (op) {
    case Comparison_Operator.EQ:
      return l === r;
    case Comparison_Operator.NE:
      return l !== r;
    case Comparison_Operator.GT:
      return l !== null && r !== null && l > r;
    case Comparison_Operator.GTE:
      return l !== null && r !== null && l >= r;
    case Comparison_Operator.LT:
      return l !== null && r !== null && l < r;
    case Comparison_Operator.LTE:
      return l !== null && r !== null && l <= r;
    default:
      throw new Error(`unknown comparison operator ${op}`);
  }
}
