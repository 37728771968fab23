// Compile benchmark (not a test): for each project shape, cold `weir compile` vs `tsc --noEmit` on
// the same generated files in the same run, then one-line changes recompiled through the watch path
// (`watchProject(...).recompile(files)`). Prints a table.
// Run: node --import tsx bench/compile/run.ts [--compiler <repo checkout>] (default: this repo)
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateProject } from "./generate-project.ts";
import type { ProjectShape } from "./generate-project.ts";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const flag = process.argv.indexOf("--compiler");
// The checkout whose compiler is measured (an older commit's, to compare before/after).
const compilerRepo = flag > 0 ? path.resolve(process.argv[flag + 1]) : repo;

const SHAPES: ReadonlyArray<{ label: string; shape: ProjectShape }> = Object.freeze([
  { label: "1 workflow x 1,000 nodes (50 task files)", shape: { taskFiles: 50, bigNodes: 1000, smallWorkflows: 0, smallNodes: 0 } },
  { label: "100 workflows x 20 nodes (50 task files)", shape: { taskFiles: 50, tasks: 1000, bigNodes: 0, smallWorkflows: 100, smallNodes: 20 } },
]);
const RECOMPILES = 5;

const timeProcess = (args: string[]): { ms: number; status: number | null; out: string } => {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: repo, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  return { ms: performance.now() - started, status: run.status, out: run.stdout + run.stderr };
};

const { watchProject } = (await import(pathToFileURL(path.join(compilerRepo, "compiler/watch.ts")).href)) as typeof import("../../compiler/watch.ts");
const rows: Array<[string, string]> = [["compiler measured", compilerRepo]];
for (const { label, shape } of SHAPES) {
  const dir = mkdtempSync(path.join(tmpdir(), "weir-bench-compile-"));
  generateProject(dir, path.join(repo, "sdk/index.ts"), shape);
  const tsc = timeProcess([path.join(repo, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", dir]);
  const weir = timeProcess(["--import", "tsx", path.join(compilerRepo, "test/compiler/compile-cli.ts"), "compile", dir, "--out", path.join(dir, "out")]);

  // The watch path, in process: one warm project; edit one task's body, recompile, RECOMPILES times.
  let initialMs = 0;
  const handle = watchProject(dir, { onResult: (_r, ms) => (initialMs = ms), debounceMs: 1_000_000 });
  if ("specs" in handle) throw new Error(`bench project failed to load: ${JSON.stringify(handle.diagnostics)}`);
  const file = path.join(dir, "tasks", "file_7.ts");
  const samples: number[] = [];
  for (let i = 0; i < RECOMPILES; i++) {
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(/y: x \+ (\d+)/, (_m, n) => `y: x + ${Number(n) + 1}`),
    );
    const started = performance.now();
    const result = handle.recompile([file]);
    samples.push(performance.now() - started);
    if (result.diagnostics.some((d) => d.category === "error")) throw new Error(result.diagnostics[0].message);
  }
  handle.close();
  const sorted = [...samples].sort((a, b) => a - b);
  rows.push(
    [`-- ${label}`, ""],
    ["tsc --noEmit (cold, process)", `${tsc.ms.toFixed(0)} ms (exit ${tsc.status})`],
    ["weir compile (cold, process)", `${weir.ms.toFixed(0)} ms (exit ${weir.status})`],
    ["ratio weir / tsc", `${(weir.ms / tsc.ms).toFixed(2)}x (target <= 1.5x)`],
    ["watch: first compile in process", `${initialMs.toFixed(0)} ms`],
    ["watch: first 1-line change", `${samples[0].toFixed(0)} ms`],
    [`watch: 1-line change (median of ${RECOMPILES})`, `${sorted[Math.floor(RECOMPILES / 2)].toFixed(0)} ms (target < 300 ms)`],
  );
  if (weir.status !== 0) rows.push(["weir output", weir.out.slice(0, 2000)]);
  rmSync(dir, { recursive: true, force: true });
}
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
