// A consumer's column or struct field that the producer has under a near name gets the same
// "did you mean" hint as an input or output name.
import { describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/index.ts";
import { fixture } from "./fixture-paths.ts";

const edges = compileProject(fixture("did-you-mean")).diagnostics.filter((d) => d.code === "WEIR1001");

describe("compile: did you mean, for columns and fields", () => {
  it("suggests the producer's 'Age' for a consumer's missing 'age' column", () => {
    const table = edges.find((d) => d.message.includes("'table'"));
    expect(table?.details).toEqual(["column 'age': missing in the producer (the consumer needs Int32); did you mean 'Age'?"]);
  });

  it("suggests the producer's 'Accuracy' for a struct's missing 'accuracy' field", () => {
    const metrics = edges.find((d) => d.message.includes("'metrics'"));
    expect(metrics?.details.join("\n")).toContain("did you mean 'Accuracy'?");
  });
});
