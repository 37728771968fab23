// The one table of type pairs with a verdict that the relation's four users must all give (see
// agreement.test.ts and agreement.test-d.ts): the editor's type lattice, the compiler,
// RegisterWorkflow's spec checks and the worker's table check. `producers` holds one type for a
// direct edge, or the types the arms of a branch give (the branch's output is their join).
import { df, t } from "../../sdk/index.ts";
import type { WeirType } from "../../sdk/index.ts";

export type Verdict = "accept" | "refuse";

export interface AgreementCase {
  readonly name: string;
  readonly producers: readonly [WeirType, ...WeirType[]];
  readonly consumer: WeirType;
  readonly verdict: Verdict;
}

const col = <C extends Parameters<typeof df.schema>[0][string]>(column: C) => df.schema({ a: column });

export const agreementCases = [
  // ---- dataframes: lossless widenings ------------------------------------------------------------
  { name: "int8 -> int16", producers: [col(df.int8())], consumer: col(df.int16()), verdict: "accept" },
  { name: "int16 -> int32", producers: [col(df.int16())], consumer: col(df.int32()), verdict: "accept" },
  { name: "int32 -> int64", producers: [col(df.int32())], consumer: col(df.int64()), verdict: "accept" },
  { name: "int8 -> int64", producers: [col(df.int8())], consumer: col(df.int64()), verdict: "accept" },
  { name: "int64 -> int32", producers: [col(df.int64())], consumer: col(df.int32()), verdict: "refuse" },
  { name: "uint8 -> int16", producers: [col(df.uint8())], consumer: col(df.int16()), verdict: "accept" },
  { name: "uint16 -> int32", producers: [col(df.uint16())], consumer: col(df.int32()), verdict: "accept" },
  { name: "uint32 -> int64", producers: [col(df.uint32())], consumer: col(df.int64()), verdict: "accept" },
  { name: "uint8 -> uint64", producers: [col(df.uint8())], consumer: col(df.uint64()), verdict: "accept" },
  { name: "uint32 -> int32", producers: [col(df.uint32())], consumer: col(df.int32()), verdict: "refuse" },
  { name: "uint64 -> int64", producers: [col(df.uint64())], consumer: col(df.int64()), verdict: "refuse" },
  { name: "int8 -> uint16", producers: [col(df.int8())], consumer: col(df.uint16()), verdict: "refuse" },
  { name: "float16 -> float32", producers: [col(df.float16())], consumer: col(df.float32()), verdict: "accept" },
  { name: "float32 -> float64", producers: [col(df.float32())], consumer: col(df.float64()), verdict: "accept" },
  { name: "float64 -> float32", producers: [col(df.float64())], consumer: col(df.float32()), verdict: "refuse" },
  { name: "int32 -> float64", producers: [col(df.int32())], consumer: col(df.float64()), verdict: "refuse" },
  { name: "utf8 -> largeUtf8", producers: [col(df.utf8())], consumer: col(df.largeUtf8()), verdict: "refuse" },
  { name: "bool -> bool", producers: [col(df.bool())], consumer: col(df.bool()), verdict: "accept" },
  { name: "timestamp ms UTC -> timestamp ms UTC", producers: [col(df.timestamp("ms", "UTC"))], consumer: col(df.timestamp("ms", "UTC")), verdict: "accept" },
  { name: "timestamp ms -> timestamp us", producers: [col(df.timestamp("ms"))], consumer: col(df.timestamp("us")), verdict: "refuse" },
  { name: "date day -> date millisecond", producers: [col(df.date())], consumer: col(df.date("millisecond")), verdict: "refuse" },

  // ---- dataframes: columns and nullability -------------------------------------------------------
  { name: "extra producer columns", producers: [df.schema({ a: df.int32(), b: df.utf8() })], consumer: col(df.int32()), verdict: "accept" },
  { name: "missing consumer column", producers: [col(df.int32())], consumer: df.schema({ a: df.int32(), b: df.utf8() }), verdict: "refuse" },
  { name: "utf8? -> utf8", producers: [col(df.utf8().nullable())], consumer: col(df.utf8()), verdict: "refuse" },
  { name: "utf8 -> utf8?", producers: [col(df.utf8())], consumer: col(df.utf8().nullable()), verdict: "accept" },
  { name: "utf8? -> utf8?", producers: [col(df.utf8().nullable())], consumer: col(df.utf8().nullable()), verdict: "accept" },

  // ---- dataframes: nested types, nullability at every depth ---------------------------------------
  { name: "list<utf8?> -> list<utf8>", producers: [col(df.list(df.utf8().nullable()))], consumer: col(df.list(df.utf8())), verdict: "refuse" },
  { name: "list<utf8> -> list<utf8?>", producers: [col(df.list(df.utf8()))], consumer: col(df.list(df.utf8().nullable())), verdict: "accept" },
  { name: "list<int8> -> list<int32>", producers: [col(df.list(df.int8()))], consumer: col(df.list(df.int32())), verdict: "accept" },
  { name: "list<utf8>? -> list<utf8>?", producers: [col(df.list(df.utf8()).nullable())], consumer: col(df.list(df.utf8()).nullable()), verdict: "accept" },
  { name: "list<utf8>? -> list<utf8>", producers: [col(df.list(df.utf8()).nullable())], consumer: col(df.list(df.utf8())), verdict: "refuse" },
  {
    name: "struct{x: utf8?} -> struct{x: utf8}",
    producers: [col(df.struct({ x: df.utf8().nullable() }))],
    consumer: col(df.struct({ x: df.utf8() })),
    verdict: "refuse",
  },
  {
    name: "struct{x: utf8, y: int8} -> struct{x: utf8}",
    producers: [col(df.struct({ x: df.utf8(), y: df.int8() }))],
    consumer: col(df.struct({ x: df.utf8() })),
    verdict: "accept",
  },
  {
    name: "struct{x: int8} -> struct{x: int16}",
    producers: [col(df.struct({ x: df.int8() }))],
    consumer: col(df.struct({ x: df.int16() })),
    verdict: "accept",
  },
  {
    name: "struct{x: int16} -> struct{x: int8}",
    producers: [col(df.struct({ x: df.int16() }))],
    consumer: col(df.struct({ x: df.int8() })),
    verdict: "refuse",
  },
  {
    name: "struct{x: utf8}? -> struct{x: utf8}?",
    producers: [col(df.struct({ x: df.utf8() }).nullable())],
    consumer: col(df.struct({ x: df.utf8() }).nullable()),
    verdict: "accept",
  },
  {
    name: "list<struct{x: int32?}> -> list<struct{x: int32}>",
    producers: [col(df.list(df.struct({ x: df.int32().nullable() })))],
    consumer: col(df.list(df.struct({ x: df.int32() }))),
    verdict: "refuse",
  },

  // ---- dataframes: dictionaries ---------------------------------------------------------------
  { name: "dictionary<utf8> -> utf8", producers: [col(df.dictionary(df.utf8()))], consumer: col(df.utf8()), verdict: "accept" },
  { name: "utf8 -> dictionary<utf8>", producers: [col(df.utf8())], consumer: col(df.dictionary(df.utf8())), verdict: "refuse" },
  { name: "dictionary<int32> -> int32", producers: [col(df.dictionary(df.int32()))], consumer: col(df.int32()), verdict: "refuse" },
  { name: "dictionary<utf8?> -> utf8", producers: [col(df.dictionary(df.utf8().nullable()))], consumer: col(df.utf8()), verdict: "refuse" },
  { name: "dictionary<utf8?> -> utf8?", producers: [col(df.dictionary(df.utf8().nullable()))], consumer: col(df.utf8().nullable()), verdict: "accept" },
  {
    name: "dictionary<utf8?> -> dictionary<utf8>",
    producers: [col(df.dictionary(df.utf8().nullable()))],
    consumer: col(df.dictionary(df.utf8())),
    verdict: "refuse",
  },
  {
    name: "dictionary<utf8?> -> dictionary<utf8?>",
    producers: [col(df.dictionary(df.utf8().nullable()))],
    consumer: col(df.dictionary(df.utf8().nullable())),
    verdict: "accept",
  },
  {
    name: "dictionary<int64, utf8> -> dictionary<int8, utf8>",
    producers: [col(df.dictionary(df.utf8(), "int64"))],
    consumer: col(df.dictionary(df.utf8(), "int8")),
    verdict: "refuse",
  },
  {
    name: "dictionary<int8, utf8> -> dictionary<utf8>",
    producers: [col(df.dictionary(df.utf8(), "int8"))],
    consumer: col(df.dictionary(df.utf8())),
    verdict: "accept",
  },
  {
    name: "dictionary<uint32, utf8> -> dictionary<utf8>",
    producers: [col(df.dictionary(df.utf8(), "uint32"))],
    consumer: col(df.dictionary(df.utf8())),
    verdict: "refuse",
  },
  {
    name: "dictionary<uint16, utf8> -> dictionary<utf8>",
    producers: [col(df.dictionary(df.utf8(), "uint16"))],
    consumer: col(df.dictionary(df.utf8())),
    verdict: "accept",
  },

  // ---- values --------------------------------------------------------------------------------------
  { name: "int -> int", producers: [t.int()], consumer: t.int(), verdict: "accept" },
  { name: "int -> float", producers: [t.int()], consumer: t.float(), verdict: "refuse" },
  { name: "int -> optional<int>", producers: [t.int()], consumer: t.optional(t.int()), verdict: "accept" },
  { name: "optional<int> -> int", producers: [t.optional(t.int())], consumer: t.int(), verdict: "refuse" },
  { name: "int -> union<int, string>", producers: [t.int()], consumer: t.union(t.int(), t.string()), verdict: "accept" },
  { name: "enum{a, b} -> string", producers: [t.enum(["a", "b"])], consumer: t.string(), verdict: "accept" },
  { name: "string -> enum{a}", producers: [t.string()], consumer: t.enum(["a"]), verdict: "refuse" },
  { name: "enum{a} -> enum{a, b}", producers: [t.enum(["a"])], consumer: t.enum(["a", "b"]), verdict: "accept" },
  { name: "enum{a, c} -> enum{a, b}", producers: [t.enum(["a", "c"])], consumer: t.enum(["a", "b"]), verdict: "refuse" },
  { name: "list<enum{a}> -> list<string>", producers: [t.list(t.enum(["a"]))], consumer: t.list(t.string()), verdict: "accept" },
  { name: "file -> file<csv>", producers: [t.file()], consumer: t.file({ format: "csv" }), verdict: "refuse" },
  { name: "file<csv> -> file", producers: [t.file({ format: "csv" })], consumer: t.file(), verdict: "accept" },
  { name: "file<csv> -> file<parquet>", producers: [t.file({ format: "csv" })], consumer: t.file({ format: "parquet" }), verdict: "refuse" },

  // ---- branches: the output is the join of the arms, in either order ------------------------------
  { name: "branch int32 | int64 -> int64", producers: [col(df.int32()), col(df.int64())], consumer: col(df.int64()), verdict: "accept" },
  { name: "branch int64 | int32 -> int64", producers: [col(df.int64()), col(df.int32())], consumer: col(df.int64()), verdict: "accept" },
  { name: "branch int32 | int64 -> int32", producers: [col(df.int32()), col(df.int64())], consumer: col(df.int32()), verdict: "refuse" },
  { name: "branch utf8 | utf8? -> utf8", producers: [col(df.utf8()), col(df.utf8().nullable())], consumer: col(df.utf8()), verdict: "refuse" },
  { name: "branch int8 | uint8 -> int16", producers: [col(df.int8()), col(df.uint8())], consumer: col(df.int16()), verdict: "accept" },
  { name: "branch enum{a} | enum{b} -> enum{a, b}", producers: [t.enum(["a"]), t.enum(["b"])], consumer: t.enum(["a", "b"]), verdict: "accept" },
  { name: "branch enum{a} | enum{b} -> enum{a}", producers: [t.enum(["a"]), t.enum(["b"])], consumer: t.enum(["a"]), verdict: "refuse" },
  { name: "branch int | string -> string", producers: [t.int(), t.string()], consumer: t.string(), verdict: "refuse" },
] as const satisfies readonly AgreementCase[];
