// Converts a literal written in a workflow body (`0.9`, `"eu"`, `[1, 2]`, `{ k: "v" }`) into a
// `Literal` of the type it is bound to: `3` is an integer for an int input and a float for a float
// input. Module-level `const`s with literal initializers are followed.
import { create, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createHash } from "node:crypto";
import { Node, SyntaxKind } from "ts-morph";
import type { Expression } from "ts-morph";
import { BlobKind, LiteralSchema, SimpleType } from "../../proto/index.ts";
import type { Literal, LiteralType, Scalar } from "../../proto/index.ts";
import { parseDuration } from "../../core/index.ts";

export type LiteralResult = { ok: true; literal: Literal } | { ok: false; reason: string };

/** True when `expr` is something `literalOf` can convert (so callers can tell literals from refs). */
export function isLiteralExpression(expr: Node): boolean {
  const inner = unwrap(expr);
  if (Node.isIdentifier(inner)) {
    if (inner.getText() === "undefined") return true;
    const init = constInitializer(inner);
    return init !== undefined && isLiteralExpression(init);
  }
  if (Node.isArrayLiteralExpression(inner)) return inner.getElements().every(isLiteralExpression);
  if (Node.isObjectLiteralExpression(inner)) {
    return inner.getProperties().every((p) => Node.isPropertyAssignment(p) && isLiteralExpression(p.getInitializerOrThrow()));
  }
  if (Node.isPrefixUnaryExpression(inner)) return Node.isNumericLiteral(inner.getOperand());
  return (
    Node.isNumericLiteral(inner) ||
    Node.isStringLiteral(inner) ||
    Node.isNoSubstitutionTemplateLiteral(inner) ||
    inner.getKind() === SyntaxKind.TrueKeyword ||
    inner.getKind() === SyntaxKind.FalseKeyword ||
    inner.getKind() === SyntaxKind.NullKeyword
  );
}

