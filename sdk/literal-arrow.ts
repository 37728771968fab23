// Maps between apache-arrow's run-time types and the protocol's ArrowType / DataFrameType, so a
// table's actual schema can be recorded in a DataFrameRef and compared with a declared schema.
import { create } from "@bufbuild/protobuf";
import * as arrow from "apache-arrow";
import {
  ArrowTypeId,
  ArrowTypeSchema,
  DataFrameColumnSchema,
  DataFrameTypeSchema,
  TimeUnit as ProtoTimeUnit,
} from "../proto/messages.ts";
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
    return create(ArrowTypeSchema, { id: ArrowTypeId.DICTIONARY, children: [value] });
  }
  return create(ArrowTypeSchema, { id: ArrowTypeId.UNSPECIFIED });
}

function fieldToColumn(field: arrow.Field): DataFrameColumn {
  return create(DataFrameColumnSchema, { name: field.name, type: arrowTypeToProto(field.type), nullable: field.nullable });
}

/** A table's actual schema as a DataFrameType (format "arrow"). */
export function dataFrameTypeFromSchema(schema: arrow.Schema): DataFrameType {
  return create(DataFrameTypeSchema, { columns: schema.fields.map(fieldToColumn), format: "arrow" });
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
    case ArrowTypeId.DICTIONARY:
      return new arrow.Dictionary(protoToArrowType(type.children[0]?.type), new arrow.Int32());
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
    case ArrowTypeId.DICTIONARY:
      return `dictionary<${describeArrowType(type.children[0]?.type)}>`;
    default:
      return "unknown";
  }
}
