// Reads value types from the type checker: a descriptor type (`IntType`, `DataFrameType<{...}>`,
// `StructType<ZodObject<...>>`) becomes a `LiteralType`, and a task's or workflow's `inputs` and
// `outputs` become a `TypedInterface`. Only types are read; no user value is evaluated.
import { clone, create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Node, Type, ts } from "ts-morph";
import { ArrowTypeId, BlobKind, DataFrameColumnSchema, LiteralTypeSchema, SimpleType, TimeUnit, TypedInterfaceSchema, VariableSchema } from "../proto/index.ts";
import type { ArrowTypeSchema, DataFrameColumn, LiteralType, StructField, TypedInterface, Variable } from "../proto/index.ts";
import { jsonSchemaOf } from "./json-schema.ts";
import { fieldSchema, withZodIntegers } from "./zod-integers.ts";

/** Why a type could not be read, with the variable path it concerns (e.g. `outputs.model`). */
export interface TypeProblem {
  readonly path: string;
  readonly kind: "any" | "unresolvable";
  readonly detail: string;
}

export interface ReadInterface {
  readonly iface: TypedInterface;
  readonly problems: TypeProblem[];
}

const SIMPLE_KINDS: Readonly<Record<string, SimpleType>> = Object.freeze({
  int: SimpleType.INTEGER,
  float: SimpleType.FLOAT,
  string: SimpleType.STRING,
  bool: SimpleType.BOOLEAN,
  date: SimpleType.DATE,
  datetime: SimpleType.DATETIME,
  duration: SimpleType.DURATION,
});

const INTEGER_ARROW: Readonly<Record<string, [number, boolean]>> = Object.freeze({
  int8: [8, true],
  int16: [16, true],
  int32: [32, true],
  int64: [64, true],
  uint8: [8, false],
  uint16: [16, false],
  uint32: [32, false],
  uint64: [64, false],
});
const FLOAT_ARROW: Readonly<Record<string, number>> = Object.freeze({ float16: 16, float32: 32, float64: 64 });
const PLAIN_ARROW: Readonly<Record<string, ArrowTypeId>> = Object.freeze({
  bool: ArrowTypeId.BOOL,
  utf8: ArrowTypeId.UTF8,
  largeUtf8: ArrowTypeId.LARGE_UTF8,
  binary: ArrowTypeId.BINARY,
});
const TIME_UNITS: Readonly<Record<string, TimeUnit>> = Object.freeze({
  s: TimeUnit.SECOND,
  ms: TimeUnit.MILLISECOND,
  us: TimeUnit.MICROSECOND,
  ns: TimeUnit.NANOSECOND,
  day: TimeUnit.DAY,
  millisecond: TimeUnit.MILLISECOND,
});

export function simpleType(simple: SimpleType): LiteralType {
  return create(LiteralTypeSchema, { type: { case: "simple", value: simple } });
}

// Descriptor types read without a problem, by checker type: the same `Table` schema or `t.int()`
// behind a thousand tasks is read once (types are per checker, so a new program starts afresh).
const readTypes = new WeakMap<ts.Type, LiteralType>();

/**
 * The interface of a task or workflow from the type of its value: `config.inputs` and
 * `config.outputs` as the checker instantiated them. Variables are sorted by name.
 */
export function readInterface(definitionType: Type, at: Node): ReadInterface {
  const problems: TypeProblem[] = [];
  const config = propertyType(definitionType, "config", at);
  const side = (name: "inputs" | "outputs"): Variable[] => {
    const map = config ? propertyType(config, name, at)?.getNonNullableType() : undefined;
    if (!map) {
      problems.push({ path: name, kind: "unresolvable", detail: `the type of config.${name} is unknown` });
      return [];
    }
    return map
      .getProperties()
      .map((p) => p.getName())
      .sort()
      .map((varName) => {
        const declared = propertyType(map, varName, at);
        const known = declared ? readTypes.get(declared.compilerType) : undefined;
        if (known) return create(VariableSchema, { name: varName, type: clone(LiteralTypeSchema, known) });
        const before = problems.length;
        const type = new TypeReader(at, `${name}.${varName}`, problems).read(declared);
        if (declared && problems.length === before) readTypes.set(declared.compilerType, type);
        return create(VariableSchema, { name: varName, type });
      });
  };
  const iface = create(TypedInterfaceSchema, { inputs: side("inputs"), outputs: side("outputs") });
  return { iface, problems };
}

function propertyType(type: Type, name: string, at: Node): Type | undefined {
  const symbol = type.getProperty(name);
  return symbol ? symbol.getTypeAtLocation(at) : undefined;
}

function literalOf(type: Type | undefined): string | number | boolean | undefined {
  if (!type) return undefined;
  if (type.isBooleanLiteral()) return type.getText() === "true";
  const value = type.getLiteralValue();
  return typeof value === "string" || typeof value === "number" ? value : undefined;
}

class TypeReader {
  constructor(
    private readonly at: Node,
    private readonly path: string,
    private readonly problems: TypeProblem[],
  ) {}

