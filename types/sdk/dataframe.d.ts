// Generated from sdk/dataframe.ts by bench/types/generate-declarations.ts (npm run generate:types); do not edit.
// biome-ignore-all lint/suspicious/noExplicitAny: generic constraints top out at any, as in sdk/
// biome-ignore-all lint/complexity/noUselessEmptyExport: it keeps unexported declarations private
import { table } from "./table.ts";
export type IntegerArrowType = "int8" | "int16" | "int32" | "int64" | "uint8" | "uint16" | "uint32" | "uint64";
export type FloatArrowType = "float16" | "float32" | "float64";
export type ArrowTypeName =
  | IntegerArrowType
  | FloatArrowType
  | "bool"
  | "utf8"
  | "largeUtf8"
  | "binary"
  | "date"
  | "timestamp"
  | "duration"
  | "decimal"
  | "list"
  | "struct"
  | "dictionary";
export type DateUnit = "day" | "millisecond";
export type TimeUnit = "s" | "ms" | "us" | "ns";
/**
 * A column as it appears in `DataFrameType["columns"]`: `arrow` and `nullable` are literal types and
 * so are the parameters of the Arrow type (`unit`, `tz`, `precision`, `scale`, `child`,
 * `children`, `value`).
 */
export type Column<A extends ArrowTypeName = ArrowTypeName, N extends boolean = boolean, P extends object = {}> = {
  readonly [K in "arrow" | "nullable" | keyof P]: K extends "arrow" ? A : K extends "nullable" ? N : K extends keyof P ? P[K] : never;
};
declare const builtColumn: unique symbol;
/**
 * What a column builder returns before it is placed in a schema: the column's fields without
 * `nullable` (a non-null column) plus the `.nullable()` method. `df.schema`, `df.list`, `df.struct`
 * and `df.dictionary` turn builders into `Column`s with `nullable: false`.
 */
export type ColumnBuilder<C extends Column> = {
  readonly [K in Exclude<keyof C, "nullable">]: C[K];
} & {
  readonly [builtColumn]?: C;
  nullable(): NullableColumn<C>;
};
export type NullableColumn<C extends Column> = {
  readonly [K in keyof C]: K extends "nullable" ? true : C[K];
};
export type ColumnInput = Column | ColumnBuilder<Column>;
export type ColumnOf<X> = X extends {
  nullable(): unknown;
  readonly [builtColumn]?: infer C;
}
  ? C extends Column
    ? C
    : never
  : X;
export type ColumnsOf<X extends Record<string, ColumnInput>> = {
  readonly [K in keyof X]: ColumnOf<X[K]>;
};
export interface DataFrameType<Cols extends Record<string, Column> = Record<string, Column>> {
  readonly kind: "dataframe";
  readonly columns: Cols;
  readonly format: "arrow";
  /** Present (and `true`) only on `df.any()`: an explicit opt-out of column checks. */
  readonly any?: true;
}
export type AnyDataFrameType = DataFrameType<{}> & {
  readonly any: true;
};
type IntegerBrands = {
  int8: "int8" | "int16" | "int32" | "int64";
  int16: "int16" | "int32" | "int64";
  int32: "int32" | "int64";
  int64: "int64";
  uint8: "uint8" | "uint16" | "uint32" | "uint64" | "int16" | "int32" | "int64";
  uint16: "uint16" | "uint32" | "uint64" | "int32" | "int64";
  uint32: "uint32" | "uint64" | "int64";
  uint64: "uint64";
  float16: "float16" | "float32" | "float64";
  float32: "float32" | "float64";
  float64: "float64";
  bool: "bool";
  utf8: "utf8";
  largeUtf8: "largeUtf8";
  binary: "binary";
};
type BrandSet<B extends string> = {
  readonly [K in B]: true;
};
type ColumnBrands<C> = C extends {
  readonly arrow: infer A;
}
  ? A extends keyof IntegerBrands
    ? BrandSet<IntegerBrands[A]>
    : A extends "date"
      ? C extends {
          readonly unit: infer U extends string;
        }
        ? BrandSet<`date:${U}`>
        : never
      : A extends "timestamp"
        ? C extends {
            readonly unit: infer U extends string;
            readonly tz: infer Tz;
          }
          ? BrandSet<`timestamp:${U}:${Tz extends string ? Tz : ""}`>
          : never
        : A extends "duration"
          ? C extends {
              readonly unit: infer U extends string;
            }
            ? BrandSet<`duration:${U}`>
            : never
          : A extends "decimal"
            ? C extends {
                readonly precision: infer P extends number;
                readonly scale: infer S extends number;
              }
              ? BrandSet<`decimal:${P}:${S}`>
              : never
            : A extends "list"
              ? C extends {
                  readonly child: infer Ch;
                }
                ? {
                    readonly list: ColumnView<Ch>;
                  }
                : never
              : A extends "struct"
                ? C extends {
                    readonly children: infer Chs;
                  }
                  ? {
                      readonly struct: {
                        readonly [K in keyof Chs]: ColumnView<Chs[K]>;
                      };
                    }
                  : never
                : A extends "dictionary"
                  ? C extends {
                      readonly value: infer V;
                      readonly index: infer I extends IntegerArrowType;
                    }
                    ? {
                        readonly dictionary: {
                          readonly index: BrandSet<IntegerBrands[I]>;
                          readonly value: ColumnView<V>;
                        };
                      } & (V extends {
                        readonly arrow: "utf8";
                      }
                        ? BrandSet<"utf8">
                        : {})
                    : never
                  : never
  : never;
