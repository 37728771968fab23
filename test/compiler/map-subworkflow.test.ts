// `map` runs a task per item (the spec's MapNode names a task): the editor refuses a workflow as
// `weir compile` does, so nothing type-checks and then fails to compile.
import { describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/index.ts";
import { fixture } from "./fixture-paths.ts";

const diagnostics = compileProject(fixture("map-subworkflow")).diagnostics;

describe("compile: map over a subworkflow", () => {
  it("is refused by the editor's types (the @ts-expect-error is used) and by the compiler", () => {
    // An unused @ts-expect-error would be TS2578 (WEIR9001) on the comment's own line.
    expect(diagnostics.filter((d) => d.code === "WEIR9001")).toEqual([]);
    expect(diagnostics.map((d) => `${d.code}@${d.location?.line}`)).toEqual(["WEIR9002@10"]);
    expect(diagnostics[0].message).toContain("map over a task");
  });
});
