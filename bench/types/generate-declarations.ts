// Writes types/: the declarations of the SDK's public face (sdk/index.ts and what it reaches), which
// the package's "types" condition points at, so a user project type-checks `weir` from a few light
// .d.ts files instead of the SDK's sources and everything those import. `--check` only compares;
// test/types/generated-declarations.test.ts runs the same comparison, so types/ never goes stale.
//   node --import tsx bench/types/generate-declarations.ts [--check]
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TYPES_DIR = "types";
const ENTRY = "sdk/index.ts";

// The repo's own settings for the SDK, less what emitting needs changed. `types: []`: the public
// face must not lean on @types/node, which a user project may not load.
const OPTIONS: Readonly<ts.CompilerOptions> = Object.freeze({
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Preserve,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  strict: true,
  skipLibCheck: true,
  verbatimModuleSyntax: true,
  lib: ["lib.es2023.d.ts"],
  types: [],
  declaration: true,
  emitDeclarationOnly: true,
  rootDir: ROOT,
  outDir: path.join(ROOT, TYPES_DIR),
});

/** Every file types/ should hold, by path relative to the repo root, with its exact text. */
export function sdkDeclarations(): Map<string, string> {
  const program = ts.createProgram([path.join(ROOT, ENTRY)], OPTIONS);
  const problems = ts.getPreEmitDiagnostics(program);
  if (problems.length > 0) {
    const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => ROOT, getNewLine: () => "\n" };
    throw new Error(`the SDK does not type-check on its own:\n${ts.formatDiagnostics(problems, host)}`);
  }
  const out = new Map<string, string>();
  const emitted = program.emit(undefined, (file, text) => out.set(path.relative(ROOT, file).split(path.sep).join("/"), text));
  if (emitted.emitSkipped) throw new Error("declaration emit was skipped");
  const kept = reachable(out, `${TYPES_DIR}/${ENTRY.replace(/\.ts$/, ".d.ts")}`);
  return new Map(
    [...kept].map(([rel, text]) => {
      const source = rel.replace(new RegExp(`^${TYPES_DIR}/`), "").replace(/\.d\.ts$/, ".ts");
      return [rel, formatted(rel, header(source, text) + text)];
    }),
  );
}

// tsc emits a declaration for every file in the program, sdk/values.ts's plumbing and core/ too;
// a user's program loads only what the entry's declarations import, so types/ holds just that.
function reachable(emitted: Map<string, string>, entry: string): Map<string, string> {
  const keep = new Map<string, string>();
  const queue = [entry];
  for (let rel = queue.pop(); rel !== undefined; rel = queue.pop()) {
    const text = emitted.get(rel);
    if (text === undefined) throw new Error(`${rel} is imported but was not emitted`);
    if (keep.has(rel)) continue;
    keep.set(rel, text);
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (fileName.startsWith(".")) queue.push(path.posix.join(path.posix.dirname(rel), fileName).replace(/\.ts$/, ".d.ts"));
    }
  }
  return new Map([...keep].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function header(source: string, text: string): string {
  const lines = [`// Generated from ${source} by bench/types/generate-declarations.ts (npm run generate:types); do not edit.`];
  // The sources' own lint settings, which Biome applies to sdk/ only, carried over to their output.
  if (hasAnyType(text)) lines.push("// biome-ignore-all lint/suspicious/noExplicitAny: generic constraints top out at any, as in sdk/");
  // In a .d.ts, `export {}` is what keeps the unexported helper declarations private.
  if (/^export \{\};$/m.test(text)) lines.push("// biome-ignore-all lint/complexity/noUselessEmptyExport: it keeps unexported declarations private");
  return `${lines.join("\n")}\n`;
}

function hasAnyType(text: string): boolean {
  const file = ts.createSourceFile("x.d.ts", text, ts.ScriptTarget.Latest);
  const visit = (node: ts.Node): boolean => node.kind === ts.SyntaxKind.AnyKeyword || (ts.forEachChild(node, visit) ?? false);
  return visit(file);
}

/** tsc's printer indents by four; Biome formats the output as it does the rest of the tree. */
function formatted(rel: string, text: string): string {
  const biome = path.join(ROOT, "node_modules", "@biomejs", "biome", "bin", "biome");
  return execFileSync(process.execPath, [biome, "format", `--stdin-file-path=${rel}`], { cwd: ROOT, input: text, encoding: "utf8" });
}

/** The files under types/ now, with their text. */
export function currentDeclarations(): Map<string, string> {
  const dir = path.join(ROOT, TYPES_DIR);
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  const found = files.map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join("/"));
  return new Map(found.sort().map((rel) => [rel, readFileSync(path.join(ROOT, rel), "utf8")]));
}

/** Paths that differ between what types/ holds and what it should hold. */
export function staleDeclarations(want: Map<string, string>, have: Map<string, string>): string[] {
  return [...new Set([...want.keys(), ...have.keys()])].filter((rel) => want.get(rel) !== have.get(rel)).sort();
}

function main(check: boolean): number {
  const want = sdkDeclarations();
  if (check) {
    const stale = staleDeclarations(want, currentDeclarations());
    if (stale.length === 0) return 0;
    process.stderr.write(`types/ is stale (run npm run generate:types): ${stale.join(", ")}\n`);
    return 1;
  }
  rmSync(path.join(ROOT, TYPES_DIR), { recursive: true, force: true });
  for (const [rel, text] of want) {
    mkdirSync(path.dirname(path.join(ROOT, rel)), { recursive: true });
    writeFileSync(path.join(ROOT, rel), text);
  }
  process.stdout.write(`wrote ${want.size} declaration files to ${TYPES_DIR}/\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.includes("--check"));
}
