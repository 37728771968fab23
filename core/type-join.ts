// The join of several types: the narrowest type that every one of them may feed. A branch's output
// is the join of what its arms give, in the compiler and in the specs the server checks, as the
// editor's union of arm types is. Where the lattice has no such type, the join is their union,
// which the relation treats the same way (a union producer fits when every variant fits).
import { create, equals } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ArrowTypeId, ArrowTypeSchema, DataFrameColumnSchema, LiteralTypeSchema } from "../proto/messages.ts";
import type { ArrowType, DataFrameColumn, LiteralType, StructField } from "../proto/messages.ts";
import { checkAssignable, dictionaryIndex, isAnyType } from "./compatibility.ts";

/** The join of `types` (undefined ones skipped); undefined when none is known. */
export function joinTypes(types: ReadonlyArray<LiteralType | undefined>): LiteralType | undefined {
  let joined: LiteralType | undefined;
  for (const t of types) {
    if (t === undefined) continue;
    joined = joined === undefined ? t : join(joined, t);
  }
  return joined;
}

function join(a: LiteralType, b: LiteralType): LiteralType {
  if (equals(LiteralTypeSchema, a, b)) return a;
  // `any` is assignable both ways, which says nothing about the other side: keep both.
  if (isAnyType(a) || isAnyType(b)) return unionOf(a, b);
  if (checkAssignable(a, b).length === 0) return b;
  if (checkAssignable(b, a).length === 0) return a;
  const p = a.type;
  const q = b.type;
  if (p.case === "optional" || q.case === "optional") {
    const inner = join(p.case === "optional" ? (p.value.inner ?? a) : a, q.case === "optional" ? (q.value.inner ?? b) : b);
    return literal({ case: "optional", value: { inner } });
  }
  if (p.case === "enumType" && q.case === "enumType") {
    return literal({ case: "enumType", value: { values: [...new Set([...p.value.values, ...q.value.values])] } });
  }
  if (p.case === "collection" && q.case === "collection" && p.value.item && q.value.item) {
    return literal({ case: "collection", value: { item: join(p.value.item, q.value.item) } });
  }
  if (p.case === "map" && q.case === "map" && p.value.value && q.value.value) {
    return literal({ case: "map", value: { value: join(p.value.value, q.value.value) } });
  }
  if (p.case === "struct" && q.case === "struct") {
    return literal({ case: "struct", value: { fields: joinFields(p.value.fields, q.value.fields) } });
  }
  if (p.case === "blob" && q.case === "blob" && p.value.kind === q.value.kind) {
    // Two formats of the same kind: a file (or directory) of no declared format.
    return literal({ case: "blob", value: { kind: p.value.kind, format: "" } });
  }
  if (p.case === "dataframe" && q.case === "dataframe" && (p.value.format || "arrow") === (q.value.format || "arrow")) {
    return literal({ case: "dataframe", value: { columns: joinColumns(p.value.columns, q.value.columns), format: p.value.format } });
  }
  return unionOf(a, b);
}

function literal(type: MessageInitShape<typeof LiteralTypeSchema>["type"]): LiteralType {
  return create(LiteralTypeSchema, { type });
}

function variantsOf(t: LiteralType): LiteralType[] {
  return t.type.case === "union" ? t.type.value.variants : [t];
}

function unionOf(a: LiteralType, b: LiteralType): LiteralType {
  const variants: LiteralType[] = [];
  for (const v of [...variantsOf(a), ...variantsOf(b)]) {
    if (!variants.some((known) => equals(LiteralTypeSchema, known, v))) variants.push(v);
  }
  return literal({ case: "union", value: { variants } });
}

