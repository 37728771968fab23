// Generated from sdk/types.ts by bench/types/generate-declarations.ts (npm run generate:types); do not edit.
// biome-ignore-all lint/suspicious/noExplicitAny: generic constraints top out at any, as in sdk/
// biome-ignore-all lint/complexity/noUselessEmptyExport: it keeps unexported declarations private
import type { Table } from "apache-arrow";
import type { z } from "zod";
import type { AssignableDataFrameView, DataFrameType } from "./dataframe.ts";
export interface IntType {
  readonly kind: "int";
}
export interface FloatType {
  readonly kind: "float";
}
export interface StringType {
  readonly kind: "string";
}
export interface BoolType {
  readonly kind: "bool";
}
/** Run-time value: a `YYYY-MM-DD` string. */
export interface DateType {
  readonly kind: "date";
}
/** Run-time value: a JS `Date`. */
export interface DatetimeType {
  readonly kind: "datetime";
}
/** Run-time value: a number of milliseconds. */
export interface DurationType {
  readonly kind: "duration";
}
export interface EnumType<V extends readonly string[] = readonly string[]> {
  readonly kind: "enum";
  readonly values: V;
}
/** `F` is `undefined` when no format was declared; `string` (not a literal) means "unknown at compile time". */
export interface FileType<F extends string | undefined = string | undefined> {
  readonly kind: "file";
  readonly format: F;
}
export interface DirType {
  readonly kind: "dir";
}
export interface ListType<I extends WeirType = any> {
  readonly kind: "list";
  readonly item: I;
}
/** String keys only. */
export interface MapType<V extends WeirType = any> {
  readonly kind: "map";
  readonly value: V;
}
export interface OptionalType<I extends WeirType = any> {
  readonly kind: "optional";
  readonly inner: I;
}
export interface UnionType<V extends readonly WeirType[] = readonly any[]> {
  readonly kind: "union";
  readonly variants: V;
}
/** The zod object is kept at run time so its refinements can be checked. */
export interface StructType<Z extends z.ZodObject = z.ZodObject<any>> {
  readonly kind: "struct";
  readonly schema: Z;
}
export type WeirType =
  | IntType
  | FloatType
  | StringType
  | BoolType
  | DateType
  | DatetimeType
  | DurationType
  | EnumType
  | FileType
  | DirType
  | ListType
  | MapType
  | OptionalType
  | UnionType
  | StructType
  | DataFrameType;
export type WeirTypeKind = WeirType["kind"];
/** Run-time value of a file or directory input/output. */
export interface FileValue {
  path: string;
  format?: string;
}
/** Maps a descriptor to the JS value a task function receives or returns. */
export type JsValue<T> = 0 extends 1 & T
  ? any
  : T extends IntType | FloatType | DurationType
    ? number
    : T extends StringType | DateType
      ? string
      : T extends BoolType
        ? boolean
        : T extends DatetimeType
          ? Date
          : T extends EnumType<infer V>
            ? V[number]
            : T extends FileType<any> | DirType
              ? FileValue
              : T extends ListType<infer I>
                ? JsValue<I>[]
                : T extends MapType<infer V>
                  ? Record<string, JsValue<V>>
                  : T extends OptionalType<infer I>
                    ? JsValue<I> | undefined
                    : T extends UnionType<infer V>
                      ? JsValue<V[number]>
                      : T extends StructType<infer Z>
                        ? z.infer<Z>
                        : T extends DataFrameType<any>
                          ? Table
                          : never;
/**
 * The shape the editor compares when a producer's output feeds a consumer's input: a value of
 * `AssignableView<P>` is assignable to `AssignableView<C>` exactly when P may feed C. It differs
 * from the descriptor where the descriptor's literals would be too strict (dataframe widening) or
 * too loose (zod internals). Unions and optionals flatten into unions of views, so `int` feeds
 * `optional<int>` and `union<int, string>`. A string's view also admits the kind "enum": every enum
 * value is a string, so an enum feeds a string (never the reverse: a string's view has no `value`).
 */
export type AssignableView<T> = 0 extends 1 & T
  ? any
  : T extends DataFrameType<any>
    ? AssignableDataFrameView<T>
    : T extends ListType<infer I>
      ? {
          readonly kind: "list";
          readonly item: AssignableView<I>;
        }
      : T extends MapType<infer V>
        ? {
            readonly kind: "map";
            readonly value: AssignableView<V>;
          }
        : T extends OptionalType<infer I>
          ?
              | AssignableView<I>
              | {
                  readonly kind: "undefined";
                }
          : T extends UnionType<infer V>
            ? AssignableView<V[number]>
            : T extends StructType<infer Z>
              ? {
                  readonly kind: "struct";
                  readonly shape: z.infer<Z>;
                }
              : T extends EnumType<infer V>
                ? {
                    readonly kind: "enum";
                    readonly value: V[number];
                  }
                : T extends StringType
                  ? {
                      readonly kind: "string" | "enum";
                    }
                  : T extends FileType<infer F>
                    ? FileView<F>
                    : T extends {
                          readonly kind: infer K;
                        }
                      ? {
                          readonly kind: K;
                        }
                      : never;
type FileView<F> = [F] extends [undefined]
  ? {
      readonly kind: "file";
    }
  : string extends F
    ? {
        readonly kind: "file";
        readonly format: any;
      }
    : {
        readonly kind: "file";
        readonly format: F;
      };
declare function file(): FileType<undefined>;
declare function file<const F extends string | undefined = undefined>(options: { format?: F }): FileType<F>;
/** Value type builders. */
export declare const t: {
  readonly int: () => IntType;
  readonly float: () => FloatType;
  readonly string: () => StringType;
  readonly bool: () => BoolType;
  readonly date: () => DateType;
  readonly datetime: () => DatetimeType;
  readonly duration: () => DurationType;
  readonly enum: <const V extends readonly [string, ...string[]]>(values: V) => EnumType<V>;
  readonly file: typeof file;
  readonly dir: () => DirType;
  readonly list: <I extends WeirType>(item: I) => ListType<I>;
  readonly map: <V extends WeirType>(value: V) => MapType<V>;
  readonly optional: <I extends WeirType>(inner: I) => OptionalType<I>;
  readonly union: <const V extends readonly [WeirType, WeirType, ...WeirType[]]>(...variants: V) => UnionType<V>;
  readonly struct: <Z extends z.ZodObject>(schema: Z) => StructType<Z>;
};
export {};
