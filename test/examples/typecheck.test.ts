// The examples as the editor sees them: ml-pipeline is clean, broken fails at exactly the lines
// of its three mismatches (examples/broken/README.md).
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");

function typeErrors(project: string): string[] {
  const configPath = join(root, project, "tsconfig.json");
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error(`cannot read ${configPath}`);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const file = d.file ? d.file.fileName.slice(root.length + 1) : "?";
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return `${file}:${line} TS${d.code}`;
  });
}

describe("examples type-check as the editor sees them", () => {
  it("examples/ml-pipeline is clean", () => {
    expect(typeErrors("examples/ml-pipeline")).toEqual([]);
  });

  it("examples/broken fails at each mismatch and nowhere else", () => {
    expect(typeErrors("examples/broken")).toEqual([
      "examples/broken/pipeline.ts:49 TS2322", // age: Int32 → Utf8
      "examples/broken/pipeline.ts:50 TS2322", // tenure_days missing
      "examples/broken/pipeline.ts:51 TS2322", // float into int
    ]);
  });
});
