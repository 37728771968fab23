// The whole compatibility relation of DESIGN.md in one file: when may a producer's value feed a
// consumer? Its four users call `checkAssignable`: the compiler, RegisterWorkflow (through the spec
// checks), and the worker (a produced table's observed type, and a stored table's recorded one,
// against the declared type); the editor's brand lattice (sdk/) is tested against it case by case.
import { ArrowTypeId, SimpleType } from "../proto/messages.ts";
import type { ArrowType, DataFrameColumn, DataFrameType, LiteralType } from "../proto/messages.ts";
import { didYouMean } from "./spec-checks/did-you-mean.ts";
import { arrowTypeName, dictionaryIndexName, typeName } from "./type-names.ts";

export type IncompatibilityReason =
  /** The consumer's dataframe declares a column the producer does not have. */
  | "missing-column"
  /** Same column, Arrow types differ (and no lossless widening exists). */
  | "arrow-type"
  /** A nullable producer column feeds a non-nullable consumer column. */
  | "nullability"
  /** Different kinds of value (list vs map, int vs string…). */
  | "type"
  /** An int feeding a float: weir never converts numbers implicitly. */
  | "int-to-float"
  /** A struct field the consumer needs is missing, or optional in the producer only. */
  | "missing-field"
  /** An optional producer feeding a required consumer. */
  | "optional"
  /** Producer enum values the consumer does not accept. */
  | "enum-values"
  /** File vs directory. */
  | "blob-kind"
  /** Blob or dataframe storage formats differ. */
  | "format"
  /** No consumer variant accepts the producer. */
  | "union";

export interface Incompatibility {
  /** "" for the value itself, else a column name, "field.sub", "[]" for list items. */
  path: string;
  reason: IncompatibilityReason;
  /** Name of the producer's type at `path`. */
  producer: string;
  /** Name of the consumer's type at `path`. */
  consumer: string;
  /** One line, e.g. "column 'age': Int32 (producer) is not Utf8 (consumer)". */
  message: string;
  /** For a dataframe column (at any depth): the producer's column at `path`, when it has one. */
  producerColumn?: DataFrameColumn;
  /** For a dataframe column (at any depth): the consumer's column at `path`. */
  consumerColumn?: DataFrameColumn;
}

/**
 * Every reason the producer's type is not assignable to the consumer's; `[]` when the edge is
 * legal. `any` on either side (SIMPLE_TYPE_ANY, `df.any()`) is legal here: the caller reports such
 * an edge as an unchecked-edge warning (see `isUncheckedEdge`).
 */
export function checkAssignable(producer: LiteralType, consumer: LiteralType): Incompatibility[] {
  const out: Incompatibility[] = [];
  assign(producer, consumer, "", out);
  return out;
}

/** True when `df.any()` or SIMPLE_TYPE_ANY appears anywhere in the type. */
export function isAnyType(t: LiteralType | undefined): boolean {
  if (t === undefined) return false;
  const v = t.type;
  switch (v.case) {
    case "simple":
      return v.value === SimpleType.ANY;
    case "dataframe":
      return v.value.any;
    case "collection":
      return isAnyType(v.value.item);
    case "map":
      return isAnyType(v.value.value);
    case "optional":
      return isAnyType(v.value.inner);
    case "union":
      return v.value.variants.some(isAnyType);
    case "struct":
      return v.value.fields.some((f) => isAnyType(f.type));
    default:
      return false;
  }
}

/** A legal edge that the compiler could not check because an `any` is involved on either side. */
export function isUncheckedEdge(producer: LiteralType, consumer: LiteralType): boolean {
  return isAnyType(producer) || isAnyType(consumer);
}

/** Whether values of this type can be rendered into a string template. */
export function isStringable(t: LiteralType): boolean {
  const v = t.type;
  if (v.case === "enumType") return true;
  return v.case === "simple" && v.value !== SimpleType.UNSPECIFIED;
}

// ---- values ------------------------------------------------------------------------------------

function at(path: string): string {
  return path === "" ? "" : `'${path}': `;
}

function push(out: Incompatibility[], path: string, reason: IncompatibilityReason, p: string, c: string, text: string): void {
  out.push({ path, reason, producer: p, consumer: c, message: `${at(path)}${text}` });
}

