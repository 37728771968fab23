import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/index.ts";
import { REPO_ROOT } from "./fixture-paths.ts";

const example = (name: string) => path.join(REPO_ROOT, "examples", name);

describe.runIf(existsSync(example("ml-pipeline")) && existsSync(example("broken")))("the examples", () => {
  it("ml-pipeline compiles without errors", () => {
    const result = compileProject(example("ml-pipeline"));
    expect(result.diagnostics.filter((d) => d.category === "error")).toEqual([]);
    expect(result.specs.map((s) => s.workflow?.name)).toContain("ml_pipeline");
  });

  it("broken fails with the three edge mismatches its README lists", () => {
    const errors = compileProject(example("broken")).diagnostics.filter((d) => d.category === "error");
    const edges = errors.filter((d) => d.code === "WEIR1001");
    expect(edges).toHaveLength(3);
    expect(edges.every((d) => d.location?.file === "pipeline.ts")).toBe(true);
    expect(edges.map((d) => d.message).join("\n")).toMatch(/age/);
  });
});
