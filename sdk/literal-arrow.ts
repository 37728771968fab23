// Maps between apache-arrow's run-time types and the protocol's ArrowType / DataFrameType, so a
// table's actual type (its schema, and the nulls its data holds at every depth) can be recorded in
// a DataFrameRef and checked against a declared schema with core's relation.
import { create } from "@bufbuild/protobuf";
import * as arrow from "apache-arrow";
import { ArrowTypeId, ArrowTypeSchema, DataFrameColumnSchema, DataFrameTypeSchema, TimeUnit as ProtoTimeUnit } from "../proto/messages.ts";
import type { ArrowType, DataFrameColumn, DataFrameType } from "../proto/messages.ts";

const ARROW_TO_PROTO_UNIT: Readonly<Record<number, ProtoTimeUnit>> = Object.freeze({
  [arrow.TimeUnit.SECOND]: ProtoTimeUnit.SECOND,
  [arrow.TimeUnit.MILLISECOND]: ProtoTimeUnit.MILLISECOND,
  [arrow.TimeUnit.MICROSECOND]: ProtoTimeUnit.MICROSECOND,
  [arrow.TimeUnit.NANOSECOND]: ProtoTimeUnit.NANOSECOND,
});

function protoUnitToArrow(unit: ProtoTimeUnit): arrow.TimeUnit {
  switch (unit) {
    case ProtoTimeUnit.SECOND:
      return arrow.TimeUnit.SECOND;
    case ProtoTimeUnit.MICROSECOND:
      return arrow.TimeUnit.MICROSECOND;
    case ProtoTimeUnit.NANOSECOND:
      return arrow.TimeUnit.NANOSECOND;
    default:
      return arrow.TimeUnit.MILLISECOND;
  }
}

/** An apache-arrow DataType as the protocol's ArrowType. */
export function arrowTypeToProto(type: arrow.DataType): ArrowType {
  if (arrow.DataType.isInt(type)) {
    return create(ArrowTypeSchema, { id: ArrowTypeId.INT, bitWidth: type.bitWidth, signed: type.isSigned });
  }
  if (arrow.DataType.isFloat(type)) {
    const bitWidth = type.precision === arrow.Precision.HALF ? 16 : type.precision === arrow.Precision.SINGLE ? 32 : 64;
    return create(ArrowTypeSchema, { id: ArrowTypeId.FLOAT, bitWidth });
  }
  if (arrow.DataType.isBool(type)) return create(ArrowTypeSchema, { id: ArrowTypeId.BOOL });
  if (arrow.DataType.isLargeUtf8(type)) return create(ArrowTypeSchema, { id: ArrowTypeId.LARGE_UTF8 });
  if (arrow.DataType.isUtf8(type)) return create(ArrowTypeSchema, { id: ArrowTypeId.UTF8 });
  if (arrow.DataType.isBinary(type)) return create(ArrowTypeSchema, { id: ArrowTypeId.BINARY });
  if (arrow.DataType.isDate(type)) {
    const unit = type.unit === arrow.DateUnit.DAY ? ProtoTimeUnit.DAY : ProtoTimeUnit.MILLISECOND;
    return create(ArrowTypeSchema, { id: ArrowTypeId.DATE, unit });
  }
  if (arrow.DataType.isTimestamp(type)) {
    return create(ArrowTypeSchema, {
      id: ArrowTypeId.TIMESTAMP,
      unit: ARROW_TO_PROTO_UNIT[type.unit],
      timezone: type.timezone ?? "",
    });
  }
  if (arrow.DataType.isDuration(type)) {
    return create(ArrowTypeSchema, { id: ArrowTypeId.DURATION, unit: ARROW_TO_PROTO_UNIT[type.unit] });
  }
  if (arrow.DataType.isDecimal(type)) {
    return create(ArrowTypeSchema, { id: ArrowTypeId.DECIMAL, precision: type.precision, scale: type.scale });
  }
  if (arrow.DataType.isList(type)) {
    return create(ArrowTypeSchema, { id: ArrowTypeId.LIST, children: type.children.map(fieldToColumn) });
  }
  if (arrow.DataType.isStruct(type)) {
    return create(ArrowTypeSchema, { id: ArrowTypeId.STRUCT, children: type.children.map(fieldToColumn) });
  }
  if (arrow.DataType.isDictionary(type)) {
    const value = create(DataFrameColumnSchema, { name: "value", type: arrowTypeToProto(type.dictionary), nullable: true });
    // Int32, Arrow's default index, is left unset as in a compiled spec.
    const index = type.indices.bitWidth === 32 && type.indices.isSigned ? {} : { bitWidth: type.indices.bitWidth, signed: type.indices.isSigned };
    return create(ArrowTypeSchema, { id: ArrowTypeId.DICTIONARY, ...index, children: [value] });
  }
  return create(ArrowTypeSchema, { id: ArrowTypeId.UNSPECIFIED });
}

function fieldToColumn(field: arrow.Field): DataFrameColumn {
  return create(DataFrameColumnSchema, { name: field.name, type: arrowTypeToProto(field.type), nullable: field.nullable });
}

