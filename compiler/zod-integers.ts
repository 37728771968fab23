// zod's `.int()` returns the same ZodNumber type as `z.number()`, so which numbers of a struct are
// integers is read from the schema's source: the schema expression is walked beside the type read
// from zod's output type, at every depth it is written inline (or in a const of the project).
import { create } from "@bufbuild/protobuf";
import { Node, VariableDeclarationKind } from "ts-morph";
import type { Symbol as TsMorphSymbol } from "ts-morph";
import { LiteralTypeSchema, SimpleType } from "../proto/index.ts";
import type { LiteralType } from "../proto/index.ts";
import { jsonSchemaOf } from "./json-schema.ts";

/** What a zod schema expression says about the numbers inside it. */
interface ZodSource {
  readonly integer?: boolean;
  /** An array's item schema. */
  readonly item?: Node;
  /** A record's value schema. */
  readonly value?: Node;
  /** An object's shape, as written. */
  readonly shape?: Node;
}

const INTEGER_CALLS = new Set(["int", "int32", "uint32"]);
const OBJECT_CALLS = new Set(["object", "strictObject", "looseObject"]);
const WRAPPER_CALLS = new Set(["optional", "nullable", "nullish", "readonly"]);
// Methods whose result has another output type than their receiver: past one, nothing is known.
// Any other method (optional, min, describe, refine, default, ...) keeps its receiver's numbers.
const RESHAPING_METHODS = new Set([
  "or",
  "and",
  "transform",
  "extend",
  "safeExtend",
  "merge",
  "pick",
  "omit",
  "partial",
  "required",
  "keyof",
  "element",
  "unwrap",
  "exclude",
  "extract",
  "promise",
]);
// A chain of consts naming consts is followed this far (a cycle would be a TypeScript error anyway).
const MAX_CONST_HOPS = 16;

/** `type` (read from zod's output type, numbers as floats) with the integers `schema` declares. */
export function withZodIntegers(type: LiteralType, schema: Node | undefined): LiteralType {
  const source = schema && zodSource(schema);
  if (!source) return type;
  const t = type.type;
  switch (t.case) {
    case "simple":
      return t.value === SimpleType.FLOAT && source.integer ? create(LiteralTypeSchema, { type: { case: "simple", value: SimpleType.INTEGER } }) : type;
    case "optional":
      // `.optional()` and `.nullable()` are in the chain already walked: the same schema.
      return t.value.inner ? create(LiteralTypeSchema, { type: { case: "optional", value: { inner: withZodIntegers(t.value.inner, schema) } } }) : type;
    case "collection":
      return t.value.item && source.item
        ? create(LiteralTypeSchema, { type: { case: "collection", value: { item: withZodIntegers(t.value.item, source.item) } } })
        : type;
    case "map":
      return t.value.value && source.value
        ? create(LiteralTypeSchema, { type: { case: "map", value: { value: withZodIntegers(t.value.value, source.value) } } })
        : type;
    case "struct": {
      if (!source.shape) return type;
      const shape = source.shape;
      const fields = t.value.fields.map((f) => ({ ...f, type: f.type && withZodIntegers(f.type, shapeEntry(shape, f.name)) }));
      return create(LiteralTypeSchema, { type: { case: "struct", value: { fields, jsonSchema: JSON.stringify(jsonSchemaOf(fields)) } } });
    }
    default:
      return type;
  }
}

/** The schema expression a zod object's field was declared with (its shape's property). */
export function fieldSchema(field: TsMorphSymbol | undefined): Node | undefined {
  const declaration: Node | undefined = field?.getDeclarations()[0];
  if (Node.isPropertyAssignment(declaration)) return declaration.getInitializer();
  return Node.isShorthandPropertyAssignment(declaration) ? declaration : undefined;
}

function shapeEntry(shape: Node, name: string): Node | undefined {
  if (!Node.isObjectLiteralExpression(shape)) return undefined;
  const property = shape.getProperty(name);
  if (Node.isPropertyAssignment(property)) return property.getInitializer();
  return Node.isShorthandPropertyAssignment(property) ? property : undefined;
}

// A call on the namespace (`z.array(item)`, `z.int()`) builds a schema; a call on a schema
// (`z.number().int()`, `item.array()`) refines or wraps its receiver.
function zodSource(schema: Node): ZodSource | undefined {
  const expression = followConst(schema);
  if (!Node.isCallExpression(expression)) return undefined;
  const callee = expression.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const name = callee.getName();
  const receiver = followConst(callee.getExpression());
  const args = expression.getArguments();
  if (!Node.isCallExpression(receiver)) {
    if (INTEGER_CALLS.has(name)) return { integer: true };
    if (name === "array") return { item: args[0] };
    if (name === "record") return { value: args.at(-1) };
    if (OBJECT_CALLS.has(name)) return { shape: args[0] && followConst(args[0]) };
    if (WRAPPER_CALLS.has(name)) return args[0] && zodSource(args[0]);
    return {};
  }
  if (INTEGER_CALLS.has(name)) return { ...zodSource(receiver), integer: true };
  if (name === "array") return { item: receiver };
  // `a.pipe(b)` outputs what `b` does (`z.string().transform(Number).pipe(z.int())`).
  if (name === "pipe") return args[0] && zodSource(args[0]);
  if (RESHAPING_METHODS.has(name)) return undefined;
  return zodSource(receiver);
}

/** A name (or `{ name }`) of a const of the project stands for its initializer; anything else, itself. */
function followConst(node: Node): Node {
  let current = node;
  for (let hop = 0; hop < MAX_CONST_HOPS; hop++) {
    const symbol = Node.isShorthandPropertyAssignment(current) ? current.getValueSymbol() : Node.isIdentifier(current) ? current.getSymbol() : undefined;
    const target = symbol?.isAlias() ? symbol.getAliasedSymbol() : symbol;
    const declaration = target?.getDeclarations()[0];
    if (!Node.isVariableDeclaration(declaration)) return current;
    const list = declaration.getParent();
    const file = declaration.getSourceFile();
    const initializer = declaration.getInitializer();
    const isConst = Node.isVariableDeclarationList(list) && list.getDeclarationKind() === VariableDeclarationKind.Const;
    if (!isConst || !initializer || file.isDeclarationFile() || file.isInNodeModules()) return current;
    current = initializer;
  }
  return current;
}
