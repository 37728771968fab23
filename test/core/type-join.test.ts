// The join of a branch's arms: the narrowest type each arm may feed, so a consumer accepts the join
// exactly when it accepts every arm (checked over every pair of a pool of types, against every
// consumer in the pool).
import { describe, expect, it } from "vitest";
import { checkAssignable, joinTypes, typeName } from "../../core/index.ts";
import { ArrowTypeId } from "../../proto/index.ts";
import type { LiteralType } from "../../proto/index.ts";
import { A, T, col } from "./spec-builder.ts";

const dictionary = (valueNullable: boolean, index?: { bitWidth: number; signed: boolean }) =>
  ({ id: ArrowTypeId.DICTIONARY, ...index, children: [{ name: "value", type: A.utf8(), nullable: valueNullable }] }) as never;

const pool: LiteralType[] = [
  T.int(),
  T.float(),
  T.string(),
  T.bool(),
  T.enum("a"),
  T.enum("b"),
  T.enum("a", "b"),
  T.optional(T.int()),
  T.optional(T.string()),
  T.union(T.int(), T.string()),
  T.list(T.int()),
  T.list(T.enum("a")),
  T.list(T.string()),
  T.map(T.int()),
  T.struct({ x: T.int() }),
  T.struct({ x: T.int(), y: T.string() }),
  T.struct({ y: T.string() }),
  T.struct({ x: T.int() }, ["x"]),
  T.file(),
  T.file("csv"),
  T.file("parquet"),
  T.dir(),
  T.df([col("n", A.int(32))]),
  T.df([col("n", A.int(64))]),
  T.df([col("n", A.int(8))]),
  T.df([col("n", A.uint(8))]),
  T.df([col("n", A.int(16))]),
  T.df([col("n", A.uint(64))]),
  T.df([col("n", A.int(32), true)]),
  T.df([col("n", A.float(32))]),
  T.df([col("n", A.float(64))]),
  T.df([col("n", A.int(32)), col("s", A.utf8())]),
  T.df([col("s", A.utf8())]),
  T.df([col("s", A.utf8(), true)]),
  T.df([col("s", A.dictionary(A.utf8()))]),
  T.df([col("s", dictionary(true))]),
  T.df([col("s", A.dictionary(A.utf8(), { bitWidth: 8, signed: true }))]),
  T.df([col("s", A.dictionary(A.utf8(), { bitWidth: 16, signed: false }))]),
  T.df([col("l", A.list(A.utf8()))]),
  T.df([col("l", A.list(A.utf8(), true))]),
  T.df([col("l", A.list(A.int(8)))]),
  T.df([col("st", A.struct(col("x", A.int(8)), col("y", A.utf8())))]),
  T.df([col("st", A.struct(col("x", A.uint(8))))]),
];

const fits = (p: LiteralType, c: LiteralType) => checkAssignable(p, c).length === 0;

describe("joinTypes", () => {
  it("a consumer accepts the join of two types exactly when it accepts both", () => {
    const wrong: string[] = [];
    for (const a of pool) {
      for (const b of pool) {
        const joined = joinTypes([a, b])!;
        expect(fits(a, joined) && fits(b, joined), `${typeName(a)} ⊔ ${typeName(b)} = ${typeName(joined)}`).toBe(true);
        for (const c of pool) {
          if (fits(joined, c) !== (fits(a, c) && fits(b, c))) wrong.push(`${typeName(a)} ⊔ ${typeName(b)} = ${typeName(joined)} into ${typeName(c)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("names the narrowest common type where the lattice has one", () => {
    const join = (...types: LiteralType[]) => typeName(joinTypes(types));
    expect(join(T.df([col("n", A.int(32))]), T.df([col("n", A.int(64))]))).toBe("dataframe{n: Int64}");
    expect(join(T.df([col("n", A.int(64))]), T.df([col("n", A.int(32))]))).toBe("dataframe{n: Int64}");
    expect(join(T.df([col("n", A.int(8))]), T.df([col("n", A.uint(8))]))).toBe("dataframe{n: Int16}");
    expect(join(T.df([col("n", A.int(8)), col("s", A.utf8())]), T.df([col("n", A.uint(64))]))).toBe("dataframe{}");
    expect(join(T.df([col("s", A.utf8())]), T.df([col("s", dictionary(true))]))).toBe("dataframe{s: Utf8?}");
    expect(join(T.enum("a"), T.enum("b"))).toBe("enum{a, b}");
    expect(join(T.enum("a"), T.string())).toBe("string");
    expect(join(T.int(), T.optional(T.int()))).toBe("optional<int>");
    expect(join(T.file("csv"), T.file("parquet"))).toBe("file");
    expect(join(T.struct({ x: T.int(), y: T.string() }), T.struct({ x: T.int() }))).toBe("{x: int}");
    expect(join(T.struct({ x: T.int() }), T.struct({ y: T.string() }))).toBe("{x?: int, y?: string}");
    expect(join(T.int(), T.string())).toBe("int | string");
    expect(join(T.int(), T.any())).toBe("int | any");
    expect(joinTypes([undefined, T.int()])).toEqual(T.int());
    expect(joinTypes([])).toBeUndefined();
  });
});