/** A table's schema as a DataFrameType (format "arrow"), nullability as the schema claims it. */
export function dataFrameTypeFromSchema(schema: arrow.Schema): DataFrameType {
  return create(DataFrameTypeSchema, { columns: schema.fields.map(fieldToColumn), format: "arrow" });
}

/**
 * What a table holds, as a DataFrameType: its schema's Arrow types (dictionary index types
 * included), every nullability at every depth taken from the data, not from the schema's claims:
 * a column, list item, struct field or dictionary value is nullable exactly when a reader meets a
 * null there (items of a null list and fields of a null struct are not met). `nulls` counts them
 * by path, named as the relation names paths ("tags[]", "loc.lat", "kind.value"; a dictionary's
 * values by the rows that decode to null).
 */
export interface ObservedTable {
  type: DataFrameType;
  nulls: ReadonlyMap<string, number>;
}

export function observeTable(table: arrow.Table): ObservedTable {
  const nulls = new Map<string, number>();
  const columns = table.schema.fields.map((field, i) => {
    const chunks = (table.getChildAt(i)?.data ?? []).map((data): Slots => ({ data, met: undefined }));
    return observeColumn(field.name, field.type, chunks, field.name, nulls);
  });
  return { type: create(DataFrameTypeSchema, { columns, format: "arrow" }), nulls };
}

/** A chunk of a column and which of its slots a reader meets (undefined: every one). */
interface Slots {
  data: arrow.Data;
  met: Uint8Array | undefined;
}

function observeColumn(name: string, type: arrow.DataType, chunks: Slots[], path: string, nulls: Map<string, number>): DataFrameColumn {
  let count = 0;
  for (const chunk of chunks) count += nullsMet(chunk);
  const proto = arrowTypeToProto(type);
  if (arrow.DataType.isList(type)) {
    const item = type.children[0];
    proto.children = [observeColumn(item.name, item.type, chunks.map(listItems), `${path}[]`, nulls)];
  } else if (arrow.DataType.isStruct(type)) {
    proto.children = type.children.map((field, k) =>
      observeColumn(
        field.name,
        field.type,
        chunks.map((chunk) => structField(chunk, k)),
        `${path}.${field.name}`,
        nulls,
      ),
    );
  } else if (arrow.DataType.isDictionary(type)) {
    proto.children = [observeDictionaryValues(type, chunks, `${path}.value`, nulls)];
  }
  if (count > 0) nulls.set(path, count);
  return create(DataFrameColumnSchema, { name, type: proto, nullable: count > 0 });
}

function isMet(chunk: Slots, i: number): boolean {
  return chunk.met === undefined || chunk.met[i] === 1;
}

function nullsMet({ data, met }: Slots): number {
  if (data.nullCount === 0) return 0;
  if (met === undefined) return data.nullCount;
  let count = 0;
  for (let i = 0; i < data.length; i++) if (met[i] === 1 && !data.getValid(i)) count++;
  return count;
}

/** The slots of a chunk that are met and hold a value (what a reader goes on to read inside). */
function valuesMet(chunk: Slots): Uint8Array | undefined {
  if (chunk.met === undefined && chunk.data.nullCount === 0) return undefined;
  const mask = new Uint8Array(chunk.data.length);
  for (let i = 0; i < mask.length; i++) if (isMet(chunk, i) && chunk.data.getValid(i)) mask[i] = 1;
  return mask;
}

function structField(chunk: Slots, k: number): Slots {
  return { data: chunk.data.children[k], met: valuesMet(chunk) };
}

// A list's offsets index its (unsliced) item data: the items met are those of the lists met.
function listItems(chunk: Slots): Slots {
  const items = chunk.data.children[0];
  const offsets = chunk.data.valueOffsets as Int32Array;
  const lists = valuesMet(chunk);
  const length = chunk.data.length;
  if (lists === undefined && offsets[0] === 0 && offsets[length] === items.length) return { data: items, met: undefined };
  const met = new Uint8Array(items.length);
  for (let i = 0; i < length; i++) if (lists === undefined || lists[i] === 1) met.fill(1, offsets[i], offsets[i + 1]);
  return { data: items, met };
}

// The dictionary entries met are those the met, valid indices point at; a null entry counts once
// per row that decodes to it.
function observeDictionaryValues(type: arrow.Dictionary, chunks: Slots[], path: string, nulls: Map<string, number>): DataFrameColumn {
  const entries = new Map<arrow.Data, Uint8Array>();
  let rows = 0;
  for (const chunk of chunks) {
    const dictionary = chunk.data.dictionary;
    if (dictionary === undefined) continue;
    const parts = dictionary.data;
    const starts: number[] = [];
    let start = 0;
    for (const part of parts) {
      starts.push(start);
      start += part.length;
      if (!entries.has(part)) entries.set(part, new Uint8Array(part.length));
    }
    const indices = chunk.data.values as ArrayLike<number | bigint>;
    const rowsMet = valuesMet(chunk);
    for (let i = 0; i < chunk.data.length; i++) {
      if (rowsMet !== undefined && rowsMet[i] !== 1) continue;
      const at = Number(indices[i]);
      let p = parts.length - 1;
      while (p > 0 && starts[p] > at) p--;
      const part = parts[p];
      entries.get(part)![at - starts[p]] = 1;
      if (!part.getValid(at - starts[p])) rows++;
    }
  }
  const column = observeColumn(
    "value",
    type.dictionary,
    [...entries].map(([data, met]) => ({ data, met })),
    path,
    nulls,
  );
  if (rows > 0) nulls.set(path, rows);
  return column;
}

