// Time per edit on the compile bench's 1,000-node project, inside a real tsserver: one-line edits of
// a task's body and of the big workflow's file, each followed by the diagnostics request an editor
// sends. Prints the plugin's own check time (from tsserver's log) and the request's round trip. The
// figure is the printed one; the assertion is a generous bound on each kind's median edit, one a
// recompile of the project (seconds on this project) would break and a loaded machine would not.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { generateProject } from "../../bench/compile/generate-project.ts";
import { pluginProbe, writtenProject } from "./plugin-project.ts";
import { REPO, TsServer } from "./tsserver-client.ts";

const EDITS = 3;
let server: TsServer | undefined;
afterAll(() => server?.close());

/** The plugin's check times logged since `from` lines, in ms. */
const checkTimes = (s: TsServer, from: number) =>
  s
    .pluginLog()
    .slice(from)
    .flatMap((l) => /checked .* in ([\d.]+) ms/.exec(l)?.[1] ?? [])
    .map(Number);

/** The CPU time of the last check logged (the check's own cost however loaded the machine is). */
const lastCpuTime = (s: TsServer) =>
  s
    .pluginLog()
    .flatMap((l) => /\(cpu ([\d.]+) ms/.exec(l)?.[1] ?? [])
    .at(-1);

test("a one-line edit of the 1,000-node bench project is rechecked without recompiling the project", async () => {
  const dir = writtenProject({});
  generateProject(dir, path.join(REPO, "sdk", "index.ts"), { taskFiles: 50, bigNodes: 1000, smallWorkflows: 0, smallNodes: 0 });
  server = new TsServer(pluginProbe(), { global: true });
  const workflow = path.join(dir, "workflows", "big.ts");
  const taskFile = path.join(dir, "tasks", "file_7.ts");
  await server.open(workflow);
  await server.open(taskFile);
  let started = performance.now();
  expect(await server.weirDiagnostics(workflow)).toEqual([]);
  const first = performance.now() - started;

  const rows: string[] = [`first check: ${first.toFixed(0)} ms round trip, plugin ${checkTimes(server, 0).join(", ")} ms (cpu ${lastCpuTime(server)} ms)`];
  const edits: Array<[string, string, (text: string, i: number) => string]> = [
    ["a task's body (tasks/file_7.ts)", taskFile, (text, i) => text.replace(/y: x \+ (\d+)/, (_m, n) => `y: x + ${Number(n) + i + 1}`)],
    ["the workflow's file (workflows/big.ts)", workflow, (text, i) => `${text}// edit ${i}\n`],
  ];
  const timesByKind: Array<[string, number[]]> = [];
  for (const [label, file, edit] of edits) {
    const original = readFileSync(file, "utf8");
    const times: number[] = [];
    timesByKind.push([label, times]);
    for (let i = 0; i < EDITS; i++) {
      const mark = server.pluginLog().length;
      await server.replace(file, edit(original, i));
      started = performance.now();
      expect(await server.weirDiagnostics(file)).toEqual([]);
      const roundTrip = performance.now() - started;
      const plugin = checkTimes(server, mark);
      // One incremental check per edit, however many files the editor then asks about.
      expect(plugin).toHaveLength(1);
      expect(await server.weirDiagnostics(workflow)).toEqual([]);
      expect(checkTimes(server, mark)).toHaveLength(1);
      rows.push(`edit ${i + 1} of ${label}: plugin ${plugin[0].toFixed(1)} ms (cpu ${lastCpuTime(server)} ms), round trip ${roundTrip.toFixed(0)} ms`);
      times.push(plugin[0]);
    }
  }
  console.log(`weir ts-plugin, time per edit on the 1,000-node bench project:\n  ${rows.join("\n  ")}`);
  for (const [label, times] of timesByKind) {
    expect(times.sort((a, b) => a - b)[Math.floor(times.length / 2)], `median plugin time per edit of ${label}`).toBeLessThan(500);
  }
}, 600_000);
