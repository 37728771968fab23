import { create } from "@bufbuild/protobuf";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Field, List, Table, Utf8, tableFromArrays, tableFromIPC, vectorFromArray } from "apache-arrow";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ArrowTypeId, BlobKind, LiteralTypeSchema, SimpleType } from "../../proto/index.ts";
import type { LiteralType } from "../../proto/index.ts";
import { fromLiteral, hashLiteral, LiteralError, parseInputLiteral, parseInputValue, toLiteral } from "../../sdk/literals.ts";
import { validateLiteral } from "../../sdk/validate.ts";
import { LocalArtifactStore } from "../../runtime/artifacts/index.ts";

const simple = (value: SimpleType): LiteralType => create(LiteralTypeSchema, { type: { case: "simple", value } });
const lt = (type: MessageInitShape<typeof LiteralTypeSchema>["type"]): LiteralType => create(LiteralTypeSchema, { type });
const INT = simple(SimpleType.INTEGER);
const FLOAT = simple(SimpleType.FLOAT);
const STRING = simple(SimpleType.STRING);
const DATE = simple(SimpleType.DATE);
const DATETIME = simple(SimpleType.DATETIME);
const DURATION = simple(SimpleType.DURATION);
const list = (item: LiteralType) => lt({ case: "collection", value: { item } });
const map = (value: LiteralType) => lt({ case: "map", value: { value } });
const optional = (inner: LiteralType) => lt({ case: "optional", value: { inner } });
const union = (...variants: LiteralType[]) => lt({ case: "union", value: { variants } });
const people = lt({
  case: "dataframe",
  value: {
    format: "arrow",
    columns: [
      { name: "name", type: { id: ArrowTypeId.UTF8 } },
      { name: "age", type: { id: ArrowTypeId.INT, bitWidth: 64, signed: true } },
    ],
  },
});

let store: LocalArtifactStore;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-literals-"));
  store = new LocalArtifactStore(join(dir, "artifacts"));
});

async function roundTrip(value: unknown, type: LiteralType): Promise<unknown> {
  const lit = await toLiteral(value, type, store);
  expect(lit.hash).toBe(hashLiteral(lit));
  expect(lit.hash).toMatch(/^[0-9a-f]{64}$/);
  return fromLiteral(lit, type, store);
}