  read(type: Type | undefined, where: string = this.path): LiteralType {
    if (!type || type.isAny() || type.isUnknown()) {
      this.problems.push({ path: where, kind: "any", detail: "its type is any" });
      return simpleType(SimpleType.ANY);
    }
    const kind = literalOf(this.prop(type, "kind"));
    if (typeof kind !== "string") return this.unresolvable(where, `'${type.getText(this.at)}' is not a weir value type (t.* or df.*)`);
    const simple = SIMPLE_KINDS[kind];
    if (simple !== undefined) return simpleType(simple);
    switch (kind) {
      case "enum": {
        const values = this.tupleLiterals(this.prop(type, "values"));
        if (!values) return this.unresolvable(where, "the enum's values are not string literals (write them inline)");
        return create(LiteralTypeSchema, { type: { case: "enumType", value: { values } } });
      }
      case "file":
      case "dir": {
        const format = kind === "file" ? literalOf(this.prop(type, "format")) : undefined;
        return create(LiteralTypeSchema, {
          type: {
            case: "blob",
            value: { kind: kind === "file" ? BlobKind.FILE : BlobKind.DIRECTORY, format: typeof format === "string" ? format : "" },
          },
        });
      }
      case "list":
        return create(LiteralTypeSchema, { type: { case: "collection", value: { item: this.read(this.prop(type, "item"), `${where}[]`) } } });
      case "map":
        return create(LiteralTypeSchema, { type: { case: "map", value: { value: this.read(this.prop(type, "value"), `${where}{}`) } } });
      case "optional":
        return create(LiteralTypeSchema, { type: { case: "optional", value: { inner: this.read(this.prop(type, "inner"), where) } } });
      case "union": {
        const variants = this.prop(type, "variants");
        const elements = variants?.isTuple() ? variants.getTupleElements() : undefined;
        if (!elements) return this.unresolvable(where, "the union's variants are not a tuple");
        return create(LiteralTypeSchema, {
          type: { case: "union", value: { variants: elements.map((e, i) => this.read(e, `${where}|${i}`)) } },
        });
      }
      case "struct":
        return this.struct(this.prop(type, "schema"), where);
      case "dataframe":
        return this.dataframe(type, where);
      default:
        return this.unresolvable(where, `unknown value kind '${kind}'`);
    }
  }

  private dataframe(type: Type, where: string): LiteralType {
    const any = literalOf(this.prop(type, "any")) === true;
    if (any) this.problems.push({ path: where, kind: "any", detail: "it is df.any(): its columns are not checked" });
    const columnsType = this.prop(type, "columns");
    const columns = any || !columnsType ? [] : this.columns(columnsType, where);
    return create(LiteralTypeSchema, { type: { case: "dataframe", value: { columns, format: "arrow", any } } });
  }

  private columns(record: Type, where: string): DataFrameColumn[] {
    return record.getProperties().map((p) => this.column(p.getName(), p.getTypeAtLocation(this.at), `${where}.${p.getName()}`));
  }

  private column(name: string, type: Type, where: string): DataFrameColumn {
    const arrow = literalOf(this.prop(type, "arrow"));
    const nullable = literalOf(this.prop(type, "nullable")) === true;
    return create(DataFrameColumnSchema, { name, nullable, type: this.arrowType(type, String(arrow), where) });
  }

  private arrowType(column: Type, arrow: string, where: string): ArrowInit {
    const integer = INTEGER_ARROW[arrow];
    if (integer) return { id: ArrowTypeId.INT, bitWidth: integer[0], signed: integer[1] };
    if (FLOAT_ARROW[arrow]) return { id: ArrowTypeId.FLOAT, bitWidth: FLOAT_ARROW[arrow] };
    if (PLAIN_ARROW[arrow] !== undefined) return { id: PLAIN_ARROW[arrow] };
    const unit = TIME_UNITS[String(literalOf(this.prop(column, "unit")))] ?? TimeUnit.UNSPECIFIED;
    switch (arrow) {
      case "date":
        return { id: ArrowTypeId.DATE, unit };
      case "timestamp": {
        const tz = literalOf(this.prop(column, "tz"));
        return { id: ArrowTypeId.TIMESTAMP, unit, timezone: typeof tz === "string" ? tz : "" };
      }
      case "duration":
        return { id: ArrowTypeId.DURATION, unit };
      case "decimal":
        return {
          id: ArrowTypeId.DECIMAL,
          precision: Number(literalOf(this.prop(column, "precision")) ?? 0),
          scale: Number(literalOf(this.prop(column, "scale")) ?? 0),
        };
      case "list":
        return { id: ArrowTypeId.LIST, children: [this.childColumn("item", this.prop(column, "child"), where)] };
      case "dictionary": {
        // Int32, Arrow's default index, stays unset (as in specs compiled before the index was typed).
        const index = INTEGER_ARROW[String(literalOf(this.prop(column, "index")) ?? "int32")] ?? INTEGER_ARROW.int32;
        const width = index[0] === 32 && index[1] ? {} : { bitWidth: index[0], signed: index[1] };
        return { id: ArrowTypeId.DICTIONARY, ...width, children: [this.childColumn("value", this.prop(column, "value"), where)] };
      }
      case "struct": {
        const children = this.prop(column, "children");
        return { id: ArrowTypeId.STRUCT, children: children ? this.columns(children, where) : [] };
      }
      default:
        this.unresolvable(where, `column type '${arrow}' is not an Arrow type weir knows`);
        return { id: ArrowTypeId.UNSPECIFIED };
    }
  }

