// Generated from sdk/edge-errors.ts by bench/types/generate-declarations.ts (npm run generate:types); do not edit.
// biome-ignore-all lint/suspicious/noExplicitAny: generic constraints top out at any, as in sdk/
// biome-ignore-all lint/complexity/noUselessEmptyExport: it keeps unexported declarations private
import type { z } from "zod";
import type { ColumnView, DataFrameType } from "./dataframe.ts";
import type { BindInputs, Bindable, OptionalInputKeys, RefShape } from "./ref.ts";
import type { AssignableView, StructType, WeirType } from "./types.ts";
/**
 * The parameter type of a task, command task or workflow call, given the argument `A` it is
 * inferred from: `A` itself when it binds every input (so literals keep their contextual types),
 * `BindInputs<I>` when it names an input that does not exist (excess property error), else the
 * inputs with each mismatched one's type turned into its message.
 */
export type CheckedInputs<I extends Record<string, WeirType>, A> = [A] extends [BindInputs<I>]
  ? [Exclude<keyof A, keyof I>] extends [never]
    ? A
    : BindInputs<I>
  : ReadableInputs<I, A>;
/** What a call's argument is inferred as before it is checked: any value for any declared input. */
export type LooseInputs<I> = {
  [K in keyof I]?: unknown;
};
type ReadableInputs<I extends Record<string, WeirType>, A> = {
  [K in Exclude<keyof I, OptionalInputKeys<I>>]: Readable<I[K], K & string, K extends keyof A ? A[K] : never>;
} & {
  [K in OptionalInputKeys<I>]?: Readable<I[K], K & string, K extends keyof A ? A[K] : never>;
};
type Readable<T extends WeirType, K extends string, X> = [X] extends [Bindable<T>]
  ? Bindable<T>
  : X extends RefShape<infer V, any>
    ? Message<T, K, Exclude<V, undefined>>
    : Bindable<T>;
type Message<T extends WeirType, K extends string, V> =
  T extends DataFrameType<infer Cols>
    ? V extends {
        readonly kind: "dataframe";
        readonly columns: infer PC;
      }
      ? Weir<ColumnProblems<Cols, PC, K>>
      : Weir<`${DescribeView<V>} here, input '${K}' needs a dataframe`>
    : T extends StructType
      ? V extends {
          readonly kind: "struct";
          readonly shape: infer PS;
        }
        ? Weir<FieldProblems<StructShape<T>, PS, K>>
        : Weir<`${DescribeView<V>} here, input '${K}' needs ${DescribeType<T>}`>
      : Weir<
          ValueProblem<
            T,
            K,
            {
              readonly kind: "undefined";
            } extends V
              ? V
              : Failing<T, V>
          >
        >;
type Failing<T, V> = V extends unknown ? ([V] extends [AssignableView<T>] ? never : V) : never;
type Weir<S extends string> = [S] extends [never] ? "weir: the producer's type does not feed this input" : `weir: ${S}`;
type ColumnProblems<Cols, PC, K extends string> = {
  [N in keyof Cols & string]: N extends keyof PC
    ? ColumnProblem<PC[N], Cols[N], `column '${N}'`, K>
    : `column '${N}' is missing here; input '${K}' needs ${DescribeColumn<Cols[N]>}`;
}[keyof Cols & string];
type NullBrands = "nonNull" | "nonNullValues";
type ColumnProblem<PV, C, Where extends string, K extends string> = [PV] extends [ColumnView<C>]
  ? never
  :
      | NestedProblem<PV, C, Where, K>
      | ([Omit<PV, NullBrands>] extends [Omit<ColumnView<C>, NullBrands>]
          ? [PV] extends [Pick<ColumnView<C>, Extract<keyof ColumnView<C>, NullBrands>>]
            ? never
            : `${Where}: ${DescribeColumnView<PV>} here, input '${K}' needs non-null ${DescribeColumn<C>}`
          : [NestedProblem<PV, C, Where, K>] extends [never]
            ? `${Where}: ${DescribeColumnView<PV>} here, input '${K}' needs ${DescribeColumn<C>}`
            : never);
