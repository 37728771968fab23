// Resolves a node's bindings (output references with attribute paths, literals, workflow inputs and
// string templates) into the literals its task receives. Every literal made here carries its hash.
import { create } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate, durationMs } from "@bufbuild/protobuf/wkt";
import {
  LiteralSchema,
  LiteralSetSchema,
  SimpleType,
  type Binding,
  type BindingValue,
  type Literal,
  type LiteralSet,
  type LiteralType,
  type StringTemplate,
  type Variable,
} from "../../../proto/index.ts";
import { rehashLiteral } from "../../../sdk/values.ts";

/** Where a binding's references are looked up. */
export interface BindingScope {
  workflowInput(name: string): Literal | undefined;
  /** The output of a node that finished; undefined when the node or output is unknown. */
  nodeOutput(nodeId: string, output: string): Literal | undefined;
}

/** A binding that cannot be resolved: the node fails with BINDING_FAILED and this message. */
export class BindingError extends Error {
  readonly code = "BINDING_FAILED";
}

/** Literals whose `hash` (and their items' hashes) this runtime computed; any other hash is a client's claim. */
const hashedHere = new WeakSet<Literal>();
const markHashed = (lit: Literal): void => void hashedHere.add(lit);

/**
 * The literal with its content hash computed by the runtime: a hash a client (a CreateExecution
 * caller, a worker, a spec) filled in is ignored, so a wrong one cannot buy another value's cache
 * entry. Each literal object is hashed once.
 */
export function withHash(lit: Literal): Literal {
  if (!hashedHere.has(lit)) rehashLiteral(lit, markHashed);
  return lit;
}

export function resolveValue(value: BindingValue | undefined, scope: BindingScope, type?: LiteralType): Literal {
  const v = value?.value;
  switch (v?.case) {
    case "literal":
      return withHash(v.value);
    case "workflowInput": {
      const lit = scope.workflowInput(v.value);
      if (lit) return withHash(lit);
      if (type?.type.case === "optional") return noneLiteral();
      throw new BindingError(`workflow input "${v.value}" has no value; pass it when creating the execution`);
    }
    case "ref": {
      const { nodeId, output, attrPath } = v.value;
      const lit = scope.nodeOutput(nodeId, output);
      if (!lit) throw new BindingError(`node "${nodeId}" has no output "${output}"; check the spec's bindings`);
      return attrPath.length ? withHash(followAttrPath(lit, attrPath, `${nodeId}.${output}`, type)) : withHash(lit);
    }
    case "template":
      return withHash(stringLiteral(renderTemplate(v.value, scope)));
    default:
      throw new BindingError("empty binding in the spec");
  }
}

/** Resolves the bindings named by an interface's inputs; optional inputs without a binding become none. */
export function resolveBindings(bindings: readonly Binding[], scope: BindingScope, inputs: readonly Variable[]): LiteralSet {
  const set = create(LiteralSetSchema);
  const byName = new Map(bindings.map((b) => [b.var, b]));
  for (const variable of inputs) {
    const b = byName.get(variable.name);
    if (!b) {
      if (variable.type?.type.case === "optional") set.literals[variable.name] = noneLiteral();
      else throw new BindingError(`input "${variable.name}" has no binding in the spec`);
      continue;
    }
    set.literals[variable.name] = resolveValue(b.value, scope, variable.type);
  }
  // Bindings the interface does not list (e.g. a sensor's "path") are resolved too.
  for (const b of bindings) if (!(b.var in set.literals)) set.literals[b.var] = resolveValue(b.value, scope);
  return set;
}

export function renderTemplate(t: StringTemplate, scope: BindingScope): string {
  let out = "";
  for (const part of t.parts) {
    const p = part.part;
    if (p.case === "text") out += p.value;
    else if (p.case === "ref" || p.case === "workflowInput") {
      out += literalToText(resolveValue({ value: p } as BindingValue, scope));
    }
  }
  return out;
}

/** How a literal reads inside a string template. */
export function literalToText(lit: Literal): string {
  const v = lit.value;
  switch (v.case) {
    case "scalar": {
      const s = v.value.value;
      if (s.case === "datetime") return timestampDate(s.value).toISOString();
      if (s.case === "duration") return `${durationMs(s.value)}ms`;
      return s.case === undefined ? "" : String(s.value);
    }
    case "blob":
    case "dataframe":
      return v.value.uri;
    case "none":
      return "";
    case "collection":
      return v.value.items.map(literalToText).join(",");
    default:
      return JSON.stringify(literalToJson(lit));
  }
}

