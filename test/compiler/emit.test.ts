// Spec files are assembled from memoised template encodings; they must be exactly what protobuf-es
// writes for the whole message, binary and JSON, and written files must hold those bytes.
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateProject } from "../../bench/compile/generate-project.ts";
import { compileProject, emitSpecs, specJson } from "../../compiler/index.ts";
import { specBinary } from "../../compiler/spec-hash.ts";
import { CompiledWorkflowSchema } from "../../proto/index.ts";
import type { CompiledWorkflow } from "../../proto/index.ts";
import { REPO_ROOT, fixture } from "./fixture-paths.ts";

const dir = mkdtempSync(path.join(tmpdir(), "weir-emit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
generateProject(path.join(dir, "project"), path.join(REPO_ROOT, "sdk/index.ts"), { taskFiles: 2, tasks: 6, bigNodes: 5, smallWorkflows: 3, smallNodes: 3 });
// A workflow that runs two others as subworkflows.
writeFileSync(
  path.join(dir, "project", "workflows", "outer.ts"),
  [
    `import { df, t, workflow } from "weir";`,
    `import { small_0 } from "./small_0.ts";`,
    `import { small_1 } from "./small_1.ts";`,
    `const Table = df.schema({ id: df.int64(), score: df.float64().nullable() });`,
    `export const outer = workflow({ name: "outer", inputs: { x: t.int(), table: Table }, outputs: { y: t.int() } }, (inputs) => {`,
    `  const a = small_0({ x: inputs.x, table: inputs.table });`,
    `  const b = small_1({ x: a.y, table: inputs.table });`,
    `  return { y: b.y };`,
    `});`,
  ].join("\n"),
);

const specs: CompiledWorkflow[] = [...compileProject(fixture("pipeline")).specs, ...compileProject(path.join(dir, "project")).specs];

describe("emit", () => {
  it("compiles the specs it checks (shared tasks, subworkflows)", () => {
    expect(specs.length).toBeGreaterThan(4);
    expect(specs.some((s) => s.subworkflows.length > 0)).toBe(true);
  });

  it("writes protobuf-es's own binary and JSON of each spec", () => {
    for (const spec of [...specs, create(CompiledWorkflowSchema, {}), create(CompiledWorkflowSchema, { compilerVersion: "v" })]) {
      expect(specBinary(spec)).toEqual(toBinary(CompiledWorkflowSchema, spec));
      expect(specJson(spec)).toBe(`${toJsonString(CompiledWorkflowSchema, spec, { prettySpaces: 2 })}\n`);
    }
  });

  it("writes those bytes to <name>.pb and <name>.json", () => {
    const out = path.join(dir, "out");
    const written = emitSpecs(specs, out);
    expect(written).toHaveLength(specs.length * 2);
    for (const spec of specs) {
      const base = path.join(out, spec.workflow!.name);
      expect(new Uint8Array(readFileSync(`${base}.pb`))).toEqual(toBinary(CompiledWorkflowSchema, spec));
      expect(readFileSync(`${base}.json`, "utf8")).toBe(`${toJsonString(CompiledWorkflowSchema, spec, { prettySpaces: 2 })}\n`);
    }
  });
});