function mismatch(out: Incompatibility[], path: string, producer: LiteralType, consumer: LiteralType): void {
  const p = typeName(producer);
  const c = typeName(consumer);
  push(out, path, "type", p, c, `${p} (producer) is not ${c} (consumer)`);
}

function isSimple(t: LiteralType, s: SimpleType): boolean {
  return t.type.case === "simple" && t.type.value === s;
}

function assign(producer: LiteralType | undefined, consumer: LiteralType | undefined, path: string, out: Incompatibility[]): void {
  if (producer === undefined || consumer === undefined) {
    const p = typeName(producer);
    const c = typeName(consumer);
    push(out, path, "type", p, c, `${p} (producer) is not ${c} (consumer)`);
    return;
  }
  if (isSimple(producer, SimpleType.ANY) || isSimple(consumer, SimpleType.ANY)) return;
  const p = producer.type;
  const c = consumer.type;

  // Wrappers first: optional and union consumers widen what they accept.
  if (c.case === "optional") {
    assign(p.case === "optional" ? p.value.inner : producer, c.value.inner, path, out);
    return;
  }
  if (c.case === "union") {
    if (p.case === "union") {
      for (const variant of p.value.variants) {
        if (!c.value.variants.some((cv) => checkAssignable(variant, cv).length === 0)) {
          const pv = typeName(variant);
          const cn = typeName(consumer);
          push(out, path, "union", pv, cn, `variant ${pv} of the producer matches no variant of ${cn} (consumer)`);
        }
      }
      return;
    }
    if (!c.value.variants.some((cv) => checkAssignable(producer, cv).length === 0)) {
      const pn = typeName(producer);
      const cn = typeName(consumer);
      push(out, path, "union", pn, cn, `${pn} (producer) matches no variant of ${cn} (consumer)`);
    }
    return;
  }
  if (p.case === "optional") {
    const pn = typeName(producer);
    const cn = typeName(consumer);
    push(out, path, "optional", pn, cn, `${pn} (producer) may be absent, but ${cn} (consumer) is required`);
    return;
  }
  if (p.case === "union") {
    // Every variant the producer may yield must fit the consumer.
    for (const variant of p.value.variants) assign(variant, consumer, path, out);
    return;
  }

  switch (c.case) {
    case "simple":
      // Every enum value is a string.
      if (p.case === "enumType" && c.value === SimpleType.STRING) return;
      if (p.case !== "simple") return mismatch(out, path, producer, consumer);
      if (p.value === c.value) return;
      if (p.value === SimpleType.INTEGER && c.value === SimpleType.FLOAT) {
        push(
          out,
          path,
          "int-to-float",
          "int",
          "float",
          "int (producer) does not widen to float (consumer); weir never converts numbers implicitly, declare the output as float or convert it in a task",
        );
        return;
      }
      return mismatch(out, path, producer, consumer);
    case "enumType": {
      if (p.case !== "enumType") return mismatch(out, path, producer, consumer);
      const accepted = new Set(c.value.values);
      const extra = p.value.values.filter((v) => !accepted.has(v));
      if (extra.length > 0) {
        push(
          out,
          path,
          "enum-values",
          typeName(producer),
          typeName(consumer),
          `the consumer does not accept value${extra.length > 1 ? "s" : ""} ${extra.map((v) => `'${v}'`).join(", ")} of ${typeName(producer)} (producer)`,
        );
      }
      return;
    }
    case "blob": {
      if (p.case !== "blob") return mismatch(out, path, producer, consumer);
      const pn = typeName(producer);
      const cn = typeName(consumer);
      if (p.value.kind !== c.value.kind) {
        push(out, path, "blob-kind", pn, cn, `${pn} (producer) is not ${cn} (consumer)`);
      } else if (c.value.format !== "" && p.value.format !== c.value.format) {
        // A file of no declared format may hold anything, so it does not feed a declared format.
        push(
          out,
          path,
          "format",
          pn,
          cn,
          p.value.format === ""
            ? `no format is declared (producer), but the consumer needs '${c.value.format}'`
            : `format '${p.value.format}' (producer) is not '${c.value.format}' (consumer)`,
        );
      }
      return;
    }
    case "collection":
      if (p.case !== "collection") return mismatch(out, path, producer, consumer);
      assign(p.value.item, c.value.item, `${path}[]`, out);
      return;
    case "map":
      if (p.case !== "map") return mismatch(out, path, producer, consumer);
      assign(p.value.value, c.value.value, `${path}{}`, out);
      return;
    case "struct": {
      if (p.case !== "struct") return mismatch(out, path, producer, consumer);
      const fields = new Map(p.value.fields.map((f) => [f.name, f]));
      for (const cf of c.value.fields) {
        const fieldPath = path === "" ? cf.name : `${path}.${cf.name}`;
        const pf = fields.get(cf.name);
        if (pf === undefined) {
          if (!cf.optional) {
            push(
              out,
              fieldPath,
              "missing-field",
              "<absent>",
              typeName(cf.type),
              `field is missing in the producer${unmatched(cf.name, p.value.fields, c.value.fields)}`,
            );
          }
          continue;
        }
        if (pf.optional && !cf.optional) {
          push(out, fieldPath, "missing-field", `${typeName(pf.type)}?`, typeName(cf.type), `field is optional in the producer but required by the consumer`);
          continue;
        }
        assign(pf.type, cf.type, fieldPath, out);
      }
      return;
    }
    case "dataframe":
      if (p.case !== "dataframe") return mismatch(out, path, producer, consumer);
      assignDataFrame(p.value, c.value, path, out);
      return;
    default:
      return mismatch(out, path, producer, consumer);
  }
}

