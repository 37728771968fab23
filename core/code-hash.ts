// A task's code hash as the worker computes it before running a task: the `typescript` package's
// parser alone (no ts-morph, no type checker), files parsed from disk and cached by (path, mtime,
// size). The algorithm is task-code-hash.ts's; the compiler runs it over its program's parsed files.
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import type ts from "typescript";
import { computeTaskCodeHash } from "./task-code-hash.ts";
import type { CodeHashSources, TypeScriptApi } from "./task-code-hash.ts";

// Loaded with require, and only on first use: an ESM import of this 9 MB CommonJS file makes Node
// (and tsx) lex its whole source for export names, which costs more than loading it.
let typescript: TypeScriptApi | undefined;
const typescriptApi = (): TypeScriptApi => (typescript ??= createRequire(import.meta.url)("typescript") as TypeScriptApi);

interface CachedFile {
  readonly mtimeMs: number;
  readonly size: number;
  readonly source: ts.SourceFile;
}

const parsed = new Map<string, CachedFile>();

const diskSources: CodeHashSources = {
  get ts() {
    return typescriptApi();
  },
  parse(file: string): ts.SourceFile {
    const stat = statSync(file);
    const cached = parsed.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.source;
    const api = typescriptApi();
    const source = api.createSourceFile(file, readFileSync(file, "utf8"), api.ScriptTarget.Latest, false);
    parsed.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, source });
    return source;
  },
};

/**
 * sha256 (hex) of the task exported as `exportName` from `moduleFile` (relative to `projectRoot`
 * or absolute) and the project-local modules it depends on.
 */
export function taskCodeHash(projectRoot: string, moduleFile: string, exportName: string): string {
  return computeTaskCodeHash(diskSources, projectRoot, moduleFile, exportName);
}
