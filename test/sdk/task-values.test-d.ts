// A task's function is typed by its declared interface: wrong input use or a wrong returned value
// is an editor error inside the task, not a run-time surprise.
import { describe, expectTypeOf, test } from "vitest";
import { z } from "zod";
import { df, t, task } from "../../sdk/index.ts";

describe("task functions see and return JS values of the declared types", () => {
  test("inputs arrive as their JS values", () => {
    task({ name: "inputs", inputs: { n: t.int(), when: t.datetime(), m: t.struct(z.object({ acc: z.number() })) }, outputs: {} }, ({ n, when, m }) => {
      expectTypeOf(n).toEqualTypeOf<number>();
      expectTypeOf(when).toEqualTypeOf<Date>();
      expectTypeOf(m.acc).toEqualTypeOf<number>();
      return {};
    });
  });

  test("a returned value of the wrong type is an error", () => {
    // @ts-expect-error a string where the output `n` is an int
    task({ name: "wrong", inputs: {}, outputs: { n: t.int() } }, () => ({ n: "three" }));
    // @ts-expect-error the output `report` is missing
    task({ name: "missing", inputs: {}, outputs: { passed: t.bool(), report: t.string() } }, () => ({ passed: true }));
    // @ts-expect-error a struct output missing a field its zod object requires
    task({ name: "struct", inputs: {}, outputs: { m: t.struct(z.object({ acc: z.number() })) } }, () => ({ m: {} }));
    task({ name: "right", inputs: {}, outputs: { n: t.int(), d: df.any() } }, () => ({ n: 3, d: df.table(df.schema({}), {}) }));
  });
});