type DecodesNonNull<C> = C extends {
  readonly nullable: false;
}
  ? C extends {
      readonly arrow: "dictionary";
      readonly value: infer V;
    }
    ? V extends {
        readonly nullable: false;
      }
      ? true
      : false
    : true
  : false;
/**
 * The shape compared for one column: its brands, plus `nonNull` when the column is not nullable
 * and `nonNullValues` when what a reader decodes from it is never null (a plain non-null column,
 * or a non-null dictionary of non-null values: `dictionary<utf8?>` does not feed a non-null `utf8`).
 */
export type ColumnView<C> = ColumnBrands<C> &
  (C extends {
    readonly nullable: false;
  }
    ? {
        readonly nonNull: true;
      }
    : {}) &
  (DecodesNonNull<C> extends true
    ? {
        readonly nonNullValues: true;
      }
    : {});
export type AssignableDataFrameView<T> = T extends {
  readonly any: true;
}
  ? {
      readonly kind: "dataframe";
      readonly columns: any;
    }
  : T extends DataFrameType<infer Cols>
    ? {
        readonly kind: "dataframe";
        readonly columns: {
          readonly [K in keyof Cols]: ColumnView<Cols[K]>;
        };
      }
    : never;
declare function date(): ColumnBuilder<
  Column<
    "date",
    false,
    {
      unit: "day";
    }
  >
>;
declare function date<const U extends DateUnit>(
  unit: U,
): ColumnBuilder<
  Column<
    "date",
    false,
    {
      unit: U;
    }
  >
>;
declare function timestamp<const U extends TimeUnit, const Tz extends string | undefined = undefined>(
  unit: U,
  tz?: Tz,
): ColumnBuilder<
  Column<
    "timestamp",
    false,
    {
      unit: U;
      tz: Tz;
    }
  >
>;
declare function duration<const U extends TimeUnit>(
  unit: U,
): ColumnBuilder<
  Column<
    "duration",
    false,
    {
      unit: U;
    }
  >
>;
declare function decimal<const P extends number, const S extends number>(
  precision: P,
  scale: S,
): ColumnBuilder<
  Column<
    "decimal",
    false,
    {
      precision: P;
      scale: S;
    }
  >
>;
declare function list<X extends ColumnInput>(
  child: X,
): ColumnBuilder<
  Column<
    "list",
    false,
    {
      child: ColumnOf<X>;
    }
  >
>;
declare function struct<X extends Record<string, ColumnInput>>(
  children: X,
): ColumnBuilder<
  Column<
    "struct",
    false,
    {
      children: ColumnsOf<X>;
    }
  >
>;
/** A dictionary-encoded column of `value`s; its indices are `index` integers (Arrow's default: int32). */
declare function dictionary<X extends ColumnInput, const I extends IntegerArrowType = "int32">(
  value: X,
  index?: I,
): ColumnBuilder<
  Column<
    "dictionary",
    false,
    {
      value: ColumnOf<X>;
      index: I;
    }
  >
>;
declare function schema<X extends Record<string, ColumnInput>>(columns: X): DataFrameType<ColumnsOf<X>>;
declare function any(): AnyDataFrameType;
/** Dataframe schema and Arrow column builders. */
export declare const df: {
  readonly schema: typeof schema;
  readonly any: typeof any;
  readonly int8: () => ColumnBuilder<Column<"int8", false, {}>>;
  readonly int16: () => ColumnBuilder<Column<"int16", false, {}>>;
  readonly int32: () => ColumnBuilder<Column<"int32", false, {}>>;
  readonly int64: () => ColumnBuilder<Column<"int64", false, {}>>;
  readonly uint8: () => ColumnBuilder<Column<"uint8", false, {}>>;
  readonly uint16: () => ColumnBuilder<Column<"uint16", false, {}>>;
  readonly uint32: () => ColumnBuilder<Column<"uint32", false, {}>>;
  readonly uint64: () => ColumnBuilder<Column<"uint64", false, {}>>;
  readonly float16: () => ColumnBuilder<Column<"float16", false, {}>>;
  readonly float32: () => ColumnBuilder<Column<"float32", false, {}>>;
  readonly float64: () => ColumnBuilder<Column<"float64", false, {}>>;
  readonly bool: () => ColumnBuilder<Column<"bool", false, {}>>;
  readonly utf8: () => ColumnBuilder<Column<"utf8", false, {}>>;
  readonly largeUtf8: () => ColumnBuilder<Column<"largeUtf8", false, {}>>;
  readonly binary: () => ColumnBuilder<Column<"binary", false, {}>>;
  readonly date: typeof date;
  readonly timestamp: typeof timestamp;
  readonly duration: typeof duration;
  readonly decimal: typeof decimal;
  readonly list: typeof list;
  readonly struct: typeof struct;
  readonly dictionary: typeof dictionary;
  /** Builds an apache-arrow Table with exactly this schema's Arrow types and nullability. */
  readonly table: typeof table;
};
export {};
