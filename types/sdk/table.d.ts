// Generated from sdk/table.ts by bench/types/generate-declarations.ts (npm run generate:types); do not edit.
// biome-ignore-all lint/complexity/noUselessEmptyExport: it keeps unexported declarations private
import { Field, Schema, Table, type DataType } from "apache-arrow";
import type { Column, DataFrameType } from "./dataframe.ts";
/** The apache-arrow DataType of a column descriptor. */
export declare function arrowDataType(column: Column): DataType;
export declare function arrowField(name: string, column: Column): Field;
/** The Arrow schema of a dataframe type (column order as declared). */
export declare function arrowSchema(type: DataFrameType): Schema;
type Cell<C> = C extends {
  readonly arrow: infer A;
}
  ?
      | (A extends "int64" | "uint64"
          ? bigint | number
          : A extends "int8" | "int16" | "int32" | "uint8" | "uint16" | "uint32" | "float16" | "float32" | "float64" | "decimal"
            ? number
            : A extends "utf8" | "largeUtf8" | "dictionary"
              ? string
              : A extends "bool"
                ? boolean
                : A extends "binary"
                  ? Uint8Array
                  : A extends "date" | "timestamp"
                    ? Date | number
                    : A extends "duration"
                      ? number | bigint
                      : unknown)
      | (C extends {
          readonly nullable: true;
        }
          ? null
          : never)
  : never;
export type TableColumns<T extends DataFrameType> = {
  [K in keyof T["columns"]]: ReadonlyArray<Cell<T["columns"][K]>>;
};
/**
 * Builds a table with exactly the declared schema. Every column must have the same length; a
 * null in a non-nullable column is refused here rather than by the worker's output check.
 */
export declare function table<T extends DataFrameType>(type: T, columns: TableColumns<T>): Table;
export {};
