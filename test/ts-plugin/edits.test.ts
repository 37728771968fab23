// Edits in the editor's unsaved buffers update weir's diagnostics: the did-you-mean quick fix
// applies and the error is gone, the mistake typed back brings it back, and a change in a task's
// file shows up in the workflow file that uses it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { compileProject } from "../../compiler/index.ts";
import { pluginProbe, writtenProject } from "./plugin-project.ts";
import type { FileCodeEdits } from "./tsserver-client.ts";
import { TsServer } from "./tsserver-client.ts";

const TASKS = `import { t, task } from "weir";

export const double = task({ name: "double", inputs: { value: t.int() }, outputs: { doubled: t.int() } }, ({ value }) => ({ doubled: value * 2 }));
`;

const FLOW = `import { t, workflow } from "weir";
import { double } from "./tasks.ts";

export const daily = workflow({ name: "daily", inputs: { n: t.int() }, outputs: { out: t.int() } }, ({ n }) => {
  const first = double({ valeu: n });
  return { out: first.doubled };
});
`;

let server: TsServer;
let dir: string;
let flow: string;
let tasks: string;
beforeAll(async () => {
  dir = writtenProject({ "tasks.ts": TASKS, "flow.ts": FLOW });
  flow = path.join(dir, "flow.ts");
  tasks = path.join(dir, "tasks.ts");
  server = new TsServer(pluginProbe(), { global: true });
  await server.open(flow);
  await server.open(tasks);
});
afterAll(() => server.close());

const codes = async (file: string) => (await server.weirDiagnostics(file)).map((d) => `${d.start.line}:${d.start.offset} WEIR${d.code}`);

test("the did-you-mean quick fix renames the input; the error goes, and comes back when the mistake does", async () => {
  const expected = compileProject(dir).diagnostics.find((d) => d.code === "WEIR2002")!;
  expect(expected.message).toContain("did you mean 'value'?");
  const unknown = (await server.weirDiagnostics(flow)).find((d) => d.code === 2002)!;
  expect(unknown).toMatchObject({ start: { line: expected.location!.line, offset: expected.location!.column } });

  const fixes = await server.codeFixes(flow, unknown);
  const fix = fixes.find((f) => f.fixName === "weirDidYouMean");
  expect(fix?.description).toBe("Change 'valeu' to 'value'");
  const fixed = applyEdits(FLOW, fix!.changes[0]);
  expect(fixed).toContain("double({ value: n })");
  await server.replace(flow, fixed);
  expect(await codes(flow)).toEqual([]);

  await server.replace(flow, FLOW);
  expect(await codes(flow)).toContain(`${expected.location!.line}:${expected.location!.column} WEIR2002`);
  await server.replace(flow, fixed);
  expect(await codes(flow)).toEqual([]);
}, 120_000);

test("a task's new output type is checked in the workflow file that uses it", async () => {
  await server.replace(flow, FLOW.replace("valeu", "value"));
  expect(await codes(flow)).toEqual([]);
  await server.replace(tasks, TASKS.replace("outputs: { doubled: t.int() }", "outputs: { doubled: t.float() }"));
  expect(await codes(tasks)).toEqual([]);
  const mismatch = (await server.weirDiagnostics(flow)).find((d) => d.code === 1001);
  expect(mismatch?.text).toContain("float (producer) is not int (consumer)");
  await server.replace(tasks, TASKS);
  expect(await codes(flow)).toEqual([]);
  // Nothing was saved: the project on disk still has the original texts.
  expect(readFileSync(tasks, "utf8")).toBe(TASKS);
}, 120_000);

/** `text` with one file's edits applied (tsserver's 1-based line/offset positions). */
function applyEdits(text: string, edits: FileCodeEdits): string {
  const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
  const at = (p: { line: number; offset: number }) => starts[p.line - 1] + p.offset - 1;
  let out = text;
  for (const c of [...edits.textChanges].sort((a, b) => at(b.start) - at(a.start))) out = out.slice(0, at(c.start)) + c.newText + out.slice(at(c.end));
  return out;
}