function followAttrPath(lit: Literal, path: readonly string[], what: string, type?: LiteralType): Literal {
  let current: unknown = literalToJson(lit);
  for (const key of path) {
    if (current === null || typeof current !== "object" || !(key in (current as object))) {
      throw new BindingError(`${what} has no attribute "${path.join(".")}" (missing "${key}")`);
    }
    current = (current as Record<string, unknown>)[key];
  }
  return jsonToLiteral(current, type);
}

/** A literal as plain JSON (structs parse their JSON, maps and lists recurse). */
export function literalToJson(lit: Literal): unknown {
  const v = lit.value;
  switch (v.case) {
    case "scalar": {
      const s = v.value.value;
      if (s.case === "json") return JSON.parse(s.value);
      if (s.case === "integer") return Number(s.value);
      if (s.case === "datetime") return timestampDate(s.value).toISOString();
      if (s.case === "duration") return durationMs(s.value);
      return s.value ?? null;
    }
    case "collection":
      return v.value.items.map(literalToJson);
    case "map":
      return Object.fromEntries(Object.entries(v.value.entries).map(([k, x]) => [k, literalToJson(x)]));
    case "blob":
    case "dataframe":
      return v.value.uri;
    default:
      return null;
  }
}

/** Builds a literal from JSON, shaped by the expected type when known. */
export function jsonToLiteral(value: unknown, type?: LiteralType): Literal {
  const t = type?.type;
  if (value === null || value === undefined) return noneLiteral();
  if (t?.case === "optional") return jsonToLiteral(value, t.value.inner);
  if (t?.case === "enumType") return scalar({ case: "enumValue", value: String(value) });
  if (t?.case === "struct") return scalar({ case: "json", value: JSON.stringify(value) });
  if (t?.case === "collection" && Array.isArray(value)) {
    return create(LiteralSchema, { value: { case: "collection", value: { items: value.map((x) => jsonToLiteral(x, t.value.item)) } } });
  }
  if (t?.case === "map" && typeof value === "object") {
    const entries = Object.fromEntries(Object.entries(value as object).map(([k, x]) => [k, jsonToLiteral(x, t.value.value)]));
    return create(LiteralSchema, { value: { case: "map", value: { entries } } });
  }
  if (t?.case === "simple") {
    switch (t.value) {
      case SimpleType.INTEGER:
        return scalar({ case: "integer", value: BigInt(Math.trunc(Number(value))) });
      case SimpleType.FLOAT:
        return scalar({ case: "float", value: Number(value) });
      case SimpleType.STRING:
        return scalar({ case: "string", value: String(value) });
      case SimpleType.BOOLEAN:
        return scalar({ case: "boolean", value: Boolean(value) });
      case SimpleType.DATE:
        return scalar({ case: "date", value: String(value) });
      case SimpleType.DATETIME:
        return scalar({ case: "datetime", value: timestampFromDate(new Date(String(value))) });
      default:
        break;
    }
  }
  if (typeof value === "number") return Number.isInteger(value) ? scalar({ case: "integer", value: BigInt(value) }) : scalar({ case: "float", value });
  if (typeof value === "string") return scalar({ case: "string", value });
  if (typeof value === "boolean") return scalar({ case: "boolean", value });
  if (Array.isArray(value)) return create(LiteralSchema, { value: { case: "collection", value: { items: value.map((x) => jsonToLiteral(x)) } } });
  return scalar({ case: "json", value: JSON.stringify(value) });
}

type ScalarValue =
  | { case: "integer"; value: bigint }
  | { case: "float"; value: number }
  | { case: "string"; value: string }
  | { case: "boolean"; value: boolean }
  | { case: "date"; value: string }
  | { case: "datetime"; value: ReturnType<typeof timestampFromDate> }
  | { case: "enumValue"; value: string }
  | { case: "json"; value: string };

function scalar(value: ScalarValue): Literal {
  return withHash(create(LiteralSchema, { value: { case: "scalar", value: { value } } }));
}

export function stringLiteral(value: string): Literal {
  return scalar({ case: "string", value });
}

export function noneLiteral(): Literal {
  return withHash(create(LiteralSchema, { value: { case: "none", value: {} } }));
}

export function collectionLiteral(items: Literal[]): Literal {
  return withHash(create(LiteralSchema, { value: { case: "collection", value: { items } } }));
}