type NestedProblem<PV, C, Where extends string, K extends string> = C extends {
  readonly arrow: "struct";
  readonly children: infer Chs;
}
  ? PV extends {
      readonly struct: infer PCh;
    }
    ? {
        [F in keyof Chs & string]: F extends keyof PCh
          ? ColumnProblem<PCh[F], Chs[F], `${Where}, field '${F}'`, K>
          : `${Where}, field '${F}' is missing here; input '${K}' needs ${DescribeColumn<Chs[F]>}`;
      }[keyof Chs & string]
    : never
  : C extends {
        readonly arrow: "list";
        readonly child: infer Ch;
      }
    ? PV extends {
        readonly list: infer PCh;
      }
      ? ColumnProblem<PCh, Ch, `${Where} items`, K>
      : never
    : never;
type ArrowNames = {
  int8: "Int8";
  int16: "Int16";
  int32: "Int32";
  int64: "Int64";
  uint8: "UInt8";
  uint16: "UInt16";
  uint32: "UInt32";
  uint64: "UInt64";
  float16: "Float16";
  float32: "Float32";
  float64: "Float64";
  bool: "Bool";
  utf8: "Utf8";
  largeUtf8: "LargeUtf8";
  binary: "Binary";
};
/** A column descriptor in Arrow's words, without its nullability: `Int32`, `List<Utf8>`, `Timestamp<ms, UTC>`. */
type DescribeColumn<C> = C extends {
  readonly arrow: infer A;
}
  ? A extends keyof ArrowNames
    ? ArrowNames[A]
    : C extends {
          readonly arrow: "date";
          readonly unit: infer U extends string;
        }
      ? `Date<${U}>`
      : C extends {
            readonly arrow: "timestamp";
            readonly unit: infer U extends string;
            readonly tz: infer Tz;
          }
        ? `Timestamp<${U}${Tz extends string ? `, ${Tz}` : ""}>`
        : C extends {
              readonly arrow: "duration";
              readonly unit: infer U extends string;
            }
          ? `Duration<${U}>`
          : C extends {
                readonly arrow: "decimal";
                readonly precision: infer P extends number;
                readonly scale: infer S extends number;
              }
            ? `Decimal<${P}, ${S}>`
            : C extends {
                  readonly arrow: "list";
                  readonly child: infer Ch;
                }
              ? `List<${Nullable<Ch>}${DescribeColumn<Ch>}>`
              : C extends {
                    readonly arrow: "dictionary";
                    readonly value: infer V;
                    readonly index: infer I extends keyof ArrowNames;
                  }
                ? `Dictionary<${Nullable<V>}${DescribeColumn<V>}, ${ArrowNames[I]}>`
                : A extends "struct"
                  ? "Struct"
                  : "a column"
  : "a column";
type Nullable<C> = C extends {
  readonly nullable: true;
}
  ? "nullable "
  : "";
type DescribeColumnView<PV> = `${"nonNull" extends keyof PV ? "" : "nullable "}${DescribeBrands<PV>}`;
type DescribeBrands<PV> = PV extends {
  readonly list: infer Ch;
}
  ? `List<${DescribeColumnView<Ch>}>`
  : PV extends {
        readonly struct: unknown;
      }
    ? "Struct"
    : PV extends {
          readonly dictionary: {
            readonly index: infer I;
            readonly value: infer V;
          };
        }
      ? `Dictionary<${DescribeColumnView<V>}, ${DescribeBrands<I>}>`
      : BrandName<Exclude<keyof PV, NullBrands>>;
type ScalarBrands = {
  [A in keyof ArrowNames]: keyof ColumnView<{
    readonly arrow: A;
    readonly nullable: true;
  }>;
};
type BrandName<B> = {
  [A in keyof ArrowNames]: [ScalarBrands[A]] extends [B] ? ([B] extends [ScalarBrands[A]] ? ArrowNames[A] : never) : never;
}[keyof ArrowNames] extends infer Name extends string
  ? [Name] extends [never]
    ? B extends `date:${infer U}`
      ? `Date<${U}>`
      : B extends `timestamp:${infer U}:${infer Tz}`
        ? `Timestamp<${U}${Tz extends "" ? "" : `, ${Tz}`}>`
        : B extends `duration:${infer U}`
          ? `Duration<${U}>`
          : B extends `decimal:${infer P}:${infer S}`
            ? `Decimal<${P}, ${S}>`
            : "another type"
    : Name
  : never;
