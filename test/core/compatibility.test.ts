// The compatibility relation: scalars, wrappers, collections, structs, blobs, and dataframes down
// to every Arrow parameter, including the full lossless-widening table.
import { describe, expect, it } from "vitest";
import { ArrowTypeId, TimeUnit } from "../../proto/index.ts";
import { checkAssignable, intWidens, isAnyType } from "../../core/index.ts";
import { A, T, col } from "./spec-builder.ts";

const ok = (p: Parameters<typeof checkAssignable>[0], c: Parameters<typeof checkAssignable>[1]) => expect(checkAssignable(p, c)).toEqual([]);
const reasons = (p: Parameters<typeof checkAssignable>[0], c: Parameters<typeof checkAssignable>[1]) => checkAssignable(p, c).map((i) => i.reason);

describe("scalars and wrappers", () => {
  it("accepts equal scalars and refuses different ones", () => {
    ok(T.int(), T.int());
    ok(T.string(), T.string());
    expect(reasons(T.string(), T.int())).toEqual(["type"]);
    expect(reasons(T.date(), T.datetime())).toEqual(["type"]);
  });
  it("never widens int to float, and says so", () => {
    const [issue] = checkAssignable(T.int(), T.float());
    expect(issue.reason).toBe("int-to-float");
    expect(issue.message).toMatch(/does not widen to float/);
    expect(reasons(T.float(), T.int())).toEqual(["type"]);
  });
  it("enum: producer values must be a subset", () => {
    ok(T.enum("a"), T.enum("a", "b"));
    const [issue] = checkAssignable(T.enum("a", "c"), T.enum("a", "b"));
    expect(issue.reason).toBe("enum-values");
    expect(issue.message).toContain("'c'");
    // Every enum value is a string; a string is not an enum.
    ok(T.enum("a", "b"), T.string());
    expect(reasons(T.string(), T.enum("a"))).toEqual(["type"]);
  });
  it("optional consumer accepts T and optional<T>; optional producer into T is refused", () => {
    ok(T.int(), T.optional(T.int()));
    ok(T.optional(T.int()), T.optional(T.int()));
    expect(reasons(T.optional(T.int()), T.int())).toEqual(["optional"]);
    expect(reasons(T.string(), T.optional(T.int()))).toEqual(["type"]);
  });
  it("union consumer accepts any variant; union producer needs every variant accepted", () => {
    ok(T.int(), T.union(T.int(), T.string()));
    ok(T.union(T.int(), T.string()), T.union(T.string(), T.int(), T.bool()));
    expect(reasons(T.float(), T.union(T.int(), T.string()))).toEqual(["union"]);
    expect(reasons(T.union(T.int(), T.float()), T.union(T.int(), T.string()))).toEqual(["union"]);
    expect(reasons(T.union(T.int(), T.string()), T.int())).toEqual(["type"]);
  });
  it("lists and maps are covariant", () => {
    ok(T.list(T.enum("a")), T.list(T.enum("a", "b")));
    ok(T.map(T.int()), T.map(T.optional(T.int())));
    const [issue] = checkAssignable(T.list(T.int()), T.list(T.string()));
    expect(issue.path).toBe("[]");
    expect(reasons(T.list(T.int()), T.map(T.int()))).toEqual(["type"]);
  });
  it("blobs: kinds equal, formats equal unless the consumer declares none", () => {
    ok(T.file("csv"), T.file("csv"));
    ok(T.file("csv"), T.file());
    ok(T.file(), T.file());
    // A file of no declared format may hold anything: it does not feed a declared format.
    const [issue] = checkAssignable(T.file(), T.file("csv"));
    expect(issue.reason).toBe("format");
    expect(issue.message).toBe("no format is declared (producer), but the consumer needs 'csv'");
    expect(reasons(T.file("csv"), T.file("parquet"))).toEqual(["format"]);
    expect(reasons(T.dir(), T.file())).toEqual(["blob-kind"]);
  });
  it("structs: every consumer field present with an assignable type; extra producer fields fine", () => {
    ok(T.struct({ a: T.int(), b: T.string(), extra: T.bool() }), T.struct({ a: T.int(), b: T.string() }));
    ok(T.struct({ a: T.int() }), T.struct({ a: T.int(), b: T.string() }, ["b"]));
    const issues = checkAssignable(T.struct({ a: T.string(), c: T.int() }, ["c"]), T.struct({ a: T.int(), b: T.int(), c: T.int() }));
    expect(issues.map((i) => [i.path, i.reason])).toEqual([
      ["a", "type"],
      ["b", "missing-field"],
      ["c", "missing-field"],
    ]);
    const nested = checkAssignable(T.struct({ s: T.struct({ x: T.int() }) }), T.struct({ s: T.struct({ x: T.float() }) }));
    expect(nested[0].path).toBe("s.x");
  });
  it("any on either side is legal here (the caller warns)", () => {
    ok(T.any(), T.int());
    ok(T.int(), T.any());
    ok(T.dfAny(), T.df([col("a", A.int(32))]));
    ok(T.df([col("a", A.int(32))]), T.dfAny());
    expect(isAnyType(T.list(T.dfAny()))).toBe(true);
    expect(isAnyType(T.struct({ a: T.optional(T.any()) }))).toBe(true);
    expect(isAnyType(T.df([col("a", A.int(32))]))).toBe(false);
  });
});

