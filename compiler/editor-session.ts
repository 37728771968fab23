// One project kept warm for an editor (the TypeScript plugin, ts-plugin/). Each check reads the
// editor's own program (tsserver's, already updated for the edit and type-checked by it) through
// ts-morph wrappers, and is watch-style (the extraction cache and files' signatures), so a keystroke
// re-reads only what the edit can reach. An editor on another TypeScript release (its syntax kinds
// are not ts-morph's) feeds its texts to a project of the compiler's own instead, recompiled as the
// watch loop (watch.ts) recompiles. tsc's own errors are the editor's to show.
import path from "node:path";
import { ts } from "ts-morph";
import { compileLoaded, compileProgram } from "./compile.ts";
import type { CompileResult, CompileState } from "./compile.ts";
import { DeclarationSignatures } from "./declaration-signatures.ts";
import { EditorCodeSources } from "./editor-code-sources.ts";
import type { Definition, DiscoveryCache } from "./discover.ts";
import { ExtractionCache } from "./extraction-cache.ts";
import { isProjectFile, loadProject } from "./project.ts";
import type { LoadedProject } from "./project.ts";
import { IncrementalTscDiagnostics } from "./tsc-diagnostics.ts";
import { WrappedProgram } from "./wrapped-program.ts";

export interface EditorSession {
  /** The folder diagnostics' files are relative to. */
  readonly root: string;
  /** Every weir check on `program` (the editor's current one), tsc's errors (WEIR9001) aside. */
  check(program: ts.Program): CompileResult;
}

/**
 * A session for the project of `tsconfigPath`, whose programs the editor builds with TypeScript
 * `typescriptVersion` (its `ts.version`).
 */
export function openEditorSession(tsconfigPath: string, typescriptVersion: string): EditorSession {
  const root = path.dirname(path.resolve(tsconfigPath));
  const sameRelease = typescriptVersion.split(".").slice(0, 2).join(".") === ts.versionMajorMinor;
  return { root, check: sameRelease ? programChecks(root) : textChecks(root, tsconfigPath) };
}

function programChecks(root: string): (program: ts.Program) => CompileResult {
  let state: CompileState | undefined;
  let options: ts.CompilerOptions | undefined;
  const sources = new EditorCodeSources();
  return (program) => {
    // New compiler options can change any type without a file changing: start over.
    if (!state || program.getCompilerOptions() !== options) {
      state = { tsc: new DeclarationSignatures(), cache: new ExtractionCache(), discovery: new Map() };
      options = program.getCompilerOptions();
    }
    const view = new WrappedProgram(program);
    const files = projectFiles(root, program).map((f) => view.sourceFile(f));
    carryDiscovery(state.discovery, view);
    return compileProgram({ root, program, files, sources: sources.of(program) }, { includeTscDiagnostics: false }, state);
  };
}

// Discovery's cached definitions hold the nodes of the previous program's view; those of files this
// program still holds move to the new view (definitions are matched by node), the others are dropped
// and their files read again.
function carryDiscovery(discovery: DiscoveryCache, view: WrappedProgram): void {
  for (const [file, entry] of discovery) {
    const definitions = entry.definitions.map((d) => {
      const declaration = view.carried(d.declaration);
      const call = view.carried(d.call);
      return declaration && call ? { ...d, declaration, call } : undefined;
    });
    if (definitions.every((d): d is Definition => d !== undefined)) discovery.set(file, { ...entry, definitions });
    else discovery.delete(file);
  }
}

// The editor's program is read for its texts only (plain strings in any release); a file whose
// version did not move is not compared again.
function textChecks(root: string, tsconfigPath: string): (program: ts.Program) => CompileResult {
  let loaded: LoadedProject | undefined;
  let failed: CompileResult | undefined;
  const state: CompileState = { tsc: new IncrementalTscDiagnostics(root, { semantic: false }), cache: new ExtractionCache(), discovery: new Map() };
  const versions = new Map<string, string | undefined>();
  return (program) => {
    if (!loaded && !failed) {
      const load = loadProject(tsconfigPath);
      if (load.ok) loaded = load.loaded;
      else failed = { specs: [], diagnostics: [load.diagnostic], configError: true };
    }
    if (!loaded) return failed!;
    for (const file of projectFiles(root, program)) {
      const version = (file as ts.SourceFile & { version?: string }).version;
      if (version !== undefined && versions.get(file.fileName) === version) continue;
      versions.set(file.fileName, version);
      const existing = loaded.project.getSourceFile(file.fileName);
      if (!existing) loaded.project.createSourceFile(file.fileName, file.text);
      else if (existing.getFullText() !== file.text) existing.replaceWithText(file.text);
    }
    return compileLoaded(loaded, { includeTscDiagnostics: false }, state);
  };
}

function projectFiles(root: string, program: ts.Program): ts.SourceFile[] {
  return program
    .getSourceFiles()
    .filter((f) => isProjectFile(root, f.fileName))
    .sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
}