type StructShape<T> = T extends StructType<infer Z> ? z.infer<Z> : never;
type FieldProblems<CS, PS, K extends string> = {
  [F in keyof CS & string]: F extends keyof PS
    ? [PS[F]] extends [CS[F]]
      ? never
      : `field '${F}': ${DescribeJs<PS[F]>} here, input '${K}' needs ${DescribeJs<CS[F]>}`
    : undefined extends CS[F]
      ? never
      : `field '${F}' is missing here; input '${K}' needs ${DescribeJs<CS[F]>}`;
}[keyof CS & string];
type DescribeJs<X> = undefined extends X ? `${DescribeDefinedJs<Exclude<X, undefined>>} | undefined` : DescribeDefinedJs<X>;
type DescribeDefinedJs<X> = [X] extends [number]
  ? "number"
  : [X] extends [string]
    ? "string"
    : [X] extends [boolean]
      ? "boolean"
      : [X] extends [readonly (infer I)[]]
        ? `${DescribeJs<I>}[]`
        : "object";
type ValueProblem<T extends WeirType, K extends string, V> = T extends {
  readonly kind: "enum";
  readonly values: infer CV extends readonly string[];
}
  ? V extends {
      readonly kind: "enum";
      readonly value: infer PV extends string;
    }
    ? `enum value '${Exclude<PV, CV[number]>}' here, input '${K}' needs ${DescribeType<T>}`
    : `${DescribeView<V>} here, input '${K}' needs ${DescribeType<T>}`
  : `${DescribeView<V>} here, input '${K}' needs ${DescribeType<T>}${IntFloat<T, V>}`;
type IntFloat<T, V> = [T] extends [
  {
    readonly kind: "int" | "float";
  },
]
  ? [V] extends [
      {
        readonly kind: "int" | "float";
      },
    ]
    ? " (int and float never convert)"
    : ""
  : "";
/** A value type descriptor in weir's words: `int`, `list<float>`, `enum<a | b>`, `file<csv>`. */
type DescribeType<T> = T extends {
  readonly kind: "list";
  readonly item: infer I;
}
  ? `list<${DescribeType<I>}>`
  : T extends {
        readonly kind: "map";
        readonly value: infer V;
      }
    ? `map<${DescribeType<V>}>`
    : T extends {
          readonly kind: "optional";
          readonly inner: infer I;
        }
      ? `optional<${DescribeType<I>}>`
      : T extends {
            readonly kind: "union";
            readonly variants: infer Vs extends readonly unknown[];
          }
        ? `union<${Join<{
            [I in keyof Vs]: DescribeType<Vs[I]>;
          }>}>`
        : T extends {
              readonly kind: "enum";
              readonly values: infer Vs extends readonly string[];
            }
          ? `enum<${Join<Vs>}>`
          : T extends {
                readonly kind: "file";
                readonly format: infer F;
              }
            ? F extends string
              ? `file<${F}>`
              : "file"
            : T extends {
                  readonly kind: infer Kd extends string;
                }
              ? Kd
              : "a value";
type Join<Xs> = Xs extends readonly [infer H extends string, ...infer R] ? (R extends readonly [] ? H : `${H} | ${Join<R>}`) : string;
/** A producer's `AssignableView` in the same words (an optional's view is the inner one or `undefined`). */
type DescribeView<V> = {
  readonly kind: "undefined";
} extends V
  ? `optional<${DescribeDefinedView<
      Exclude<
        V,
        {
          readonly kind: "undefined";
        }
      >
    >}>`
  : DescribeDefinedView<V>;
type DescribeDefinedView<V> = V extends {
  readonly kind: "list";
  readonly item: infer I;
}
  ? `list<${DescribeView<I>}>`
  : V extends {
        readonly kind: "map";
        readonly value: infer X;
      }
    ? `map<${DescribeView<X>}>`
    : V extends {
          readonly kind: "enum";
          readonly value: unknown;
        }
      ? "enum"
      : V extends {
            readonly kind: "file";
            readonly format: infer F;
          }
        ? string extends F
          ? "file"
          : `file<${F & string}>`
        : V extends {
              readonly kind: infer Kd extends string;
            }
          ? "string" extends Kd
            ? "string"
            : Kd
          : "a value";
export {};