// A field only one side has may be absent: it is optional in the join.
function joinFields(a: StructField[], b: StructField[]): StructField[] {
  const byName = new Map(b.map((f) => [f.name, f]));
  const fields: StructField[] = [];
  for (const f of a) {
    const g = byName.get(f.name);
    byName.delete(f.name);
    if (g === undefined) fields.push({ ...f, optional: true });
    else fields.push({ ...f, optional: f.optional || g.optional, type: joinTypes([f.type, g.type]) });
  }
  for (const g of byName.values()) fields.push({ ...g, optional: true });
  return fields.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

// Only columns both sides have, of a type both widen to; any other column no consumer could need
// (a consumer needing it is refused by one side already), so the join leaves it out.
function joinColumns(a: DataFrameColumn[], b: DataFrameColumn[]): DataFrameColumn[] {
  const byName = new Map(b.map((c) => [c.name, c]));
  const columns: DataFrameColumn[] = [];
  for (const c of a) {
    const d = byName.get(c.name);
    const joined = d === undefined ? undefined : joinColumn(c, d);
    if (joined !== undefined) columns.push(joined);
  }
  return columns;
}

function joinColumn(c: DataFrameColumn, d: DataFrameColumn): DataFrameColumn | undefined {
  if (c.type === undefined || d.type === undefined) return undefined;
  const type = joinArrow(c.type, d.type);
  if (type === undefined) return undefined;
  // A decoded dictionary's null values become nulls of the column.
  const decodedNulls = (x: DataFrameColumn) =>
    x.type?.id === ArrowTypeId.DICTIONARY && type.id !== ArrowTypeId.DICTIONARY && (x.type.children[0]?.nullable ?? false);
  const nullable = c.nullable || d.nullable || decodedNulls(c) || decodedNulls(d);
  return create(DataFrameColumnSchema, { name: c.name, type, nullable });
}

function asColumn(type: ArrowType): DataFrameColumn {
  return create(DataFrameColumnSchema, { name: "", type, nullable: true });
}

function widensTo(from: ArrowType, to: ArrowType): boolean {
  const frame = (t: ArrowType): LiteralType => literal({ case: "dataframe", value: { columns: [asColumn(t)], format: "arrow" } });
  return checkAssignable(frame(from), frame(to)).length === 0;
}

function joinArrow(a: ArrowType, b: ArrowType): ArrowType | undefined {
  if (widensTo(a, b)) return b;
  if (widensTo(b, a)) return a;
  if (a.id !== b.id) return undefined;
  switch (a.id) {
    case ArrowTypeId.INT: {
      const width = joinIntWidth(a, b);
      return width === undefined ? undefined : create(ArrowTypeSchema, { id: ArrowTypeId.INT, bitWidth: width.bitWidth, signed: width.signed });
    }
    case ArrowTypeId.LIST: {
      const item = joinPair(a.children[0], b.children[0]);
      return item === undefined ? undefined : create(ArrowTypeSchema, { id: ArrowTypeId.LIST, children: [item] });
    }
    case ArrowTypeId.STRUCT:
      return create(ArrowTypeSchema, { id: ArrowTypeId.STRUCT, children: joinColumns(a.children, b.children) });
    case ArrowTypeId.DICTIONARY: {
      const index = joinIntWidth(dictionaryIndex(a), dictionaryIndex(b));
      const value = joinPair(a.children[0], b.children[0]);
      if (index === undefined || value === undefined) return undefined;
      const width = index.bitWidth === 32 && index.signed ? { bitWidth: 0, signed: false } : index;
      return create(ArrowTypeSchema, { id: ArrowTypeId.DICTIONARY, ...width, children: [value] });
    }
    default:
      return undefined;
  }
}

function joinPair(c: DataFrameColumn | undefined, d: DataFrameColumn | undefined): DataFrameColumn | undefined {
  return c === undefined || d === undefined ? undefined : joinColumn(c, d);
}

/** The narrowest integer both widen to losslessly, if any (int8 ⊔ uint8 = int16; int8 ⊔ uint64: none). */
function joinIntWidth(a: { bitWidth: number; signed: boolean }, b: { bitWidth: number; signed: boolean }): { bitWidth: number; signed: boolean } | undefined {
  if (a.signed === b.signed) return { bitWidth: Math.max(a.bitWidth, b.bitWidth), signed: a.signed };
  const signed = a.signed ? a : b;
  const unsigned = a.signed ? b : a;
  const bitWidth = Math.max(signed.bitWidth, unsigned.bitWidth * 2);
  return bitWidth <= 64 ? { bitWidth, signed: true } : undefined;
}
