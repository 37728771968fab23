import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/index.ts";
import { ArrowTypeId, CompiledWorkflowSchema, TimeUnit } from "../../proto/index.ts";
import type { CompiledWorkflow, Node } from "../../proto/index.ts";
import { fixture } from "./fixture-paths.ts";

const result = compileProject(fixture("pipeline"));
const spec = result.specs[0] as CompiledWorkflow;
const node = (id: string, nodes: Node[] = spec.workflow!.nodes): Node => {
  const found = nodes.find((n) => n.id === id);
  if (!found) throw new Error(`no node ${id}; have ${nodes.map((n) => n.id).join(", ")}`);
  return found;
};

describe("compile: the pipeline fixture", () => {
  it("compiles clean, once per workflow despite the re-export", () => {
    expect(result.diagnostics).toEqual([]);
    expect(result.specs.map((s) => s.workflow?.name)).toEqual(["daily"]);
  });

  it("extracts every node kind with stable ids and sorted upstream", () => {
    expect(spec.workflow!.nodes.map((n) => [n.id, n.target.case])).toEqual([
      ["sensor", "sensor"],
      ["ingest", "task"],
      ["train", "task"],
      ["branch", "branch"],
      ["score", "map"],
    ]);
    expect(node("ingest").upstream).toEqual(["sensor"]);
    expect(node("train").upstream).toEqual(["ingest"]);
    expect(node("branch").upstream).toEqual(["train"]);
  });

  it("types literals by the input they are bound to", () => {
    const ingest = node("ingest");
    const limit = ingest.inputs.find((b) => b.var === "limit")!;
    expect(limit.value?.value).toMatchObject({ case: "literal", value: { value: { case: "scalar", value: { value: { case: "integer", value: 1000n } } } } });
    const rate = node("train").inputs.find((b) => b.var === "rate")!;
    expect(rate.value?.value).toMatchObject({ case: "literal", value: { value: { case: "scalar", value: { value: { case: "float", value: 3 } } } } });
  });

  it("records binding and node locations (file:line:col of the argument)", () => {
    const file = node("ingest").inputs.find((b) => b.var === "file")!;
    expect(file.source).toMatchObject({ file: "workflows.ts", line: 14, column: 32 });
    expect(node("ingest").source).toMatchObject({ file: "workflows.ts", line: 14, column: 17 });
  });

  it("turns a template string into a StringTemplate on the sensor's path", () => {
    const sensor = node("sensor");
    expect(sensor.target.case).toBe("sensor");
    const path = sensor.inputs[0];
    expect(path.var).toBe("path");
    const template = path.value?.value.case === "template" ? path.value.value.value : undefined;
    expect(template?.parts.map((p) => p.part.value)).toEqual(["data/incoming/", "day", "/data.csv"]);
  });

  it("builds the branch with its arm's nodes and a struct attribute path in the condition", () => {
    const branch = node("branch").target;
    if (branch.case !== "branch") throw new Error("not a branch");
    const arm = branch.value.cases[0];
    expect(arm.nodes.map((n) => n.id)).toEqual(["deploy"]);
    const cond = arm.condition?.expr;
    expect(cond?.case).toBe("comparison");
    if (cond?.case === "comparison") {
      expect(cond.value.left?.value).toMatchObject({ case: "ref", value: { nodeId: "train", output: "metrics", attrPath: ["accuracy"] } });
    }
    expect(branch.value.otherwise).toBeDefined();
  });

  it("maps over the one free input", () => {
    const map = node("score").target;
    expect(map).toMatchObject({ case: "map", value: { task: "score", mappedInput: "item" } });
  });

  it("reads interfaces from the checker: dataframe columns with Arrow parameters, struct fields", () => {
    const ingest = spec.tasks.find((t) => t.name === "ingest")!;
    const table = ingest.interface!.outputs[0].type!.type;
    if (table.case !== "dataframe") throw new Error("not a dataframe");
    const byName = Object.fromEntries(table.value.columns.map((c) => [c.name, c]));
    expect(byName.age.type).toMatchObject({ id: ArrowTypeId.INT, bitWidth: 32, signed: true });
    expect(byName.seen.type).toMatchObject({ id: ArrowTypeId.TIMESTAMP, unit: TimeUnit.MILLISECOND, timezone: "UTC" });
    expect(byName.price.type).toMatchObject({ id: ArrowTypeId.DECIMAL, precision: 10, scale: 2 });
    expect(byName.country.nullable).toBe(true);
    expect(byName.country.type?.children[0].type?.id).toBe(ArrowTypeId.UTF8);
    const metrics = spec.tasks.find((t) => t.name === "train")!.interface!.outputs.find((v) => v.name === "metrics")!.type!.type;
    if (metrics.case !== "struct") throw new Error("not a struct");
    expect(metrics.value.fields.map((f) => [f.name, f.optional])).toEqual([
      ["accuracy", false],
      ["label", true],
    ]);
    expect(JSON.parse(metrics.value.jsonSchema)).toMatchObject({ required: ["accuracy"] });
  });

  it("reads task config: resources, retries, runtime (module + export alias), command tasks", () => {
    const ingest = spec.tasks.find((t) => t.name === "ingest")!;
    expect(ingest.resources).toMatchObject({ pool: "cpu", cpu: 2, memory: 4n * 2n ** 30n });
    expect(ingest.retries?.attempts).toBe(3);
    expect(Number(ingest.timeout?.seconds)).toBe(600);
    const train = spec.tasks.find((t) => t.name === "train")!;
    expect(train.resources).toMatchObject({ pool: "gpu", gpu: 1, gpuType: "a100" });
    expect(train.interruptible).toBe(true);
    expect(spec.tasks.find((t) => t.name === "score")!.runtime).toMatchObject({ case: "node", value: { module: "tasks.ts", exportName: "scoreItem" } });
    expect(spec.tasks.find((t) => t.name === "deploy")!.runtime).toMatchObject({
      case: "command",
      value: { command: ["python", "deploy.py"], env: { MODE: "prod" } },
    });
    expect(spec.workflow!.schedule).toMatchObject({ trigger: { case: "cron", value: "0 3 * * *" }, timezone: "Europe/Paris", kickoffInput: "day" });
  });

  it("round-trips through the binary form and is deterministic across runs", () => {
    const bytes = toBinary(CompiledWorkflowSchema, spec);
    expect(toBinary(CompiledWorkflowSchema, fromBinary(CompiledWorkflowSchema, bytes))).toEqual(bytes);
    const again = compileProject(fixture("pipeline")).specs[0];
    expect(toBinary(CompiledWorkflowSchema, again)).toEqual(bytes);
    expect(spec.workflow!.version).toMatch(/^[0-9a-f]{64}$/);
    expect(spec.tasks.every((t) => /^[0-9a-f]{64}$/.test(t.version))).toBe(true);
  });
});

