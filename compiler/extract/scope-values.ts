// What a name or expression inside a workflow body stands for while the body is read statically.
import type { Expression } from "ts-morph";
import type { BindingValue, BooleanExpression, LiteralType } from "../../proto/index.ts";

/** The workflow's inputs object (the body's parameter). */
export interface InputsValue {
  readonly kind: "inputs";
}

/** What a task, subworkflow, map, branch or sensor call returns: one ref per output. */
export interface NodeValue {
  readonly kind: "node";
  readonly nodeId: string;
  readonly outputs: ReadonlyMap<string, LiteralType | undefined>;
}

/** A single value: a node output (with attribute path), a workflow input, or a template. */
export interface RefValue {
  readonly kind: "ref";
  readonly value: BindingValue;
  /** Its declared type, when known (used to type literals it is compared with). */
  readonly type: LiteralType | undefined;
  /** The nodes it reads (for `upstream`). */
  readonly deps: readonly string[];
}

/** A literal, converted when it meets the type it is bound to. */
export interface LiteralValue {
  readonly kind: "literal";
  readonly expr: Expression;
}

export interface ConditionValue {
  readonly kind: "condition";
  readonly expr: BooleanExpression;
  readonly deps: readonly string[];
}

export type ScopeValue = InputsValue | NodeValue | RefValue | LiteralValue | ConditionValue;
