// Type names in messages: weir values in lower case, Arrow columns spelled like apache-arrow's.
import { describe, expect, it } from "vitest";
import { TimeUnit } from "../../proto/index.ts";
import { arrowTypeName, typeName } from "../../core/index.ts";
import { A, T, arrow, col } from "./spec-builder.ts";

describe("typeName", () => {
  it("names values", () => {
    expect(typeName(T.int())).toBe("int");
    expect(typeName(T.list(T.string()))).toBe("list<string>");
    expect(typeName(T.map(T.optional(T.float())))).toBe("map<string, optional<float>>");
    expect(typeName(T.union(T.int(), T.string()))).toBe("int | string");
    expect(typeName(T.enum("a", "b"))).toBe("enum{a, b}");
    expect(typeName(T.file("csv"))).toBe("file<csv>");
    expect(typeName(T.dir())).toBe("dir");
    expect(typeName(T.struct({ a: T.int(), b: T.string() }, ["b"]))).toBe("{a: int, b?: string}");
    expect(typeName(T.df([col("age", A.int(32)), col("country", A.utf8(), true)]))).toBe("dataframe{age: Int32, country: Utf8?}");
    expect(typeName(T.dfAny())).toBe("dataframe(any)");
  });
  it("names Arrow types like apache-arrow", () => {
    expect(arrowTypeName(arrow(A.uint(8)))).toBe("Uint8");
    expect(arrowTypeName(arrow(A.float(64)))).toBe("Float64");
    expect(arrowTypeName(arrow(A.largeUtf8()))).toBe("LargeUtf8");
    expect(arrowTypeName(arrow(A.dictionary(A.utf8())))).toBe("Dictionary<Int32, Utf8>");
    expect(arrowTypeName(arrow(A.dictionary(A.utf8(), { bitWidth: 8, signed: false })))).toBe("Dictionary<Uint8, Utf8>");
    expect(arrowTypeName(arrow(A.timestamp(TimeUnit.MILLISECOND, "UTC")))).toBe("Timestamp<MILLISECOND, UTC>");
    expect(arrowTypeName(arrow(A.timestamp(TimeUnit.NANOSECOND)))).toBe("Timestamp<NANOSECOND>");
    expect(arrowTypeName(arrow(A.date()))).toBe("Date32<DAY>");
    expect(arrowTypeName(arrow(A.date(TimeUnit.MILLISECOND)))).toBe("Date64<MILLISECOND>");
    expect(arrowTypeName(arrow(A.duration(TimeUnit.SECOND)))).toBe("Duration<SECOND>");
    expect(arrowTypeName(arrow(A.decimal(10, 2)))).toBe("Decimal(10, 2)");
    expect(arrowTypeName(arrow(A.list(A.int(32))))).toBe("List<Int32>");
    expect(arrowTypeName(arrow(A.struct(col("a", A.int(32)))))).toBe("Struct<{a: Int32}>");
  });
});
