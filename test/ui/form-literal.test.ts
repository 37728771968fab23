// The run form's values as literals: each field checked against its declared type before anything
// is sent, with the message shown beside the field.
import { create } from "@bufbuild/protobuf";
import { durationMs, timestampMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, test } from "vitest";
import { LiteralTypeSchema, type Literal, SimpleType } from "../../proto/index.ts";
import { FieldError, literalFromField } from "../../ui/app/values/form-literal.ts";
import { BOOL, DATE, INT, LIST_INT, STATS } from "./spec-fixtures.ts";

const simple = (s: SimpleType) => create(LiteralTypeSchema, { type: { case: "simple", value: s } });
const optional = (inner: ReturnType<typeof simple>) => create(LiteralTypeSchema, { type: { case: "optional", value: { inner } } });
const scalarOf = (l: Literal) => (l.value.case === "scalar" ? l.value.value.value : undefined);
const fails = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(FieldError);
    return (err as Error).message;
  }
  throw new Error("expected a FieldError");
};

describe("literalFromField", () => {
  test("scalars in their own notation", () => {
    expect(scalarOf(literalFromField(INT, " 42 "))).toEqual({ case: "integer", value: 42n });
    expect(scalarOf(literalFromField(simple(SimpleType.FLOAT), "0.5"))).toEqual({ case: "float", value: 0.5 });
    expect(scalarOf(literalFromField(DATE, "2024-02-29"))).toEqual({ case: "date", value: "2024-02-29" });
    expect(scalarOf(literalFromField(BOOL, true))).toEqual({ case: "boolean", value: true });
    expect(scalarOf(literalFromField(simple(SimpleType.STRING), "hello"))).toEqual({ case: "string", value: "hello" });
    const d = scalarOf(literalFromField(simple(SimpleType.DURATION), "1h30m"));
    expect(d?.case === "duration" && durationMs(d.value)).toBe(5_400_000);
    const at = scalarOf(literalFromField(simple(SimpleType.DATETIME), "2024-05-01T02:00:00Z"));
    expect(at?.case === "datetime" && timestampMs(at.value)).toBe(Date.UTC(2024, 4, 1, 2));
  });

  test("what is wrong with a value, said beside its field", () => {
    expect(fails(() => literalFromField(INT, ""))).toBe("required");
    expect(fails(() => literalFromField(INT, "4.5"))).toBe("a whole number");
    expect(fails(() => literalFromField(DATE, "2023-02-29"))).toBe("a date like 2024-05-01");
    expect(fails(() => literalFromField(simple(SimpleType.DURATION), "soon"))).toMatch(/a duration like/);
    const colour = create(LiteralTypeSchema, { type: { case: "enumType", value: { values: ["red", "green"] } } });
    expect(fails(() => literalFromField(colour, "blue"))).toBe("one of red, green");
    expect(scalarOf(literalFromField(colour, "green"))).toEqual({ case: "enumValue", value: "green" });
  });

  test("an empty optional is none; lists, maps and structs are JSON checked item by item", () => {
    expect(literalFromField(optional(INT), "").value.case).toBe("none");
    const list = literalFromField(LIST_INT, "[1, 2, 3]");
    expect(list.value.case === "collection" && list.value.value.items.map(scalarOf)).toEqual([1n, 2n, 3n].map((value) => ({ case: "integer", value })));
    expect(fails(() => literalFromField(LIST_INT, "[1, 2.5]"))).toBe("value[1]: expected int");
    expect(fails(() => literalFromField(LIST_INT, "[1,"))).toMatch(/^not JSON/);
    expect(scalarOf(literalFromField(STATS, '{"rows": 3}'))).toEqual({ case: "json", value: '{"rows":3}' });
    expect(fails(() => literalFromField(STATS, "{}"))).toBe("value: missing rows");
  });

  test("a file or a dataframe must be uploaded, not typed", () => {
    const file = create(LiteralTypeSchema, { type: { case: "blob", value: { format: "csv" } } });
    expect(fails(() => literalFromField(file, "data.csv"))).toBe("choose a file to upload");
  });
});