describe("dataframes", () => {
  it("reports every differing column: missing, arrow type and nullability, one each", () => {
    const producer = T.df([col("age", A.int(32)), col("country", A.utf8(), true), col("extra", A.bool())]);
    const consumer = T.df([col("age", A.utf8()), col("country", A.utf8()), col("income", A.float(64))]);
    const issues = checkAssignable(producer, consumer);
    expect(issues.map((i) => [i.path, i.reason])).toEqual([
      ["age", "arrow-type"],
      ["country", "nullability"],
      ["income", "missing-column"],
    ]);
    expect(issues[0].message).toBe("column 'age': Int32 (producer) is not Utf8 (consumer)");
  });
  it("accepts extra producer columns and non-null into nullable", () => {
    ok(T.df([col("a", A.int(32)), col("b", A.utf8())]), T.df([col("a", A.int(32), true)]));
  });

  const ints = [8, 16, 32, 64];
  const intCases: Array<[string, number, boolean, number, boolean, boolean]> = [];
  for (const pb of ints)
    for (const ps of [true, false])
      for (const cb of ints)
        for (const cs of [true, false]) {
          const expected = ps === cs ? pb <= cb : !ps && cs && pb < cb;
          intCases.push([`${ps ? "Int" : "Uint"}${pb} -> ${cs ? "Int" : "Uint"}${cb}`, pb, ps, cb, cs, expected]);
        }
  it.each(intCases)("integer widening %s", (_name, pb, ps, cb, cs, expected) => {
    const issues = checkAssignable(T.df([col("n", A.int(pb, ps))]), T.df([col("n", A.int(cb, cs))]));
    expect(issues.length === 0).toBe(expected);
    expect(intWidens(pb, ps, cb, cs)).toBe(expected);
  });
  it("spot-checks the integer table against DESIGN.md", () => {
    expect(intWidens(8, false, 16, true)).toBe(true); // uint8 -> int16
    expect(intWidens(8, false, 8, true)).toBe(false); // uint8 -> int8
    expect(intWidens(32, false, 64, true)).toBe(true);
    expect(intWidens(64, false, 64, true)).toBe(false);
    expect(intWidens(8, true, 16, false)).toBe(false); // signed never into unsigned
    expect(intWidens(64, true, 32, true)).toBe(false);
  });
  it.each([
    [16, 16, true],
    [16, 32, true],
    [16, 64, true],
    [32, 16, false],
    [32, 32, true],
    [32, 64, true],
    [64, 16, false],
    [64, 32, false],
    [64, 64, true],
  ])("float widening Float%i -> Float%i is %s", (pb, cb, expected) => {
    expect(checkAssignable(T.df([col("x", A.float(pb))]), T.df([col("x", A.float(cb))])).length === 0).toBe(expected);
  });
  it("int never feeds float and float never feeds int inside a dataframe", () => {
    expect(reasons(T.df([col("x", A.int(8))]), T.df([col("x", A.float(64))]))).toEqual(["arrow-type"]);
    expect(reasons(T.df([col("x", A.float(16))]), T.df([col("x", A.int(64))]))).toEqual(["arrow-type"]);
  });
  it("dictionary<utf8> decodes to utf8, not the other way round", () => {
    ok(T.df([col("c", A.dictionary(A.utf8()))]), T.df([col("c", A.utf8())]));
    expect(reasons(T.df([col("c", A.utf8())]), T.df([col("c", A.dictionary(A.utf8()))]))).toEqual(["arrow-type"]);
    expect(reasons(T.df([col("c", A.dictionary(A.int(32)))]), T.df([col("c", A.utf8())]))).toEqual(["arrow-type"]);
    expect(reasons(T.df([col("c", A.dictionary(A.utf8()))]), T.df([col("c", A.largeUtf8())]))).toEqual(["arrow-type"]);
    ok(T.df([col("c", A.dictionary(A.utf8(), { bitWidth: 16, signed: true }))]), T.df([col("c", A.dictionary(A.utf8()))]));
    expect(reasons(T.df([col("c", A.dictionary(A.utf8()))]), T.df([col("c", A.dictionary(A.utf8(), { bitWidth: 8, signed: true }))]))).toEqual(["arrow-type"]);
    expect(reasons(T.df([col("c", A.dictionary(A.utf8(), { bitWidth: 32, signed: false }))]), T.df([col("c", A.dictionary(A.utf8()))]))).toEqual([
      "arrow-type",
    ]);
  });
  it("a dictionary's nullable values are nulls of the column they decode into", () => {
    const nullableValues = { id: ArrowTypeId.DICTIONARY, children: [{ name: "value", type: A.utf8(), nullable: true }] } as never;
    const [issue] = checkAssignable(T.df([col("c", nullableValues)]), T.df([col("c", A.utf8())]));
    expect(issue).toMatchObject({ path: "c", reason: "nullability" });
    expect(issue.message).toBe("column 'c': the dictionary's values are nullable (producer), but the column is non-nullable (consumer)");
    ok(T.df([col("c", nullableValues)]), T.df([col("c", A.utf8(), true)]));
    expect(reasons(T.df([col("c", nullableValues)]), T.df([col("c", A.dictionary(A.utf8()))]))).toEqual(["nullability"]);
    ok(T.df([col("c", nullableValues)]), T.df([col("c", nullableValues)]));
  });
  it("compares every parameter: units, time zones, precision and scale", () => {
    expect(reasons(T.df([col("t", A.timestamp(TimeUnit.MILLISECOND, "UTC"))]), T.df([col("t", A.timestamp(TimeUnit.MICROSECOND, "UTC"))]))).toEqual([
      "arrow-type",
    ]);
    const [tz] = checkAssignable(T.df([col("t", A.timestamp(TimeUnit.MILLISECOND))]), T.df([col("t", A.timestamp(TimeUnit.MILLISECOND, "UTC"))]));
    expect(tz.message).toBe("column 't': Timestamp<MILLISECOND> (producer) is not Timestamp<MILLISECOND, UTC> (consumer)");
    ok(T.df([col("t", A.timestamp(TimeUnit.SECOND, "Europe/Paris"))]), T.df([col("t", A.timestamp(TimeUnit.SECOND, "Europe/Paris"))]));
    expect(reasons(T.df([col("d", A.date(TimeUnit.DAY))]), T.df([col("d", A.date(TimeUnit.MILLISECOND))]))).toEqual(["arrow-type"]);
    expect(reasons(T.df([col("d", A.duration(TimeUnit.SECOND))]), T.df([col("d", A.duration(TimeUnit.NANOSECOND))]))).toEqual(["arrow-type"]);
    const [dec] = checkAssignable(T.df([col("m", A.decimal(10, 2))]), T.df([col("m", A.decimal(10, 3))]));
    expect(dec.message).toBe("column 'm': Decimal(10, 2) (producer) is not Decimal(10, 3) (consumer)");
    ok(T.df([col("m", A.decimal(10, 2))]), T.df([col("m", A.decimal(10, 2))]));
    expect(reasons(T.df([col("s", A.utf8())]), T.df([col("s", A.largeUtf8())]))).toEqual(["arrow-type"]);
    expect(reasons(T.df([col("s", A.binary())]), T.df([col("s", A.utf8())]))).toEqual(["arrow-type"]);
  });
  it("recurses into list and struct children with their nullability", () => {
    ok(T.df([col("l", A.list(A.int(16)))]), T.df([col("l", A.list(A.int(32)))]));
    const list = checkAssignable(T.df([col("l", A.list(A.int(32), true))]), T.df([col("l", A.list(A.int(32)))]));
    expect(list.map((i) => [i.path, i.reason])).toEqual([["l[]", "nullability"]]);
    const struct = checkAssignable(
      T.df([col("s", A.struct(col("a", A.int(64)), col("extra", A.bool())))]),
      T.df([col("s", A.struct(col("a", A.int(32)), col("b", A.utf8())))]),
    );
    expect(struct.map((i) => [i.path, i.reason])).toEqual([
      ["s.a", "arrow-type"],
      ["s.b", "missing-column"],
    ]);
    expect(struct[0].message).toBe("column 's.a': Int64 (producer) does not widen losslessly to Int32 (consumer)");
  });
  it("refuses dataframes into other kinds", () => {
    expect(reasons(T.df([col("a", A.int(32))]), T.file("arrow"))).toEqual(["type"]);
  });
});
