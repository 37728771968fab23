// The JSON Schema a struct type carries in the spec (`StructType.json_schema`), derived from the
// fields as the compiler read them, so an integer field is `type: integer` at any depth.
import { SimpleType } from "../proto/index.ts";
import type { LiteralType, StructField } from "../proto/index.ts";

type JsonSchema = Record<string, unknown>;

/** A JSON Schema (draft 2020-12 subset) for struct fields, derived from the static shape. */
export function jsonSchemaOf(fields: readonly StructField[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const field of fields) properties[field.name] = field.type ? jsonSchemaOfType(field.type) : {};
  return {
    type: "object",
    properties,
    required: fields.filter((f) => !f.optional).map((f) => f.name),
    additionalProperties: false,
  };
}

function jsonSchemaOfType(type: LiteralType): JsonSchema {
  const t = type.type;
  switch (t.case) {
    case "simple":
      switch (t.value) {
        case SimpleType.INTEGER:
          return { type: "integer" };
        case SimpleType.FLOAT:
        case SimpleType.DURATION:
          return { type: "number" };
        case SimpleType.BOOLEAN:
          return { type: "boolean" };
        case SimpleType.STRING:
          return { type: "string" };
        case SimpleType.DATE:
          return { type: "string", format: "date" };
        case SimpleType.DATETIME:
          return { type: "string", format: "date-time" };
        default:
          return {};
      }
    case "enumType":
      return { enum: t.value.values };
    case "collection":
      return { type: "array", items: t.value.item ? jsonSchemaOfType(t.value.item) : {} };
    case "map":
      return { type: "object", additionalProperties: t.value.value ? jsonSchemaOfType(t.value.value) : {} };
    case "optional":
      return t.value.inner ? jsonSchemaOfType(t.value.inner) : {};
    case "union":
      return { anyOf: t.value.variants.map(jsonSchemaOfType) };
    case "struct":
      return jsonSchemaOf(t.value.fields);
    default:
      return {};
  }
}
