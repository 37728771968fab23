// Editor-time value type compatibility, task/workflow signatures, map, when and sensors.
import type { Table } from "apache-arrow";
import { describe, expectTypeOf, test } from "vitest";
import { z } from "zod";
import { and, df, map, not, or, sensor, t, task, when, workflow } from "../../sdk/index.ts";
import type { FileType, FileValue, IntType, JsValue, ListType, Ref, Task, WeirType } from "../../sdk/index.ts";

const produce = <O extends WeirType>(out: O) => task({ name: "produce", inputs: {}, outputs: { out } }, () => ({}) as never);
const consume = <I extends WeirType>(inp: I) => task({ name: "consume", inputs: { inp }, outputs: {} }, () => ({}));

describe("descriptors and JS values", () => {
  test("literal kinds", () => {
    expectTypeOf(t.int()).toEqualTypeOf<IntType>();
    expectTypeOf(t.enum(["a", "b"]).values).toEqualTypeOf<readonly ["a", "b"]>();
    expectTypeOf(t.file({ format: "csv" }).format).toEqualTypeOf<"csv">();
    expectTypeOf(t.file().format).toEqualTypeOf<undefined>();
    expectTypeOf(t.list(t.int()).item).toEqualTypeOf<IntType>();
  });
  test("JsValue", () => {
    expectTypeOf<JsValue<ReturnType<typeof t.int>>>().toEqualTypeOf<number>();
    expectTypeOf<JsValue<ReturnType<typeof t.date>>>().toEqualTypeOf<string>();
    expectTypeOf<JsValue<ReturnType<typeof t.datetime>>>().toEqualTypeOf<Date>();
    expectTypeOf<JsValue<ReturnType<typeof t.duration>>>().toEqualTypeOf<number>();
    expectTypeOf<JsValue<FileType<"csv">>>().toEqualTypeOf<FileValue>();
    const e = t.enum(["a", "b"]);
    expectTypeOf<JsValue<typeof e>>().toEqualTypeOf<"a" | "b">();
    const m = t.map(t.list(t.optional(t.string())));
    const mv: JsValue<typeof m> = { k: ["a", undefined] };
    expectTypeOf(mv).toExtend<Record<string, (string | undefined)[]>>();
    const s = t.struct(z.object({ a: z.number(), b: z.string() }));
    expectTypeOf<JsValue<typeof s>>().toEqualTypeOf<{ a: number; b: string }>();
    const u = t.union(t.int(), t.string());
    expectTypeOf<JsValue<typeof u>>().toEqualTypeOf<number | string>();
    expectTypeOf<JsValue<ReturnType<typeof df.any>>>().toEqualTypeOf<Table>();
  });
  test("task fn sees JS values and returns them", () => {
    const train = task(
      {
        name: "train",
        inputs: { rows: df.schema({ x: df.float64() }), epochs: t.int(), lr: t.optional(t.float()) },
        outputs: { model: t.file({ format: "onnx" }), accuracy: t.float() },
        resources: { pool: "gpu", gpu: 1, memory: "16Gi" },
        retries: { attempts: 3, backoff: "2s" },
        timeout: "30m",
      },
      async ({ rows, epochs, lr }, ctx) => {
        expectTypeOf(rows).toEqualTypeOf<Table>();
        expectTypeOf(epochs).toEqualTypeOf<number>();
        expectTypeOf(lr).toEqualTypeOf<number | undefined>();
        ctx.log(`attempt ${ctx.attempt}`);
        return { model: { path: "m.onnx" }, accuracy: 0.9 };
      },
    );
    expectTypeOf(train).toExtend<Task<any, any>>();
    expectTypeOf(train.kind).toEqualTypeOf<"task">();
  });
});

