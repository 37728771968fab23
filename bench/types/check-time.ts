// Type-check benchmark (not a test): what `weir` costs a user's `tsc --noEmit`, on
// examples/ml-pipeline, against the declarations in types/ (what the package's "types" condition
// gives users) and against the SDK's sources (what `weir` resolved to before types/). Prints a table.
// Run: node --import tsx bench/types/check-time.ts [--runs 3]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const project = path.join(repo, "examples/ml-pipeline");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const flag = process.argv.indexOf("--runs");
const runs = flag > 0 ? Number(process.argv[flag + 1]) : 3;

/** Wall seconds of each run, and the file count tsc reports. */
function measure(tsconfig: string): { seconds: number[]; files: string } {
  const seconds: number[] = [];
  let files = "";
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [tsc, "--noEmit", "--extendedDiagnostics", "-p", tsconfig], { encoding: "utf8" });
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (run.status !== 0) throw new Error(`tsc -p ${tsconfig} failed:\n${run.stdout}${run.stderr}`);
    files = /^Files:\s+(\d+)/m.exec(run.stdout)?.[1] ?? "?";
  }
  return { seconds, files };
}

// The same project with `weir` mapped onto sdk/index.ts, as the compile benchmark's projects are.
const scratch = mkdtempSync(path.join(tmpdir(), "weir-check-time-"));
const sources = path.join(scratch, "tsconfig.json");
writeFileSync(
  sources,
  JSON.stringify({
    extends: path.join(project, "tsconfig.json"),
    // typeRoots: @types/node is looked up from the tsconfig's folder, and this one is in the temp dir.
    compilerOptions: { paths: { weir: [path.join(repo, "sdk/index.ts")] }, typeRoots: [path.join(repo, "node_modules/@types")] },
    include: [path.join(project, "*.ts")],
  }),
);
try {
  const rows = [
    { label: "weir → types/ (declarations)", ...measure(path.join(project, "tsconfig.json")) },
    { label: "weir → sdk/ (sources)", ...measure(sources) },
  ];
  console.log(`tsc --noEmit examples/ml-pipeline, ${runs} run(s) each, wall seconds`);
  for (const row of rows) {
    const best = Math.min(...row.seconds).toFixed(2);
    console.log(`${row.label.padEnd(32)} best ${best}  runs ${row.seconds.map((s) => s.toFixed(2)).join(" ")}  files ${row.files}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
