// One project kept warm for an editor (the TypeScript plugin, ts-plugin/): files are updated from
// the editor's unsaved buffers rather than the disk, and each check is a watch-style recompile (the
// extraction cache and the tsc builder's signatures), so a keystroke re-reads only what the edit can
// reach. tsc's own errors are the editor's to show: the builder type-checks nothing here.
import { compileLoaded } from "./compile.ts";
import type { CompileResult, CompileState } from "./compile.ts";
import { ExtractionCache } from "./extraction-cache.ts";
import { loadProject } from "./project.ts";
import { IncrementalTscDiagnostics } from "./tsc-diagnostics.ts";

export interface EditorSession {
  /** The folder diagnostics' files are relative to. */
  readonly root: string;
  /** The project's text of `file` (absolute), or undefined when the project does not hold it. */
  textOf(file: string): string | undefined;
  /** Replaces `file`'s text with the editor's (adds the file when the project lacks it). */
  update(file: string, text: string): void;
  /** Every weir check on the project's current texts, tsc's errors (WEIR9001) aside. */
  check(): CompileResult;
}

/** Loads the project at `target` (a directory or tsconfig.json); a config error comes back as a result. */
export function openEditorSession(target: string): EditorSession | CompileResult {
  const load = loadProject(target);
  if (!load.ok) return { specs: [], diagnostics: [load.diagnostic], configError: true };
  const loaded = load.loaded;
  const state: CompileState = { tsc: new IncrementalTscDiagnostics(loaded.root, { semantic: false }), cache: new ExtractionCache(), discovery: new Map() };
  return {
    root: loaded.root,
    textOf: (file) => loaded.project.getSourceFile(file)?.getFullText(),
    update(file, text) {
      const existing = loaded.project.getSourceFile(file);
      if (existing) existing.replaceWithText(text);
      else loaded.project.createSourceFile(file, text);
    },
    check: () => compileLoaded(loaded, { includeTscDiagnostics: false }, state),
  };
}
