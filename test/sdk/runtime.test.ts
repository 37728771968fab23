import { describe, expect, test } from "vitest";
import { z } from "zod";
import { df, map, parseDuration, parseMemory, sensor, t, task, traceWorkflow, when, workflow } from "../../sdk/index.ts";

describe("descriptors", () => {
  test("value types", () => {
    expect(t.int()).toEqual({ kind: "int" });
    expect(t.enum(["a", "b"])).toEqual({ kind: "enum", values: ["a", "b"] });
    expect(t.file({ format: "csv" })).toEqual({ kind: "file", format: "csv" });
    expect(t.list(t.int())).toEqual({ kind: "list", item: { kind: "int" } });
    expect(t.map(t.bool())).toEqual({ kind: "map", value: { kind: "bool" } });
    expect(t.optional(t.date())).toEqual({ kind: "optional", inner: { kind: "date" } });
    expect(t.union(t.int(), t.string())).toEqual({ kind: "union", variants: [{ kind: "int" }, { kind: "string" }] });
    const schema = z.object({ a: z.number() });
    expect(t.struct(schema).schema).toBe(schema);
  });
  test("dataframes", () => {
    const s = df.schema({
      age: df.int32(),
      country: df.utf8().nullable(),
      at: df.timestamp("ms", "UTC"),
      tags: df.list(df.utf8().nullable()),
      kind: df.dictionary(df.utf8()),
    });
    expect(s).toEqual({
      kind: "dataframe",
      format: "arrow",
      columns: {
        age: { arrow: "int32", nullable: false },
        country: { arrow: "utf8", nullable: true },
        at: { arrow: "timestamp", unit: "ms", tz: "UTC", nullable: false },
        tags: { arrow: "list", nullable: false, child: { arrow: "utf8", nullable: true } },
        kind: { arrow: "dictionary", nullable: false, value: { arrow: "utf8", nullable: false }, index: "int32" },
      },
    });
    expect(df.any()).toEqual({ kind: "dataframe", columns: {}, format: "arrow", any: true });
  });
});

describe("tasks and workflows", () => {
  const add = task({ name: "add", inputs: { a: t.int(), b: t.int() }, outputs: { sum: t.int() } }, ({ a, b }) => ({ sum: a + b }));
  test("task object", async () => {
    expect(add.kind).toBe("task");
    expect(add.config.name).toBe("add");
    expect(await add.fn({ a: 1, b: 2 }, { log() {}, attempt: 1, executionId: "e", nodeId: "n", workdir: "." })).toEqual({ sum: 3 });
    const cmd = task.command({ name: "train", inputs: {}, outputs: { model: t.file() }, command: ["python3", "train.py"] });
    expect(cmd.kind).toBe("commandTask");
  });
  test("reserved output names throw", () => {
    expect(() => task({ name: "x", inputs: {}, outputs: { after: t.int() } }, () => ({}) as never)).toThrow(/reserved/);
    expect(() => workflow({ name: "w", outputs: { after: t.int() } }, () => {})).toThrow(/reserved/);
  });
  test("calling outside a body returns refs", () => {
    const out = add({ a: 1, b: 2 });
    expect(out.sum.kind).toBe("ref");
    expect(`${out.sum}`).toMatch(/^\{\{add(_\d+)?\.sum\}\}$/);
  });
  test("trace records nodes", () => {
    const list = task({ name: "list", inputs: {}, outputs: { xs: t.list(t.int()) } }, () => ({ xs: [1] }));
    const wf = workflow({ name: "w", inputs: { n: t.int() }, outputs: { s: t.int() } }, ({ n }) => {
      const f = sensor.file("in/data.csv");
      const a = add({ a: n, b: 1 }).after(f);
      const m = map(add, list({}).xs, { b: 2 });
      const w = when(a.sum.gt(3))
        .then(() => ({ s: a.sum }))
        .otherwise(() => ({ s: add({ a: 0, b: 0 }).sum }));
      expect(m.sum.target.node).toBe("add_2");
      return { s: w.s };
    });
    const trace = traceWorkflow(wf);
    expect(trace.nodes.map((n) => n.kind)).toEqual(["sensor", "task", "task", "map", "task", "when"]);
    expect(trace.nodes[1].after).toEqual([trace.nodes[0].id]);
    expect(String(trace.outputs.s)).toBe("{{when.s}}");
  });
});

describe("durations and memory", () => {
  test("parseDuration", () => {
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("2s")).toBe(2000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    for (const bad of ["", "30", "5 minutes", "m", "-1s"]) expect(() => parseDuration(bad)).toThrow(bad === "" ? /duration/ : bad);
  });
  test("parseMemory", () => {
    expect(parseMemory("4Gi")).toBe(4 * 2 ** 30);
    expect(parseMemory("512Mi")).toBe(512 * 2 ** 20);
    expect(parseMemory("1G")).toBe(1e9);
    expect(parseMemory("1024")).toBe(1024);
    expect(() => parseMemory("4GB")).toThrow(/"4GB"/);
  });
});
