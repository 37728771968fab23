// Generated from sdk/ref.ts by bench/types/generate-declarations.ts (npm run generate:types); do not edit.
// biome-ignore-all lint/suspicious/noExplicitAny: generic constraints top out at any, as in sdk/
// biome-ignore-all lint/complexity/noUselessEmptyExport: it keeps unexported declarations private
import type { AssignableView, JsValue, OptionalType, StringType, StructType, WeirType } from "./types.ts";
import type { z } from "zod";
declare const refView: unique symbol;
/** Where a ref points: a node's output (or a workflow input, node `inputs`), then a struct path. */
export interface RefTarget {
  readonly node: string;
  readonly output: string;
  readonly path: readonly string[];
}
/** What a comparison accepts on its right-hand side (the compiler checks the types precisely). */
export type Operand = Ref<any> | string | number | boolean | Date | undefined;
/**
 * The structure behind `Ref<T>`: `V` is `AssignableView<T>` (what the editor compares on every
 * edge, so it is the only place `T` shows structurally) and `F` the field types of a struct.
 * Methods use method syntax, so their parameters stay bivariant and do not fix the variance.
 */
export interface RefShape<V, F> {
  readonly [refView]?: V;
  readonly kind: "ref";
  readonly target: RefTarget;
  eq(value: Operand): Condition;
  ne(value: Operand): Condition;
  gt(value: Operand): Condition;
  gte(value: Operand): Condition;
  lt(value: Operand): Condition;
  lte(value: Operand): Condition;
  isTrue(): Condition;
  isFalse(): Condition;
  /**
   * A struct field, by attribute path. Its own fields are untyped (`any`): a fully recursive type
   * here makes the checker expand refs without end while outputs are still generic (TS2589).
   */
  get<K extends keyof F & string>(field: K): RefShape<AssignableView<Extract<F[K], WeirType>>, any>;
  /** `{{node.output.path}}`, so refs can appear in template strings. */
  toString(): string;
}
/**
 * A reference to a value of type `T` inside a workflow body, covariant in `T` through
 * `AssignableView<T>`. The compiler reads `T` as the alias type argument of `Ref`.
 */
export type Ref<T extends WeirType = WeirType> = RefShape<AssignableView<T>, StructFields<T>>;
export type StructFields<T> = 0 extends 1 & T
  ? any
  : T extends StructType<infer Z>
    ? {
        [K in keyof Z["shape"] & string]: ZodToWeir<Z["shape"][K]>;
      }
    : {};
/** The value type of a struct field, from its zod schema (number → float). */
export type ZodToWeir<S> =
  S extends z.ZodOptional<infer I>
    ? OptionalType<ZodToWeir<I>>
    : S extends z.ZodString
      ? StringType
      : S extends z.ZodNumber
        ? {
            readonly kind: "float";
          }
        : S extends z.ZodBoolean
          ? {
              readonly kind: "bool";
            }
          : S extends z.ZodObject
            ? StructType<S>
            : S extends z.ZodArray<infer I>
              ? {
                  readonly kind: "list";
                  readonly item: ZodToWeir<I>;
                }
              : WeirType;
export type ComparisonOp = "eq" | "ne" | "gt" | "gte" | "lt" | "lte";
export type Condition =
  | {
      readonly kind: "condition";
      readonly op: ComparisonOp;
      readonly left: Ref<any>;
      readonly right: unknown;
    }
  | {
      readonly kind: "condition";
      readonly op: "isTrue" | "isFalse";
      readonly left: Ref<any>;
    }
  | {
      readonly kind: "condition";
      readonly op: "and" | "or";
      readonly operands: readonly [Condition, Condition];
    }
  | {
      readonly kind: "condition";
      readonly op: "not";
      readonly operand: Condition;
    };
export declare const and: (a: Condition, b: Condition) => Condition;
export declare const or: (a: Condition, b: Condition) => Condition;
export declare const not: (c: Condition) => Condition;
/**
 * What may be passed to an input of type `T`: a ref whose type may feed `T`, the plain JS value,
 * `undefined` for optionals, and any string (e.g. a template over refs) for string inputs.
 */
export type Bindable<T extends WeirType> =
  | Ref<T>
  | JsValue<T>
  | (T extends OptionalType<infer I> ? Ref<I> | undefined : never)
  | ([T] extends [StringType] ? string : never);
export type OptionalInputKeys<I> = {
  [K in keyof I]: I[K] extends OptionalType<any> ? K : never;
}[keyof I];
/** The argument of a task or workflow call: optional inputs may be left out. */
export type BindInputs<I extends Record<string, WeirType>> = {
  [K in Exclude<keyof I, OptionalInputKeys<I>>]: Bindable<I[K]>;
} & {
  [K in OptionalInputKeys<I>]?: Bindable<I[K]>;
};
/** Outputs of a node in a workflow body: one ref per output, plus explicit ordering. */
export type NodeOutputs<O extends Record<string, WeirType>> = {
  readonly [K in keyof O]: Ref<O[K]>;
} & {
  after(...nodes: AfterTarget[]): NodeOutputs<O>;
};
/** What `.after()` accepts: another node's outputs or a ref. */
export type AfterTarget =
  | Ref<any>
  | {
      after(...nodes: never[]): unknown;
    };
/** The names a node output may not take (they would shadow `NodeOutputs` members). */
export declare const RESERVED_OUTPUT_NAMES: readonly string[];
export declare function makeRef<T extends WeirType>(node: string, output: string, path?: readonly string[]): Ref<T>;
export declare function isRef(value: unknown): value is Ref<any>;
export declare function assertOutputNames(owner: string, outputs: Record<string, unknown> | undefined): void;
export {};
