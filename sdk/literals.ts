// JS values ↔ Literals for every weir type. Blobs and dataframes go through an artifact store the
// caller provides (the SDK only knows the small ArtifactWriter/ArtifactReader contracts below).
import { create } from "@bufbuild/protobuf";
import { DurationSchema, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Table, tableFromIPC, tableToIPC } from "apache-arrow";
import {
  BlobKind,
  BlobRefSchema,
  DataFrameRefSchema,
  LiteralCollectionSchema,
  LiteralMapSchema,
  LiteralSchema,
  NoneSchema,
  ScalarSchema,
  SimpleType,
} from "../proto/messages.ts";
import type { Literal, LiteralType, Scalar } from "../proto/messages.ts";
import { observeTable } from "./literal-arrow.ts";
import { hashLiteral } from "./literal-hash.ts";
import { LiteralError } from "./literal-error.ts";
import { parseInputValue } from "./literal-parse.ts";
import { describeLiteral, describeType, validateLiteral, validateValue } from "./validate.ts";

export { LiteralError } from "./literal-error.ts";
export type { LiteralErrorCode } from "./literal-error.ts";
export { parseInputValue } from "./literal-parse.ts";
export { hashLiteral } from "./literal-hash.ts";
export { arrowTypeToProto, dataFrameTypeFromSchema, observeTable, protoToArrowType } from "./literal-arrow.ts";
export type { ObservedTable } from "./literal-arrow.ts";

/** Where an artifact landed: an absolute `file://` URI, its content hash and its size in bytes. */
export interface StoredArtifact {
  uri: string;
  sha256: string;
  size: number;
}

/** Writes artifacts, content-addressed. A string is the path of a local file to copy in. */
export interface ArtifactWriter {
  put(source: Uint8Array | string): Promise<StoredArtifact>;
  /** Stores a directory (its files, and a manifest of them); the URI names the manifest. */
  putDir(dirPath: string): Promise<StoredArtifact>;
}

/** Reads artifacts written by an ArtifactWriter. */
export interface ArtifactReader {
  read(uri: string): Promise<Uint8Array>;
  /** The local path of a stored file. */
  path(uri: string): string;
  /** A local directory holding a stored directory's files (materialised on first use). */
  dirPath(uri: string): Promise<string>;
  exists(uri: string): Promise<boolean>;
}

function withHash(lit: Literal): Literal {
  lit.hash = hashLiteral(lit);
  return lit;
}

function scalar(value: Scalar["value"]): Literal {
  return withHash(create(LiteralSchema, { value: { case: "scalar", value: create(ScalarSchema, { value }) } }));
}

/** A duration in milliseconds as google.protobuf.Duration (seconds and nanos share a sign). */
function durationFromMs(ms: number) {
  const seconds = Math.trunc(ms / 1000);
  return create(DurationSchema, { seconds: BigInt(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) });
}

/**
 * Converts a JS value to a Literal of `type`, storing files, directories and tables in `store`.
 * Throws a LiteralError (code VALUE_INVALID) naming every problem when the value does not fit.
 */
export async function toLiteral(value: unknown, type: LiteralType, store: ArtifactWriter, label = "value"): Promise<Literal> {
  const problems = validateValue(value, type, label);
  if (problems.length > 0) throw new LiteralError("VALUE_INVALID", problems);
  return convertTo(value, type, store);
}

async function convertTo(value: unknown, type: LiteralType | undefined, store: ArtifactWriter): Promise<Literal> {
  const t = type?.type;
  switch (t?.case) {
    case "simple":
      return simpleToLiteral(value, t.value, store);
    case "enumType":
      return scalar({ case: "enumValue", value: value as string });
    case "struct":
      return scalar({ case: "json", value: JSON.stringify(value) });
    case "blob": {
      const file = value as { path: string; format?: string };
      const stored = t.value.kind === BlobKind.DIRECTORY ? await store.putDir(file.path) : await store.put(file.path);
      const ref = create(BlobRefSchema, {
        uri: stored.uri,
        sha256: stored.sha256,
        size: BigInt(stored.size),
        format: file.format ?? t.value.format,
        kind: t.value.kind === BlobKind.DIRECTORY ? BlobKind.DIRECTORY : BlobKind.FILE,
      });
      return withHash(create(LiteralSchema, { value: { case: "blob", value: ref } }));
    }
    case "collection": {
      const items = await Promise.all((value as unknown[]).map((item) => convertTo(item, t.value.item, store)));
      return withHash(create(LiteralSchema, { value: { case: "collection", value: create(LiteralCollectionSchema, { items }) } }));
    }
    case "map": {
      const entries: Record<string, Literal> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) entries[k] = await convertTo(v, t.value.value, store);
      return withHash(create(LiteralSchema, { value: { case: "map", value: create(LiteralMapSchema, { entries }) } }));
    }
    case "optional":
      if (value === undefined || value === null) {
        return withHash(create(LiteralSchema, { value: { case: "none", value: create(NoneSchema) } }));
      }
      return convertTo(value, t.value.inner, store);
    case "union": {
      const variant = t.value.variants.find((v) => validateValue(value, v).length === 0);
      return convertTo(value, variant, store);
    }
    case "dataframe":
      return tableToLiteral(value as Table, store);
    default:
      throw new LiteralError("VALUE_INVALID", [`the declared type is empty (the spec is malformed; recompile it)`]);
  }
}

