import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CodeHashError, compileProject, taskCodeHash, taskVersion } from "../../compiler/index.ts";
import { create } from "@bufbuild/protobuf";
import { TypedInterfaceSchema } from "../../proto/index.ts";
import { generateProject } from "../../bench/compile/generate-project.ts";
import { REPO_ROOT, fixture } from "./fixture-paths.ts";

const dir = mkdtempSync(path.join(tmpdir(), "weir-code-hash-"));
cpSync(fixture("pipeline"), dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Edits a file and moves its mtime forward so the parse cache (path, mtime, size) sees it.
let tick = 1;
function edit(file: string, change: (text: string) => string): void {
  const full = path.join(dir, file);
  writeFileSync(full, change(readFileSync(full, "utf8")));
  const when = new Date(Date.now() + 1000 * tick++);
  utimesSync(full, when, when);
}

describe("taskCodeHash", () => {
  it("is stable, and changes when a helper the task's module imports changes", () => {
    const before = taskCodeHash(dir, "tasks.ts", "train");
    expect(taskCodeHash(dir, "tasks.ts", "train")).toBe(before);
    edit("helpers.ts", (t) => t.replace("x * 2", "x * 3"));
    expect(taskCodeHash(dir, "tasks.ts", "train")).not.toBe(before);
  });

  it("does not change when an unrelated file or a sibling task changes", () => {
    const before = taskCodeHash(dir, "tasks.ts", "ingest");
    edit("unrelated.ts", (t) => `${t}export const MORE = 2;\n`);
    expect(taskCodeHash(dir, "tasks.ts", "ingest")).toBe(before);
    edit("tasks.ts", (t) => t.replace('command: ["python", "deploy.py"]', 'command: ["python3", "deploy.py"]'));
    expect(taskCodeHash(dir, "tasks.ts", "ingest")).toBe(before);
    edit("tasks.ts", (t) => t.replace('timeout: "10m"', 'timeout: "11m"'));
    expect(taskCodeHash(dir, "tasks.ts", "ingest")).not.toBe(before);
  });

  it("follows export aliases and re-exports", () => {
    expect(taskCodeHash(dir, "tasks.ts", "scoreItem")).toMatch(/^[0-9a-f]{64}$/);
    expect(() => taskCodeHash(dir, "tasks.ts", "score")).toThrow(CodeHashError);
    expect(() => taskCodeHash(dir, "missing.ts", "x")).toThrow(/does not exist/);
  });

  it("versions combine the interface and the code hash", () => {
    const a = create(TypedInterfaceSchema, { inputs: [{ name: "a" }] });
    const b = create(TypedInterfaceSchema, { inputs: [{ name: "b" }] });
    expect(taskVersion(a, "h")).not.toBe(taskVersion(b, "h"));
    expect(taskVersion(a, "h")).not.toBe(taskVersion(a, "i"));
    expect(taskVersion(a, "h")).toBe(taskVersion(a, "h"));
  });
});

// The compiler hashes the files its program parsed; the worker parses them from disk. A task the
// worker recomputes must carry the very version the compiler wrote, or it refuses to run.
describe("compile-time and worker-time code hashes", () => {
  const agree = (root: string) => {
    const result = compileProject(root);
    expect(result.diagnostics.filter((d) => d.category === "error")).toEqual([]);
    const tasks = result.specs.flatMap((s) => s.tasks).filter((t) => t.runtime.case === "node");
    expect(tasks.length).toBeGreaterThan(2);
    for (const task of tasks) {
      const runtime = task.runtime.value as { module: string; exportName: string };
      expect(task.version, task.name).toBe(taskVersion(task.interface!, taskCodeHash(root, runtime.module, runtime.exportName)));
    }
  };

  it("agree on the pipeline fixture", () => agree(fixture("pipeline")));

  it("agree when a file's text differs from what the parser kept (a byte-order mark)", () => {
    const copy = mkdtempSync(path.join(tmpdir(), "weir-code-hash-bom-"));
    try {
      generateProject(copy, path.join(REPO_ROOT, "sdk/index.ts"), { taskFiles: 2, bigNodes: 4, smallWorkflows: 1, smallNodes: 2 });
      // An imported module counts by its full text, BOM included; TypeScript's reader drops it.
      writeFileSync(path.join(copy, "helpers.ts"), "\uFEFFexport const bump = (x: number): number => x + 1;\n");
      const file = path.join(copy, "tasks", "file_0.ts");
      writeFileSync(file, `import { bump } from "../helpers.ts";\nexport const BUMPED = bump(1);\n${readFileSync(file, "utf8")}`);
      agree(copy);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
