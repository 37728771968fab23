// The watch path (`watchProject(...).recompile(files)`) after one-line edits reports exactly what a
// cold compile of the edited files reports: same specs byte for byte, same diagnostics.
import { clone, toBinary } from "@bufbuild/protobuf";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateProject } from "../../bench/compile/generate-project.ts";
import { compileProject, specJson, watchProject } from "../../compiler/index.ts";
import type { CompileResult, WatchHandle } from "../../compiler/index.ts";
import { CompiledWorkflowSchema } from "../../proto/index.ts";
import { REPO_ROOT } from "./fixture-paths.ts";

const dir = mkdtempSync(path.join(tmpdir(), "weir-watch-"));
generateProject(dir, path.join(REPO_ROOT, "sdk/index.ts"), { taskFiles: 3, bigNodes: 9, smallWorkflows: 3, smallNodes: 3 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The version as the contract states it (the compiler hashes template encodings piecewise).
const versionByContract = (spec: CompileResult["specs"][number]): string => {
  const blank = clone(CompiledWorkflowSchema, spec);
  for (const t of [blank.workflow, ...blank.subworkflows]) if (t) t.version = "";
  return createHash("sha256").update(toBinary(CompiledWorkflowSchema, blank)).digest("hex");
};

const view = (r: CompileResult) => ({
  specs: r.specs.map(specJson),
  diagnostics: r.diagnostics.map((d) => `${d.code} ${d.location?.file}:${d.location?.line}:${d.location?.column} ${d.message}`),
});

function edit(rel: string, from: RegExp | string, to: string): string {
  const file = path.join(dir, rel);
  const text = readFileSync(file, "utf8");
  const next = text.replace(from, to);
  expect(next).not.toBe(text);
  writeFileSync(file, next);
  return file;
}

describe("compile --watch: recompile after a one-line change", () => {
  let handle: WatchHandle;
  let first: CompileResult | undefined;

  it("starts with what a cold compile reports", () => {
    const started = watchProject(dir, { onResult: (r) => (first = r), debounceMs: 1_000_000 });
    if ("specs" in started) throw new Error(JSON.stringify(started.diagnostics));
    handle = started;
    expect(first?.diagnostics).toEqual([]);
    expect(view(first!)).toEqual(view(compileProject(dir)));
  });

  it("a task body edit changes that task's version and every workflow using it, like a cold compile", () => {
    const before = first!.specs.find((s) => s.workflow?.name === "big")!;
    const file = edit("tasks/file_1.ts", "y: x + 0", "y: x + 100");
    const after = handle.recompile([file]);
    expect(view(after)).toEqual(view(compileProject(dir)));
    for (const spec of after.specs) expect(spec.workflow?.version).toBe(versionByContract(spec));
    const version = (r: typeof before, name: string) => r.tasks.find((t) => t.name === name)?.version;
    const big = after.specs.find((s) => s.workflow?.name === "big")!;
    expect(version(big, "step_1_0")).not.toBe(version(before, "step_1_0"));
    expect(version(big, "step_0_0")).toBe(version(before, "step_0_0"));
    expect(big.workflow?.version).not.toBe(before.workflow?.version);
  });

  it("a wrong edge in a workflow is reported, then cleared when fixed", () => {
    const file = edit("workflows/small_0.ts", /table: n0\.table/, "table: n0.y");
    const broken = handle.recompile([file]);
    expect(broken.diagnostics.some((d) => d.category === "error" && d.location?.file === "workflows/small_0.ts")).toBe(true);
    expect(view(broken)).toEqual(view(compileProject(dir)));
    edit("workflows/small_0.ts", /table: n0\.y/, "table: n0.table");
    const fixed = handle.recompile([file]);
    expect(fixed.diagnostics).toEqual([]);
    expect(view(fixed)).toEqual(view(compileProject(dir)));
  });

  it("a renamed task is renamed in every workflow using it", () => {
    const file = edit("tasks/file_2.ts", 'name: "step_2_0"', 'name: "renamed_2_0"');
    const after = handle.recompile([file]);
    expect(after.specs.some((s) => s.tasks.some((t) => t.name === "renamed_2_0"))).toBe(true);
    expect(view(after)).toEqual(view(compileProject(dir)));
  });

  it("a changed output type reaches the workflows that read it", () => {
    const file = edit("tasks/file_0.ts", "outputs: { y: t.int(), table: Table }", "outputs: { y: t.float(), table: Table }");
    const after = handle.recompile([file]);
    expect(after.diagnostics.some((d) => d.category === "error")).toBe(true);
    expect(view(after)).toEqual(view(compileProject(dir)));
    handle.close();
  });
});