/** The protocol's ArrowType as an apache-arrow DataType (used to build tables from CSV). */
export function protoToArrowType(type: ArrowType | undefined): arrow.DataType {
  switch (type?.id) {
    case ArrowTypeId.INT: {
      const signed = type.signed;
      switch (type.bitWidth) {
        case 8:
          return signed ? new arrow.Int8() : new arrow.Uint8();
        case 16:
          return signed ? new arrow.Int16() : new arrow.Uint16();
        case 32:
          return signed ? new arrow.Int32() : new arrow.Uint32();
        default:
          return signed ? new arrow.Int64() : new arrow.Uint64();
      }
    }
    case ArrowTypeId.FLOAT:
      return type.bitWidth === 16 ? new arrow.Float16() : type.bitWidth === 32 ? new arrow.Float32() : new arrow.Float64();
    case ArrowTypeId.BOOL:
      return new arrow.Bool();
    case ArrowTypeId.LARGE_UTF8:
      return new arrow.LargeUtf8();
    case ArrowTypeId.BINARY:
      return new arrow.Binary();
    case ArrowTypeId.DATE:
      return type.unit === ProtoTimeUnit.MILLISECOND ? new arrow.DateMillisecond() : new arrow.DateDay();
    case ArrowTypeId.TIMESTAMP:
      return new arrow.Timestamp(protoUnitToArrow(type.unit), type.timezone || null);
    case ArrowTypeId.DURATION:
      return new arrow.Duration(protoUnitToArrow(type.unit));
    case ArrowTypeId.DECIMAL:
      return new arrow.Decimal(type.scale, type.precision, 128);
    case ArrowTypeId.LIST: {
      const child = type.children[0];
      return new arrow.List(new arrow.Field(child?.name ?? "item", protoToArrowType(child?.type), child?.nullable ?? true));
    }
    case ArrowTypeId.STRUCT:
      return new arrow.Struct(type.children.map((c) => new arrow.Field(c.name, protoToArrowType(c.type), c.nullable)));
    case ArrowTypeId.DICTIONARY: {
      const index = type.bitWidth === 0 ? new arrow.Int32() : protoToArrowType({ ...type, id: ArrowTypeId.INT, children: [] });
      return new arrow.Dictionary(protoToArrowType(type.children[0]?.type), index as arrow.Int32);
    }
    default:
      return new arrow.Utf8();
  }
}

/** "int32", "float64", "timestamp[ms, UTC]", "list<utf8>"…: how messages name an Arrow type. */
export function describeArrowType(type: ArrowType | undefined): string {
  if (!type) return "unknown";
  const unit = (u: ProtoTimeUnit) => ["?", "s", "ms", "us", "ns", "day"][u] ?? "?";
  switch (type.id) {
    case ArrowTypeId.INT:
      return `${type.signed ? "int" : "uint"}${type.bitWidth}`;
    case ArrowTypeId.FLOAT:
      return `float${type.bitWidth}`;
    case ArrowTypeId.BOOL:
      return "bool";
    case ArrowTypeId.UTF8:
      return "utf8";
    case ArrowTypeId.LARGE_UTF8:
      return "largeUtf8";
    case ArrowTypeId.BINARY:
      return "binary";
    case ArrowTypeId.DATE:
      return `date[${unit(type.unit)}]`;
    case ArrowTypeId.TIMESTAMP:
      return `timestamp[${unit(type.unit)}${type.timezone ? `, ${type.timezone}` : ""}]`;
    case ArrowTypeId.DURATION:
      return `duration[${unit(type.unit)}]`;
    case ArrowTypeId.DECIMAL:
      return `decimal(${type.precision}, ${type.scale})`;
    case ArrowTypeId.LIST:
      return `list<${describeArrowType(type.children[0]?.type)}>`;
    case ArrowTypeId.STRUCT:
      return `struct<${type.children.map((c) => `${c.name}: ${describeArrowType(c.type)}`).join(", ")}>`;
    case ArrowTypeId.DICTIONARY: {
      // The index type is named only when it is not Arrow's default, int32.
      const index = type.bitWidth === 0 || (type.bitWidth === 32 && type.signed) ? "" : `${type.signed ? "int" : "uint"}${type.bitWidth}, `;
      return `dictionary<${index}${describeArrowType(type.children[0]?.type)}>`;
    }
    default:
      return "unknown";
  }
}