describe("value edges", () => {
  test("rejected structs", () => {
    workflow({ name: "bad-structs" }, () => {
      const narrow = t.struct(z.object({ a: z.number() }));
      const wide = t.struct(z.object({ a: z.number(), b: z.string() }));
      // @ts-expect-error struct missing field b
      consume(wide)({ inp: produce(narrow)({}).out });
      const other = t.struct(z.object({ a: z.string() }));
      // @ts-expect-error struct field type mismatch
      consume(other)({ inp: produce(narrow)({}).out });
    });
  });

  test("accepted", () => {
    workflow({ name: "ok", inputs: { day: t.date(), n: t.int() } }, ({ day, n }) => {
      consume(t.int())({ inp: produce(t.int())({}).out });
      consume(t.int())({ inp: 3 });
      consume(t.int())({ inp: n });
      consume(t.optional(t.int()))({ inp: produce(t.int())({}).out });
      consume(t.optional(t.int()))({ inp: undefined });
      consume(t.optional(t.int()))({});
      consume(t.string())({ inp: `data/incoming/${day}/data.csv` });
      consume(t.union(t.int(), t.string()))({ inp: produce(t.string())({}).out });
      consume(t.list(t.int()))({ inp: produce(t.list(t.int()))({}).out });
      consume(t.map(t.string()))({ inp: produce(t.map(t.string()))({}).out });
      consume(t.enum(["a", "b", "c"]))({ inp: produce(t.enum(["a", "b"]))({}).out });
      const wide = t.struct(z.object({ a: z.number(), b: z.string() }));
      const narrow = t.struct(z.object({ a: z.number() }));
      consume(narrow)({ inp: produce(wide)({}).out });
      consume(t.file())({ inp: produce(t.file({ format: "csv" }))({}).out });
      consume(t.file({ format: "csv" }))({ inp: sensor.file("data/x.csv").file });
      const s = produce(wide)({}).out;
      consume(t.float())({ inp: s.get("a") });
      consume(t.string())({ inp: s.get("b") });
    });
  });
  test("rejected", () => {
    workflow({ name: "bad" }, () => {
      // @ts-expect-error int into float
      consume(t.float())({ inp: produce(t.int())({}).out });
      // @ts-expect-error float into int
      consume(t.int())({ inp: produce(t.float())({}).out });
      // @ts-expect-error string into int
      consume(t.int())({ inp: produce(t.string())({}).out });
      // @ts-expect-error plain string into int
      consume(t.int())({ inp: "3" });
      // @ts-expect-error optional into required
      consume(t.int())({ inp: produce(t.optional(t.int()))({}).out });
      // @ts-expect-error required input left out
      consume(t.int())({});
      // @ts-expect-error list item mismatch
      consume(t.list(t.int()))({ inp: produce(t.list(t.string()))({}).out });
      // @ts-expect-error list into map
      consume(t.map(t.int()))({ inp: produce(t.list(t.int()))({}).out });
      // @ts-expect-error map value mismatch
      consume(t.map(t.int()))({ inp: produce(t.map(t.float()))({}).out });
      // @ts-expect-error enum value outside the consumer's
      consume(t.enum(["a"]))({ inp: produce(t.enum(["a", "b"]))({}).out });
      // @ts-expect-error union wider than consumer
      consume(t.int())({ inp: produce(t.union(t.int(), t.string()))({}).out });
      // @ts-expect-error file format mismatch
      consume(t.file({ format: "csv" }))({ inp: produce(t.file({ format: "parquet" }))({}).out });
      // @ts-expect-error file is not dir
      consume(t.dir())({ inp: produce(t.file())({}).out });
    });
  });
});

describe("workflow vocabulary", () => {
  const ingest = task({ name: "ingest", inputs: { path: t.string() }, outputs: { rows: df.schema({ x: df.int32() }), n: t.int() } }, () => ({}) as never);
  const score = task(
    { name: "score", inputs: { rows: df.schema({ x: df.int32() }), threshold: t.float() }, outputs: { score: t.float() } },
    () => ({}) as never,
  );
  const deploy = task({ name: "deploy", inputs: { score: t.float() }, outputs: { url: t.string() } }, () => ({}) as never);
  const days = task({ name: "days", inputs: {}, outputs: { paths: t.list(t.string()) } }, () => ({}) as never);

  test("subworkflow, map, when, sensor, after", () => {
    const sub = workflow({ name: "sub", inputs: { path: t.string() }, outputs: { score: t.float() } }, ({ path }) => {
      const i = ingest({ path });
      return { score: score({ rows: i.rows, threshold: 0.5 }).score };
    });
    workflow({ name: "main", schedule: { cron: "0 3 * * *", timezone: "UTC", catchup: true } }, () => {
      const f = sensor.file("data/{{ds}}.csv", { pokeInterval: "5m", timeout: "6h" });
      expectTypeOf(f.file).toEqualTypeOf<Ref<FileType<string>>>();
      const s = sub({ path: `${f.file}` });
      expectTypeOf(s.score).toEqualTypeOf<Ref<{ readonly kind: "float" }>>();
      const fan = map(ingest, days({}).paths);
      expectTypeOf(fan.n).toEqualTypeOf<Ref<ListType<IntType>>>();
      const fan2 = map(score, fan.rows as never, { threshold: 0.1 });
      expectTypeOf(fan2.score).toExtend<Ref<ListType<{ readonly kind: "float" }>>>();
      // @ts-expect-error items of the wrong type
      map(deploy, days({}).paths);
      const branch = when(and(s.score.gt(0.9), not(or(s.score.lt(0), s.score.isTrue()))))
        .then(() => ({ url: deploy({ score: s.score }).url, only: s.score }))
        .otherwise(() => ({ url: deploy({ score: 0 }).url }));
      expectTypeOf(branch.url).toExtend<Ref<{ readonly kind: "string" }>>();
      // @ts-expect-error only one branch returns it
      branch.only;
      when(s.score.gt(1)).then(() => deploy({ score: 1 }));
      deploy({ score: s.score }).after(f, s);
    });
  });
  test("reserved output names and body output types", () => {
    workflow({ name: "out", outputs: { n: t.int() } }, () => ({ n: ingest({ path: "p" }).n }));
    // @ts-expect-error workflow output of the wrong type
    workflow({ name: "out", outputs: { n: t.string() } }, () => ({ n: ingest({ path: "p" }).n }));
  });
});