async function simpleToLiteral(value: unknown, simple: SimpleType, store: ArtifactWriter): Promise<Literal> {
  switch (simple) {
    case SimpleType.INTEGER:
      return scalar({ case: "integer", value: BigInt(value as number | bigint) });
    case SimpleType.FLOAT:
      return scalar({ case: "float", value: value as number });
    case SimpleType.STRING:
      return scalar({ case: "string", value: value as string });
    case SimpleType.BOOLEAN:
      return scalar({ case: "boolean", value: value as boolean });
    case SimpleType.DATE:
      return scalar({ case: "date", value: value as string });
    case SimpleType.DATETIME:
      return scalar({ case: "datetime", value: timestampFromDate(value as Date) });
    case SimpleType.DURATION:
      return scalar({ case: "duration", value: durationFromMs(value as number) });
    default:
      return anyToLiteral(value, store);
  }
}

// `any` values are stored by their JS shape, so they read back as the same shape.
async function anyToLiteral(value: unknown, store: ArtifactWriter): Promise<Literal> {
  if (typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value))) {
    return scalar({ case: "integer", value: BigInt(value) });
  }
  if (typeof value === "number") return scalar({ case: "float", value });
  if (typeof value === "string") return scalar({ case: "string", value });
  if (typeof value === "boolean") return scalar({ case: "boolean", value });
  if (value instanceof Date) return scalar({ case: "datetime", value: timestampFromDate(value) });
  if (value instanceof Table) return tableToLiteral(value, store);
  if (value === null) return withHash(create(LiteralSchema, { value: { case: "none", value: create(NoneSchema) } }));
  return scalar({ case: "json", value: JSON.stringify(value) });
}

async function tableToLiteral(table: Table, store: ArtifactWriter): Promise<Literal> {
  const stored = await store.put(tableToIPC(table, "file"));
  // The stored bytes never change, so the ref records what they hold: nullable only where the data
  // has nulls, at every depth. A consumer that needs non-null data is then checked from the ref alone.
  const schema = observeTable(table).type;
  const ref = create(DataFrameRefSchema, { uri: stored.uri, sha256: stored.sha256, rows: BigInt(table.numRows), schema });
  return withHash(create(LiteralSchema, { value: { case: "dataframe", value: ref } }));
}

/**
 * Converts a Literal back to the JS value a task receives: int → number (bigint beyond 2^53),
 * datetime → Date, duration → ms, file/dir → { path }, dataframe → Arrow Table, none → undefined.
 * Throws a LiteralError (code LITERAL_INVALID) when the literal does not fit `type`.
 */
export async function fromLiteral(lit: Literal, type: LiteralType, store: ArtifactReader, label = "value"): Promise<unknown> {
  const problems = validateLiteral(lit, type, label);
  if (problems.length > 0) throw new LiteralError("LITERAL_INVALID", problems);
  return convertFrom(lit, type, store);
}

async function convertFrom(lit: Literal, type: LiteralType | undefined, store: ArtifactReader): Promise<unknown> {
  const t = type?.type;
  const v = lit.value;
  switch (t?.case) {
    case "optional":
      return v.case === "none" ? undefined : convertFrom(lit, t.value.inner, store);
    case "union":
      return convertFrom(
        lit,
        t.value.variants.find((variant) => validateLiteral(lit, variant).length === 0),
        store,
      );
    case "collection":
      if (v.case !== "collection") break;
      return Promise.all(v.value.items.map((item) => convertFrom(item, t.value.item, store)));
    case "map": {
      if (v.case !== "map") break;
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v.value.entries)) out[k] = await convertFrom(item, t.value.value, store);
      return out;
    }
    case "dataframe":
    case "blob":
    case "simple":
    case "enumType":
    case "struct":
      return anyFromLiteral(lit, store);
  }
  throw new LiteralError("LITERAL_INVALID", [`expected ${describeType(type)}, got ${describeLiteral(lit)}`]);
}

async function anyFromLiteral(lit: Literal, store: ArtifactReader): Promise<unknown> {
  const v = lit.value;
  switch (v.case) {
    case "scalar": {
      const s = v.value.value;
      switch (s.case) {
        case "integer":
          return s.value >= BigInt(Number.MIN_SAFE_INTEGER) && s.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s.value) : s.value;
        case "datetime":
          return timestampDate(s.value);
        case "duration":
          return Number(s.value.seconds) * 1000 + s.value.nanos / 1e6;
        case "json":
          return JSON.parse(s.value);
        default:
          return s.value;
      }
    }
    case "collection":
      return Promise.all(v.value.items.map((item) => anyFromLiteral(item, store)));
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v.value.entries)) out[k] = await anyFromLiteral(item, store);
      return out;
    }
    case "none":
      return undefined;
    case "blob": {
      const path = v.value.kind === BlobKind.DIRECTORY ? await store.dirPath(v.value.uri) : store.path(v.value.uri);
      return v.value.format ? { path, format: v.value.format } : { path };
    }
    case "dataframe":
      return tableFromIPC(await store.read(v.value.uri));
    default:
      return undefined;
  }
}

/** CLI text (`--input day=2024-05-01`) straight to a Literal of `type`; see parseInputValue. */
export async function parseInputLiteral(text: string, type: LiteralType, store: ArtifactWriter, label = "value"): Promise<Literal> {
  return toLiteral(parseInputValue(text, type, label), type, store, label);
}