describe("toLiteral / fromLiteral", () => {
  it("round-trips every scalar type", async () => {
    expect(await roundTrip(42, INT)).toBe(42);
    expect(await roundTrip(2n ** 60n, INT)).toBe(2n ** 60n);
    expect(await roundTrip(0.25, FLOAT)).toBe(0.25);
    expect(await roundTrip("héllo", STRING)).toBe("héllo");
    expect(await roundTrip(true, simple(SimpleType.BOOLEAN))).toBe(true);
    expect(await roundTrip("2024-02-29", DATE)).toBe("2024-02-29");
    const when = new Date("2024-05-01T12:34:56.789Z");
    expect(await roundTrip(when, DATETIME)).toEqual(when);
    expect(await roundTrip(90_000.5, DURATION)).toBe(90_000.5);
    expect(await roundTrip(-1500, DURATION)).toBe(-1500);
    expect(await roundTrip("b", lt({ case: "enumType", value: { values: ["a", "b"] } }))).toBe("b");
  });

  it("round-trips structs, lists, maps, optionals and unions", async () => {
    const struct = lt({
      case: "struct",
      value: {
        fields: [
          { name: "lr", type: FLOAT },
          { name: "tags", type: list(STRING), optional: true },
        ],
      },
    });
    expect(await roundTrip({ lr: 0.1, tags: ["x"] }, struct)).toEqual({ lr: 0.1, tags: ["x"] });
    expect(await roundTrip([1, 2, 3], list(INT))).toEqual([1, 2, 3]);
    expect(await roundTrip({ a: [1], b: [] }, map(list(INT)))).toEqual({ a: [1], b: [] });
    expect(await roundTrip(undefined, optional(INT))).toBeUndefined();
    expect(await roundTrip(7, optional(INT))).toBe(7);
    expect(await roundTrip("x", union(INT, STRING))).toBe("x");
    expect(await roundTrip(3, union(INT, STRING))).toBe(3);
  });

  it("stores files and directories content-addressed and reads them back", async () => {
    const src = join(dir, "model.pt");
    writeFileSync(src, "weights");
    const fileType = lt({ case: "blob", value: { kind: BlobKind.FILE, format: "pt" } });
    const lit = await toLiteral({ path: src }, fileType, store);
    expect(lit.value.case === "blob" && lit.value.value.uri.startsWith("file:///")).toBe(true);
    const back = (await fromLiteral(lit, fileType, store)) as { path: string; format: string };
    expect(readFileSync(back.path, "utf8")).toBe("weights");
    expect(back.format).toBe("pt");

    const tree = join(dir, "tree");
    mkdirSync(join(tree, "sub"), { recursive: true });
    writeFileSync(join(tree, "a.txt"), "A");
    writeFileSync(join(tree, "sub", "b.txt"), "B");
    const dirType = lt({ case: "blob", value: { kind: BlobKind.DIRECTORY } });
    const dirLit = await toLiteral({ path: tree }, dirType, store);
    const out = (await fromLiteral(dirLit, dirType, store)) as { path: string };
    expect(readFileSync(join(out.path, "sub", "b.txt"), "utf8")).toBe("B");
  });

  it("writes a dataframe as an Arrow IPC file with its actual schema and reads the same table", async () => {
    const table = tableFromArrays({ name: ["ada", "bob"], age: BigInt64Array.from([36n, 41n]) });
    const lit = await toLiteral(table, people, store);
    if (lit.value.case !== "dataframe") throw new Error("expected a dataframe ref");
    const ref = lit.value.value;
    expect(ref.rows).toBe(2n);
    expect(ref.schema?.columns.map((c) => [c.name, c.type?.id, c.nullable])).toEqual([
      // tableFromArrays dictionary-encodes strings; dictionary<utf8> may feed utf8 (lossless).
      ["name", ArrowTypeId.DICTIONARY, false],
      ["age", ArrowTypeId.INT, false],
    ]);
    // An Arrow IPC *file* starts with the ARROW1 magic.
    const bytes = readFileSync(store.path(ref.uri));
    expect(bytes.subarray(0, 6).toString()).toBe("ARROW1");
    expect(tableFromIPC(bytes).numRows).toBe(2);
    const back = (await fromLiteral(lit, people, store)) as Table;
    expect(back.getChild("name")?.toArray()).toEqual(["ada", "bob"]);
    expect(Array.from(back.getChild("age")!.toArray() as BigInt64Array)).toEqual([36n, 41n]);
  });

  it("records what the data holds at every depth, so a consumer is checked from the ref alone", async () => {
    const anyTable = lt({ case: "dataframe", value: { format: "arrow", any: true } });
    const tags = (values: (string | null)[][]) => new Table({ tags: vectorFromArray(values, new List(new Field("item", new Utf8(), true))) });
    const wantsItems = lt({
      case: "dataframe",
      value: {
        format: "arrow",
        columns: [{ name: "tags", type: { id: ArrowTypeId.LIST, children: [{ name: "item", type: { id: ArrowTypeId.UTF8 }, nullable: false }] } }],
      },
    });
    const clean = await toLiteral(tags([["a"], ["b", "c"]]), anyTable, store);
    const holey = await toLiteral(tags([["a"], [null]]), anyTable, store);
    const itemNullable = (lit: typeof clean) => (lit.value.case === "dataframe" ? lit.value.value.schema?.columns[0].type?.children[0].nullable : undefined);
    expect(itemNullable(clean)).toBe(false);
    expect(itemNullable(holey)).toBe(true);
    expect(validateLiteral(clean, wantsItems)).toEqual([]);
    expect(validateLiteral(holey, wantsItems, "input 't'")).toEqual(["input 't': column 'tags[]' may contain nulls, but the schema declares it non-nullable"]);
  });

  it("rejects a table missing a declared column, naming it", async () => {
    const table = tableFromArrays({ name: ["ada"] });
    await expect(toLiteral(table, people, store, "output 'people'")).rejects.toThrow("output 'people': missing column 'age' (int64) declared in the schema");
  });

  it("throws a coded error naming the path for a value of the wrong type", async () => {
    const err = await toLiteral([1, "two"], list(INT), store, "input 'xs'").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LiteralError);
    expect((err as LiteralError).code).toBe("VALUE_INVALID");
    expect((err as LiteralError).problems).toEqual(["input 'xs'[1]: expected int, got string 'two'"]);
  });
});

