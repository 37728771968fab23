// A zod struct's integer fields (`z.number().int()`, `z.int()`) are integers, not floats.
import { describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/index.ts";
import { SimpleType } from "../../proto/index.ts";
import { fixture } from "./fixture-paths.ts";

const result = compileProject(fixture("zod-int"));

describe("compile: zod integer fields", () => {
  it("reads .int() and z.int() as integer, a plain number as float", () => {
    expect(result.diagnostics.filter((d) => d.category === "error")).toEqual([]);
    const person = result.specs[0].tasks[0].interface!.outputs[0].type!.type;
    if (person.case !== "struct") throw new Error("not a struct");
    const byName = Object.fromEntries(person.value.fields.map((f) => [f.name, f.type?.type]));
    expect(byName.age).toEqual({ case: "simple", value: SimpleType.INTEGER });
    expect(byName.rank).toEqual({ case: "simple", value: SimpleType.INTEGER });
    expect(byName.children).toEqual({ case: "simple", value: SimpleType.INTEGER });
    expect(byName.height).toEqual({ case: "simple", value: SimpleType.FLOAT });
    expect(JSON.parse(person.value.jsonSchema).properties.age).toMatchObject({ type: "integer" });
  });
});