/** `expr` as a Literal of `type` (inferred from the expression when `type` is undefined). */
export function literalOf(expr: Expression, type: LiteralType | undefined): LiteralResult {
  try {
    const literal = convert(unwrap(expr), type);
    literal.hash = literalHash(literal);
    return { ok: true, literal };
  } catch (error) {
    if (error instanceof LiteralError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** sha256 over the literal's canonical binary form (hash field blank). */
export function literalHash(literal: Literal): string {
  const copy = create(LiteralSchema, { value: literal.value });
  return createHash("sha256").update(toBinary(LiteralSchema, copy)).digest("hex");
}

class LiteralError extends Error {}

function unwrap(expr: Node): Node {
  let node = expr;
  while (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isSatisfiesExpression(node)) {
    node = node.getExpression();
  }
  return node;
}

function constInitializer(id: Node): Expression | undefined {
  const decl = id.getSymbol()?.getDeclarations()[0];
  if (!decl || !Node.isVariableDeclaration(decl)) return undefined;
  const list = decl.getVariableStatement();
  if (list?.getDeclarationKind() !== "const") return undefined;
  return decl.getInitializer();
}

function scalar(value: Scalar["value"]): Literal {
  return create(LiteralSchema, { value: { case: "scalar", value: { value } } });
}

function kindOf(type: LiteralType | undefined): string {
  const t = type?.type;
  if (!t || t.case === undefined) return "unknown";
  if (t.case === "simple") return SimpleType[t.value];
  return t.case;
}

function convert(node: Node, type: LiteralType | undefined): Literal {
  const t = type?.type;
  if (t?.case === "optional") {
    if (isNone(node)) return create(LiteralSchema, { value: { case: "none", value: {} } });
    return convert(node, t.value.inner);
  }
  if (t?.case === "union") {
    for (const variant of t.value.variants) {
      try {
        return convert(node, variant);
      } catch {
        // try the next variant
      }
    }
    throw new LiteralError(`${node.getText()} matches no variant of the union`);
  }
  if (Node.isIdentifier(node)) {
    if (node.getText() === "undefined") return none(type, node);
    const init = constInitializer(node);
    if (!init) throw new LiteralError(`'${node.getText()}' is not a constant with a literal value`);
    return convert(unwrap(init), type);
  }
  if (isNone(node)) return none(type, node);
  if (Node.isNumericLiteral(node) || (Node.isPrefixUnaryExpression(node) && Node.isNumericLiteral(node.getOperand()))) {
    const text = node.getText().replace(/_/g, "");
    const value = Number(text);
    const simple = t?.case === "simple" ? t.value : undefined;
    if (simple === SimpleType.FLOAT) return scalar({ case: "float", value });
    if (simple === SimpleType.DURATION) return scalar({ case: "duration", value: durationFromMs(value) });
    if (simple === SimpleType.INTEGER || simple === undefined || simple === SimpleType.ANY) {
      if (Number.isInteger(value) && !/[.eE]/.test(text)) return scalar({ case: "integer", value: BigInt(text) });
      if (simple === SimpleType.INTEGER) throw new LiteralError(`${text} is not an integer`);
      return scalar({ case: "float", value });
    }
    throw new LiteralError(`a number cannot be given for a ${kindOf(type)} value`);
  }
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
    const value = node.getLiteralValue();
    if (t?.case === "enumType") {
      if (!t.value.values.includes(value)) throw new LiteralError(`"${value}" is not one of ${t.value.values.map((v) => `"${v}"`).join(", ")}`);
      return scalar({ case: "enumValue", value });
    }
    if (t?.case === "blob") {
      return create(LiteralSchema, { value: { case: "blob", value: { uri: value, kind: t.value.kind || BlobKind.FILE, format: t.value.format } } });
    }
    if (t?.case === "simple") {
      switch (t.value) {
        case SimpleType.DATE:
          if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new LiteralError(`"${value}" is not a YYYY-MM-DD date`);
          return scalar({ case: "date", value });
        case SimpleType.DATETIME: {
          const ms = Date.parse(value);
          if (Number.isNaN(ms)) throw new LiteralError(`"${value}" is not an ISO date-time`);
          return scalar({ case: "datetime", value: timestampFromMs(ms) });
        }
        case SimpleType.DURATION:
          try {
            return scalar({ case: "duration", value: durationFromMs(parseDuration(value)) });
          } catch (error) {
            throw new LiteralError((error as Error).message.replace(/^weir: /, ""));
          }
        case SimpleType.STRING:
        case SimpleType.ANY:
          return scalar({ case: "string", value });
        default:
          throw new LiteralError(`a string cannot be given for a ${kindOf(type)} value`);
      }
    }
    return scalar({ case: "string", value });
  }
  if (node.getKind() === SyntaxKind.TrueKeyword || node.getKind() === SyntaxKind.FalseKeyword) {
    if (t && !(t.case === "simple" && (t.value === SimpleType.BOOLEAN || t.value === SimpleType.ANY))) {
      throw new LiteralError(`a boolean cannot be given for a ${kindOf(type)} value`);
    }
    return scalar({ case: "boolean", value: node.getKind() === SyntaxKind.TrueKeyword });
  }
  if (Node.isArrayLiteralExpression(node)) {
    if (t && t.case !== "collection" && !(t.case === "simple" && t.value === SimpleType.ANY)) {
      throw new LiteralError(`a list cannot be given for a ${kindOf(type)} value`);
    }
    const item = t?.case === "collection" ? t.value.item : undefined;
    const items = node.getElements().map((e) => convert(unwrap(e), item));
    return create(LiteralSchema, { value: { case: "collection", value: { items } } });
  }
  if (Node.isObjectLiteralExpression(node)) {
    if (t?.case === "struct" || t?.case === "dataframe") {
      return scalar({ case: "json", value: JSON.stringify(plainValue(node)) });
    }
    if (t && t.case !== "map" && !(t.case === "simple" && t.value === SimpleType.ANY)) {
      throw new LiteralError(`an object cannot be given for a ${kindOf(type)} value`);
    }
    const valueType = t?.case === "map" ? t.value.value : undefined;
    const entries: Record<string, Literal> = {};
    for (const property of node.getProperties()) {
      if (!Node.isPropertyAssignment(property)) throw new LiteralError(`'${property.getText()}' is not a plain property`);
      entries[propertyName(property.getNameNode())] = convert(unwrap(property.getInitializerOrThrow()), valueType);
    }
    return create(LiteralSchema, { value: { case: "map", value: { entries } } });
  }
  throw new LiteralError(`'${node.getText()}' is not a literal`);
}

function isNone(node: Node): boolean {
  return node.getKind() === SyntaxKind.NullKeyword || (Node.isIdentifier(node) && node.getText() === "undefined");
}

function none(type: LiteralType | undefined, node: Node): Literal {
  if (type && type.type.case !== "optional" && !(type.type.case === "simple" && type.type.value === SimpleType.ANY)) {
    throw new LiteralError(`${node.getText()} cannot be given for a ${kindOf(type)} value (only optional inputs accept it)`);
  }
  return create(LiteralSchema, { value: { case: "none", value: {} } });
}

function propertyName(name: Node): string {
  if (Node.isStringLiteral(name) || Node.isNumericLiteral(name)) return String(name.getLiteralValue());
  return name.getText();
}

/** A literal expression as the JSON value it denotes (for struct literals). */
function plainValue(node: Node): unknown {
  const inner = unwrap(node);
  if (Node.isObjectLiteralExpression(inner)) {
    const out: Record<string, unknown> = {};
    for (const property of inner.getProperties()) {
      if (!Node.isPropertyAssignment(property)) throw new LiteralError(`'${property.getText()}' is not a plain property`);
      out[propertyName(property.getNameNode())] = plainValue(property.getInitializerOrThrow());
    }
    return out;
  }
  if (Node.isArrayLiteralExpression(inner)) return inner.getElements().map(plainValue);
  if (Node.isNumericLiteral(inner) || Node.isPrefixUnaryExpression(inner)) return Number(inner.getText());
  if (Node.isStringLiteral(inner) || Node.isNoSubstitutionTemplateLiteral(inner)) return inner.getLiteralValue();
  if (inner.getKind() === SyntaxKind.TrueKeyword) return true;
  if (inner.getKind() === SyntaxKind.FalseKeyword) return false;
  if (inner.getKind() === SyntaxKind.NullKeyword) return null;
  if (Node.isIdentifier(inner)) {
    const init = constInitializer(inner);
    if (init) return plainValue(init);
  }
  throw new LiteralError(`'${inner.getText()}' is not a literal`);
}