describe("hashLiteral", () => {
  it("is independent of map key order and of where a blob is stored", async () => {
    const a = await toLiteral({ x: 1, y: 2 }, map(INT), store);
    const b = await toLiteral({ y: 2, x: 1 }, map(INT), store);
    expect(a.hash).toBe(b.hash);
    const s1 = lt({ case: "struct", value: { fields: [] } });
    expect((await toLiteral({ p: 1, q: 2 }, s1, store)).hash).toBe((await toLiteral({ q: 2, p: 1 }, s1, store)).hash);
    const other = new LocalArtifactStore(join(dir, "other"));
    const table = tableFromArrays({ name: ["ada"], age: BigInt64Array.from([1n]) });
    const t1 = await toLiteral(table, people, store);
    const t2 = await toLiteral(table, people, other);
    expect(t1.hash).toBe(t2.hash);
    expect((await toLiteral(1, INT, store)).hash).not.toBe((await toLiteral(1, FLOAT, store)).hash);
  });
});

describe("parseInputValue", () => {
  it("parses each type from CLI text", () => {
    expect(parseInputValue("42", INT)).toBe(42);
    expect(parseInputValue("99999999999999999999", INT)).toBeTypeOf("bigint");
    expect(parseInputValue("0.5", FLOAT)).toBe(0.5);
    expect(parseInputValue("yes", simple(SimpleType.BOOLEAN))).toBe(true);
    expect(parseInputValue("2024-05-01", DATE)).toBe("2024-05-01");
    expect(parseInputValue("2024-05-01T10:00:00Z", DATETIME)).toEqual(new Date("2024-05-01T10:00:00Z"));
    expect(parseInputValue("30m", DURATION)).toBe(1_800_000);
    expect(parseInputValue("[1,2]", list(INT))).toEqual([1, 2]);
    expect(parseInputValue('{"a":1}', map(INT))).toEqual({ a: 1 });
    expect(parseInputValue("data/x.csv", lt({ case: "blob", value: { kind: BlobKind.FILE, format: "csv" } }))).toEqual({
      path: "data/x.csv",
      format: "csv",
    });
    expect(parseInputValue("", optional(INT))).toBeUndefined();
  });

  it("says which type it expected", () => {
    expect(() => parseInputValue("yesterday", DATE, "input 'day'")).toThrow("input 'day': expected date (YYYY-MM-DD), e.g. 2024-05-01, got 'yesterday'");
    expect(() => parseInputValue("fast", lt({ case: "enumType", value: { values: ["a", "b"] } }), "input 'mode'")).toThrow(
      "input 'mode': expected enum (a | b) (one of 'a', 'b'), got 'fast'",
    );
    expect(() => parseInputValue("[1,", list(INT))).toThrow("written as JSON");
    expect(() => parseInputValue("1.5", INT)).toThrow("expected int, e.g. 42");
  });

  it("turns CLI text into a hashed literal", async () => {
    const lit = await parseInputLiteral("2024-05-01", DATE, store);
    expect(lit.value.case === "scalar" && lit.value.value.value).toEqual({ case: "date", value: "2024-05-01" });
  });
});

describe("LocalArtifactStore", () => {
  it("addresses content by sha256 and stores identical bytes once", async () => {
    const a = await store.put(new TextEncoder().encode("same"));
    const b = await store.put(new TextEncoder().encode("same"));
    expect(a).toEqual(b);
    expect(a.uri).toMatch(new RegExp(`/sha256/${a.sha256.slice(0, 2)}/${a.sha256}$`));
    expect(await store.exists(a.uri)).toBe(true);
    expect(await store.exists(a.uri.replace(a.sha256, "0".repeat(64)))).toBe(false);
    await expect(store.read(a.uri.replace(a.sha256, "0".repeat(64)))).rejects.toMatchObject({ code: "ARTIFACT_MISSING" });
  });
});
