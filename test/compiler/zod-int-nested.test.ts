// zod integers at every depth a schema is written inline (or named by a const of the project):
// inside arrays, records, nested objects, optional and nullable wrappers. The struct's JSON Schema
// says `integer` at exactly the positions the type reads int.
import { beforeAll, describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/index.ts";
import { typeName } from "../../core/index.ts";
import type { LiteralType } from "../../proto/index.ts";
import { fixture } from "./fixture-paths.ts";

type JsonSchema = { type?: string; items?: JsonSchema; additionalProperties?: JsonSchema | boolean; properties?: Record<string, JsonSchema> };

let struct: Extract<LiteralType["type"], { case: "struct" }>["value"];
let fields: Record<string, string>;
let compiled: ReturnType<typeof compileProject>;

beforeAll(() => {
  compiled = compileProject(fixture("zod-int-nested"));
  const type = compiled.specs[0]?.tasks[0]?.interface?.outputs[0]?.type?.type;
  if (type?.case !== "struct") throw new Error("the fixture's output is not a struct");
  struct = type.value;
  fields = Object.fromEntries(struct.fields.map((f) => [f.name, typeName(f.type)]));
}, 60_000);

/** Where a type reads int: `.field`, `[]` (item), `{}` (record value), through optionals. */
function integerPaths(type: LiteralType | undefined, at = ""): string[] {
  const t = type?.type;
  switch (t?.case) {
    case "simple":
      return typeName(type) === "int" ? [at] : [];
    case "optional":
      return integerPaths(t.value.inner, at);
    case "collection":
      return integerPaths(t.value.item, `${at}[]`);
    case "map":
      return integerPaths(t.value.value, `${at}{}`);
    case "struct":
      return t.value.fields.flatMap((f) => integerPaths(f.type, `${at}.${f.name}`));
    default:
      return [];
  }
}

/** The same, from a JSON Schema: where it says `type: integer`. */
function schemaIntegerPaths(schema: JsonSchema | boolean | undefined, at = ""): string[] {
  if (typeof schema !== "object") return [];
  if (schema.type === "integer") return [at];
  if (schema.type === "array") return schemaIntegerPaths(schema.items, `${at}[]`);
  if (schema.properties) return Object.entries(schema.properties).flatMap(([name, s]) => schemaIntegerPaths(s, `${at}.${name}`));
  return schemaIntegerPaths(schema.additionalProperties, `${at}{}`);
}

/** Every nested struct's own JSON Schema, beside the one its parent's schema holds for it. */
function nestedSchemas(type: LiteralType | undefined, schema: JsonSchema | undefined): Array<[unknown, unknown]> {
  const t = type?.type;
  switch (t?.case) {
    case "optional":
      return nestedSchemas(t.value.inner, schema);
    case "collection":
      return nestedSchemas(t.value.item, schema?.items);
    case "map":
      return nestedSchemas(t.value.value, typeof schema?.additionalProperties === "object" ? schema.additionalProperties : undefined);
    case "struct":
      return [[JSON.parse(t.value.jsonSchema), schema], ...t.value.fields.flatMap((f) => nestedSchemas(f.type, schema?.properties?.[f.name]))];
    default:
      return [];
  }
}

describe("compile: zod integers in nested positions", () => {
  it("compiles without a diagnostic (an unreadable position stays float, silently)", () => {
    expect(compiled.diagnostics).toEqual([]);
  });

  it.each([
    ["z.array(z.number().int())", "ints", "list<int>"],
    ["z.int().array()", "intsMethod", "list<int>"],
    ["z.array(z.number()) stays float", "floats", "list<float>"],
    ["z.object({ n: z.number().int(), m: z.int().optional() })", "inner", "{m?: int, n: int, x: float}"],
    ["z.number().int().nullable()", "nullableInt", "optional<int>"],
    ["z.optional(z.int())", "optionalInt", "int"],
    ["z.array(z.int().nullable())", "nullableInts", "list<optional<int>>"],
    ["z.record(z.string(), z.int())", "counts", "map<string, int>"],
    ["z.record(z.string(), z.number()) stays float", "rates", "map<string, float>"],
    ["objects, arrays and records three deep, .optional() outside", "deep", "{rows: list<{ids: map<string, list<int>>}>}"],
    ["a const imported from another file", "count", "int"],
    ["an imported const object, as an array's item", "items", "list<{n: int, x: float}>"],
    ["a const array schema", "ids", "list<int>"],
    ["a const in shorthand ({ Ids })", "Ids", "list<int>"],
    ["z.object(constShape)", "byShape", "{k: int}"],
    ["a transform's output stays float", "transformed", "float"],
    ["a pipe's output is its target's", "piped", "int"],
    ["z.array(z.coerce.number().int())", "coerced", "list<int>"],
    ["a schema a function returns stays float", "returned", "list<float>"],
  ])("%s", (_form, field, expected) => {
    expect(fields[field]).toBe(expected);
  });

  it("the struct's JSON Schema says integer exactly where the type reads int, at every depth", () => {
    const schema = JSON.parse(struct.jsonSchema) as JsonSchema;
    const type = { type: { case: "struct", value: struct } } as LiteralType;
    expect(schemaIntegerPaths(schema).sort()).toEqual(integerPaths(type).sort());
    expect(schema.properties?.ints).toEqual({ type: "array", items: { type: "integer" } });
    expect(schema.properties?.counts).toEqual({ type: "object", additionalProperties: { type: "integer" } });
    expect(schema.properties?.inner?.properties).toEqual({ m: { type: "integer" }, n: { type: "integer" }, x: { type: "number" } });
    // A nested struct's own schema is the one its parent holds for it.
    const pairs = nestedSchemas(type, schema);
    expect(pairs.length).toBeGreaterThan(4);
    for (const [own, inParent] of pairs) expect(own).toEqual(inParent);
  });
});
