// The compiler's editor session, fed an editor's programs (a TypeScript language service's, as
// tsserver keeps them) edit after edit: on TypeScript's own release it reads them through ts-morph
// wrappers, on another release through their texts; both report what `weir compile` reports on the
// same texts, whichever file the edit was in.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { compileProject, openEditorSession } from "../../compiler/index.ts";
import type { CompileResult, Diagnostic } from "../../compiler/index.ts";
import { writtenProject } from "./plugin-project.ts";
import { REPO } from "./tsserver-client.ts";

const TASKS = `import { t, task } from "weir";

export const double = task({ name: "double", inputs: { value: t.int() }, outputs: { doubled: t.int() } }, ({ value }) => ({ doubled: value * 2 }));
`;
// Declaring a named type (here a function), a file is compared by its declaration output.
const HELPER = "function helper(): number {\n  return 1;\n}\n";

const FLOW = `import { t, workflow } from "weir";
import { double } from "./tasks.ts";

export const daily = workflow({ name: "daily", inputs: { n: t.int() }, outputs: { out: t.int() } }, ({ n }) => {
  const first = double({ value: n });
  return { out: first.doubled };
});
`;

/** A language service over `dir` whose texts the test edits (each edit a new script version). */
function editor(dir: string) {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(dir, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error("no tsconfig");
  const texts = new Map<string, { text: string; version: number }>();
  const host: ts.LanguageServiceHost = {
    getCompilationSettings: () => parsed.options,
    getScriptFileNames: () => parsed.fileNames,
    getScriptVersion: (file) => String(texts.get(file)?.version ?? 0),
    getScriptSnapshot: (file) => {
      const text = texts.get(file)?.text ?? ts.sys.readFile(file);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => dir,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  return {
    edit(file: string, text: string) {
      texts.set(path.join(dir, file), { text, version: (texts.get(path.join(dir, file))?.version ?? 0) + 1 });
    },
    program: () => service.getProgram()!,
  };
}

const findings = (result: CompileResult) => result.diagnostics.filter((d: Diagnostic) => d.code !== "WEIR9001").map((d) => JSON.stringify(d));

test.each([
  ["TypeScript's own release (its program, wrapped)", ts.version],
  ["another release (its texts)", "5.9.3"],
])(
  "on %s, each edit's findings are weir compile's",
  (_label, release) => {
    const dir = writtenProject({ "tasks.ts": TASKS, "flow.ts": FLOW });
    const service = editor(dir);
    const session = openEditorSession(path.join(dir, "tsconfig.json"), release);
    // `weir compile` on the same texts, written to disk for it (the editor's copy is what the session reads).
    const compiled = (files: Record<string, string>) => {
      for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
      return findings(compileProject(dir));
    };
    const float = TASKS.replace("outputs: { doubled: t.int() }", "outputs: { doubled: t.float() }");
    // A new output name: the workflow's reference to the old one is reported.
    const renamed = TASKS.replace("outputs: { doubled: t.int() }", "outputs: { twice: t.int() }").replace("({ doubled:", "({ twice:");
    const edits: Array<[string, string, string]> = [
      ["flow.ts", FLOW.replace("{ value: n }", "{ valeu: n }"), "WEIR2002"],
      ["flow.ts", FLOW, ""],
      ["tasks.ts", float, "WEIR1001"],
      ["tasks.ts", TASKS.replace("value * 2", "value * 3"), ""],
      ["tasks.ts", renamed, "WEIR"],
      ["tasks.ts", TASKS + HELPER, ""],
      ["tasks.ts", float + HELPER, "WEIR1001"],
      ["tasks.ts", renamed + HELPER, "WEIR"],
      ["tasks.ts", TASKS, ""],
    ];
    expect(findings(session.check(service.program()))).toEqual([]);
    for (const [file, text, code] of edits) {
      service.edit(file, text);
      const found = findings(session.check(service.program()));
      expect(found).toEqual(compiled({ [file]: text }));
      if (code) expect(found.some((d) => d.includes(code))).toBe(true);
      else expect(found).toEqual([]);
    }
  },
  120_000,
);

// A schema const in a file of its own, used by a producer's struct output into a consumer that needs
// an int: adding `.int()` there changes no type (zod's `.int()` returns the same type), yet it makes
// the edge valid, because the compiler reads integers from the schema's source.
const SCHEMAS = `import { z } from "zod";

export const Count = z.number();
`;
const STRUCT_TASKS = `import { t, task } from "weir";
import { z } from "zod";
import { Count } from "./schemas.ts";

export const produce = task({ name: "produce", inputs: {}, outputs: { s: t.struct(z.object({ n: Count })) } }, () => ({ s: { n: 1 } }));
export const consume = task({ name: "consume", inputs: { s: t.struct(z.object({ n: z.number().int() })) }, outputs: {} }, () => ({}));
`;
const STRUCT_FLOW = `import { workflow } from "weir";
import { consume, produce } from "./tasks.ts";

export const counted = workflow({ name: "counted" }, () => {
  const p = produce({});
  consume({ s: p.s });
  return {};
});
`;

test("an edit that adds .int() to a schema in another file is seen by the editor, as weir compile sees it", () => {
  const dir = writtenProject({ "schemas.ts": SCHEMAS, "tasks.ts": STRUCT_TASKS, "flow.ts": STRUCT_FLOW });
  // The project imports zod itself, as a user's does.
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  symlinkSync(path.join(REPO, "node_modules", "zod"), path.join(dir, "node_modules", "zod"));
  const service = editor(dir);
  const session = openEditorSession(path.join(dir, "tsconfig.json"), ts.version);
  const compiled = (files: Record<string, string>) => {
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
    return findings(compileProject(dir));
  };
  const before = findings(session.check(service.program()));
  expect(before).toEqual(compiled({}));
  expect(before.some((d) => d.includes("WEIR1001"))).toBe(true);
  const int = SCHEMAS.replace("z.number()", "z.number().int()");
  service.edit("schemas.ts", int);
  const after = findings(session.check(service.program()));
  expect(after).toEqual(compiled({ "schemas.ts": int }));
  expect(after).toEqual([]);
}, 120_000);
