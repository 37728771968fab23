// The three formatters: human (location, code, details, code frame, summary), JSON (stable
// schema) and GitHub workflow commands (escaping).
import { describe, expect, it } from "vitest";
import { Diagnostics, diagnostic } from "../../../core/index.ts";
import { formatGithub, formatHuman, formatJson } from "../../../compiler/format/index.ts";

const source = [
  "import { wf } from 'weir';",
  "",
  "export const flow = wf(() => {",
  "  const t = load();",
  "",
  "",
  "",
  "",
  "",
  "",
  "",
  "  train({ table: t.table });",
  "});",
  "",
].join("\n");

const diags = [
  diagnostic(
    Diagnostics.EdgeTypeMismatch,
    ["output 'table' of node 'load' (task 'load')", "dataframe{age: Int32}", "input 'table' of node 'train' (task 'train')", "dataframe{age: Utf8}"],
    { file: "src/flow.ts", line: 12, column: 7 },
    ["column 'age': Int32 (producer) is not Utf8 (consumer)", "column 'x': missing, in the producer"],
    { workflow: "flow", node: "train" },
  ),
  diagnostic(Diagnostics.WorkflowOutputUnbound, ["model", "flow"], { file: "src/flow.ts", line: 3, column: 14 }),
  diagnostic(Diagnostics.AnyTypedValue, ["input 'payload' of task 'loose'", "any"]),
];

describe("formatHuman", () => {
  it("prints location, category and code, indented details, a code frame and a summary", () => {
    const out = formatHuman(diags, { color: false, readSource: (f) => (f === "src/flow.ts" ? source : undefined) });
    expect(out).toContain("src/flow.ts:12:7 - error WEIR1001: output 'table'");
    expect(out).toContain("\n  column 'age': Int32 (producer) is not Utf8 (consumer)\n");
    expect(out).toMatch(/> 12 \|\s+train\(\{ table: t\.table \}\);/);
    expect(out).toContain("warning WEIR6003: input 'payload' of task 'loose'");
    expect(out.trimEnd().split("\n").at(-1)).toBe("Found 2 errors and 1 warning.");
    expect(out).not.toContain("\u001b[");
  });
  it("colors only when asked, and survives unreadable sources", () => {
    const out = formatHuman(diags, {
      color: true,
      readSource: () => {
        throw new Error("EACCES");
      },
    });
    expect(out).toContain("\u001b[");
    expect(out).toContain("WEIR1001");
  });
  it("says so when there is nothing to report", () => {
    expect(formatHuman([], { color: false }).trim()).toBe("No problems found.");
  });
});

describe("formatJson", () => {
  it("follows the documented schema", () => {
    const parsed = JSON.parse(formatJson(diags));
    expect(parsed.version).toBe(1);
    expect(parsed.errorCount).toBe(2);
    expect(parsed.warningCount).toBe(1);
    expect(parsed.diagnostics[0]).toEqual({
      code: "WEIR1001",
      category: "error",
      message: diags[0].message,
      details: diags[0].details,
      file: "src/flow.ts",
      line: 12,
      column: 7,
      workflow: "flow",
      node: "train",
    });
    expect(parsed.diagnostics[2]).toMatchObject({ file: null, line: null, column: null, workflow: null, node: null });
  });
});

describe("formatGithub", () => {
  it("writes one escaped workflow command per diagnostic", () => {
    const lines = formatGithub(diags).trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0].startsWith("::error file=src/flow.ts,line=12,col=7,title=WEIR1001::output 'table'")).toBe(true);
    expect(lines[0]).toContain("%0Acolumn 'age': Int32 (producer) is not Utf8 (consumer)%0Acolumn 'x'");
    expect(lines[2]).toBe(`::warning title=WEIR6003::${diags[2].message}`);
  });
  it("escapes properties (comma, colon) and data (percent, newline)", () => {
    const d = diagnostic(Diagnostics.TscError, ["TS2322: 100% wrong\nsecond"], { file: "src/a,b:c.ts", line: 1, column: 2 }, ["x"]);
    const [line] = formatGithub([d]).trimEnd().split("\n");
    expect(line).toBe("::error file=src/a%2Cb%3Ac.ts,line=1,col=2,title=WEIR9001::TS2322: 100%25 wrong second%0Ax");
  });
});

describe("diagnostic()", () => {
  it("fills placeholders, keeps one line, and codes with WEIR", () => {
    const d = diagnostic(Diagnostics.UnsupportedWorkflowSyntax, ["await", "workflow bodies describe a graph"]);
    expect(d).toEqual({
      code: "WEIR9002",
      category: "error",
      message: "'await' is not allowed in a workflow body: workflow bodies describe a graph",
      details: [],
    });
  });
  it("has unique codes in their documented ranges", () => {
    const all = Object.entries(Diagnostics);
    expect(new Set(all.map(([, d]) => d.code)).size).toBe(all.length);
    for (const [name, d] of all) {
      if (d.category === "warning") expect(Math.floor(d.code / 1000), name).toBe(6);
      else expect([1, 2, 3, 4, 5, 9], name).toContain(Math.floor(d.code / 1000));
    }
    expect(Diagnostics.TopLevelSideEffect.code).toBe(6002);
    expect(Diagnostics.AnyTypedValue.code).toBe(6003);
    expect([Diagnostics.TscError.code, Diagnostics.NoWorkflowsFound.code, Diagnostics.DuplicateWorkflowName.code]).toEqual([9001, 9003, 9006]);
  });
});
