// A mismatched edge reads as a sentence in plain `tsc`: the SDK's types turn the input's expected
// type into a message naming the column (or field) and both sides. The fixtures are a real project
// importing `weir`; each mismatched call is marked by a trailing `// <case>` comment.
import { join } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const project = join(import.meta.dirname, "../fixtures/readable-errors");

/** Each marked line's diagnostic messages, keyed by the marker (`file:case`); unmarked lines under `file:line`. */
let messages: Map<string, string[]>;

beforeAll(() => {
  const configPath = join(project, "tsconfig.json");
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error(`cannot read ${configPath}`);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  messages = new Map();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (!d.file || d.start === undefined) throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const text = d.file.text.split("\n")[line];
    const marker = /\/\/ (\w+)$/.exec(text)?.[1] ?? String(line + 1);
    const key = `${d.file.fileName.slice(project.length + 1)}:${marker}`;
    messages.set(key, [...(messages.get(key) ?? []), ts.flattenDiagnosticMessageText(d.messageText, "\n")]);
  }
}, 60_000);

/** The one error of a marked call, which must be the readable message (its first line). */
function message(key: string): string {
  const found = messages.get(key);
  expect(found, `an error at ${key}`).toHaveLength(1);
  return (found?.[0] ?? "").split("\n")[0];
}

describe("dataframe edges name the column and both sides", () => {
  it("a nullable column into a non-null one", () => {
    expect(message("dataframes.ts:nullable")).toContain(`"weir: column 'country': nullable Utf8 here, input 'data' needs non-null Utf8"`);
  });
  it("a missing column", () => {
    expect(message("dataframes.ts:missing")).toContain(`"weir: column 'tenure_days' is missing here; input 'data' needs Int32"`);
  });
  it("a column of another Arrow type", () => {
    expect(message("dataframes.ts:narrower")).toContain(`"weir: column 'n': Int64 here, input 'data' needs Int32"`);
    expect(message("dataframes.ts:otherType")).toContain(`"weir: column 'label': Utf8 here, input 'data' needs Int64"`);
  });
  it("a struct column's fields, each difference at its depth", () => {
    const text = message("dataframes.ts:structField");
    expect(text).toContain(`"weir: column 'loc', field 'lat': Float32 here, input 'data' needs Float16"`);
    expect(text).toContain(`"weir: column 'loc', field 'lon': nullable Float64 here, input 'data' needs non-null Float64"`);
    expect(text).toContain(`"weir: column 'loc', field 'alt' is missing here; input 'data' needs Int32"`);
  });
});

describe("value edges name both sides", () => {
  it("int into float is refused and says why", () => {
    expect(message("values.ts:intFloat")).toContain(`"weir: int here, input 'factor' needs float (int and float never convert)"`);
  });
  it("an enum value outside the consumer's", () => {
    expect(message("values.ts:enum")).toContain(`"weir: enum value 'exact' here, input 'mode' needs enum<fast | slow>"`);
  });
  it("an optional into a required input", () => {
    expect(message("values.ts:optional")).toContain(`"weir: optional<float> here, input 'value' needs float"`);
  });
  it("a union names only the members that do not fit", () => {
    expect(message("values.ts:union")).toMatch(/to type '"weir: string here, input 'n' needs int"'/);
  });
  it("a struct field missing or of another type", () => {
    const text = message("values.ts:struct");
    expect(text).toContain(`"weir: field 'lr': number here, input 'config' needs string"`);
    expect(text).toContain(`"weir: field 'epochs' is missing here; input 'config' needs number"`);
  });
});

describe("what fits stays accepted", () => {
  it("accepted.ts has no errors but its @ts-expect-error lines", () => {
    expect([...messages.keys()].filter((k) => k.startsWith("accepted.ts"))).toEqual([]);
  });
  it("every error is one of the marked calls", () => {
    expect([...messages.keys()].sort()).toEqual(
      [
        "dataframes.ts:missing",
        "dataframes.ts:narrower",
        "dataframes.ts:nullable",
        "dataframes.ts:otherType",
        "dataframes.ts:structField",
        "values.ts:enum",
        "values.ts:intFloat",
        "values.ts:optional",
        "values.ts:struct",
        "values.ts:union",
      ].sort(),
    );
  });
});