// ---- dataframes ----------------------------------------------------------------------------------

function assignDataFrame(p: DataFrameType, c: DataFrameType, path: string, out: Incompatibility[]): void {
  if (c.any || p.any) return; // legal but unchecked: reported by the caller as a warning
  const pf = p.format || "arrow";
  const cf = c.format || "arrow";
  if (pf !== cf) push(out, path, "format", pf, cf, `format '${pf}' (producer) is not '${cf}' (consumer)`);
  assignColumns(p.columns, c.columns, path, out);
}

/** Every consumer column must exist in the producer; each is reported on its own. */
function assignColumns(producer: DataFrameColumn[], consumer: DataFrameColumn[], prefix: string, out: Incompatibility[]): void {
  const byName = new Map(producer.map((col) => [col.name, col]));
  for (const cc of consumer) {
    const path = prefix === "" ? cc.name : `${prefix}.${cc.name}`;
    const pc = byName.get(cc.name);
    if (pc === undefined) {
      out.push({
        path,
        reason: "missing-column",
        producer: "<absent>",
        consumer: arrowTypeName(cc.type),
        message: `column '${path}': missing in the producer (the consumer needs ${arrowTypeName(cc.type)}${cc.nullable ? "?" : ""})${unmatched(cc.name, producer, consumer)}`,
        consumerColumn: cc,
      });
      continue;
    }
    assignColumn(pc, cc, path, out);
  }
}

/** "; did you mean 'Age'?" among the producer's names the consumer does not itself declare. */
function unmatched(name: string, producer: ReadonlyArray<{ name: string }>, consumer: ReadonlyArray<{ name: string }>): string {
  const declared = new Set(consumer.map((x) => x.name));
  return didYouMean(
    name,
    producer.map((x) => x.name).filter((n) => !declared.has(n)),
  );
}

function assignColumn(pc: DataFrameColumn, cc: DataFrameColumn, path: string, out: Incompatibility[]): void {
  assignArrow(pc, cc, path, out);
  if (cc.nullable) return;
  if (pc.nullable) {
    out.push({
      path,
      reason: "nullability",
      producer: `${arrowTypeName(pc.type)}?`,
      consumer: arrowTypeName(cc.type),
      message: `column '${path}': nullable (producer) cannot feed non-nullable (consumer)`,
      producerColumn: pc,
      consumerColumn: cc,
    });
  } else if (decodesDictionary(pc.type, cc.type) && pc.type?.children[0]?.nullable) {
    // Decoded, a null dictionary value is a null in the column.
    out.push({
      path,
      reason: "nullability",
      producer: arrowTypeName(pc.type),
      consumer: arrowTypeName(cc.type),
      message: `column '${path}': the dictionary's values are nullable (producer), but the column is non-nullable (consumer)`,
      producerColumn: pc,
      consumerColumn: cc,
    });
  }
}

/** A dictionary read as its plain value type (only dictionary<utf8> → utf8 is lossless). */
function decodesDictionary(pa: ArrowType | undefined, ca: ArrowType | undefined): boolean {
  return pa?.id === ArrowTypeId.DICTIONARY && ca?.id === ArrowTypeId.UTF8;
}