  private childColumn(name: string, type: Type | undefined, where: string): DataFrameColumn {
    if (!type) {
      this.unresolvable(where, "a nested column's type is unknown");
      return create(DataFrameColumnSchema, { name });
    }
    return this.column(name, type, `${where}.${name}`);
  }

  // Struct fields come from the zod object's inferred output type, so they match what the task
  // function sees; refinements (min, max, regex) are the worker's to check at run time.
  private struct(schema: Type | undefined, where: string): LiteralType {
    const zod = schema ? this.prop(schema, "_zod") : undefined;
    const output = (zod && this.prop(zod, "output")) ?? (schema && this.prop(schema, "_output"));
    if (!output) return this.unresolvable(where, "the struct's zod schema has no inferred output type");
    const shape = schema ? this.prop(schema, "shape") : undefined;
    const fields = this.objectFields(output, where, shape);
    const jsonSchema = JSON.stringify(jsonSchemaOf(fields));
    return create(LiteralTypeSchema, { type: { case: "struct", value: { fields, jsonSchema } } });
  }

  /** `shape`, when given, is the zod object's shape: its source tells integers from floats, at any depth. */
  private objectFields(object: Type, where: string, shape?: Type): StructField[] {
    return object
      .getProperties()
      .map((p) => {
        const optional = p.isOptional();
        const type = p.getTypeAtLocation(this.at);
        const read = optional ? type.getNonNullableType() : type;
        const plain = this.fromTsType(read, `${where}.${p.getName()}`);
        const fieldType = shape ? withZodIntegers(plain, fieldSchema(shape.getProperty(p.getName()))) : plain;
        return { name: p.getName(), optional, type: fieldType } as StructField;
      })
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** A plain TypeScript type (a zod output) → LiteralType; numbers are floats, as in the SDK. */
  private fromTsType(type: Type, where: string): LiteralType {
    if (type.isAny() || type.isUnknown()) return this.read(undefined, where);
    if (type.isNumber() || type.isNumberLiteral()) return simpleType(SimpleType.FLOAT);
    if (type.isString()) return simpleType(SimpleType.STRING);
    if (type.isBoolean() || type.isBooleanLiteral()) return simpleType(SimpleType.BOOLEAN);
    if (type.isUnion()) {
      const parts = type.getUnionTypes();
      if (parts.every((p) => p.isStringLiteral())) {
        const values = parts.map((p) => String(p.getLiteralValue()));
        return create(LiteralTypeSchema, { type: { case: "enumType", value: { values } } });
      }
      const defined = parts.filter((p) => !p.isUndefined() && !p.isNull());
      if (defined.length < parts.length) {
        const inner = defined.length === 1 ? this.fromTsType(defined[0], where) : this.fromTsType(type.getNonNullableType(), where);
        return create(LiteralTypeSchema, { type: { case: "optional", value: { inner } } });
      }
      return create(LiteralTypeSchema, {
        type: { case: "union", value: { variants: defined.map((p, i) => this.fromTsType(p, `${where}|${i}`)) } },
      });
    }
    if (type.isStringLiteral()) return create(LiteralTypeSchema, { type: { case: "enumType", value: { values: [String(type.getLiteralValue())] } } });
    if (type.isArray()) {
      return create(LiteralTypeSchema, { type: { case: "collection", value: { item: this.fromTsType(type.getArrayElementTypeOrThrow(), `${where}[]`) } } });
    }
    if (type.getText() === "Date") return simpleType(SimpleType.DATETIME);
    const index = type.getStringIndexType();
    if (index) return create(LiteralTypeSchema, { type: { case: "map", value: { value: this.fromTsType(index, `${where}{}`) } } });
    if (type.isObject()) {
      const fields = this.objectFields(type, where);
      return create(LiteralTypeSchema, { type: { case: "struct", value: { fields, jsonSchema: JSON.stringify(jsonSchemaOf(fields)) } } });
    }
    return this.unresolvable(where, `'${type.getText(this.at)}' has no weir value type`);
  }

  private tupleLiterals(type: Type | undefined): string[] | undefined {
    const elements = type?.isTuple() ? type.getTupleElements() : type?.isArray() ? undefined : undefined;
    if (!elements) return undefined;
    const values = elements.map((e) => literalOf(e));
    return values.every((v) => typeof v === "string") ? (values as string[]) : undefined;
  }

  private prop(type: Type, name: string): Type | undefined {
    return propertyType(type, name, this.at);
  }

  private unresolvable(where: string, detail: string): LiteralType {
    this.problems.push({ path: where, kind: "unresolvable", detail });
    return simpleType(SimpleType.ANY);
  }
}

type ArrowInit = MessageInitShape<typeof ArrowTypeSchema>;

export { jsonSchemaOf } from "./json-schema.ts";