describe("compile: rejected bodies and warnings", () => {
  const codesAt = (name: string) => compileProject(fixture(name)).diagnostics.map((d) => `${d.code}@${d.location?.line}`);

  it("reports unsupported syntax with a way to express it", () => {
    const diags = compileProject(fixture("unsupported")).diagnostics.filter((d) => d.code === "WEIR9002");
    // The async body is reported once, at `async` (line 10); its await (line 14) is that same mistake.
    expect(diags.map((d) => d.location?.line)).toEqual([10, 11, 12, 13, 15]);
    expect(diags[1].message).toContain("map(");
    expect(diags[2].message).toContain("when(");
  });

  it("warns about top-level side effects and any-typed values", () => {
    const codes = codesAt("warnings");
    expect(codes).toContain("WEIR6002@4");
    // `const connection = openConnection(...)` at top level is flagged; `z.object(...)` is data.
    const line = (text: string) =>
      readFileSync(join(fixture("warnings"), "workflows.ts"), "utf8")
        .split("\n")
        .findIndex((l) => l.includes(text)) + 1;
    expect(codes).toContain(`WEIR6002@${line('openConnection("postgres')}`);
    expect(codes).not.toContain(`WEIR6002@${line("z.object")}`);
    expect(codes.some((c) => c.startsWith("WEIR6003"))).toBe(true);
    expect(compileProject(fixture("warnings")).diagnostics.every((d) => d.category === "warning")).toBe(true);
  });

  it("names the columns that differ on a dataframe edge, at the argument", () => {
    const [edge] = compileProject(fixture("mismatch")).diagnostics;
    expect(edge.code).toBe("WEIR1001");
    expect(edge.location).toMatchObject({ file: "workflows.ts", line: 12, column: 20 });
    expect(edge.details.join("\n")).toMatch(/age/);
    expect(edge.details.join("\n")).toMatch(/name/);
  });

  it("compiles a bare directory without tsconfig.json", () => {
    const bare = compileProject(fixture("no-tsconfig"));
    expect(bare.diagnostics).toEqual([]);
    expect(bare.specs[0].workflow?.nodes.map((n) => n.id)).toEqual(["hello"]);
  });

  it("reports a missing project as a configuration error", () => {
    const missing = compileProject(fixture("does-not-exist"));
    expect(missing.configError).toBe(true);
    expect(missing.diagnostics[0].code).toBe("WEIR9005");
  });
});