function arrowMismatch(pc: DataFrameColumn, cc: DataFrameColumn, path: string, out: Incompatibility[], verb = "is not"): void {
  const p = arrowTypeName(pc.type);
  const c = arrowTypeName(cc.type);
  out.push({
    path,
    reason: "arrow-type",
    producer: p,
    consumer: c,
    message: `column '${path}': ${p} (producer) ${verb} ${c} (consumer)`,
    producerColumn: pc,
    consumerColumn: cc,
  });
}

/** Lossless integer widening: same signedness and not narrower, or unsigned into a strictly wider signed. */
export function intWidens(pBits: number, pSigned: boolean, cBits: number, cSigned: boolean): boolean {
  if (pSigned === cSigned) return pBits <= cBits;
  return !pSigned && cSigned && pBits < cBits;
}

function assignArrow(pc: DataFrameColumn, cc: DataFrameColumn, path: string, out: Incompatibility[]): void {
  const pa = pc.type;
  const ca = cc.type;
  if (pa === undefined || ca === undefined) return arrowMismatch(pc, cc, path, out);
  if (decodesDictionary(pa, ca)) {
    // Decoding a dictionary of strings is lossless (its values' nullability: see assignColumn).
    if (pa.children[0]?.type?.id === ArrowTypeId.UTF8) return;
    return arrowMismatch(pc, cc, path, out);
  }
  if (pa.id !== ca.id) return arrowMismatch(pc, cc, path, out);
  switch (ca.id) {
    case ArrowTypeId.INT:
      if (!intWidens(pa.bitWidth, pa.signed, ca.bitWidth, ca.signed)) arrowMismatch(pc, cc, path, out, "does not widen losslessly to");
      return;
    case ArrowTypeId.FLOAT:
      if (pa.bitWidth > ca.bitWidth) arrowMismatch(pc, cc, path, out, "does not widen losslessly to");
      return;
    case ArrowTypeId.DATE:
    case ArrowTypeId.DURATION:
      if (pa.unit !== ca.unit) arrowMismatch(pc, cc, path, out);
      return;
    case ArrowTypeId.TIMESTAMP:
      if (pa.unit !== ca.unit || pa.timezone !== ca.timezone) arrowMismatch(pc, cc, path, out);
      return;
    case ArrowTypeId.DECIMAL:
      if (pa.precision !== ca.precision || pa.scale !== ca.scale) arrowMismatch(pc, cc, path, out);
      return;
    case ArrowTypeId.LIST: {
      const pItem = pa.children[0];
      const cItem = ca.children[0];
      if (pItem === undefined || cItem === undefined) return arrowMismatch(pc, cc, path, out);
      assignColumn(pItem, cItem, `${path}[]`, out);
      return;
    }
    case ArrowTypeId.STRUCT:
      assignColumns(pa.children, ca.children, path, out);
      return;
    case ArrowTypeId.DICTIONARY: {
      const pValue = pa.children[0];
      const cValue = ca.children[0];
      if (pValue === undefined || cValue === undefined) return arrowMismatch(pc, cc, path, out);
      const pIndex = dictionaryIndex(pa);
      const cIndex = dictionaryIndex(ca);
      if (!intWidens(pIndex.bitWidth, pIndex.signed, cIndex.bitWidth, cIndex.signed)) {
        out.push({
          path,
          reason: "arrow-type",
          producer: arrowTypeName(pa),
          consumer: arrowTypeName(ca),
          message: `column '${path}': dictionary index ${dictionaryIndexName(pa)} (producer) does not widen losslessly to ${dictionaryIndexName(ca)} (consumer)`,
          producerColumn: pc,
          consumerColumn: cc,
        });
      }
      assignColumn(pValue, cValue, `${path}.value`, out);
      return;
    }
    default:
      return; // BOOL, UTF8, LARGE_UTF8, BINARY carry no parameters
  }
}

/** A dictionary's index type; an unset width is Arrow's default, Int32. */
export function dictionaryIndex(a: ArrowType): { bitWidth: number; signed: boolean } {
  return a.bitWidth === 0 ? { bitWidth: 32, signed: true } : { bitWidth: a.bitWidth, signed: a.signed };
}
