// A field's protobuf tag, taken from the generated descriptor: the hand codecs compute every tag
// they write or read once, at load, from the schemas, so no field number is written twice.
import { ScalarType, type DescField } from "@bufbuild/protobuf";
import { WireType } from "@bufbuild/protobuf/wire";

/** The tag of `field` with the wire type its kind is written with (or `wire`, for another legal form). */
export function tagOf(field: DescField, wire: WireType = wireTypeOf(field)): number {
  return field.number * 8 + wire;
}

function wireTypeOf(field: DescField): WireType {
  switch (field.fieldKind) {
    case "scalar":
      return scalarWireType(field.scalar);
    case "enum":
      return WireType.Varint;
    case "list":
      if (field.packed || field.listKind === "message") return WireType.LengthDelimited;
      return field.listKind === "scalar" ? scalarWireType(field.scalar) : WireType.Varint;
    default:
      return WireType.LengthDelimited;
  }
}

function scalarWireType(scalar: ScalarType): WireType {
  switch (scalar) {
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return WireType.LengthDelimited;
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    default:
      return WireType.Varint;
  }
}
