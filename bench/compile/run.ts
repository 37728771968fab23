// Compile benchmark (not a test): cold `weir compile` vs `tsc --noEmit` on the same generated
// project, then a one-line change recompiled through the watch path. Prints a table.
// Run: node --import tsx bench/compile/run.ts
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BENCH_SHAPE, generateProject } from "./generate-project.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = mkdtempSync(path.join(tmpdir(), "weir-bench-compile-"));
generateProject(dir, path.join(repo, "sdk/index.ts"));

const timeProcess = (args: string[]): { ms: number; status: number | null; out: string } => {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: repo, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  return { ms: performance.now() - started, status: run.status, out: run.stdout + run.stderr };
};

const tsc = timeProcess([path.join(repo, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", dir]);
const weir = timeProcess(["--import", "tsx", path.join(repo, "test/compiler/compile-cli.ts"), "compile", dir, "--out", path.join(dir, "out")]);

// The watch path, in process: one warm project, refresh one file, recompile.
const { watchProject } = await import("../../compiler/watch.ts");
let initialMs = 0;
const handle = watchProject(dir, { onResult: (_r, ms) => (initialMs = ms), debounceMs: 1_000_000 });
if ("specs" in handle) throw new Error(`bench project failed to load: ${JSON.stringify(handle.diagnostics)}`);
const file = path.join(dir, "tasks", "file_7.ts");
const samples: number[] = [];
for (let i = 0; i < 5; i++) {
  writeFileSync(file, readFileSync(file, "utf8").replace(/y: x \+ (\d+)/, (_m, n) => `y: x + ${Number(n) + 1}`));
  const started = performance.now();
  const result = handle.recompile([file]);
  samples.push(performance.now() - started);
  if (result.diagnostics.some((d) => d.category === "error")) throw new Error(result.diagnostics[0].message);
}
handle.close();
samples.sort((a, b) => a - b);

const rows: Array<[string, string]> = [
  ["project", `${BENCH_SHAPE.taskFiles} task files, 1 workflow x ${BENCH_SHAPE.bigNodes} nodes, ${BENCH_SHAPE.smallWorkflows} workflows x ${BENCH_SHAPE.smallNodes} nodes`],
  ["tsc --noEmit (cold, process)", `${tsc.ms.toFixed(0)} ms (exit ${tsc.status})`],
  ["weir compile (cold, process)", `${weir.ms.toFixed(0)} ms (exit ${weir.status})`],
  ["ratio weir / tsc", `${(weir.ms / tsc.ms).toFixed(2)}x (target <= 1.5x)`],
  ["watch: first compile in process", `${initialMs.toFixed(0)} ms`],
  ["watch: recompile after 1-line change (median of 5)", `${samples[2].toFixed(0)} ms (target < 300 ms)`],
];
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
if (weir.status !== 0) console.log(weir.out.slice(0, 2000));
rmSync(dir, { recursive: true, force: true });
